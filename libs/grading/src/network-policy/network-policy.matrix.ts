import type {
  ClusterPod,
  ConnectivityMatrix,
  ConnectivityQuery,
  MatrixCellDiff,
  PortProtocol,
  Protocol,
} from './network-policy.types.js';

const PROTOCOL_ORDER: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

/**
 * The matrix columns the CLI uses: every distinct (containerPort, protocol) the pods declare, plus
 * every numeric query port, sorted by port then protocol. Named query ports are left out: they
 * resolve to a different number per destination, and the pods' declared ports already cover them.
 */
export function collectMatrixPorts(
  pods: readonly ClusterPod[],
  queries: readonly ConnectivityQuery[] = [],
): PortProtocol[] {
  const seen = new Map<string, PortProtocol>();
  const add = (port: number, protocol: Protocol): void => {
    seen.set(`${port}/${protocol}`, { port, protocol });
  };
  for (const pod of pods) for (const port of pod.ports ?? []) add(port.containerPort, port.protocol ?? 'TCP');
  for (const query of queries) if (typeof query.port === 'number') add(query.port, query.protocol ?? 'TCP');
  return [...seen.values()].sort(
    (a, b) => a.port - b.port || PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol],
  );
}

/**
 * Cells where `actual` (e.g. the student's matrix) disagrees with `expected`, in expected's
 * row/column/port order. Pods and ports are matched by name, not index, so the two matrices may
 * order them differently; a pod or port missing from `actual` yields `actual: null`, and extra
 * pods or ports in `actual` are ignored.
 */
export function diffConnectivityMatrices(
  expected: ConnectivityMatrix,
  actual: ConnectivityMatrix,
): MatrixCellDiff[] {
  const actualPod = new Map(actual.pods.map((pod, index) => [pod, index]));
  const actualPort = new Map(actual.ports.map((port, index) => [portKey(port), index]));
  const diffs: MatrixCellDiff[] = [];
  expected.pods.forEach((from, fromIndex) => {
    expected.pods.forEach((to, toIndex) => {
      expected.ports.forEach((port, portIndex) => {
        const expectedCell = expected.allowed[fromIndex]?.[toIndex]?.[portIndex] ?? false;
        const [a, b, c] = [actualPod.get(from), actualPod.get(to), actualPort.get(portKey(port))];
        const actualCell =
          a === undefined || b === undefined || c === undefined
            ? null
            : (actual.allowed[a]?.[b]?.[c] ?? null);
        if (actualCell !== expectedCell) {
          diffs.push({ from, to, port: { ...port }, expected: expectedCell, actual: actualCell });
        }
      });
    });
  });
  return diffs;
}

function portKey(port: PortProtocol): string {
  return `${port.port}/${port.protocol}`;
}
