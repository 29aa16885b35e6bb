/**
 * RFC 4180 CSV that is safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return would be read as a formula (CSV injection), so it gets a leading
 * `'`; cells with a comma, a double quote or a line break are quoted, quotes doubled. Lines end in
 * CRLF. Numbers are written as they are (ours are never negative).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A filename fragment: letters, digits and dashes only (for Content-Disposition). */
export function filenameSafe(text: string, fallback = 'cohort'): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .toLowerCase()
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return cleaned || fallback;
}
