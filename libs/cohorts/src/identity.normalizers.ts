import { isEmail } from 'class-validator';

/** Emails are stored lower-cased and trimmed (the unique index compares them as stored). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && isEmail(email);
}

/** Codes are shown upper-case without confusable characters; accept what people type. */
export function normalizeCode(code: string): string {
  return code
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

/**
 * Discord usernames are case-insensitive: compared lower-cased, without a leading `@` someone
 * copied from a mention.
 */
export function normalizeDiscordUsername(username: string): string {
  return username.trim().replace(/^@/, '').toLowerCase();
}

export const DISCORD_ID_PATTERN = /^\d{5,25}$/;
