import { describe, expect, it } from '@jest/globals';
import { CURRICULUM_V1, type GraderTask } from '@kubecohort/curriculum';
import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';
import { GRADERS } from '../runtime/grader.registry.js';
import { graderSpecProblems } from '../runtime/grader.validator.js';
import { KC_CNI_PLUGIN } from './cni-plugin.grader.js';
import { LINUX_GRADERS } from './linux.graders.js';

const taskOf = (grader: GraderSpec): GraderTask | undefined =>
  CURRICULUM_V1.tasks.find(
    (task): task is GraderTask => task.completion === 'grader' && task.slug === grader.taskId,
  );

/**
 * Every name, address and port a Linux check relies on: each must be promised to the student. Not
 * listed: container ids (any id is valid), the CNI_NETNS of kc-grade-b (the instructions give the
 * path pattern with kc-grade-a) and the versions the error cases send (anything unsupported).
 */
function promisedValues(check: CheckSpec): string[] {
  switch (check.kind) {
    case 'linux.netns':
      return check.namespaces;
    case 'linux.interfaces':
      return check.interfaces.flatMap((link) => [
        ...(link.netns ? [link.netns] : []),
        link.name,
        ...(link.addresses ?? []),
        ...(link.master ? [link.master] : []),
      ]);
    case 'linux.veth-pair':
      return check.ends.flatMap((end) => [...(end.netns ? [end.netns] : []), end.name]);
    case 'linux.routes':
      return check.routes.flatMap((route) => [
        ...(route.netns ? [route.netns] : []),
        ...(route.destination === 'default' ? [] : [route.destination]),
        route.via,
      ]);
    case 'linux.sysctl':
      return [...(check.netns ? [check.netns] : []), check.key];
    case 'linux.ping':
      return check.pings.flatMap((ping) => [...(ping.from ? [ping.from] : []), ping.to]);
    case 'linux.tcp':
      return check.connections.flatMap(({ server, client }) => [
        ...(server.netns ? [server.netns] : []),
        ...(client.netns ? [client.netns] : []),
        server.address,
        String(server.port),
      ]);
    case 'linux.cni.version':
      return [check.plugin.path, check.expectVersion];
    case 'linux.cni.add':
      return [check.plugin.path, check.attachment.netns, check.attachment.ifname, check.subnet];
    case 'linux.cni.attachment':
      return [check.gateway];
    case 'linux.cni.host-end':
      return [check.bridge, check.bridgeAddress, check.ping];
    case 'linux.cni.errors':
      return [check.attachment.netns];
    case 'linux.cni.check':
    case 'linux.cni.del':
      return []; // they act on what cni.add set up
    case 'k8s.object':
    case 'k8s.pods-ready':
    case 'k8s.service-endpoints':
    case 'k8s.dns':
    case 'k8s.http':
    case 'k8s.connectivity':
    case 'k8s.connectivity-matrix':
    case 'k8s.ingress-route':
    case 'k8s.policy-verdict':
      throw new Error(`a Linux grader has a Kubernetes check: ${check.id}`);
  }
}

describe('every grader', () => {
  it.each(GRADERS.map((grader) => [grader.graderId, grader] as const))('%s is a valid spec', (_, grader) => {
    expect(graderSpecProblems(grader)).toEqual([]);
  });

  it('keeps every failure message within 200 characters, on one line, with a hint', () => {
    const offenders = GRADERS.flatMap((grader) =>
      grader.checks
        .filter(
          (check) =>
            check.failureMessage.length > 200 || check.failureMessage.includes('\n') || !check.hint.trim(),
        )
        .map((check) => `${grader.graderId}/${check.id}`),
    );
    expect(offenders).toEqual([]);
  });

  it('leaves room in failure messages for the specific finding', () => {
    for (const grader of GRADERS) {
      for (const check of grader.checks) expect(check.failureMessage.length).toBeLessThanOrEqual(100);
    }
  });
});

describe('the Linux-lab graders against the curriculum', () => {
  it('cover exactly the workbench tasks', () => {
    const workbench = CURRICULUM_V1.tasks
      .filter(
        (task): task is GraderTask => task.completion === 'grader' && task.grading.target === 'workbench',
      )
      .map((task) => task.slug);
    expect(LINUX_GRADERS.map((grader) => grader.taskId)).toEqual(workbench);
  });

  describe.each(LINUX_GRADERS.map((grader) => [grader.taskId, grader] as const))('%s', (_, grader) => {
    const task = taskOf(grader)!;

    it('uses the task grader id and scores the task points', () => {
      expect(grader.graderId).toBe(task.graderId);
      expect(grader.checks.reduce((sum, check) => sum + check.points, 0)).toBe(task.maxPoints);
    });

    it('reports one check per contract line, in order, titled as the contract words it', () => {
      expect(grader.checks.map((check) => check.title)).toEqual(task.grading.checks);
    });

    it('relies only on names, addresses and ports the instructions state verbatim', () => {
      const unpromised = grader.checks
        .flatMap(promisedValues)
        .filter((value) => !task.instructions.includes(value));
      expect(unpromised).toEqual([]);
    });
  });

  it('gives CNI_NETNS as the path pattern the instructions show', () => {
    const task = CURRICULUM_V1.tasks.find((candidate) => candidate.slug === 'phase-2-cni-plugin')!;
    expect(task.instructions).toContain('`/var/run/netns/kc-grade-a`');
    for (const check of LINUX_GRADERS.flatMap((grader) => grader.checks)) {
      if (check.kind === 'linux.cni.add' || check.kind === 'linux.cni.errors') {
        expect(check.attachment.netnsPath).toBe(`/var/run/netns/${check.attachment.netns}`);
      }
    }
  });

  it('sends the CNI plugin exactly the configuration the instructions show', () => {
    const task = CURRICULUM_V1.tasks.find((candidate) => candidate.slug === 'phase-2-cni-plugin')!;
    const block = /~~~json\n([\s\S]*?)\n~~~/.exec(task.instructions)?.[1];
    expect(block).toBeDefined();
    expect(KC_CNI_PLUGIN.config).toEqual(JSON.parse(block!));
  });
});
