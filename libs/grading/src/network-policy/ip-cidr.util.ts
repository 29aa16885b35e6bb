/**
 * IPv4/IPv6 address and CIDR arithmetic on bigints, so both families share one code path.
 * Addresses of different families never match each other (an IPv4-mapped IPv6 address such as
 * `::ffff:10.0.0.1` is an IPv6 address here).
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** The network address with its host bits cleared (as Go's net.ParseCIDR does). */
  network: bigint;
  prefixLength: number;
  /** Precomputed netmask, so containment checks allocate no intermediate bigints. */
  mask: bigint;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Parses a dotted-quad IPv4 or an RFC 4291 IPv6 address; `null` when the text is neither. */
export function parseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { family: 4, value };
}

/** Parses `address/prefix`; `null` when malformed. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === null || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return null;
  const prefixLength = Number(prefixText);
  if (prefixLength > BITS[address.family]) return null;
  const netmask = mask(address.family, prefixLength);
  return { family: address.family, network: address.value & netmask, prefixLength, mask: netmask };
}

export function cidrContainsIp(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & cidr.mask) === cidr.network;
}

/** True when every address of `inner` is in `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    inner.prefixLength >= outer.prefixLength &&
    (inner.network & outer.mask) === outer.network
  );
}

function mask(family: IpFamily, prefixLength: number): bigint {
  const bits = BITS[family];
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefixLength)) & all;
}

function parseIpv4(text: string): bigint | null {
  const octets = text.split('.');
  if (octets.length !== 4) return null;
  let value = 0n;
  for (const octet of octets) {
    // No leading zeros: they are ambiguous (octal in some parsers) and Kubernetes rejects them.
    if (!/^(0|[1-9]\d{0,2})$/.test(octet)) return null;
    const number = Number(octet);
    if (number > 255) return null;
    value = (value << 8n) | BigInt(number);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseHextets(halves[0] ?? '');
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const compressed = halves.length === 2;
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return null;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** Colon-separated 16-bit groups; a trailing dotted-quad counts as two groups. */
function parseHextets(text: string): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === null) return null;
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}
