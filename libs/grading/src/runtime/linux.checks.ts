import type {
  InterfaceExpectation,
  InterfacesCheck,
  LinkRef,
  NetnsCheck,
  PingCheck,
  RoutesCheck,
  SysctlCheck,
  TcpCheck,
  VethPairCheck,
} from './check-spec.types.js';
import type { CheckContext, CheckOutcome } from './check-executor.types.js';
import type { IpLink } from './ip-json.parser.js';
import { describeNetns, firstLine, ROOT_NAMESPACE, WorkbenchShell, type Lookup } from './workbench.shell.js';

export function shellOf(ctx: CheckContext): WorkbenchShell {
  return new WorkbenchShell(ctx.workbench(), ctx.signal, () => ctx.timeLeft());
}

/** `veth-ns1 in ns1`, or just `br0` for the root namespace. */
export function linkLabel(link: LinkRef): string {
  return link.netns === undefined ? link.name : `${link.name} in ${link.netns}`;
}

/** At most `max` items, then `and N more`, so a reason stays one short line. */
export function listSome(items: string[], max = 3): string {
  if (items.length <= max) return items.join('; ');
  return `${items.slice(0, max).join('; ')}; and ${items.length - max} more`;
}

/** Reads each namespace's links once per check. */
class LinkCache {
  private readonly cache = new Map<string, Promise<Lookup<IpLink[]>>>();
  constructor(private readonly shell: WorkbenchShell) {}

  get(netns: string | undefined): Promise<Lookup<IpLink[]>> {
    const key = netns ?? '';
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.shell.links(netns);
      this.cache.set(key, entry);
    }
    return entry;
  }
}

type Located = { ok: true; link: IpLink } | { ok: false; problem: string };

/** Finds an interface where the spec expects it; when absent, says where it is instead, if anywhere. */
async function locate(shell: WorkbenchShell, links: LinkCache, ref: LinkRef): Promise<Located> {
  const here = await links.get(ref.netns);
  if (!here.ok) {
    return { ok: false, problem: `network namespace ${ref.netns ?? ''} does not exist` };
  }
  const link = here.value.find((candidate) => candidate.name === ref.name);
  if (link) return { ok: true, link };
  const elsewhere: string[] = [];
  for (const netns of [undefined, ...(await shell.namespaces())]) {
    if (netns === ref.netns) continue;
    const there = await links.get(netns);
    if (there.ok && there.value.some((candidate) => candidate.name === ref.name))
      elsewhere.push(describeNetns(netns));
  }
  const where = ref.netns === undefined ? ROOT_NAMESPACE : ref.netns;
  if (elsewhere.length > 0)
    return { ok: false, problem: `${ref.name} is in ${elsewhere.join(', ')}, not in ${where}` };
  return { ok: false, problem: `there is no ${ref.name} in ${where}` };
}

export async function runNetnsCheck(spec: NetnsCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const found = await shellOf(ctx).namespaces();
  const missing = spec.namespaces.filter((name) => !found.includes(name));
  return {
    passed: missing.length === 0,
    reason:
      missing.length === 0
        ? undefined
        : `${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist`,
    evidence: { expected: spec.namespaces, found, missing },
  };
}

function interfaceProblems(expectation: InterfaceExpectation, link: IpLink): string[] {
  const label = linkLabel(expectation);
  const problems: string[] = [];
  if (expectation.type !== undefined && link.type !== expectation.type) {
    problems.push(
      `${label} is ${link.type ? `a ${link.type}` : 'not a veth or bridge'}, not a ${expectation.type}`,
    );
  }
  if ((expectation.up ?? true) && !link.up) problems.push(`${label} is down`);
  for (const cidr of expectation.addresses ?? []) {
    if (link.ipv4.includes(cidr)) continue;
    const ip = cidr.split('/')[0];
    const samePrefixless = link.ipv4.find((address) => address.split('/')[0] === ip);
    if (samePrefixless) problems.push(`${label} has ${samePrefixless}, not ${cidr}`);
    else if (link.ipv4.length === 0) problems.push(`${label} has no IPv4 address (expected ${cidr})`);
    else problems.push(`${label} has ${link.ipv4.join(', ')}, not ${cidr}`);
  }
  if (expectation.master !== undefined && link.master !== expectation.master) {
    problems.push(
      link.master === undefined
        ? `${label} is not attached to ${expectation.master}`
        : `${label} is attached to ${link.master}, not ${expectation.master}`,
    );
  }
  return problems;
}

