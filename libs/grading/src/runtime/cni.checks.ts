import { cidrContainsIp, parseCidr, parseIp } from '../network-policy/ip-cidr.util.js';
import type {
  CniAddCheck,
  CniAttachment,
  CniAttachmentCheck,
  CniCheckCommandCheck,
  CniDelCheck,
  CniErrorsCheck,
  CniHostEndCheck,
  CniPluginSpec,
  CniVersionCheck,
  JsonValue,
} from './check-spec.types.js';
import type { CheckContext, CheckOutcome } from './check-executor.types.js';
import type { CommandResult } from './command-runner.port.js';
import type { IpLink } from './ip-json.parser.js';
import { listSome, shellOf } from './linux.checks.js';
import { firstLine, type WorkbenchShell } from './workbench.shell.js';

/** What a passed `linux.cni.add` check hands to the checks that need it. */
export interface CniAddOutput {
  attachment: CniAttachment;
  plugin: CniPluginSpec;
  /** The parsed result, sent back as `prevResult` with CHECK and DEL. */
  result: Record<string, JsonValue>;
  /** `10.244.50.2/24` */
  address: string;
  /** `10.244.50.2` */
  ip: string;
}

/** The most a plugin's output may take in evidence. */
const EVIDENCE_OUTPUT_CHARS = 2000;

interface Invocation {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs the plugin as a container runtime does (CNI spec 1.0.0): the operation and the container in
 * CNI_* variables, the network configuration as JSON on stdin.
 */
async function invoke(
  shell: WorkbenchShell,
  plugin: CniPluginSpec,
  command: string,
  attachment: CniAttachment | undefined,
  config: Record<string, JsonValue>,
): Promise<Invocation> {
  const env: Record<string, string> = { CNI_COMMAND: command, CNI_PATH: plugin.cniPath };
  if (attachment) {
    env.CNI_CONTAINERID = attachment.containerId;
    env.CNI_NETNS = attachment.netnsPath;
    env.CNI_IFNAME = attachment.ifname;
  }
  const result: CommandResult = await shell.run([plugin.path], {
    env,
    stdin: JSON.stringify(config),
    timeoutMs: 20_000,
  });
  return { command, ...result };
}

function invocationEvidence(invocation: Invocation): Record<string, unknown> {
  return {
    command: invocation.command,
    exitCode: invocation.exitCode,
    timedOut: invocation.timedOut,
    stdout: invocation.stdout.slice(0, EVIDENCE_OUTPUT_CHARS),
    stderr: invocation.stderr.slice(0, EVIDENCE_OUTPUT_CHARS),
  };
}

/** `exit 1: <first line of the plugin's error>`, for messages. */
function exitSummary(invocation: Invocation): string {
  if (invocation.timedOut) return 'it did not finish in time';
  const error = parseJsonObject(invocation.stdout);
  const msg =
    typeof error?.msg === 'string' ? error.msg : firstLine(invocation.stderr) || firstLine(invocation.stdout);
  return msg ? `exit ${invocation.exitCode}: ${msg.slice(0, 80)}` : `exit ${invocation.exitCode}`;
}

function parseJsonObject(text: string): Record<string, JsonValue> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, JsonValue>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A missing or non-executable plugin is the student's, never an infrastructure problem. */
async function pluginProblem(shell: WorkbenchShell, plugin: CniPluginSpec): Promise<string | undefined> {
  const exists = await shell.run(['test', '-f', plugin.path]);
  if (exists.exitCode !== 0) return `${plugin.path} does not exist`;
  const executable = await shell.run(['test', '-x', plugin.path]);
  if (executable.exitCode !== 0) return `${plugin.path} is not executable (chmod +x)`;
  return undefined;
}

export async function runCniVersionCheck(spec: CniVersionCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const problem = await pluginProblem(shell, spec.plugin);
  if (problem) return { passed: false, reason: problem, evidence: { plugin: spec.plugin.path } };
  const invocation = await invoke(shell, spec.plugin, 'VERSION', undefined, {
    cniVersion: spec.plugin.config.cniVersion,
  });
  const evidence = { plugin: spec.plugin.path, invocation: invocationEvidence(invocation) };
  if (invocation.exitCode !== 0)
    return { passed: false, reason: `VERSION failed (${exitSummary(invocation)})`, evidence };
  const answer = parseJsonObject(invocation.stdout);
  if (!answer) return { passed: false, reason: 'VERSION did not print a JSON object', evidence };
  const supported = answer.supportedVersions;
  if (!Array.isArray(supported) || !supported.includes(spec.expectVersion)) {
    return { passed: false, reason: `supportedVersions does not list ${spec.expectVersion}`, evidence };
  }
  return { passed: true, evidence };
}

/** Problems with an ADD result, against the CNI 1.0.0 result schema and the lab's subnet. */
function resultProblems(
  result: Record<string, JsonValue>,
  spec: CniAddCheck,
): { problems: string[]; address?: string } {
  const problems: string[] = [];
  if (result.cniVersion !== spec.plugin.config.cniVersion) {
    problems.push(
      `the result's cniVersion is ${JSON.stringify(result.cniVersion ?? null)}, not "${spec.plugin.config.cniVersion}"`,
    );
  }
  const ips = result.ips;
  const first = Array.isArray(ips) ? ips[0] : undefined;
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    problems.push('the result has no ips');
    return { problems };
  }
  const address = first.address;
  const cidr = typeof address === 'string' ? parseCidr(address) : null;
  const subnet = parseCidr(spec.subnet)!;
  if (typeof address !== 'string' || cidr === null) {
    problems.push(`ips[0].address ${JSON.stringify(address ?? null)} is not an address/prefix`);
    return { problems };
  }
  const ip = parseIp(address.split('/')[0]!)!;
  if (!cidrContainsIp(subnet, ip) || cidr.prefixLength !== subnet.prefixLength) {
    problems.push(`ips[0].address ${address} is not in ${spec.subnet}`);
  }
  if (first.interface !== undefined) {
    const interfaces = Array.isArray(result.interfaces) ? result.interfaces : [];
    if (typeof first.interface !== 'number' || interfaces[first.interface] === undefined) {
      problems.push(`ips[0].interface ${JSON.stringify(first.interface)} is not an index into interfaces`);
    }
  }
  return { problems, address };
}

