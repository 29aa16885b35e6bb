import { DomainError } from '@kubecohort/contracts';
import { describe, expect, it } from '@jest/globals';
import { parseRoster } from './roster.parser.js';

describe('parseRoster', () => {
  it('reads rows, normalises emails and Discord usernames, keeps quoted commas', () => {
    const parsed = parseRoster(
      'name,email,discord\n"Lovelace, Ada", Ada@Example.org ,@Ada_L\nAlan Turing,alan@example.org,\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, name: 'Lovelace, Ada', email: 'ada@example.org', discord: 'ada_l' },
      { line: 3, name: 'Alan Turing', email: 'alan@example.org', discord: null },
    ]);
  });

  it('accepts header variants, any column order and extra columns', () => {
    const a = parseRoster('Email,Discord Username,Name,Team\nx@y.org,xy,X Y,blue\n');
    expect(a.rows).toEqual([{ line: 2, name: 'X Y', email: 'x@y.org', discord: 'xy' }]);
    const b = parseRoster('name,email,discord_username\nX,x@y.org,xy\n');
    expect(b.rows[0]?.discord).toBe('xy');
  });

  it('marks the Discord column as absent when the file has none', () => {
    expect(parseRoster('name,email\nX,x@y.org').rows[0]?.discord).toBeUndefined();
  });

  it('reports bad lines with their file line and keeps the good ones', () => {
    const parsed = parseRoster(
      [
        'name,email,discord',
        'Good,good@x.org,g',
        ',noname@x.org,',
        'Bad Mail,not-an-email,',
        'Dup,GOOD@x.org,',
        'Doe, Jane,jd@x.org,jd',
        '"Multi',
        'Line",ml@x.org,',
      ].join('\n'),
    );
    expect(parsed.rows.map((row) => row.line)).toEqual([2, 7]);
    expect(parsed.rows[1]?.name).toBe('Multi\nLine');
    expect(parsed.errors).toEqual([
      { line: 3, message: 'name is missing' },
      { line: 4, message: 'email is not a valid address' },
      { line: 5, message: 'duplicate email (already on line 2)' },
      { line: 6, message: expect.stringContaining('expected 3 fields') },
    ]);
  });

  it('refuses a file without a usable header as a whole', () => {
    expect(() => parseRoster('')).toThrow(DomainError);
    expect(() => parseRoster('email,discord\nx@y.org,x')).toThrow(/lacks required columns/);
    expect(() => parseRoster('name,name,email\n')).toThrow(/repeats a column/);
  });
});
