/** One record of a CSV file: its fields, or why it could not be read. */
export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/**
 * A small RFC 4180 reader: comma-separated, CRLF or LF (or lone CR) line breaks, fields in double
 * quotes may hold commas, line breaks and doubled quotes. Each record carries the 1-based file line
 * it starts on, so errors can point at the line a spreadsheet shows. A malformed record (text after
 * a closing quote) is reported and reading resumes on the next line; blank lines are skipped.
 * Lenient where spreadsheets are: a quote inside an unquoted field is kept as text.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;

  const isBreak = (char: string | undefined) => char === '\n' || char === '\r';
  /** Consumes one line break at i (CRLF counts once) and advances the line counter. */
  const consumeBreak = () => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
    line += 1;
  };
  const endRecord = () => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };

  while (i < n) {
    if (fields.length === 0 && field === '') recordLine = line;
    const char = text[i];
    if (char === '"' && field === '') {
      // Quoted field.
      i += 1;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          closed = true;
          break;
        }
        if (isBreak(c)) {
          const crlf = c === '\r' && text[i + 1] === '\n';
          field += crlf ? '\r\n' : c;
          consumeBreak();
          continue;
        }
        field += c;
        i += 1;
      }
      if (!closed) {
        records.push({ line: recordLine, error: 'a quoted field is not closed' });
        return records;
      }
      const next = text[i];
      if (next === undefined) {
        endRecord();
      } else if (next === ',') {
        fields.push(field);
        field = '';
        i += 1;
        if (i === n) endRecord(); // trailing comma: one more (empty) field
      } else if (isBreak(next)) {
        endRecord();
        consumeBreak();
      } else {
        records.push({
          line: recordLine,
          error: 'unexpected text after a closing quote (quote the whole field and double inner quotes)',
        });
        while (i < n && !isBreak(text[i])) i += 1;
        if (i < n) consumeBreak();
        fields = [];
        field = '';
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      i += 1;
      if (i === n) endRecord();
      continue;
    }
    if (isBreak(char)) {
      endRecord();
      consumeBreak();
      continue;
    }
    field += char;
    i += 1;
    if (i === n) endRecord();
  }
  return records;
}
