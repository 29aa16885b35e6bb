/**
 * The Linux-lab graders against REAL network namespaces: every scenario runs a lab's reference
 * solution or one near-miss variant (libs/grading/src/linux/fixtures) in a private sandbox (its
 * own network and mount namespaces, see test/support/netns-sandbox.ts), then grades it through the
 * same runtime the pipeline uses, with a local exec transport. Needs root; installs ping/socat if
 * missing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BRIDGE_GRADER,
  CNI_PLUGIN_GRADER,
  gradeTask,
  ROUTING_GRADER,
  VETH_PAIR_GRADER,
  type CommandRunner,
  type GraderSpec,
  type GradingResult,
} from '@kubecohort/grading';
import { ensureNetnsTools, linuxFixture, NetnsSandbox, withNetnsSandbox } from './support/netns-sandbox.js';

/** Scenarios run side by side and the CNI ones spawn a few hundred processes each: be generous. */
const SCENARIO_TIMEOUT_MS = 180_000;

interface Variant {
  fixture: string;
  /** The checks that must fail, with their exact messages. Every other check that runs must pass. */
  fails: Record<string, string>;
  /** The checks that must be skipped because one of `fails` did not pass. */
  skips: string[];
}

interface Lab {
  grader: GraderSpec;
  reference: string;
  /** Puts a fixture into the sandbox: runs a lab script, or installs a CNI plugin. */
  prepare(sandbox: NetnsSandbox, fixture: string): Promise<void>;
  variants: Variant[];
}

const runScript = async (sandbox: NetnsSandbox, fixture: string): Promise<void> => {
  await sandbox.script(linuxFixture(fixture));
};

const installPlugin = async (sandbox: NetnsSandbox, fixture: string): Promise<void> => {
  // Variants source the reference from their own directory and replace one function.
  await sandbox.install('/opt/cni/bin/kc-cni.reference.sh', linuxFixture('kc-cni.reference.sh'), '644');
  await sandbox.install('/opt/cni/bin/kc-cni', linuxFixture(fixture));
};

const skippedBecause = (grader: GraderSpec, ...ids: string[]): string =>
  `Not checked: first fix ${ids.map((id) => `"${grader.checks.find((check) => check.id === id)!.title}"`).join(', ')}`;