export async function runCniAddCheck(spec: CniAddCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const problem = await pluginProblem(shell, spec.plugin);
  if (problem) return { passed: false, reason: problem, evidence: { plugin: spec.plugin.path } };
  const invocation = await invoke(shell, spec.plugin, 'ADD', spec.attachment, spec.plugin.config);
  const evidence: Record<string, unknown> = {
    attachment: spec.attachment,
    invocation: invocationEvidence(invocation),
  };
  if (invocation.exitCode !== 0) {
    return { passed: false, reason: `ADD failed (${exitSummary(invocation)})`, evidence };
  }
  const result = parseJsonObject(invocation.stdout);
  if (!result) {
    return { passed: false, reason: 'stdout is not a JSON result (write logs to stderr)', evidence };
  }
  const { problems, address } = resultProblems(result, spec);
  evidence.address = address ?? null;
  if (problems.length > 0 || address === undefined)
    return { passed: false, reason: listSome(problems), evidence };
  const ip = address.split('/')[0]!;
  const output: CniAddOutput = { attachment: spec.attachment, plugin: spec.plugin, result, address, ip };

  const peers = (spec.distinctFrom ?? [])
    .map((id) => ctx.outputOf<CniAddOutput>(id))
    .filter((peer) => peer !== undefined);
  for (const peer of peers) {
    if (peer.ip === ip)
      problems.push(`${spec.attachment.netns} got ${ip}, the address of ${peer.attachment.netns}`);
  }
  if (problems.length === 0 && spec.pingPeers) {
    const pings = await Promise.all(
      peers.flatMap((peer) => [
        shell
          .ping(spec.attachment.netns, peer.ip)
          .then((ping) => ({ from: spec.attachment.netns, to: peer.ip, ...ping })),
        shell
          .ping(peer.attachment.netns, ip)
          .then((ping) => ({ from: peer.attachment.netns, to: ip, ...ping })),
      ]),
    );
    evidence.pings = pings.map(({ from, to, ok }) => ({ from, to, ok }));
    problems.push(...pings.filter((ping) => !ping.ok).map((ping) => `${ping.from} cannot ping ${ping.to}`));
  }
  return { passed: problems.length === 0, reason: listSome(problems) || undefined, evidence, output };
}

