import { describe, expect, it } from '@jest/globals';
import { cidrContainsCidr, cidrContainsIp, parseCidr, parseIp } from './ip-cidr.util.js';

function contains(cidr: string, ip: string): boolean {
  return cidrContainsIp(parseCidr(cidr)!, parseIp(ip)!);
}

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 4, 0n],
    ['10.1.2.3', 4, 0x0a010203n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['fe80::', 6, 0xfe800000000000000000000000000000n],
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
  ])('parses %s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.0.1',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.-4',
    'a.b.c.d',
    '1::2::3',
    '12345::',
    'fe80::1%eth0',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
  ])('rejects %p', (text) => {
    expect(parseIp(text)).toBeNull();
  });
});

describe('parseCidr', () => {
  it('clears host bits like net.ParseCIDR', () => {
    expect(parseCidr('10.1.2.3/16')).toEqual({
      family: 4,
      network: 0x0a010000n,
      prefixLength: 16,
      mask: 0xffff0000n,
    });
    expect(parseCidr('2001:db8::1/32')).toEqual({
      family: 6,
      network: 0x20010db8n << 96n,
      prefixLength: 32,
      mask: 0xffffffffn << 96n,
    });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ network: 0n, mask: 0n });
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '::/129', 'x/8', '10.0.0.0/'])(
    'rejects %p',
    (text) => {
      expect(parseCidr(text)).toBeNull();
    },
  );
});

describe('CIDR containment', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['192.168.1.0/24', '192.168.1.0', true],
    ['192.168.1.0/24', '192.168.2.1', false],
    ['192.168.1.7/32', '192.168.1.7', true],
    ['192.168.1.7/32', '192.168.1.8', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '::1', false],
    ['::/0', '10.0.0.1', false],
    ['::/0', '2001:db8::1', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['fd00::/8', 'fdff:ffff::', true],
    ['fd00::/8', 'fe00::', false],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(contains(cidr, ip)).toBe(expected);
  });

  it('compares CIDRs', () => {
    expect(cidrContainsCidr(parseCidr('10.0.0.0/8')!, parseCidr('10.2.0.0/16')!)).toBe(true);
    expect(cidrContainsCidr(parseCidr('10.0.0.0/16')!, parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(cidrContainsCidr(parseCidr('10.0.0.0/16')!, parseCidr('10.1.0.0/24')!)).toBe(false);
    expect(cidrContainsCidr(parseCidr('10.0.0.0/16')!, parseCidr('10.0.0.0/16')!)).toBe(true);
    expect(cidrContainsCidr(parseCidr('::/0')!, parseCidr('10.0.0.0/8')!)).toBe(false);
  });
});
