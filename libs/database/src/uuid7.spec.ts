import { describe, expect, it } from '@jest/globals';
import { uuidv7 } from './uuid7.js';

describe('uuidv7', () => {
  it('lays out RFC 9562 version 7: 48 bits of milliseconds, version 7, variant 10', () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('orders ids by their millisecond and differs within one', () => {
    const earlier = uuidv7(1_000_000);
    const later = uuidv7(1_000_001);
    expect(earlier < later).toBe(true);
    const same = new Set(Array.from({ length: 1000 }, () => uuidv7(1_000_000)));
    expect(same.size).toBe(1000);
  });

  it('writes times before 2^32 ms with leading zeros', () => {
    expect(uuidv7(1).startsWith('00000000-0001-7')).toBe(true);
  });
});
