import { SqliteAdapter, type Kysely } from 'kysely';

/**
 * SQLite only: indexes that hold what a search's counts read, so they read an index and never
 * the table's wide rows (docs/performance.md, "Search and its counts").
 *
 * - `directory_contacts_seats_idx` replaces `(connection, email_normalized)` with the status and
 *   the folded text after it: the seats taken among a search's matches are each member's or
 *   invite's entry, checked there (one probe each), instead of the search's every hit being read
 *   into a list to look them up in. Its prefix serves whatever used the old index.
 * - `directory_contacts_facets_idx`: a pass over a connection's people of one status, in
 *   department and location order, with the folded text and address: the facets are grouped
 *   as they stream, and a count the FTS index cannot give (two-letter words, a department or
 *   location filter) reads this instead of every row.
 *
 * Not on PostgreSQL: a btree entry there is limited to about 2.7 kB and `search_text` has no
 * such bound; its counts go through the trigram index and the rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  await db.schema
    .createIndex('directory_contacts_seats_idx')
    .on('directory_contacts')
    .columns(['connection', 'email_normalized', 'status', 'search_text'])
    .execute();
  await db.schema.dropIndex('directory_contacts_email_idx').execute();
  await db.schema
    .createIndex('directory_contacts_facets_idx')
    .on('directory_contacts')
    .columns(['connection', 'status', 'department', 'location', 'search_text', 'email_normalized'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  await db.schema.createIndex('directory_contacts_email_idx').on('directory_contacts').columns(['connection', 'email_normalized']).execute();
  await db.schema.dropIndex('directory_contacts_seats_idx').execute();
  await db.schema.dropIndex('directory_contacts_facets_idx').execute();
}

/** Migrations import no app code; the adapter says which SQL the database speaks. */
function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
