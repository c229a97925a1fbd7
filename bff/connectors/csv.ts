/**
 * CSV files, the fallback when no integration exists: an RFC 4180 reader (quoted fields, escaped
 * quotes, CRLF or LF, newlines inside quotes, a UTF-8 byte order mark, `,` `;` or tab detected from
 * the header), the guess of which column holds which contact field, and the mapping of rows to
 * contacts. Everything here is pure: the BFF stores uploads and writes the directory
 * (services/csv-uploads.ts).
 */
import { createHash } from 'node:crypto';
import type { DirectoryContact } from './types.js';
import { CSV_CONTACT_FIELDS, type CsvColumnMapping, type CsvContactField } from '../contract.js';
import { blankToNull, displayNameOf, emailOrNull } from './normalize.js';
import { normalizeEmail } from '../services/text.js';

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

// ---- Columns → contact fields ----------------------------------------------------------

export const CSV_FIELDS = CSV_CONTACT_FIELDS;
export type CsvField = CsvContactField;
/** Which column (by name) holds each contact field; null where none does. */
export type CsvMapping = CsvColumnMapping;

/**
 * "Work E-mail" → "workemail", "Prénom" → "prenom", "Employee #" → "employeenumber",
 * "First Name [Required]" → "firstname": how headers are compared. A bracketed note (Google
 * Workspace's `[Required]`, `[READ ONLY]`) says how the console treats the column, not what it holds.
 */
export function headerKey(name: string): string {
  return name
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/ß/g, 'ss')
    .replace(/#/g, ' number ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Header names each field is recognized by, compared with headerKey (so case, accents, spaces and
 * punctuation do not matter); the first synonym a file has wins, so the more precise come first.
 * Besides the everyday names, the headers of the exports admins actually have (test/fixtures/csv/
 * README.md cites each): Google Workspace "Download users", Microsoft 365 active users, BambooHR
 * and Personio reports, in English and German.
 *
 * Left out on purpose: `state` (Microsoft 365 and most address blocks use it for the region, so it
 * is never the employment status), `preferred name` (a nickname in BambooHR, a whole name in
 * Personio: neither replaces the full name), and private addresses as the email.
 */
export const CSV_SYNONYMS: Record<CsvField, readonly string[]> = {
  email: [
    'email',
    'emailaddress',
    'workemail',
    'workemailaddress',
    'businessemail',
    'companyemail',
    'officeemail',
    'primaryemail',
    'primaryemailaddress',
    'userprincipalname',
    'upn',
    'mail',
    'courriel',
    'emailadresse',
    'geschaftlicheemail',
    'dienstlicheemail',
    'arbeitsemail',
  ],
  firstName: ['firstname', 'givenname', 'forename', 'first', 'prenom', 'vorname', 'nombre'],
  lastName: ['lastname', 'surname', 'familyname', 'last', 'nom', 'nachname', 'familienname', 'apellido', 'apellidos'],
  displayName: ['displayname', 'fullname', 'name', 'employeename', 'employee', 'anzeigename', 'vollstandigername'],
  title: [
    'jobtitle',
    'title',
    'employeetitle',
    'position',
    'funktion',
    'stellenbezeichnung',
    'berufsbezeichnung',
    'jobtitel',
    'role',
    'jobrole',
    'designation',
    'poste',
  ],
  department: ['department', 'abteilung', 'dept', 'team', 'division', 'departement', 'service'],
  location: ['location', 'office', 'buro', 'officelocation', 'worklocation', 'standort', 'arbeitsort', 'site', 'workplace', 'city', 'ort'],
  employmentType: [
    'employmenttype',
    'employeetype',
    'workertype',
    'contracttype',
    'typeofemployment',
    'beschaftigungsart',
    'vertragsart',
    'anstellungsart',
    'mitarbeitertyp',
  ],
  manager: [
    'manager',
    'managerid',
    'manageremail',
    'managername',
    'reportsto',
    'reportingto',
    'supervisor',
    'supervisoremail',
    'linemanager',
    'vorgesetzter',
    'vorgesetzte',
    'fuhrungskraft',
  ],
  status: [
    'status',
    'employmentstatus',
    'employeestatus',
    'accountstatus',
    'userstatus',
    'blockcredential',
    'suspended',
    'mitarbeiterstatus',
    'beschaftigungsstatus',
  ],
  id: [
    'employeeid',
    'employeenumber',
    'employeeno',
    'empid',
    'staffid',
    'personnelnumber',
    'personalnummer',
    'mitarbeiternummer',
    'workerid',
    'id',
    'userid',
    'objectid',
  ],
};

/**
 * Email-ish columns that never hold the address to invite: someone else's (a manager's), a
 * private or recovery one, or one the console only writes (Google's `New Primary Email`).
 */
const NOT_THE_WORK_EMAIL = /personal|private|home|recovery|secondary|alternat|other|manager|supervisor|vorgesetzt|privat|new|neu/;

/**
 * The mapping a header suggests: each field takes the first column named by one of its synonyms
 * (each column used once). An email column may also be any column mentioning "email" that is not
 * a personal, private or someone else's one ("Email (work)").
 */
export function guessMapping(columns: readonly string[]): CsvMapping {
  const keys = columns.map(headerKey);
  const used = new Set<number>();
  const mapping = Object.fromEntries(CSV_FIELDS.map((f) => [f, null])) as CsvMapping;
  for (const field of CSV_FIELDS) {
    for (const synonym of CSV_SYNONYMS[field]) {
      const i = keys.findIndex((k, j) => k === synonym && !used.has(j));
      if (i >= 0) {
        mapping[field] = columns[i]!;
        used.add(i);
        break;
      }
    }
  }
  if (!mapping.email) {
    const i = keys.findIndex((k, j) => !used.has(j) && (k.includes('email') || k.includes('mail')) && !NOT_THE_WORK_EMAIL.test(k));
    if (i >= 0) mapping.email = columns[i]!;
  }
  return mapping;
}

