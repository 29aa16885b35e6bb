import type { GraderSpec } from '../runtime/check-spec.types.js';
import { requireTools } from './linux-tools.steps.js';

/** phase-1-routing: left (10.30.1.0/24) and right (10.30.2.0/24) through the router namespace. */
export const ROUTING_GRADER: GraderSpec = {
  taskId: 'phase-1-routing',
  graderId: 'phase-1-routing',
  timeoutMs: 90_000,
  setup: [requireTools(['ip', 'ping', 'socat', 'ss', 'cat'])],
  checks: [
    {
      id: 'namespaces',
      kind: 'linux.netns',
      title: 'namespaces left, right and router exist',
      points: 1,
      failureMessage: 'Network namespaces left, right and router must all exist',
      hint: 'Create them with `ip netns add left` (and right, router); `ip netns list` shows what exists.',
      namespaces: ['left', 'right', 'router'],
    },
    {
      id: 'host-addresses',
      kind: 'linux.interfaces',
      title: 'eth0 in left has 10.30.1.10/24, eth0 in right has 10.30.2.10/24',
      points: 2,
      needs: ['namespaces'],
      failureMessage: 'eth0 in left and right is not as asked',
      hint: 'Look with `ip -n left addr` and `ip -n right addr`; both eth0 must be up.',
      interfaces: [
        { netns: 'left', name: 'eth0', type: 'veth', addresses: ['10.30.1.10/24'] },
        { netns: 'right', name: 'eth0', type: 'veth', addresses: ['10.30.2.10/24'] },
      ],
    },
    {
      id: 'router-addresses',
      kind: 'linux.interfaces',
      title: 'to-left in router has 10.30.1.1/24, to-right has 10.30.2.1/24',
      points: 2,
      needs: ['namespaces'],
      failureMessage: 'to-left and to-right in router are not as asked',
      hint: '`ip -n router addr` shows both ends; to-left faces left (10.30.1.1/24), to-right faces right (10.30.2.1/24).',
      interfaces: [
        { netns: 'router', name: 'to-left', type: 'veth', addresses: ['10.30.1.1/24'] },
        { netns: 'router', name: 'to-right', type: 'veth', addresses: ['10.30.2.1/24'] },
      ],
    },
    {
      id: 'ip-forward',
      kind: 'linux.sysctl',
      title: 'net.ipv4.ip_forward is 1 in router',
      points: 2,
      needs: ['namespaces'],
      failureMessage: 'IP forwarding must be on in router',
      hint: 'Forwarding is per namespace: `ip netns exec router sysctl -w net.ipv4.ip_forward=1`.',
      netns: 'router',
      key: 'net.ipv4.ip_forward',
      value: '1',
    },
    {
      id: 'routes',
      kind: 'linux.routes',
      title: 'left routes 10.30.2.10 via 10.30.1.1; right routes 10.30.1.10 via 10.30.2.1',
      points: 2,
      needs: ['host-addresses', 'router-addresses'],
      failureMessage: 'left and right must route to each other through router',
      hint: '`ip netns exec left ip route get 10.30.2.10` shows the choice; add `default via 10.30.1.1` in left, `default via 10.30.2.1` in right.',
      routes: [
        { netns: 'left', destination: '10.30.2.10', via: '10.30.1.1' },
        { netns: 'right', destination: '10.30.1.10', via: '10.30.2.1' },
      ],
    },
    {
      id: 'ping',
      kind: 'linux.ping',
      title: 'left and right ping each other',
      points: 3,
      needs: ['routes', 'ip-forward'],
      failureMessage: 'left and right must ping each other',
      hint: 'Watch with `ip netns exec router tcpdump -ni to-right icmp`; if requests pass but replies do not, check the way back.',
      pings: [
        { from: 'left', to: '10.30.2.10' },
        { from: 'right', to: '10.30.1.10' },
      ],
    },
    {
      id: 'tcp',
      kind: 'linux.tcp',
      title: 'TCP 9000 in right is reachable from left and TCP 9000 in left from right',
      points: 3,
      needs: ['routes', 'ip-forward'],
      failureMessage: 'TCP port 9000 must be reachable between left and right',
      hint: 'Stop any listener of your own on port 9000 (the grader opens its own); look for firewall rules with `ip netns exec router iptables -S`.',
      connections: [
        { server: { netns: 'right', address: '10.30.2.10', port: 9000 }, client: { netns: 'left' } },
        { server: { netns: 'left', address: '10.30.1.10', port: 9000 }, client: { netns: 'right' } },
      ],
    },
  ],
};