function addOutput(ctx: CheckContext, id: string): CniAddOutput {
  const output = ctx.outputOf<CniAddOutput>(id);
  // The validator guarantees `id` is in `needs`, so it passed and left its output.
  if (!output) throw new Error(`check output of ${id} is missing`);
  return output;
}

async function containerLink(
  shell: WorkbenchShell,
  attachment: CniAttachment,
): Promise<{ link?: IpLink; problem?: string; names: string[] }> {
  const links = await shell.links(attachment.netns);
  if (!links.ok) return { problem: `cannot read ${attachment.netns}: ${links.error}`, names: [] };
  const names = links.value.map((link) => link.name);
  const link = links.value.find((candidate) => candidate.name === attachment.ifname);
  if (!link) {
    const others = names.filter((name) => name !== 'lo');
    return {
      problem: `there is no ${attachment.ifname} in ${attachment.netns}${others.length ? ` (found ${others.join(', ')})` : ''}`,
      names,
    };
  }
  return { link, names };
}

export async function runCniAttachmentCheck(
  spec: CniAttachmentCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const { attachment, address } = addOutput(ctx, spec.add);
  const { link, problem, names } = await containerLink(shell, attachment);
  if (!link)
    return { passed: false, reason: problem, evidence: { netns: attachment.netns, interfaces: names } };
  const problems: string[] = [];
  const label = `${attachment.ifname} in ${attachment.netns}`;
  if (!link.up) problems.push(`${label} is down`);
  if (!link.ipv4.includes(address)) {
    problems.push(
      `${label} has ${link.ipv4.length ? link.ipv4.join(', ') : 'no IPv4 address'}, not ${address} from the result`,
    );
  }
  const routes = await shell.defaultRoutes(attachment.netns);
  const gateways = routes.ok
    ? routes.value.map((route) => route.gateway).filter((gateway) => gateway !== undefined)
    : [];
  if (!gateways.includes(spec.gateway))
    problems.push(`${attachment.netns} has no default route via ${spec.gateway}`);
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: {
      netns: attachment.netns,
      ifname: link.name,
      up: link.up,
      ipv4: link.ipv4,
      defaultVia: gateways,
    },
  };
}

/** The root-namespace end of a container's veth: its ifindex is the container end's peer, both ways. */
async function hostEnd(shell: WorkbenchShell, container: IpLink): Promise<IpLink | undefined> {
  const root = await shell.links(undefined);
  if (!root.ok) return undefined;
  return root.value.find(
    (link) =>
      link.type === 'veth' &&
      link.ifindex === container.peerIfindex &&
      link.peerIfindex === container.ifindex,
  );
}