export async function runInterfacesCheck(spec: InterfacesCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const links = new LinkCache(shell);
  const problems: string[] = [];
  const seen: Record<string, unknown>[] = [];
  for (const expectation of spec.interfaces) {
    const located = await locate(shell, links, expectation);
    if (!located.ok) {
      problems.push(located.problem);
      seen.push({ netns: expectation.netns ?? null, name: expectation.name, found: false });
      continue;
    }
    const { link } = located;
    problems.push(...interfaceProblems(expectation, link));
    seen.push({
      netns: expectation.netns ?? null,
      name: link.name,
      found: true,
      type: link.type ?? null,
      up: link.up,
      master: link.master ?? null,
      ipv4: link.ipv4,
    });
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: { interfaces: seen, problems },
  };
}

export async function runVethPairCheck(spec: VethPairCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const links = new LinkCache(shell);
  const [refA, refB] = spec.ends;
  const [a, b] = [await locate(shell, links, refA), await locate(shell, links, refB)];
  const problems = [a, b].flatMap((end) => (end.ok ? [] : [end.problem]));
  if (a.ok && b.ok) {
    for (const [ref, end] of [
      [refA, a.link],
      [refB, b.link],
    ] as const) {
      if (end.type !== 'veth') problems.push(`${linkLabel(ref)} is not a veth`);
    }
    // ifindexes are per namespace, so require the match both ways.
    const peers = a.link.peerIfindex === b.link.ifindex && b.link.peerIfindex === a.link.ifindex;
    if (problems.length === 0 && !peers) {
      problems.push(`${linkLabel(refA)} and ${linkLabel(refB)} belong to different veth pairs`);
    }
  }
  const describe = (end: Located): Record<string, unknown> | null =>
    end.ok
      ? { ifindex: end.link.ifindex, peerIfindex: end.link.peerIfindex ?? null, type: end.link.type ?? null }
      : null;
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: {
      ends: [
        { ...refA, link: describe(a) },
        { ...refB, link: describe(b) },
      ],
      problems,
    },
  };
}

export async function runRoutesCheck(spec: RoutesCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const problems: string[] = [];
  const routes: Record<string, unknown>[] = [];
  for (const expected of spec.routes) {
    const where = describeNetns(expected.netns);
    if (expected.destination === 'default') {
      const found = await shell.defaultRoutes(expected.netns);
      const gateways = found.ok ? found.value.map((route) => route.gateway ?? `dev ${route.dev ?? '?'}`) : [];
      routes.push({
        netns: expected.netns ?? null,
        destination: 'default',
        via: gateways,
        error: found.ok ? null : found.error,
      });
      if (!found.ok) problems.push(`cannot read the routes of ${where}: ${found.error}`);
      else if (gateways.length === 0) problems.push(`${where} has no default route`);
      else if (!gateways.includes(expected.via))
        problems.push(`${where} has default via ${gateways.join(', ')}, not via ${expected.via}`);
      continue;
    }
    const found = await shell.routeGet(expected.netns, expected.destination);
    routes.push({
      netns: expected.netns ?? null,
      destination: expected.destination,
      via: found.ok ? (found.value.gateway ?? null) : null,
      dev: found.ok ? (found.value.dev ?? null) : null,
      error: found.ok ? null : found.error,
    });
    if (!found.ok) problems.push(`${where} has no route to ${expected.destination} (${found.error})`);
    else if (found.value.gateway !== expected.via) {
      const actual = found.value.gateway
        ? `via ${found.value.gateway}`
        : `directly on ${found.value.dev ?? '?'}`;
      problems.push(`${where} routes ${expected.destination} ${actual}, not via ${expected.via}`);
    }
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: { routes, problems },
  };
}

