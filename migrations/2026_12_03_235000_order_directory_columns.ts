import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * PostgreSQL only: the directory cache rewritten with the columns a search reads first.
 *
 * A count or the facets of a common fragment (a quarter of 100,000 people) read every row of the
 * connection, and PostgreSQL takes a row's columns apart in order up to the last one it needs:
 * `search_text` was the 15th of 17, behind names, addresses and titles. With the connection,
 * status, folded text, address, department and location first, the same pass took 15.5 ms
 * instead of 23 ms, and the facets' 18 ms instead of 24–26 (docs/performance.md, "Search, fourth
 * round"). The names and types are unchanged; no statement of ours depends on the order.
 *
 * The table is copied once, in the migration's transaction: the cache holds nothing the next
 * refresh could not fetch again, and its indexes are made again after the copy, which is faster
 * than keeping them up to date row by row.
 *
 * Not on SQLite: its counts read covering indexes and the FTS index, never the rows
 * (2026_12_03_220000_cover_directory_counts.ts).
 */
const COLUMNS = [
  ['connection', 'text not null'],
  ['status', 'text not null'],
  ['search_text', 'text not null'],
  ['email_normalized', 'text'],
  ['department', 'text'],
  ['location', 'text'],
  ['sort_name', 'text not null'],
  ['contact_id', 'text not null'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['display_name', 'text not null'],
  ['email', 'text'],
  ['personal_email', 'text'],
  ['title', 'text'],
  ['manager_id', 'text'],
  ['avatar_url', 'text'],
  ['employment_type', 'text'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  const names = sql.join(COLUMNS.map(([name]) => sql.ref(name)));
  const definitions = sql.join(COLUMNS.map(([name, type]) => sql`${sql.ref(name)} ${sql.raw(type)}`));
  await sql`create table directory_contacts_ordered (${definitions})`.execute(db);
  await sql`insert into directory_contacts_ordered (${names}) select ${names} from directory_contacts`.execute(db);
  await sql`drop table directory_contacts`.execute(db);
  await sql`alter table directory_contacts_ordered rename to directory_contacts`.execute(db);
  await sql`alter table directory_contacts add constraint directory_contacts_pk primary key (connection, contact_id)`.execute(db);
  await sql`create index directory_contacts_email_idx on directory_contacts (connection, email_normalized)`.execute(db);
  await sql`create index directory_contacts_manager_idx on directory_contacts (connection, manager_id)`.execute(db);
  await sql`create index directory_contacts_order_idx on directory_contacts (connection, sort_name, contact_id)`.execute(db);
  await sql`create index directory_contacts_search_trgm on directory_contacts using gin (search_text gin_trgm_ops)`.execute(db);
  // Fresh statistics for the planner, as the old table had.
  await sql`analyze directory_contacts`.execute(db);
}

/** Nothing to undo: the order of columns is no part of the schema any statement relies on. */
export async function down(): Promise<void> {}