export async function runCniHostEndCheck(spec: CniHostEndCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const { attachment } = addOutput(ctx, spec.add);
  const { link, problem } = await containerLink(shell, attachment);
  if (!link) return { passed: false, reason: problem, evidence: { netns: attachment.netns } };
  const problems: string[] = [];
  const host = await hostEnd(shell, link);
  if (!host) problems.push(`the host end of ${attachment.ifname} is not in the workbench's root namespace`);
  else {
    if (host.master !== spec.bridge) problems.push(`host end ${host.name} is not attached to ${spec.bridge}`);
    if (!host.up) problems.push(`host end ${host.name} is down`);
  }
  const root = await shell.links(undefined);
  const bridge = root.ok ? root.value.find((candidate) => candidate.name === spec.bridge) : undefined;
  if (!bridge) problems.push(`there is no ${spec.bridge}`);
  else {
    if (bridge.type !== 'bridge') problems.push(`${spec.bridge} is not a bridge`);
    if (!bridge.up) problems.push(`${spec.bridge} is down`);
    if (!bridge.ipv4.includes(spec.bridgeAddress))
      problems.push(`${spec.bridge} does not have ${spec.bridgeAddress}`);
  }
  let pinged: boolean | null = null;
  if (problems.length === 0) {
    pinged = (await shell.ping(attachment.netns, spec.ping)).ok;
    if (!pinged) problems.push(`${attachment.netns} cannot ping ${spec.ping}`);
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: {
      hostEnd: host ? { name: host.name, master: host.master ?? null, up: host.up } : null,
      bridge: bridge
        ? { name: bridge.name, type: bridge.type ?? null, up: bridge.up, ipv4: bridge.ipv4 }
        : null,
      pinged,
    },
  };
}

export async function runCniCheckCommandCheck(
  spec: CniCheckCommandCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const added = addOutput(ctx, spec.add);
  const invocation = await invoke(shell, added.plugin, 'CHECK', added.attachment, {
    ...added.plugin.config,
    prevResult: added.result,
  });
  return {
    passed: invocation.exitCode === 0,
    reason: invocation.exitCode === 0 ? undefined : `CHECK failed (${exitSummary(invocation)})`,
    evidence: { invocation: invocationEvidence(invocation) },
  };
}

export async function runCniDelCheck(spec: CniDelCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const added = addOutput(ctx, spec.add);
  const { attachment } = added;
  const before = await containerLink(shell, attachment);
  const host = before.link ? await hostEnd(shell, before.link) : undefined;
  const config = { ...added.plugin.config, prevResult: added.result };
  const invocations: Invocation[] = [];
  const problems: string[] = [];
  for (let round = 1; round <= spec.times; round++) {
    const invocation = await invoke(shell, added.plugin, 'DEL', attachment, config);
    invocations.push(invocation);
    if (invocation.exitCode !== 0) {
      problems.push(`${round === 1 ? 'DEL' : 'a repeated DEL'} failed (${exitSummary(invocation)})`);
      break;
    }
    if (round === 1) {
      const after = await containerLink(shell, attachment);
      if (after.link) problems.push(`${attachment.ifname} still exists in ${attachment.netns} after DEL`);
      if (host) {
        const root = await shell.links(undefined);
        if (root.ok && root.value.some((link) => link.name === host.name && link.ifindex === host.ifindex)) {
          problems.push(`host end ${host.name} still exists after DEL`);
        }
      }
    }
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: { hostEnd: host?.name ?? null, invocations: invocations.map(invocationEvidence), problems },
  };
}

export async function runCniErrorsCheck(spec: CniErrorsCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const shell = shellOf(ctx);
  const problems: string[] = [];
  const cases: Record<string, unknown>[] = [];
  for (const errorCase of spec.cases) {
    const config = {
      ...spec.plugin.config,
      ...(errorCase.cniVersion ? { cniVersion: errorCase.cniVersion } : {}),
    };
    const invocation = await invoke(shell, spec.plugin, errorCase.command, spec.attachment, config);
    const error = parseJsonObject(invocation.stdout);
    const code = error?.code;
    cases.push({
      label: errorCase.label,
      expectCode: errorCase.expectCode,
      code: code ?? null,
      invocation: invocationEvidence(invocation),
    });
    if (invocation.exitCode === 0) {
      problems.push(`${errorCase.label} exited 0`);
      // It did something it should have refused: undo it so the namespace is clean for teardown.
      if (errorCase.command === 'ADD')
        await invoke(shell, spec.plugin, 'DEL', spec.attachment, spec.plugin.config);
    } else if (!error) problems.push(`${errorCase.label}: stdout is not a JSON error`);
    else if (code !== errorCase.expectCode) {
      problems.push(
        `${errorCase.label} gave code ${JSON.stringify(code ?? null)}, not ${errorCase.expectCode}`,
      );
    }
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: { cases, problems },
  };
}
