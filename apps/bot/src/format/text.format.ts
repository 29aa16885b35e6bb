/** Discord's limit for a message's content. */
export const MAX_CONTENT = 2000;

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Joins lines and keeps the message within Discord's content limit. */
export function message(lines: (string | null | undefined | false)[]): string {
  return truncate(lines.filter((line): line is string => typeof line === 'string').join('\n'), MAX_CONTENT);
}

/** `[██████░░░░] 60 %` */
export function progressBar(percent: number, width = 10): string {
  const clamped = Math.min(100, Math.max(0, Math.round(percent)));
  const filled = Math.round((clamped / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${clamped} %`;
}

/** A Discord relative timestamp (`in 3 days`), rendered in each reader's own time zone. */
export function relativeTime(iso: string): string {
  return `<t:${Math.floor(new Date(iso).getTime() / 1000)}:R>`;
}

/** Neutralises mass mentions in text we echo from users. */
export function noMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1');
}
