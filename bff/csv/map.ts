/**
 * From a CSV table to contacts: the guess of which column holds which contact field (headers in
 * English and German, the exports of the common HR and identity tools), and the mapping of rows
 * to contacts. Pure, as ./read.ts is.
 */
import { createHash } from 'node:crypto';
import type { DirectoryContact } from '../connectors/types.js';
import { CSV_CONTACT_FIELDS, type CsvColumnMapping, type CsvContactField } from '../../contract/index.js';
import { blankToNull, displayNameOf, emailOrNull } from '../connectors/normalize.js';
import { normalizeEmail } from '../text.js';
import type { CsvTable } from './read.js';

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