const LABS: Lab[] = [
  {
    grader: VETH_PAIR_GRADER,
    reference: 'veth-pair.reference.sh',
    prepare: runScript,
    variants: [
      {
        fixture: 'veth-pair.wrong-prefix.sh',
        fails: {
          'veth-ns2': 'veth-ns2 in ns2 is not as asked: veth-ns2 in ns2 has 10.10.0.2/16, not 10.10.0.2/24',
        },
        skips: ['ping'],
      },
      {
        fixture: 'veth-pair.peer-not-moved.sh',
        fails: {
          'veth-ns2':
            "veth-ns2 in ns2 is not as asked: veth-ns2 is in the workbench's root namespace, not in ns2",
          'veth-peers':
            "veth-ns1 and veth-ns2 must be the two ends of one veth pair: veth-ns2 is in the workbench's root namespace, not in ns2",
        },
        skips: ['ping'],
      },
      {
        fixture: 'veth-pair.interface-down.sh',
        fails: { 'veth-ns1': 'veth-ns1 in ns1 is not as asked: veth-ns1 in ns1 is down' },
        skips: ['ping'],
      },
    ],
  },
  {
    grader: BRIDGE_GRADER,
    reference: 'bridge.reference.sh',
    prepare: runScript,
    variants: [
      {
        fixture: 'bridge.missing-port.sh',
        fails: {
          'bridge-ports':
            'veth-red, veth-green and veth-blue must be up and attached to br0: veth-blue is not attached to br0',
        },
        skips: ['mesh-ping'],
      },
      {
        fixture: 'bridge.wrong-address.sh',
        fails: {
          'namespace-addresses':
            'eth0 in red, green and blue is not as asked: eth0 in green has 10.20.0.21/24, not 10.20.0.12/24',
        },
        skips: ['default-routes', 'mesh-ping'],
      },
      {
        fixture: 'bridge.no-default-route.sh',
        fails: {
          'default-routes':
            'red, green and blue each need a default route via 10.20.0.1: blue has no default route',
        },
        skips: ['mesh-ping'],
      },
    ],
  },
  {
    grader: ROUTING_GRADER,
    reference: 'routing.reference.sh',
    prepare: runScript,
    variants: [
      {
        fixture: 'routing.ip-forward-off.sh',
        fails: { 'ip-forward': 'IP forwarding must be on in router: net.ipv4.ip_forward is 0 in router' },
        skips: ['ping', 'tcp'],
      },
      {
        fixture: 'routing.no-return-route.sh',
        fails: {
          routes:
            'left and right must route to each other through router: right has no route to 10.30.1.10 (Network is unreachable)',
        },
        skips: ['ping', 'tcp'],
      },
      {
        fixture: 'routing.swapped-router-addresses.sh',
        fails: {
          'router-addresses':
            'to-left and to-right in router are not as asked: to-left in router has 10.30.2.1/24, not 10.30.1.1/24; to-right in router has 10.30.1.1/24, not 10.30.2.1/24',
        },
        skips: ['routes', 'ping', 'tcp'],
      },
    ],
  },
  {
    grader: CNI_PLUGIN_GRADER,
    reference: 'kc-cni.reference.sh',
    prepare: installPlugin,
    variants: [
      {
        fixture: 'kc-cni.no-cleanup-on-del.sh',
        fails: {
          'cni-del':
            'DEL must remove the interface and succeed when repeated: eth0 still exists in kc-grade-a after DEL; host end veth86fcfc9d still exists after DEL',
        },
        skips: [],
      },
      {
        fixture: 'kc-cni.log-on-stdout.sh',
        fails: {
          'cni-add-a':
            'ADD into kc-grade-a must succeed with a valid result: stdout is not a JSON result (write logs to stderr)',
        },
        skips: ['cni-interface-a', 'cni-host-end', 'cni-add-b', 'cni-check', 'cni-del'],
      },
      {
        fixture: 'kc-cni.wrong-ifname.sh',
        fails: {
          'cni-interface-a':
            'ADD did not set up eth0 in kc-grade-a as its result says: there is no eth0 in kc-grade-a (found ceth0)',
        },
        skips: ['cni-host-end'],
      },
      {
        fixture: 'kc-cni.del-not-idempotent.sh',
        fails: {
          'cni-del':
            'DEL must remove the interface and succeed when repeated: a repeated DEL failed (exit 1: cannot delete veth86fcfc9d)',
        },
        skips: [],
      },
      {
        fixture: 'kc-cni.same-address.sh',
        fails: {
          'cni-add-b':
            'A second ADD into kc-grade-b must get its own address and reach kc-grade-a: kc-grade-b got 10.244.50.2, the address of kc-grade-a',
        },
        skips: [],
      },
    ],
  },
];

async function grade(lab: Lab, fixture: string): Promise<GradingResult> {
  return withNetnsSandbox(async (sandbox) => {
    await lab.prepare(sandbox, fixture);
    return gradeTask(lab.grader, { workbench: sandbox.runner });
  });
}

/** The failed checks' messages and the skipped checks' ids, for one readable assertion. */
function summary(result: GradingResult): { fails: Record<string, string | null>; skips: string[] } {
  return {
    fails: Object.fromEntries(
      result.checks
        .filter((check) => !check.passed && !check.skipped)
        .map((check) => [check.id, check.message]),
    ),
    skips: result.checks.filter((check) => check.skipped).map((check) => check.id),
  };
}

beforeAll(() => {
  ensureNetnsTools();
}, 300_000);

