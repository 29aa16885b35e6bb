import { describe, expect, it } from '@jest/globals';
import { parseCsv } from './csv.parser.js';

describe('parseCsv', () => {
  it('reads plain records with LF and CRLF line breaks and skips blank lines', () => {
    expect(parseCsv('a,b\r\nc,d\n\ne,f\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
      { line: 4, fields: ['e', 'f'] },
    ]);
  });

  it('handles quoted commas, doubled quotes and line breaks inside quotes', () => {
    const records = parseCsv(
      'name,email\n"Lovelace, Ada","ada@x.org"\n"Grace ""Amazing"" Hopper",g@x.org\n"multi\r\nline",m@x.org\nlast,l@x.org',
    );
    expect(records).toEqual([
      { line: 1, fields: ['name', 'email'] },
      { line: 2, fields: ['Lovelace, Ada', 'ada@x.org'] },
      { line: 3, fields: ['Grace "Amazing" Hopper', 'g@x.org'] },
      { line: 4, fields: ['multi\r\nline', 'm@x.org'] },
      { line: 6, fields: ['last', 'l@x.org'] },
    ]);
  });

  it('keeps empty fields, trailing commas and a missing final newline', () => {
    expect(parseCsv('a,,c,\n,"",x')).toEqual([
      { line: 1, fields: ['a', '', 'c', ''] },
      { line: 2, fields: ['', '', 'x'] },
    ]);
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(parseCsv('\uFEFFname,email\n')).toEqual([{ line: 1, fields: ['name', 'email'] }]);
  });

  it('reports text after a closing quote and resumes on the next line', () => {
    expect(parseCsv('a,b\n"x"y,z\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: expect.stringContaining('closing quote') },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });

  it('reports an unterminated quote at the line the record starts', () => {
    expect(parseCsv('a,b\n"open,z\nc,d\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: 'a quoted field is not closed' },
    ]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(parseCsv('Jane "JJ" Doe,j@x.org')).toEqual([{ line: 1, fields: ['Jane "JJ" Doe', 'j@x.org'] }]);
  });

  it('counts a lone CR as a line break', () => {
    expect(parseCsv('a\rb')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
    ]);
  });

  it('returns nothing for an empty input', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\n\r\n')).toEqual([]);
  });
});
