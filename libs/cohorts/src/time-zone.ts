const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * The canonical spelling of an IANA time zone name (e.g. `utc` -> `UTC`), or null when the runtime's
 * time zone database does not know it. Offsets like `+01:00` are refused: cohorts need a zone with
 * its daylight-saving rules so deadlines stay at the same wall-clock time.
 */
export function canonicalTimeZone(value: string): string | null {
  if (!ZONE_SHAPE.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isIanaTimeZone(value: string): boolean {
  return canonicalTimeZone(value) !== null;
}