describe.each(LABS)('$grader.taskId grader on real namespaces', (lab) => {
  // Concurrent: each scenario has its own sandbox, and most of the time goes to waiting for pings.
  it.concurrent(
    `passes the reference solution (${lab.reference}) with full score`,
    async () => {
      const result = await grade(lab, lab.reference);
      expect(summary(result)).toEqual({ fails: {}, skips: [] });
      expect(result).toMatchObject({ status: 'passed', score: result.maxScore });
      expect(result.maxScore).toBeGreaterThan(0);
      for (const check of result.checks)
        expect(check).toMatchObject({ passed: true, message: null, points: check.maxPoints });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it.concurrent.each(lab.variants)(
    'fails the near miss $fixture on the named check, with its message',
    async (variant) => {
      const result = await grade(lab, variant.fixture);
      expect(result.status).toBe('failed');
      expect(summary(result)).toEqual({ fails: variant.fails, skips: variant.skips });
      const failedIds = Object.keys(variant.fails);
      for (const id of variant.skips) {
        const check = result.checks.find((candidate) => candidate.id === id)!;
        const spec = lab.grader.checks.find((candidate) => candidate.id === id)!;
        const blocking = (spec.needs ?? []).filter(
          (need) => !result.checks.find((c) => c.id === need)!.passed,
        );
        expect(blocking.length).toBeGreaterThan(0);
        expect(check).toMatchObject({
          passed: false,
          points: 0,
          message: skippedBecause(lab.grader, ...blocking),
        });
      }
      for (const check of result.checks) {
        expect(check.message === null || check.message.length <= 200).toBe(true);
        if (failedIds.includes(check.id))
          expect(check.hint).toBe(lab.grader.checks.find((c) => c.id === check.id)!.hint);
      }
      expect(result.score).toBe(
        result.checks.filter((check) => check.passed).reduce((sum, check) => sum + check.maxPoints, 0),
      );
    },
    SCENARIO_TIMEOUT_MS,
  );
});

describe('the sandboxes', () => {
  const open: NetnsSandbox[] = [];
  afterAll(async () => {
    await Promise.all(open.map((sandbox) => sandbox.close()));
  });

  it('keep the fixed lab names apart: a solved lab next to an empty workbench', async () => {
    const [solved, empty] = await Promise.all([NetnsSandbox.create(), NetnsSandbox.create()]);
    open.push(solved, empty);
    await solved.script(linuxFixture('veth-pair.reference.sh'));
    const [good, bad] = await Promise.all([
      gradeTask(VETH_PAIR_GRADER, { workbench: solved.runner }),
      gradeTask(VETH_PAIR_GRADER, { workbench: empty.runner }),
    ]);
    expect(good.status).toBe('passed');
    expect(bad.status).toBe('failed');
    expect(bad.checks[0]).toMatchObject({
      id: 'namespaces',
      message: 'Network namespaces ns1 and ns2 must both exist: ns1, ns2 do not exist',
    });
  });

  it(
    'the CNI grading leaves nothing behind: namespaces, veths, IPAM files',
    async () => {
      const sandbox = await NetnsSandbox.create();
      open.push(sandbox);
      await installPlugin(sandbox, 'kc-cni.reference.sh');
      const result = await gradeTask(CNI_PLUGIN_GRADER, { workbench: sandbox.runner });
      expect(result.status).toBe('passed');
      // The plugin's own bridge stays, as it would on a node; everything per container is gone.
      const netns = await sandbox.runner.run(['ip', 'netns', 'list']);
      expect(netns.stdout.trim()).toBe('');
      const veths = await sandbox.runner.run(['ip', '-o', 'link', 'show', 'type', 'veth']);
      expect(veths.stdout.trim()).toBe('');
      const ipam = await sandbox.runner.run(['sh', '-c', 'ls -A /var/lib/cni/kc-net']);
      expect(ipam.stdout.trim()).toBe('');
    },
    SCENARIO_TIMEOUT_MS,
  );

  it('a workbench that goes away mid-grading is an infrastructure error, not a failed lab', async () => {
    const sandbox = await NetnsSandbox.create();
    open.push(sandbox);
    await sandbox.script(linuxFixture('veth-pair.reference.sh'));
    let calls = 0;
    const flaky: CommandRunner = {
      run: async (argv, options) => {
        calls += 1;
        // Setup and the first check go through; then the workbench disappears.
        if (calls === 3) await sandbox.close();
        return sandbox.runner.run(argv, options);
      },
    };
    const result = await gradeTask(VETH_PAIR_GRADER, { workbench: flaky });
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ kind: 'infrastructure', code: 'transport-down' });
    expect(result.checks[0]).toMatchObject({ id: 'namespaces', passed: true });
    expect(result.checks.slice(1).every((check) => check.skipped)).toBe(true);
  });
});