/** Status values that mean someone left or may not sign in (English and German), compared with headerKey. */
const INACTIVE = new Set([
  'inactive',
  'terminated',
  'left',
  'former',
  'disabled',
  'suspended',
  'archived',
  'deactivated',
  'offboarded',
  'leaver',
  'blocked',
  'false',
  'no',
  '0',
  'inaktiv',
  'ausgeschieden',
  'gesperrt',
  'deaktiviert',
  'gekundigt',
  'archiviert',
  'nein',
  'falsch',
]);
/** Yes in a column that says whether someone is blocked (Microsoft 365's `Block credential`: True is blocked). */
const YES = new Set(['true', 'yes', '1', 'y', 'x', 'ja', 'wahr', 'blocked', 'suspended', 'gesperrt']);
/** Columns whose yes means inactive: the opposite of a status column, where no (false) does. */
const BLOCKED_COLUMNS = new Set([
  'blockcredential',
  'blocked',
  'blocksignin',
  'signinblocked',
  'suspended',
  'disabled',
  'accountdisabled',
  'gesperrt',
  'deaktiviert',
]);

/** Whether a status value, read from a column of this name, means the person is inactive. */
export function meansInactive(column: string, value: string): boolean {
  const v = headerKey(value);
  return BLOCKED_COLUMNS.has(headerKey(column)) ? YES.has(v) : INACTIVE.has(v);
}

/** Printable text: control characters out, length bounded; a spreadsheet cell is untrusted text. */
function cell(value: string | undefined, max = 500): string | null {
  let v = value ?? '';
  if (/[\u0000-\u001f\u007f]/.test(v)) v = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ');
  const text = blankToNull(v);
  return text ? text.slice(0, max) : null;
}

function digest(text: string): string {
  return 'csv_' + createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export interface CsvContact extends DirectoryContact {
  /** The file line it came from. */
  line: number;
}

export interface CsvContacts {
  /** One per distinct id, in file order; a later row with the same id replaces the earlier one. */
  contacts: CsvContact[];
  counts: { rows: number; contacts: number; withoutEmail: number; duplicates: number; ragged: number };
}

/** Turns one row into a contact under a mapping (and says its folded email). */
function contactMaker(table: CsvTable, mapping: CsvMapping) {
  const index = Object.fromEntries(CSV_FIELDS.map((f) => [f, mapping[f] === null ? -1 : table.columns.indexOf(mapping[f]!)])) as Record<CsvField, number>;
  // A status column holds a handful of values: fold each once, not once a row.
  const statuses = new Map<string, boolean>();
  const statusColumn = mapping.status ?? '';
  const inactive = (status: string) => {
    let known = statuses.get(status);
    if (known === undefined) statuses.set(status, (known = meansInactive(statusColumn, status)));
    return known;
  };
  return (row: string[], r: number): { contact: CsvContact; folded: string | null } => {
    const get = (f: CsvField, max?: number) => (index[f] < 0 ? null : cell(row[index[f]], max));
    const email = emailOrNull(get('email', 254));
    const folded = normalizeEmail(email);
    const given = get('id', 1000);
    // Without an email, the mapped values (not the column order) identify the row.
    const id = given && given.length <= 200 ? given : folded ? digest(`email:${folded}`) : digest(`row:${CSV_FIELDS.map((f) => get(f) ?? '').join('\u001f')}`);
    const firstName = get('firstName');
    const lastName = get('lastName');
    const status = get('status');
    const contact: CsvContact = {
      id,
      firstName,
      lastName,
      displayName: displayNameOf({ displayName: get('displayName'), firstName, lastName, email, id }),
      email,
      personalEmail: null,
      title: get('title'),
      department: get('department'),
      location: get('location'),
      employmentType: get('employmentType'),
      managerId: get('manager', 200),
      status: status && inactive(status) ? 'inactive' : 'active',
      avatarUrl: null,
      line: table.lines[r]!,
    };
    return { contact, folded };
  };
}

/** The first `limit` rows as contacts, one each (nothing merged): what the preview shows. */
export function previewRows(table: CsvTable, mapping: CsvMapping, limit: number): CsvContact[] {
  const make = contactMaker(table, mapping);
  return table.rows.slice(0, limit).map((row, r) => make(row, r).contact);
}

/**
 * The contacts a mapping makes of the rows. Ids are stable across uploads of the same people: the
 * id column's value when it has one, else a digest of the folded email, else of the mapped values.
 */
export function mapRows(table: CsvTable, mapping: CsvMapping): CsvContacts {
  const make = contactMaker(table, mapping);
  const byId = new Map<string, CsvContact>();
  const emails = new Set<string>();
  let withoutEmail = 0;
  let duplicates = 0;
  table.rows.forEach((row, r) => {
    const { contact, folded } = make(row, r);
    if (!folded) withoutEmail++;
    if (byId.has(contact.id) || (folded && emails.has(folded))) duplicates++;
    if (folded) emails.add(folded);
    byId.set(contact.id, contact);
  });
  const contacts = [...byId.values()];
  return { contacts, counts: { rows: table.rows.length, contacts: contacts.length, withoutEmail, duplicates, ragged: table.ragged.length } };
}
