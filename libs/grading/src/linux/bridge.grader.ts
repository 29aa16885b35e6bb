import type { GraderSpec } from '../runtime/check-spec.types.js';
import { requireTools } from './linux-tools.steps.js';

const NAMESPACES = [
  { netns: 'red', address: '10.20.0.11' },
  { netns: 'green', address: '10.20.0.12' },
  { netns: 'blue', address: '10.20.0.13' },
];
const GATEWAY = '10.20.0.1';

/** phase-1-bridge: br0 in the workbench, red/green/blue each on it through veth-<colour>. */
export const BRIDGE_GRADER: GraderSpec = {
  taskId: 'phase-1-bridge',
  graderId: 'phase-1-bridge',
  timeoutMs: 60_000,
  setup: [requireTools(['ip', 'ping'])],
  checks: [
    {
      id: 'bridge',
      kind: 'linux.interfaces',
      title: 'br0 is a bridge, up, with 10.20.0.1/24',
      points: 3,
      failureMessage: 'br0 in the workbench is not as asked',
      hint: '`ip link add br0 type bridge`, `ip addr add 10.20.0.1/24 dev br0`, `ip link set br0 up`; check with `ip -d addr show br0`.',
      interfaces: [{ name: 'br0', type: 'bridge', addresses: ['10.20.0.1/24'] }],
    },
    {
      id: 'bridge-ports',
      kind: 'linux.interfaces',
      title: 'veth-red, veth-green and veth-blue are up and enslaved to br0',
      points: 3,
      needs: ['bridge'],
      failureMessage: 'veth-red, veth-green and veth-blue must be up and attached to br0',
      hint: '`bridge link` lists the ports of br0; attach one with `ip link set veth-blue master br0`.',
      interfaces: NAMESPACES.map(({ netns }) => ({
        name: `veth-${netns}`,
        type: 'veth' as const,
        master: 'br0',
      })),
    },
    {
      id: 'namespace-addresses',
      kind: 'linux.interfaces',
      title: 'eth0 in red/green/blue has 10.20.0.11/24, 10.20.0.12/24, 10.20.0.13/24',
      points: 3,
      failureMessage: 'eth0 in red, green and blue is not as asked',
      hint: 'Look with `ip -n red addr`; each namespace needs its own eth0, up, with its address.',
      interfaces: NAMESPACES.map(({ netns, address }) => ({
        netns,
        name: 'eth0',
        type: 'veth' as const,
        addresses: [`${address}/24`],
      })),
    },
    {
      id: 'default-routes',
      kind: 'linux.routes',
      title: 'each namespace has default via 10.20.0.1',
      points: 2,
      needs: ['namespace-addresses'],
      failureMessage: 'red, green and blue each need a default route via 10.20.0.1',
      hint: '`ip -n blue route` shows the routes; add one with `ip -n blue route add default via 10.20.0.1`.',
      routes: NAMESPACES.map(({ netns }) => ({ netns, destination: 'default', via: GATEWAY })),
    },
    {
      id: 'mesh-ping',
      kind: 'linux.ping',
      title: 'full mesh ping between red, green, blue and to 10.20.0.1',
      points: 4,
      needs: ['bridge-ports', 'namespace-addresses', 'default-routes'],
      failureMessage: 'red, green and blue must ping each other and 10.20.0.1',
      hint: 'If only pings to 10.20.0.1 work, bridged traffic may be filtered: `iptables -A FORWARD -i br0 -o br0 -j ACCEPT`.',
      pings: NAMESPACES.flatMap(({ netns }) => [
        ...NAMESPACES.filter((other) => other.netns !== netns).map((other) => ({
          from: netns,
          to: other.address,
        })),
        { from: netns, to: GATEWAY },
      ]),
    },
  ],
};
