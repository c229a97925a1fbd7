import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Indexes that let a search and its counts read only the people they match, never the whole
 * directory per keystroke.
 *
 * - Substring search on `search_text` (already folded: lowercase, no accents): on SQLite an FTS5
 *   table with the trigram tokenizer, kept in step with `directory_contacts` by triggers in the
 *   writing statement's own transaction, so whatever writes the cache (refresh, CSV upload) needs
 *   no change; on PostgreSQL a pg_trgm GIN index, which LIKE '%word%' uses as it is.
 * - `(connection, email_normalized)`: how the members and pending invites of a target are found
 *   in a directory, so `selectable` is counted from the seats taken rather than from every row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = isSqlite(db);
  await db.schema.createIndex('directory_contacts_email_idx').on('directory_contacts').columns(['connection', 'email_normalized']).execute();
  if (!sqlite) {
    // pg_trgm ships with PostgreSQL's contrib (Debian's postgresql-15) and is a trusted
    // extension: the database's owner may create it without being a superuser.
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index directory_contacts_search_trgm on directory_contacts using gin (search_text gin_trgm_ops)`.execute(db);
    return;
  }
  // External content: the index holds trigrams only, the text stays in directory_contacts, keyed
  // by its rowid (stable: nothing here runs VACUUM, and a refresh's swap updates `connection` in
  // place, which leaves both the rowid and the index untouched).
  await sql`create virtual table directory_contacts_search using fts5(search_text, content='directory_contacts', content_rowid='rowid', tokenize='trigram')`.execute(db);
  await sql`create trigger directory_contacts_search_insert after insert on directory_contacts begin
    insert into directory_contacts_search (rowid, search_text) values (new.rowid, new.search_text);
  end`.execute(db);
  await sql`create trigger directory_contacts_search_delete after delete on directory_contacts begin
    insert into directory_contacts_search (directory_contacts_search, rowid, search_text) values ('delete', old.rowid, old.search_text);
  end`.execute(db);
  await sql`create trigger directory_contacts_search_update after update of search_text on directory_contacts begin
    insert into directory_contacts_search (directory_contacts_search, rowid, search_text) values ('delete', old.rowid, old.search_text);
    insert into directory_contacts_search (rowid, search_text) values (new.rowid, new.search_text);
  end`.execute(db);
  // The directories cached before this migration.
  await sql`insert into directory_contacts_search (directory_contacts_search) values ('rebuild')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = isSqlite(db);
  if (sqlite) {
    for (const trigger of ['insert', 'delete', 'update']) await sql`drop trigger if exists ${sql.raw(`directory_contacts_search_${trigger}`)}`.execute(db);
    await sql`drop table if exists directory_contacts_search`.execute(db);
  } else {
    // The extension stays: other schemas in the same database may use it.
    await sql`drop index if exists directory_contacts_search_trgm`.execute(db);
  }
  await db.schema.dropIndex('directory_contacts_email_idx').ifExists().execute();
}

/** Migrations import no app code; the adapter says which SQL the database speaks (a probe query would abort PostgreSQL's migration transaction). */
function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
