import type { FunnelView } from '../types.js';

const ROW = 42;
const WIDTH = 360;
const COUNT = 44;

/**
 * The seven-step plan as a funnel: per step, a centred bar of students who started it (light)
 * with those who completed it inside (dark), so the narrowing shows where the cohort drops off.
 */
export function Funnel({ funnel, total }: { funnel: FunnelView; total: number }) {
  const max = Math.max(1, total, ...funnel.steps.map((step) => step.started));
  const area = WIDTH - COUNT;
  const centre = area / 2;
  return (
    <figure className="funnel">
      <svg
        viewBox={`0 0 ${WIDTH} ${funnel.steps.length * ROW + 4}`}
        width="100%"
        role="img"
        aria-labelledby="funnel-title funnel-desc"
      >
        <title id="funnel-title">Seven-step funnel</title>
        <desc id="funnel-desc">
          {funnel.steps
            .map(
              (step) =>
                `Step ${step.step} ${step.title}: ${step.started} started, ${step.completed} completed`,
            )
            .join('. ')}
        </desc>
        {funnel.steps.map((step, index) => {
          const y = index * ROW + 2;
          const started = (step.started / max) * area;
          const completed = (step.completed / max) * area;
          return (
            <g key={step.step} data-step={step.step}>
              <text x={0} y={y + 11} className="funnel-label">
                {step.step}. {step.title.length > 48 ? `${step.title.slice(0, 47)}…` : step.title}
              </text>
              <rect x={0} y={y + 16} width={area} height={20} rx={4} className="funnel-track" />
              <rect
                x={centre - started / 2}
                y={y + 16}
                width={started}
                height={20}
                rx={4}
                className="funnel-started"
              />
              <rect
                x={centre - completed / 2}
                y={y + 16}
                width={completed}
                height={20}
                rx={4}
                className="funnel-completed"
              />
              <text x={WIDTH} y={y + 30} textAnchor="end" className="funnel-count">
                {step.completed}/{step.started}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="legend-item">
          <span className="swatch funnel-started" /> started
        </span>
        <span className="legend-item">
          <span className="swatch funnel-completed" /> completed (completed/started)
        </span>
      </figcaption>
    </figure>
  );
}
