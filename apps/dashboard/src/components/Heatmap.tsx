import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ProgressMatrixPage, TaskStatus } from '../types.js';
import { STATUS_ORDER, STATUS_STYLE, timeAgo } from './status.js';

const CELL = 16;
const GAP = 2;
const STEP_GAP = 7;
const LABEL_WIDTH = 140;
const HEADER = 34;

export interface CellDetail {
  /** The last grading of this cell seen on the live feed, if any. */
  lastResult?: string;
}

interface Props {
  page: ProgressMatrixPage;
  statusOf: (row: number, column: number) => TaskStatus;
  /** Cells changed by live events recently (`userId:taskId`), briefly highlighted. */
  flashed: ReadonlySet<string>;
  details: ReadonlyMap<string, CellDetail>;
  onOpenStudent: (userId: string) => void;
}

/**
 * Students × tasks as an SVG heatmap, tasks grouped by step. Hover or keyboard focus (arrow keys
 * in the grid, Enter opens the student) shows status, attempts, points and the last result.
 */
export function Heatmap({ page, statusOf, flashed, details, onOpenStudent }: Props) {
  const [active, setActive] = useState<{ row: number; column: number } | null>(null);
  const [anchor, setAnchor] = useState<{ left: number; top: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);

  // The tooltip is fixed to the viewport next to the active cell, so the scroll box never clips it.
  useLayoutEffect(() => {
    const student = active ? page.students[active.row] : undefined;
    const task = active ? page.tasks[active.column] : undefined;
    const cell =
      student && task ? svg.current?.querySelector(`[data-cell="${student.userId}:${task.id}"]`) : null;
    if (!cell) return setAnchor(null);
    const box = cell.getBoundingClientRect();
    const left = Math.min(box.right + 8, window.innerWidth - 250);
    const top = box.bottom + 110 > window.innerHeight ? box.top - 100 : box.bottom + 6;
    setAnchor({ left, top });
  }, [active, page.students, page.tasks]);

  const columns = useMemo(() => {
    let x = LABEL_WIDTH;
    let previousStep = page.tasks[0]?.step ?? 1;
    return page.tasks.map((task) => {
      if (task.step !== previousStep) x += STEP_GAP;
      previousStep = task.step;
      const position = x;
      x += CELL + GAP;
      return position;
    });
  }, [page.tasks]);

  const steps = useMemo(() => {
    const groups: { step: number; from: number; to: number }[] = [];
    page.tasks.forEach((task, index) => {
      const last = groups[groups.length - 1];
      if (last && last.step === task.step) last.to = index;
      else groups.push({ step: task.step, from: index, to: index });
    });
    return groups;
  }, [page.tasks]);

  const width = (columns[columns.length - 1] ?? LABEL_WIDTH) + CELL + 4;
  const height = HEADER + page.students.length * (CELL + GAP) + 4;
  const rowY = (row: number): number => HEADER + row * (CELL + GAP);

  const onKey = (event: KeyboardEvent<HTMLDivElement>): void => {
    const rows = page.students.length;
    const cols = page.tasks.length;
    if (rows === 0 || cols === 0) return;
    const current = active ?? { row: 0, column: 0 };
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      setActive({
        row: active ? Math.min(rows - 1, Math.max(0, current.row + move[0])) : 0,
        column: active ? Math.min(cols - 1, Math.max(0, current.column + move[1])) : 0,
      });
    } else if (event.key === 'Enter' && active) {
      const student = page.students[active.row];
      if (student) onOpenStudent(student.userId);
    } else if (event.key === 'Escape') setActive(null);
  };

  const tooltip = active ? describe(page, active.row, active.column, statusOf, details) : null;

  return (
    <div className="heatmap">
      <div className="legend" aria-label="Legend">
        {STATUS_ORDER.map((status) => (
          <span key={status} className="legend-item">
            <span className="swatch" style={{ background: STATUS_STYLE[status].fill }} />
            {STATUS_STYLE[status].label}
          </span>
        ))}
      </div>
      <div
        className="heatmap-scroll"
        role="grid"
        tabIndex={0}
        aria-label={`Progress of ${page.students.length} students on ${page.tasks.length} tasks. Use the arrow keys to move between cells and Enter to open a student.`}
        aria-describedby="heatmap-focus"
        onKeyDown={onKey}
        onBlur={() => setActive(null)}
      >
        <svg ref={svg} width={width} height={height} className="heatmap-svg" aria-hidden="true">
          {steps.map((group) => {
            const x1 = columns[group.from]!;
            const x2 = columns[group.to]! + CELL;
            return (
              <g key={group.step}>
                <text x={(x1 + x2) / 2} y={12} textAnchor="middle" className="heatmap-step">
                  Step {group.step}
                </text>
                <line x1={x1} x2={x2} y1={18} y2={18} className="heatmap-step-rule" />
              </g>
            );
          })}
          {page.students.map((student, row) => (
            <g key={student.userId}>
              <text
                x={LABEL_WIDTH - 8}
                y={rowY(row) + CELL - 5}
                textAnchor="end"
                className="heatmap-name"
                onClick={() => onOpenStudent(student.userId)}
              >
                {truncate(student.displayName, 20)}
              </text>
              {page.tasks.map((task, column) => {
                const status = statusOf(row, column);
                const key = `${student.userId}:${task.id}`;
                const isActive = active?.row === row && active.column === column;
                return (
                  <rect
                    key={task.id}
                    x={columns[column]}
                    y={rowY(row)}
                    width={CELL}
                    height={CELL}
                    rx={3}
                    fill={STATUS_STYLE[status].fill}
                    className={`cell${flashed.has(key) ? ' cell-flash' : ''}${isActive ? ' cell-active' : ''}`}
                    data-cell={key}
                    data-status={status}
                    onMouseEnter={() => setActive({ row, column })}
                    onMouseLeave={() => setActive(null)}
                    onClick={() => onOpenStudent(student.userId)}
                  />
                );
              })}
            </g>
          ))}
        </svg>
        {active && tooltip && anchor && (
          <div className="tooltip" role="tooltip" style={{ left: anchor.left, top: anchor.top }}>
            {tooltip.lines.map((line) => (
              <div key={line}>{line}</div>
            ))}
          </div>
        )}
      </div>
      <p id="heatmap-focus" className="sr-only" aria-live="polite">
        {tooltip ? tooltip.lines.join(', ') : ''}
      </p>
    </div>
  );
}

function describe(
  page: ProgressMatrixPage,
  row: number,
  column: number,
  statusOf: Props['statusOf'],
  details: Props['details'],
): { lines: string[] } | null {
  const student = page.students[row];
  const task = page.tasks[column];
  if (!student || !task) return null;
  const status = statusOf(row, column);
  const detail = details.get(`${student.userId}:${task.id}`);
  return {
    lines: [
      `${student.displayName} · ${task.id}`,
      `${STATUS_STYLE[status].label} · ${page.attempts[row]?.[column] ?? 0} attempt(s)`,
      `${page.points[row]?.[column] ?? 0} / ${task.maxPoints} points`,
      detail?.lastResult
        ? `Last result: ${detail.lastResult}`
        : `Last change: ${timeAgo(page.updatedAt[row]?.[column])}`,
    ],
  };
}

function truncate(value: string, length: number): string {
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}
