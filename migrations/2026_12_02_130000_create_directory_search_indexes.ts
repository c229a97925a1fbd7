import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Indexes that let a search and its counts read only the people they match, never the whole
 * directory per keystroke.
 *
 * - Substring search on `search_text` (already folded: lowercase, no accents): on SQLite an FTS5
 *   table with the trigram tokenizer, kept in step with `directory_contacts` by triggers in the
 *   writing statement's own transaction, so whatever writes the cache (refresh, CSV upload) needs
 *   no change; on PostgreSQL a pg_trgm GIN index, which LIKE '%word%' uses as it is.
 *   (sql.raw below only ever holds text written here, never a value.)
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
  // A contentless FTS5 table (trigrams only, no copy of the text) keyed by the cache row's rowid.
  // Besides the folded text it holds `tags`, a three-character code for the row's connection, its
  // status and whether it has an address, so a search's exact `total` and `selectable` are
  // counted from the index alone: visiting 25,000 matching rows by rowid costs 50 times what
  // reading their entries in the index does. Staging rows (`~` starts the key) are not indexed;
  // a refresh's swap renames them, which indexes them then, in the swap's transaction.
  //
  // The rowid is stable because nothing here runs VACUUM; whoever does must refill the index
  // (`delete from directory_contacts_search` then the insert at the end of this migration).
  // Triggers add a scope only where none exists, never by `insert or ignore`: an upsert into
  // directory_contacts (the incremental refresh) overrides a trigger's conflict clause with its own.
  await sql`create table directory_search_scopes (id integer primary key, connection text not null unique)`.execute(db);
  await sql`create virtual table directory_contacts_search using fts5(search_text, tags, content='', contentless_delete=1, tokenize='trigram')`.execute(db);
  await sql`create trigger directory_contacts_search_insert after insert on directory_contacts when substr(new.connection, 1, 1) <> '~' begin
    insert into directory_search_scopes (connection) select new.connection where not exists (select 1 from directory_search_scopes where connection = new.connection);
    insert into directory_contacts_search (rowid, search_text, tags) values (new.rowid, new.search_text, ${TAGS});
  end`.execute(db);
  await sql`create trigger directory_contacts_search_delete after delete on directory_contacts when substr(old.connection, 1, 1) <> '~' begin
    delete from directory_contacts_search where rowid = old.rowid;
  end`.execute(db);
  await sql`create trigger directory_contacts_search_update after update of connection, status, email_normalized, search_text on directory_contacts begin
    delete from directory_contacts_search where rowid = old.rowid;
    insert into directory_search_scopes (connection) select new.connection where substr(new.connection, 1, 1) <> '~' and not exists (select 1 from directory_search_scopes where connection = new.connection);
    insert into directory_contacts_search (rowid, search_text, tags) select new.rowid, new.search_text, ${TAGS} where substr(new.connection, 1, 1) <> '~';
  end`.execute(db);
  // The directories cached before this migration.
  await sql`insert or ignore into directory_search_scopes (connection) select distinct connection from directory_contacts where substr(connection, 1, 1) <> '~'`.execute(
    db,
  );
  await sql`insert into directory_contacts_search (rowid, search_text, tags) select new.rowid, new.search_text, ${TAGS} from directory_contacts as new where substr(new.connection, 1, 1) <> '~'`.execute(
    db,
  );
}

/**
 * The tag of a cache row `new`: one three-character code (CJK characters, which no folded text
 * holds) for its connection (its id in directory_search_scopes), its status (active, inactive,
 * other) and whether it has an address, all in one, so that a count walks a single tag list:
 * n = id × 6 + status × 2 + address, written in base 20,000 from U+4E00.
 * bff/services/directory/search.ts computes the same codes.
 */
const TAGS = sql.raw(`(select char(19968 + (id * 6 + s.n) % 20000, 19968 + ((id * 6 + s.n) / 20000) % 20000, 19968 + (id * 6 + s.n) / 400000000)
      from directory_search_scopes, (select (case new.status when 'active' then 0 when 'inactive' then 2 else 4 end) + (new.email_normalized is not null) as n) as s
      where connection = new.connection)`);

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = isSqlite(db);
  if (sqlite) {
    for (const trigger of ['insert', 'delete', 'update']) await sql`drop trigger if exists ${sql.raw(`directory_contacts_search_${trigger}`)}`.execute(db);
    await sql`drop table if exists directory_contacts_search`.execute(db);
    await sql`drop table if exists directory_search_scopes`.execute(db);
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
