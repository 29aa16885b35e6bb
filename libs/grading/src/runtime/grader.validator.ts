import { parseCidr } from '../network-policy/ip-cidr.util.js';
import { MAX_MESSAGE_LENGTH, type CheckSpec, type GraderSpec } from './check-spec.types.js';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Which port a check kind runs through. */
export function transportOf(check: CheckSpec): 'workbench' | 'cluster' {
  return check.kind.startsWith('linux.') ? 'workbench' : 'cluster';
}

/** Ids of earlier checks whose output a check reads; they must be in its `needs`. */
function outputReferences(check: CheckSpec): string[] {
  if (check.kind === 'linux.cni.add') return check.distinctFrom ?? [];
  if ('add' in check) return [check.add];
  return [];
}

/** The checks that must have passed for `check` to run: its needs, their needs, and so on. */
function transitiveNeeds(check: CheckSpec, earlier: ReadonlyMap<string, CheckSpec>): Set<string> {
  const seen = new Set<string>();
  const pending = [...(check.needs ?? [])];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...(earlier.get(id)?.needs ?? []));
  }
  return seen;
}

/** Everything wrong with a grader spec, as readable lines; empty when it is valid. */
export function graderSpecProblems(spec: GraderSpec): string[] {
  const problems: string[] = [];
  const where = spec.graderId || '(no graderId)';
  if (!spec.taskId) problems.push(`${where}: taskId is empty`);
  if (!spec.graderId) problems.push(`${where}: graderId is empty`);
  if (!(spec.timeoutMs > 0)) problems.push(`${where}: timeoutMs must be positive`);
  if (spec.checks.length === 0) problems.push(`${where}: no checks`);
  const earlier = new Map<string, CheckSpec>();
  for (const check of spec.checks) {
    const at = `${where}/${check.id}`;
    if (!ID.test(check.id)) problems.push(`${at}: id must be kebab-case`);
    if (earlier.has(check.id)) problems.push(`${at}: duplicate id`);
    if (!check.title.trim()) problems.push(`${at}: empty title`);
    if (!check.failureMessage.trim()) problems.push(`${at}: empty failure message`);
    if (check.failureMessage.length > MAX_MESSAGE_LENGTH) {
      problems.push(
        `${at}: failure message is ${check.failureMessage.length} characters (max ${MAX_MESSAGE_LENGTH})`,
      );
    }
    if (/\n/.test(check.failureMessage)) problems.push(`${at}: failure message spans lines`);
    if (!check.hint.trim()) problems.push(`${at}: empty hint`);
    if (!Number.isInteger(check.points) || check.points < 0)
      problems.push(`${at}: points must be a whole number >= 0`);
    if (check.timeoutMs !== undefined && !(check.timeoutMs > 0))
      problems.push(`${at}: timeoutMs must be positive`);
    for (const need of check.needs ?? []) {
      if (!earlier.has(need)) problems.push(`${at}: needs ${need}, which is not an earlier check`);
    }
    for (const reference of outputReferences(check)) {
      if (!transitiveNeeds(check, earlier).has(reference))
        problems.push(`${at}: reads the output of ${reference} but does not need it`);
      else if (earlier.get(reference)?.kind !== 'linux.cni.add')
        problems.push(`${at}: ${reference} is not a linux.cni.add check`);
    }
    problems.push(...kindProblems(check).map((problem) => `${at}: ${problem}`));
    earlier.set(check.id, check);
  }
  if (
    spec.checks.some((check) => transportOf(check) === 'cluster') &&
    (spec.setup?.length || spec.teardown?.length)
  ) {
    problems.push(`${where}: setup and teardown run in the workbench; this grader has cluster checks`);
  }
  return problems;
}

function kindProblems(check: CheckSpec): string[] {
  const badCidrs = (cidrs: string[]): string[] =>
    cidrs.filter((cidr) => parseCidr(cidr) === null).map((cidr) => `${cidr} is not a CIDR`);
  if (check.kind === 'linux.interfaces')
    return check.interfaces.flatMap((expectation) => badCidrs(expectation.addresses ?? []));
  if (check.kind === 'linux.cni.add') return badCidrs([check.subnet]);
  if (check.kind === 'linux.cni.host-end') return badCidrs([check.bridgeAddress]);
  if (check.kind === 'linux.cni.del') return check.times >= 1 ? [] : ['times must be at least 1'];
  if (check.kind === 'k8s.pods-ready' || check.kind === 'k8s.service-endpoints') {
    return check.minReady >= 1 ? [] : ['minReady must be at least 1'];
  }
  if (check.kind === 'k8s.policy-verdict') return check.flows.length > 0 ? [] : ['no flows'];
  if (check.kind === 'k8s.http' && check.distinct) {
    try {
      new RegExp(check.distinct.pattern, 'g');
      return [];
    } catch {
      return [`distinct pattern ${check.distinct.pattern} is not a regular expression`];
    }
  }
  if (check.kind === 'k8s.connectivity-matrix') {
    const labels = new Set(check.pods.map((pod) => pod.label));
    const ports = new Set(check.ports.map((port) => `${port.port}/${port.protocol}`));
    return check.allowed.flatMap((flow) => [
      ...(labels.has(flow.from) && labels.has(flow.to)
        ? []
        : [`allowed flow ${flow.from} -> ${flow.to} names an unknown pod`]),
      ...(ports.has(`${flow.port}/${flow.protocol ?? 'TCP'}`)
        ? []
        : [`allowed flow port ${flow.port} is not a matrix port`]),
    ]);
  }
  return [];
}

export class InvalidGraderError extends Error {
  override readonly name = 'InvalidGraderError';
  constructor(readonly problems: string[]) {
    super(`invalid grader spec:\n${problems.join('\n')}`);
  }
}

export function assertValidGrader(spec: GraderSpec): void {
  const problems = graderSpecProblems(spec);
  if (problems.length > 0) throw new InvalidGraderError(problems);
}
