import { InfrastructureError } from './infrastructure.error.js';

/** One interface as `ip -j -d addr show` describes it, reduced to what graders look at. */
export interface IpLink {
  ifindex: number;
  /** veth: the peer's ifindex (in the peer's namespace). */
  peerIfindex?: number;
  name: string;
  /** Administratively up (`UP` flag). */
  up: boolean;
  operstate: string;
  /** The bridge it is attached to. */
  master?: string;
  /** `linkinfo.info_kind`: veth, bridge... */
  type?: string;
  /** IPv4 addresses as `address/prefix`. */
  ipv4: string[];
}

export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

function parseJsonArray(stdout: string, what: string): Record<string, unknown>[] {
  const text = stdout.trim();
  if (text === '') return []; // `ip -j netns list` prints nothing when there are none
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The workbench image's iproute2 is ours: unreadable output means a broken environment.
    throw new InfrastructureError(`unreadable JSON from ${what}`, 'unexpected-output', { cause: error });
  }
  if (!Array.isArray(value))
    throw new InfrastructureError(`${what} did not print a JSON array`, 'unexpected-output');
  return value.filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function parseNetnsList(stdout: string): string[] {
  return parseJsonArray(stdout, 'ip -j netns list')
    .map((entry) => str(entry.name))
    .filter((name): name is string => name !== undefined);
}

export function parseIpAddr(stdout: string): IpLink[] {
  return parseJsonArray(stdout, 'ip -j -d addr show').map((entry) => {
    const flags = Array.isArray(entry.flags) ? entry.flags.filter((flag) => typeof flag === 'string') : [];
    const linkinfo = typeof entry.linkinfo === 'object' && entry.linkinfo !== null ? entry.linkinfo : {};
    const addrInfo = Array.isArray(entry.addr_info) ? (entry.addr_info as unknown[]) : [];
    const ipv4 = addrInfo
      .filter((addr): addr is Record<string, unknown> => typeof addr === 'object' && addr !== null)
      .filter((addr) => addr.family === 'inet')
      .map((addr) => `${str(addr.local) ?? '?'}/${num(addr.prefixlen) ?? '?'}`);
    return {
      ifindex: num(entry.ifindex) ?? -1,
      peerIfindex: num(entry.link_index),
      name: str(entry.ifname) ?? '?',
      up: flags.includes('UP'),
      operstate: str(entry.operstate) ?? 'UNKNOWN',
      master: str(entry.master),
      type: str((linkinfo as Record<string, unknown>).info_kind),
      ipv4,
    };
  });
}

export function parseRoutes(stdout: string): IpRoute[] {
  return parseJsonArray(stdout, 'ip -j route').map((entry) => ({
    dst: str(entry.dst) ?? '?',
    gateway: str(entry.gateway),
    dev: str(entry.dev),
  }));
}
