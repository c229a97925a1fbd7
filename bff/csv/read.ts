/**
 * Reading CSV files, the fallback when no integration exists: an RFC 4180 reader (quoted fields,
 * escaped quotes, CRLF or LF, newlines inside quotes, a UTF-8 byte order mark, `,` `;` or tab
 * detected from the header), within bounds. Pure: the BFF stores uploads and writes the directory
 * (services/csv-uploads.ts); which column holds which contact field is ./map.ts.
 */

export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export interface CsvTable {
  delimiter: CsvDelimiter;
  /** Column names, trimmed; blanks become "Column N" and repeats "Name (2)", so each names one column. */
  columns: string[];
  /** Data rows, each exactly as wide as the header (short rows padded with "", long rows cut). */
  rows: string[][];
  /** The file line each data row starts on (1 is the header), for messages. */
  lines: number[];
  /** Rows whose width differs from the header's: reported, never fatal. */
  ragged: { line: number; cells: number }[];
}

export type CsvErrorCode =
  | 'csv_empty'
  | 'csv_no_header'
  | 'csv_unterminated_quote'
  | 'csv_too_many_rows'
  | 'csv_too_many_columns'
  | 'csv_cell_too_long'
  | 'csv_too_many_cells'
  | 'csv_not_text';

/** Which bound a file broke, and its value: said to the admin, and in the error's details. */
export interface CsvLimitBroken {
  limit: 'rows' | 'columns' | 'cellLength' | 'cells';
  max: number;
}

/** A file we refuse to read, with what is wrong and where. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    readonly code: CsvErrorCode,
    message: string,
    readonly limit?: CsvLimitBroken,
  ) {
    super(message);
  }
}

/**
 * Bounds checked while reading, before a record is kept: a header of a million commas or one
 * endless cell is refused at the first field past the bound, not after every row was padded to it.
 */
export interface CsvLimits {
  /** Data rows (the header excluded). */
  maxRows: number;
  /** Fields in any record, the header included. */
  maxColumns: number;
  /** Characters in one field. */
  maxCellLength: number;
  /** Rows × the header's width: what the table holds once short rows are padded. */
  maxCells: number;
}

/** Generous for HR exports (a 100,000-person sheet of 20 columns), small enough to hold and store at once. */
export const CSV_LIMITS: CsvLimits = { maxRows: 100_000, maxColumns: 200, maxCellLength: 10_000, maxCells: 2_000_000 };

/** The delimiter the header line uses most (outside quotes); a one-column file counts as comma-separated. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  // The first 64 KB say it: a header longer than that is refused by the column bound anyway.
  for (let i = 0; i < Math.min(text.length, 65_536); i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as CsvDelimiter)) counts.set(ch as CsvDelimiter, counts.get(ch as CsvDelimiter)! + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of CSV_DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * Every record of `text` as fields, with the line it starts on. A quote opens a quoted field only
 * at the start of a field; inside one, `""` is a quote and newlines are text. A stray quote in the
 * middle of an unquoted field is kept as text, as spreadsheets write it.
 */
