import { DomainError } from '@kubecohort/contracts';
import { parseCsv } from './csv.parser.js';
import { isValidEmail, normalizeDiscordUsername, normalizeEmail } from './identity.normalizers.js';

export interface RosterRow {
  /** 1-based file line the record starts on (the header is line 1). */
  line: number;
  name: string;
  email: string;
  /** Normalised expected Discord username; null = cell empty; undefined = the file has no Discord column. */
  discord: string | null | undefined;
}

export interface RosterLineError {
  line: number;
  message: string;
}

export interface ParsedRoster {
  rows: RosterRow[];
  errors: RosterLineError[];
}

export const ROSTER_MAX_ROWS = 5000;
const NAME_MAX = 120;
const DISCORD_MAX = 64;

type Column = 'name' | 'email' | 'discord';

/** Header spellings people export from spreadsheets and forms, after lower-casing and folding `_`/`-`. */
const HEADER_ALIASES: Record<string, Column> = {
  name: 'name',
  'display name': 'name',
  'full name': 'name',
  email: 'email',
  'e mail': 'email',
  'email address': 'email',
  discord: 'discord',
  'discord username': 'discord',
  'discord user': 'discord',
  'discord name': 'discord',
  'discord handle': 'discord',
  discordusername: 'discord',
};

function hasControlCharacters(value: string): boolean {
  return [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

function headerKey(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

/**
 * Reads an instructor's roster CSV (`name,email[,discord]`, header required, extra columns ignored)
 * into validated rows and per-line errors. Header problems make the whole file unusable (400);
 * a bad line never stops the others. Duplicate emails: the first line wins, later ones are errors.
 */
export function parseRoster(csv: string): ParsedRoster {
  const records = parseCsv(csv);
  const header = records[0];
  if (!header) {
    throw DomainError.invalid('the roster is empty', [
      { field: 'body', problem: 'must start with a header row: name,email,discord' },
    ]);
  }
  if ('error' in header) {
    throw DomainError.invalid('the roster header cannot be read', [
      { field: 'header', problem: header.error },
    ]);
  }
  const columns = new Map<Column, number>();
  header.fields.forEach((cell, index) => {
    const column = HEADER_ALIASES[headerKey(cell)];
    if (!column) return;
    if (columns.has(column)) {
      throw DomainError.invalid('the roster header repeats a column', [
        { field: 'header', problem: `has more than one ${column} column` },
      ]);
    }
    columns.set(column, index);
  });
  const missing = (['name', 'email'] as const).filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw DomainError.invalid('the roster header lacks required columns', [
      {
        field: 'header',
        problem: `must contain the columns name,email (optionally discord); missing: ${missing.join(', ')}`,
      },
    ]);
  }
  if (records.length - 1 > ROSTER_MAX_ROWS) {
    throw DomainError.invalid('the roster is too long', [
      { field: 'body', problem: `must have at most ${ROSTER_MAX_ROWS} rows` },
    ]);
  }

  const width = header.fields.length;
  const nameAt = columns.get('name')!;
  const emailAt = columns.get('email')!;
  const discordAt = columns.get('discord');
  const rows: RosterRow[] = [];
  const errors: RosterLineError[] = [];
  const firstLineOf = new Map<string, number>();

  for (const record of records.slice(1)) {
    if ('error' in record) {
      errors.push({ line: record.line, message: record.error });
      continue;
    }
    if (record.fields.length !== width) {
      errors.push({
        line: record.line,
        message: `expected ${width} fields like the header, found ${record.fields.length} (quote names that contain commas)`,
      });
      continue;
    }
    const name = record.fields[nameAt]!.trim();
    const rawEmail = record.fields[emailAt]!.trim();
    const email = normalizeEmail(rawEmail);
    const rawDiscord = discordAt === undefined ? undefined : record.fields[discordAt]!;
    const problems: string[] = [];
    if (!name) problems.push('name is missing');
    else if (name.length > NAME_MAX) problems.push(`name is longer than ${NAME_MAX} characters`);
    if (!rawEmail) problems.push('email is missing');
    else if (!isValidEmail(email)) problems.push('email is not a valid address');
    let discord: string | null | undefined;
    if (rawDiscord !== undefined) {
      discord = normalizeDiscordUsername(rawDiscord) || null;
      if (discord && (discord.length > DISCORD_MAX || hasControlCharacters(discord))) {
        problems.push('discord username is not valid');
      }
    }
    if (problems.length > 0) {
      errors.push({ line: record.line, message: problems.join('; ') });
      continue;
    }
    const first = firstLineOf.get(email);
    if (first !== undefined) {
      errors.push({ line: record.line, message: `duplicate email (already on line ${first})` });
      continue;
    }
    firstLineOf.set(email, record.line);
    rows.push({ line: record.line, name, email, discord });
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}