export async function runSysctlCheck(spec: SysctlCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  // /proc/sys/net shows the values of the reading process's network namespace.
  const path = `/proc/sys/${spec.key.replaceAll('.', '/')}`;
  const result = shell.requireTool(await shell.run(shell.inNetns(spec.netns, ['cat', path])), 'cat');
  const where = describeNetns(spec.netns);
  if (result.exitCode !== 0) {
    return {
      passed: false,
      reason: `cannot read ${spec.key} in ${where}: ${firstLine(result.stderr)}`,
      evidence: { key: spec.key, netns: spec.netns ?? null, value: null },
    };
  }
  const value = result.stdout.trim();
  return {
    passed: value === spec.value,
    reason: value === spec.value ? undefined : `${spec.key} is ${value} in ${where}`,
    evidence: { key: spec.key, netns: spec.netns ?? null, value, expected: spec.value },
  };
}

export async function runPingCheck(spec: PingCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const results = await Promise.all(
    spec.pings.map(async (ping) => ({ ...ping, ...(await shell.ping(ping.from, ping.to)) })),
  );
  const failed = results
    .filter((ping) => !ping.ok)
    .map((ping) => `${describeNetns(ping.from)} cannot ping ${ping.to}`);
  return {
    passed: failed.length === 0,
    reason: listSome(failed, 2) || undefined,
    evidence: {
      pings: results.map((ping) => ({
        from: ping.from ?? null,
        to: ping.to,
        ok: ping.ok,
        sent: ping.sent,
        received: ping.received,
        ...(ping.error ? { error: ping.error } : {}),
      })),
    },
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The grader's own listener (socat, an echo server for one connection) on the server side, a
 * client that sends a token and expects it back. socat is part of the workbench image.
 */
export async function runTcpCheck(spec: TcpCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const problems: string[] = [];
  const connections: Record<string, unknown>[] = [];
  for (const [index, { server, client }] of spec.connections.entries()) {
    const target = `TCP ${server.address}:${server.port}`;
    const from = describeNetns(client.netns);
    const token = `kc-grader-${index}-${server.port}`;
    const stopListener = new AbortController();
    let listenerDone = false;
    const listener = shell
      .run(
        shell.inNetns(server.netns, [
          'socat',
          '-T',
          '5',
          `TCP-LISTEN:${server.port},bind=${server.address},reuseaddr`,
          'EXEC:cat',
        ]),
        { timeoutMs: 10_000, signal: stopListener.signal },
      )
      .finally(() => {
        listenerDone = true;
      });
    try {
      let listening = false;
      for (let attempt = 0; attempt < 60 && !listening && !listenerDone; attempt++) {
        const ss = await shell.run(
          shell.inNetns(server.netns, ['ss', '-H', '-l', '-t', '-n', 'sport', '=', `:${server.port}`]),
        );
        listening = ss.exitCode === 0 && ss.stdout.includes(`:${server.port}`);
        if (!listening) await delay(50);
      }
      if (!listening) {
        const ended = listenerDone ? shell.requireTool(await listener, 'socat') : undefined;
        const why = ended ? firstLine(ended.stderr).replace(/^.*E /, '') : 'it did not start';
        problems.push(`the grader could not listen on ${target} in ${describeNetns(server.netns)} (${why})`);
        connections.push({ server, client, listening: false, connected: false });
        continue;
      }
      const reply = shell.requireTool(
        await shell.run(
          shell.inNetns(client.netns, [
            'socat',
            '-T',
            '3',
            '-',
            `TCP:${server.address}:${server.port},connect-timeout=3`,
          ]),
          { stdin: `${token}\n`, timeoutMs: 6000 },
        ),
        'socat',
      );
      const connected = reply.exitCode === 0 && reply.stdout.includes(token);
      if (!connected) {
        const why = firstLine(reply.stderr).replace(/^.*E /, '') || 'no reply';
        problems.push(`${from} cannot reach ${target} (${why})`);
      }
      connections.push({ server, client, listening: true, connected });
    } finally {
      stopListener.abort();
      await listener.catch(() => undefined);
    }
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems, 2) || undefined,
    evidence: { connections, problems },
  };
}
