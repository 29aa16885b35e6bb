export interface ConnectivityEvidence {
  pods: string[];
  ports: { port: number; protocol: string }[];
  expected: boolean[][][];
  actual: boolean[][][];
}

export function isConnectivityEvidence(value: unknown): value is ConnectivityEvidence {
  const evidence = value as Partial<ConnectivityEvidence> | null;
  return (
    !!evidence &&
    Array.isArray(evidence.pods) &&
    Array.isArray(evidence.ports) &&
    Array.isArray(evidence.expected) &&
    Array.isArray(evidence.actual)
  );
}

const CELL = 30;

/**
 * Expected and actual connectivity (from pod rows to pod columns, one block per port) side by
 * side; cells where they differ are outlined in both matrices and listed below.
 */
export function ConnectivityMatrices({ evidence }: { evidence: ConnectivityEvidence }) {
  const differences: string[] = [];
  evidence.pods.forEach((from, f) =>
    evidence.pods.forEach((to, t) =>
      evidence.ports.forEach((port, p) => {
        const want = evidence.expected[f]?.[t]?.[p];
        const got = evidence.actual[f]?.[t]?.[p];
        if (f !== t && want !== got)
          differences.push(
            `${from} → ${to}:${port.port}/${port.protocol}: expected ${want ? 'allowed' : 'blocked'}, actually ${got ? 'allowed' : 'blocked'}`,
          );
      }),
    ),
  );
  return (
    <div className="connectivity">
      <div className="connectivity-pair">
        <Matrix title="Expected" evidence={evidence} which="expected" />
        <Matrix title="Actual" evidence={evidence} which="actual" />
      </div>
      <div className="legend">
        <span className="legend-item">
          <span className="swatch conn-allowed" /> allowed
        </span>
        <span className="legend-item">
          <span className="swatch conn-blocked" /> blocked
        </span>
        <span className="legend-item">
          <span className="swatch conn-diff" /> differs
        </span>
        <span className="legend-item">rows: from · columns: to</span>
      </div>
      {differences.length > 0 ? (
        <ul className="differences" aria-label="Differences">
          {differences.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : (
        <p className="ok">Actual traffic matches the expected policy.</p>
      )}
    </div>
  );
}

function Matrix({
  title,
  evidence,
  which,
}: {
  title: string;
  evidence: ConnectivityEvidence;
  which: 'expected' | 'actual';
}) {
  const label = Math.max(60, ...evidence.pods.map((pod) => pod.length * 7 + 10));
  const n = evidence.pods.length;
  const blockWidth = n * CELL + 12;
  const width = label + evidence.ports.length * blockWidth;
  const height = label + n * CELL + 24;
  return (
    <figure className="matrix" data-matrix={which}>
      <figcaption>{title}</figcaption>
      <svg width={width} height={height} role="img" aria-label={`${title} connectivity matrix`}>
        {evidence.ports.map((port, p) => {
          const x0 = label + p * blockWidth;
          return (
            <g key={`${port.port}/${port.protocol}`}>
              <text x={x0 + (n * CELL) / 2} y={14} textAnchor="middle" className="matrix-port">
                {port.port}/{port.protocol}
              </text>
              {evidence.pods.map((to, t) => (
                <text
                  key={to}
                  transform={`translate(${x0 + t * CELL + CELL / 2 + 4}, ${label + 18}) rotate(-60)`}
                  className="matrix-pod"
                >
                  {to}
                </text>
              ))}
              {evidence.pods.map((from, f) =>
                evidence.pods.map((to, t) => {
                  const value = evidence[which][f]?.[t]?.[p] ?? false;
                  const other = evidence[which === 'expected' ? 'actual' : 'expected'][f]?.[t]?.[p] ?? false;
                  const self = f === t;
                  const differs = !self && value !== other;
                  return (
                    <rect
                      key={`${from}-${to}`}
                      x={x0 + t * CELL}
                      y={label + 24 + f * CELL}
                      width={CELL - 3}
                      height={CELL - 3}
                      rx={3}
                      className={`${self ? 'conn-self' : value ? 'conn-allowed' : 'conn-blocked'}${differs ? ' conn-diff' : ''}`}
                      data-differs={differs ? 'true' : undefined}
                    >
                      <title>{`${from} → ${to}:${port.port}/${port.protocol} ${self ? '(same pod)' : value ? 'allowed' : 'blocked'}${differs ? ' — differs' : ''}`}</title>
                    </rect>
                  );
                }),
              )}
            </g>
          );
        })}
        {evidence.pods.map((from, f) => (
          <text
            key={from}
            x={label - 6}
            y={label + 24 + f * CELL + CELL / 2 + 3}
            textAnchor="end"
            className="matrix-pod"
          >
            {from}
          </text>
        ))}
      </svg>
    </figure>
  );
}