export function parseRecords(text: string, delimiter: CsvDelimiter, limits: Partial<CsvLimits> = {}): { fields: string[]; line: number }[] {
  const { maxRows = Infinity, maxColumns = Infinity, maxCellLength = Infinity, maxCells = Infinity } = limits;
  const out: { fields: string[]; line: number }[] = [];
  /** Cells held once every data row is as wide as the header. */
  let cells = 0;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  /** Whether the record opened a quote: `""` alone on a line is a record of one empty field, not a blank line. */
  let touched = false;
  const endField = () => {
    if (fields.length >= maxColumns) {
      throw new CsvError('csv_too_many_columns', `Line ${recordLine} has more than ${maxColumns} columns; files are limited to ${maxColumns}.`, {
        limit: 'columns',
        max: maxColumns,
      });
    }
    fields.push(field);
    field = '';
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record (a trailing newline, or spacing a spreadsheet left).
    if (touched || !(fields.length === 1 && fields[0] === '')) {
      if (out.length > maxRows)
        throw new CsvError('csv_too_many_rows', `The file has more than ${maxRows} rows; files are limited to ${maxRows}.`, { limit: 'rows', max: maxRows });
      if (out.length > 0) {
        cells += Math.max(out[0]!.fields.length, 1);
        if (cells > maxCells) {
          throw new CsvError('csv_too_many_cells', `The file has more than ${maxCells} cells (rows × columns); files are limited to ${maxCells}.`, {
            limit: 'cells',
            max: maxCells,
          });
        }
      }
      out.push({ fields, line: recordLine });
    }
    fields = [];
    touched = false;
    recordLine = line;
  };
  const longCell = () => {
    if (field.length > maxCellLength) {
      throw new CsvError(
        'csv_cell_too_long',
        `A cell on line ${recordLine} is longer than ${maxCellLength} characters; cells are limited to ${maxCellLength}.`,
        { limit: 'cellLength', max: maxCellLength },
      );
    }
  };
  // Runs of plain text are copied as slices, not a character at a time: a 10 MB file is mostly runs.
  const stop = delimiter === ',' ? /[,\r\n]/g : delimiter === ';' ? /[;\r\n]/g : /[\t\r\n]/g;
  let i = 0;
  while (i < text.length) {
    if (quoted) {
      const q = text.indexOf('"', i);
      if (q < 0) break;
      const chunk = text.slice(i, q);
      field += chunk;
      longCell();
      if (/[\r\n]/.test(chunk)) line += chunk.match(/\r\n|\r|\n/g)!.length;
      if (text[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    const ch = text[i]!;
    if (ch === '"' && atFieldStart) {
      quoted = true;
      touched = true;
      atFieldStart = false;
      quoteLine = line;
      i++;
    } else if (ch === delimiter) {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      endRecord();
    } else {
      stop.lastIndex = i;
      const end = stop.exec(text)?.index ?? text.length;
      field += text.slice(i, end);
      longCell();
      atFieldStart = false;
      i = end;
    }
  }
  if (quoted) throw new CsvError('csv_unterminated_quote', `A quoted field opened on line ${quoteLine} is never closed.`);
  if (field !== '' || fields.length > 0 || touched) endRecord();
  return out;
}

/** Makes every column name usable as a mapping key: trimmed, never blank, never repeated. */
function columnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const base = raw.trim() || `Column ${i + 1}`;
    const n = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/** Reads a CSV file's text: header row first, within `limits` (none unless given). */
export function parseCsv(input: string, limits: Partial<CsvLimits> = {}): CsvTable {
  if (input.includes('\u0000')) throw new CsvError('csv_not_text', 'The file is not a text file (it holds binary data); export the sheet as CSV.');
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new CsvError('csv_empty', 'The file is empty.');
  const delimiter = detectDelimiter(text);
  const records = parseRecords(text, delimiter, limits);
  const header = records[0]!;
  if (header.fields.every((f) => f.trim() === ''))
    throw new CsvError('csv_no_header', 'The first row must name the columns (e.g. Email, First name, Last name).');
  const columns = columnNames(header.fields);
  const rows: string[][] = [];
  const lines: number[] = [];
  const ragged: CsvTable['ragged'] = [];
  for (const record of records.slice(1)) {
    if (record.fields.length !== columns.length) ragged.push({ line: record.line, cells: record.fields.length });
    rows.push(columns.map((_, i) => record.fields[i] ?? ''));
    lines.push(record.line);
  }
  return { delimiter, columns, rows, lines, ragged };
}

/**
 * Writes rows as RFC 4180 text. A field is quoted when it holds a quote, a line break or any of
 * the delimiters we detect (so the header says which one is meant), and a row of one empty field
 * is written `""` so it does not read as a blank line.
 */
export function serializeCsv(rows: readonly (readonly string[])[], delimiter: CsvDelimiter = ',', newline = '\r\n'): string {
  const quote = (f: string) => `"${f.replace(/"/g, '""')}"`;
  const line = (r: readonly string[]) => (r.length === 1 && r[0] === '' ? '""' : r.map((f) => (/[",;\t\r\n]/.test(f) ? quote(f) : f)).join(delimiter));
  return rows.map(line).join(newline) + newline;
}
