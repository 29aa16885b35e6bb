import { describe, expect, it } from '@jest/globals';
import { canonicalTimeZone, isIanaTimeZone } from './time-zone.js';

describe('time zones', () => {
  it('accepts IANA names and returns their canonical spelling', () => {
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(isIanaTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
  });

  it('refuses unknown names and bare offsets', () => {
    expect(isIanaTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isIanaTimeZone('+01:00')).toBe(false);
    expect(isIanaTimeZone('')).toBe(false);
    expect(isIanaTimeZone('Europe/Berlin; DROP')).toBe(false);
  });
});
