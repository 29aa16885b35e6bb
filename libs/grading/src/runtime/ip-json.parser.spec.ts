import { describe, expect, it } from '@jest/globals';
import { InfrastructureError } from './infrastructure.error.js';
import { parseIpAddr, parseNetnsList, parseRoutes } from './ip-json.parser.js';

describe('ip -j parsers', () => {
  it('reads `ip -j netns list`, which prints nothing when there are no namespaces', () => {
    expect(parseNetnsList('')).toEqual([]);
    expect(parseNetnsList('[{"name":"ns2","id":1},{"name":"ns1"}]\n')).toEqual(['ns2', 'ns1']);
  });

  it('reduces `ip -j -d addr show` to what graders compare', () => {
    // Captured from iproute2 6.1 (abridged): a veth attached to a bridge, with one address.
    const output = JSON.stringify([
      {
        ifindex: 2,
        link_index: 5,
        ifname: 'veth-red',
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        master: 'br0',
        operstate: 'UP',
        link_netnsid: 0,
        linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge' },
        addr_info: [
          { family: 'inet', local: '10.20.0.99', prefixlen: 24 },
          { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
        ],
      },
      { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], operstate: 'DOWN', addr_info: [] },
    ]);
    expect(parseIpAddr(output)).toEqual([
      {
        ifindex: 2,
        peerIfindex: 5,
        name: 'veth-red',
        up: true,
        operstate: 'UP',
        master: 'br0',
        type: 'veth',
        ipv4: ['10.20.0.99/24'],
      },
      {
        ifindex: 1,
        peerIfindex: undefined,
        name: 'lo',
        up: false,
        operstate: 'DOWN',
        master: undefined,
        type: undefined,
        ipv4: [],
      },
    ]);
  });

  it('reads routes from `ip -j route get` and `ip -j route show`', () => {
    expect(
      parseRoutes('[{"dst":"10.30.2.10","gateway":"10.30.1.1","dev":"eth0","prefsrc":"10.30.1.10"}]'),
    ).toEqual([{ dst: '10.30.2.10', gateway: '10.30.1.1', dev: 'eth0' }]);
  });

  it('treats unreadable output as a broken workbench, not as a student mistake', () => {
    expect(() => parseIpAddr('Object "addr" is unknown')).toThrow(InfrastructureError);
  });
});
