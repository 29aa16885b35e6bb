import type { TaskStatus } from '../types.js';

/** Status colours: distinct in hue and lightness (readable for common colour blindness), with a legend. */
export const STATUS_STYLE: Record<TaskStatus, { fill: string; label: string }> = {
  locked: { fill: '#e2e8f0', label: 'Locked' },
  available: { fill: '#bfdbfe', label: 'Available' },
  in_progress: { fill: '#f59e0b', label: 'In progress' },
  pending_review: { fill: '#8b5cf6', label: 'Awaiting review' },
  passed: { fill: '#15803d', label: 'Passed' },
  failed: { fill: '#dc2626', label: 'Failed' },
};

export const STATUS_ORDER: TaskStatus[] = [
  'locked',
  'available',
  'in_progress',
  'pending_review',
  'passed',
  'failed',
];

export function timeAgo(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return 'never';
  const time = typeof value === 'number' ? value * 1000 : Date.parse(value);
  const seconds = Math.round((Date.now() - time) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}
