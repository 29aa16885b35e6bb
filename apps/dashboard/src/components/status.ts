import type { TaskStatus } from '../types.js';

/** Status colours: distinct in hue and lightness (readable for common colour blindness), with a legend. */
export const STATUS_STYLE: Record<TaskStatus, { fill: string; label: string }> = {
  locked: { fill: '#e2e8f0', label: 'Locked' },
  available: { fill: '#bfdbfe', label: 'Available' },
  in_progress: { fill: '#f59e0b', label: 'In progress' },
  pending_review: { fill: '#7c3aed', label: 'Awaiting review' },
  passed: { fill: '#15803d', label: 'Passed' },
  failed: { fill: '#dc2626', label: 'Failed' },
};

/** Relative luminance of a `#rrggbb` colour (WCAG). */
function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White or near-black, whichever reads better on `fill` (text on status colours). */
export function textOn(fill: string): string {
  const background = luminance(fill);
  const onWhite = 1.05 / (background + 0.05);
  const onDark = (background + 0.05) / (luminance('#0f172a') + 0.05);
  return onWhite >= onDark ? '#ffffff' : '#0f172a';
}

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
