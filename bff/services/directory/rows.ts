/**
 * The rows of the directory cache: a provider's contact as its `directory_contacts` row and back,
 * how rows are written in bulk, and the keys rows are filed under. A connection's rows are filed
 * under its cache key (the `connection` column), `cacheKeyOf(provider, scope)`; a refresh stages
 * its pages under `stagingKey(cacheKey)` until they replace the directory.
 */
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DirectoryContactRow, NewDirectoryContact } from '../../db/schema.js';
import type { DirectoryContact } from '../../connectors/types.js';
import { insertRows } from '../../db/insert-rows.js';
import { dialectOf } from '../../db/connect.js';
import { foldForSearch, normalizeEmail, plainText } from '../../text.js';
import { directoryChanged } from '../../db/answer-generations.js';

export type Q = Kysely<Database> | Transaction<Database>;

/**
 * The cache key of a connection: the provider and whose credentials reach it (`*` for the
 * deployment's own, else the organization's scope), so organizations never share a directory.
 */
export function cacheKeyOf(providerId: string, scope: string): string {
  return `${providerId}:${scope}`;
}

/**
 * Where a refresh writes the pages it fetches before they replace the directory: the same table
 * under another key. `~` cannot start a provider id, so no real connection has this key.
 */
export function stagingKey(connection: string): string {
  return `~staging:${connection}`;
}

/** Forgets a connection's cached directory (its credentials changed or were removed, or it went unused). */
export async function dropDirectory(db: Q, connection: string): Promise<void> {
  await db
    .deleteFrom('directory_contacts')
    .where('connection', 'in', [connection, stagingKey(connection)])
    .execute();
  // A SCIM directory's records go with their mirror: nothing pushed outlives the directory it fed.
  await db.deleteFrom('scim_users').where('connection', '=', connection).execute();
  await db.deleteFrom('directory_syncs').where('connection', '=', connection).execute();
  await directoryChanged(db, connection);
}

export const INSERT_BATCH = 200; // 17 columns × 200 rows stays far below every driver's parameter limit

/**
 * A contact as its cache row (also how a confirmed CSV upload is written, services/csv-uploads.ts).
 * Every text is plain (bff/text.ts): a provider's NUL would otherwise fail the whole refresh on
 * PostgreSQL, and SQLite would keep what PostgreSQL cannot.
 */
export function toRow(connection: string, contact: DirectoryContact): NewDirectoryContact {
  const c = plainContact(contact);
  const email = c.email?.trim() || null;
  return {
    connection,
    contact_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    display_name: c.displayName,
    email,
    email_normalized: normalizeEmail(email),
    personal_email: c.personalEmail,
    title: c.title,
    department: c.department,
    location: c.location,
    employment_type: c.employmentType,
    manager_id: c.managerId,
    status: c.status,
    avatar_url: c.avatarUrl,
    search_text: foldForSearch([c.displayName, email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')),
    sort_name: foldForSearch(c.displayName),
  };
}

function plainContact(c: DirectoryContact): DirectoryContact {
  const entries = Object.entries(c) as [keyof DirectoryContact, unknown][];
  if (!entries.some(([, v]) => typeof v === 'string' && v !== plainText(v))) return c;
  return Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'string' ? plainText(v) : v])) as unknown as DirectoryContact;
}

/** A cache row as the contact a connector gave. */
export function storedContact(row: DirectoryContactRow): DirectoryContact {
  return {
    id: row.contact_id,
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    email: row.email,
    personalEmail: row.personal_email,
    title: row.title,
    department: row.department,
    location: row.location,
    employmentType: row.employment_type,
    managerId: row.manager_id,
    status: row.status === 'inactive' ? 'inactive' : 'active',
    avatarUrl: row.avatar_url,
  };
}

/** The columns a refresh rewrites when a person's record changed: all but the row's key. */
export const REPLACED_COLUMNS = [
  'first_name',
  'last_name',
  'display_name',
  'email',
  'email_normalized',
  'personal_email',
  'title',
  'department',
  'location',
  'employment_type',
  'manager_id',
  'status',
  'avatar_url',
  'search_text',
  'sort_name',
] as const satisfies readonly (keyof NewDirectoryContact)[];

/** Every column of a cache row, in the order `stage` writes them. */
const STAGED_COLUMNS = ['connection', 'contact_id', ...REPLACED_COLUMNS] as const satisfies readonly (keyof NewDirectoryContact)[];

/**
 * Rows one staging statement writes on SQLite: 16 parameters each stays below its 32,766, and a
 * few hundred rows a statement is where its multi-row insert stops getting cheaper per row.
 */
const STAGE_STATEMENT_ROWS = 500;

/** What a staged row replaces when the person is already there: the last record the provider sent wins. */
const STAGE_CONFLICT = `on conflict ("connection", "contact_id") do update set ${REPLACED_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;

/** `stage` on PostgreSQL: every column of `directory_contacts` is text. */
const UNNEST_STAGE = `insert into "directory_contacts" (${STAGED_COLUMNS.map((c) => `"${c}"`).join(', ')}) select * from unnest(${STAGED_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')}) ${STAGE_CONFLICT}`;

/**
 * Writes rows into the staging area (or, for an incremental refresh, the directory itself). A
 * person already written from an earlier batch is overwritten: the last record the provider sent
 * wins. Each statement is compiled SQL text with its parameters, so a 100,000-person refresh spends
 * its time in the database rather than in building two hundred query trees; on SQLite the
 * statement text repeats, which the driver's statement cache (bff/db/connect.ts) turns into one
 * prepared statement.
 */
export async function stage(db: Q, rows: readonly NewDirectoryContact[]): Promise<void> {
  if (rows.length === 0) return;
  if (dialectOf(db as Kysely<Database>) === 'postgres') {
    // One statement for the whole batch, one array a column: 16 parameters instead of 16 a row,
    // which PostgreSQL parses and the driver serialises as 16 values, not thousands.
    const params = STAGED_COLUMNS.map((c) => rows.map((r) => r[c] ?? null));
    await db.executeQuery(CompiledQuery.raw(UNNEST_STAGE, params));
    return;
  }
  await insertRows(db, 'directory_contacts', STAGED_COLUMNS, rows, { perStatement: STAGE_STATEMENT_ROWS, tail: STAGE_CONFLICT });
}

/**
 * PostgreSQL: the search index's entries a refresh wrote, moved into the index proper. GIN keeps
 * new entries in a pending list (up to 4 MB) that every search reads through whole: after the
 * first refresh of 100,000 people it held 340 pages, and a search's facets took 54 ms instead of
 * 17 until autovacuum merged them. The merge costs some 20–55 ms, once per refresh.
 */
export async function settleSearchIndex(db: Kysely<Database>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  // Only the index's owner may: a deployment whose app does not own its tables (migrated by
  // another role) leaves the merge to autovacuum, as before. Nothing depends on it but speed.
  await sql`select gin_clean_pending_list('directory_contacts_search_trgm'::regclass)`.execute(db).catch(() => undefined);
}

export async function countDirectory(db: Q, connection: string): Promise<number> {
  const { count } = await db
    .selectFrom('directory_contacts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('connection', '=', connection)
    .executeTakeFirstOrThrow();
  return Number(count);
}
