import type { GraderSpec } from '../runtime/check-spec.types.js';
import { requireTools } from './linux-tools.steps.js';

/** phase-1-veth-pair: names and addresses exactly as the task's instructions promise them. */
export const VETH_PAIR_GRADER: GraderSpec = {
  taskId: 'phase-1-veth-pair',
  graderId: 'phase-1-veth-pair',
  timeoutMs: 60_000,
  setup: [requireTools(['ip', 'ping'])],
  checks: [
    {
      id: 'namespaces',
      kind: 'linux.netns',
      title: 'network namespaces ns1 and ns2 exist',
      points: 2,
      failureMessage: 'Network namespaces ns1 and ns2 must both exist',
      hint: 'Create them with `ip netns add ns1` and `ip netns add ns2`; `ip netns list` shows what exists.',
      namespaces: ['ns1', 'ns2'],
    },
    {
      id: 'veth-ns1',
      kind: 'linux.interfaces',
      title: 'veth-ns1 in ns1 has 10.10.0.1/24 and is up',
      points: 3,
      needs: ['namespaces'],
      failureMessage: 'veth-ns1 in ns1 is not as asked',
      hint: 'Look with `ip -n ns1 addr`; fix with `ip -n ns1 addr add 10.10.0.1/24 dev veth-ns1` and `ip -n ns1 link set veth-ns1 up`.',
      interfaces: [{ netns: 'ns1', name: 'veth-ns1', type: 'veth', addresses: ['10.10.0.1/24'] }],
    },
    {
      id: 'veth-ns2',
      kind: 'linux.interfaces',
      title: 'veth-ns2 in ns2 has 10.10.0.2/24 and is up',
      points: 3,
      needs: ['namespaces'],
      failureMessage: 'veth-ns2 in ns2 is not as asked',
      hint: 'Look with `ip -n ns2 addr`; an end left in the workbench moves with `ip link set veth-ns2 netns ns2` (then address it again).',
      interfaces: [{ netns: 'ns2', name: 'veth-ns2', type: 'veth', addresses: ['10.10.0.2/24'] }],
    },
    {
      id: 'veth-peers',
      kind: 'linux.veth-pair',
      title: 'veth-ns1 and veth-ns2 are peers of one veth pair',
      points: 3,
      needs: ['namespaces'],
      failureMessage: 'veth-ns1 and veth-ns2 must be the two ends of one veth pair',
      hint: 'Create both ends in one command: `ip link add veth-ns1 netns ns1 type veth peer name veth-ns2 netns ns2`.',
      ends: [
        { netns: 'ns1', name: 'veth-ns1' },
        { netns: 'ns2', name: 'veth-ns2' },
      ],
    },
    {
      id: 'ping',
      kind: 'linux.ping',
      title: 'ns1 pings 10.10.0.2 and ns2 pings 10.10.0.1',
      points: 4,
      needs: ['veth-ns1', 'veth-ns2', 'veth-peers'],
      failureMessage: 'ns1 and ns2 must ping each other',
      hint: 'Try `ip netns exec ns1 ping -c 3 10.10.0.2` and watch with `ip netns exec ns2 tcpdump -ni veth-ns2`.',
      pings: [
        { from: 'ns1', to: '10.10.0.2' },
        { from: 'ns2', to: '10.10.0.1' },
      ],
    },
  ],
};
