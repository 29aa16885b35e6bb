import type { Page } from 'playwright-core';

/**
 * Accessible basics, checked in the page itself (no axe: nothing may be downloaded here):
 * - every visible form control has an accessible name (label, aria-label, aria-labelledby);
 * - every visible button and link has a name;
 * - visible text meets WCAG AA contrast (4.5:1, 3:1 for large text) against its effective
 *   background (disabled controls are exempt, as WCAG says);
 * - nothing is wider than the viewport (works at laptop width).
 * A string, because the test project type-checks without DOM types; evaluate() runs it through
 * the DevTools protocol, which the page's Content-Security-Policy does not block.
 */
const AUDIT = `(() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.textContent || '').trim().slice(0, 40);
    return el.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : '');
  };
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    if (el.labels && Array.from(el.labels).some((label) => (label.textContent || '').trim())) return true;
    return false;
  };
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (visible(el) && !named(el)) problems.push('unlabelled control: ' + describe(el));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (visible(el) && !(el.textContent || '').trim() && !named(el) && !el.getAttribute('title'))
      problems.push('nameless ' + el.tagName.toLowerCase() + ': ' + describe(el));
  }
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return null;
    const parts = match[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const luminance = (c) => {
    const channel = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== 'none') return null;
      const color = parse(style.backgroundColor);
      if (color && color.a >= 0.99) return color;
      if (color && color.a > 0.01) return null; // translucent: not judged
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || !visible(el)) continue;
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || el.closest('[disabled], [aria-disabled="true"]')) continue;
    const style = getComputedStyle(el);
    let opaque = true;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement)
      if (Number(getComputedStyle(node).opacity) < 1) opaque = false;
    if (!opaque) continue;
    const fg = parse(style.color);
    const bg = background(el);
    if (!fg || !bg || fg.a < 0.99) continue;
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.6 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio + 0.005 < needed) {
      const key = style.color + '/' + describe(el).split(' ')[0];
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push('contrast ' + ratio.toFixed(2) + ' < ' + needed + ': ' + describe(el));
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1)
    problems.push('wider than the viewport: ' + doc.scrollWidth + 'px > ' + doc.clientWidth + 'px');
  return problems;
})()`;

export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(AUDIT);
}
