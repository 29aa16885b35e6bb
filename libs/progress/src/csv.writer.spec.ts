import { describe, expect, it } from '@jest/globals';
import { csvCell, csvLine, filenameSafe } from './csv.writer.js';

describe('csv writer', () => {
  it('neutralises cells a spreadsheet would read as a formula', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(text).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-3)).toBe('-3');
  });

  it('quotes commas, quotes and line breaks (RFC 4180), doubling quotes', () => {
    expect(csvCell('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', 1, undefined, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('makes filenames out of any text', () => {
    expect(filenameSafe('Spring "24", Berlin/Remote')).toBe('spring-24-berlinremote');
    expect(filenameSafe('Zoë Ünïcode')).toBe('zoe-unicode');
    expect(filenameSafe('"/\\;')).toBe('cohort');
  });
});
