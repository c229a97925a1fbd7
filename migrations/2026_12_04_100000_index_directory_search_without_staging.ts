import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * PostgreSQL only: the trigram index holds the directories, not the rows a refresh stages.
 *
 * A refresh over a directory that exists writes every person it fetches under the staging key
 * first (services/directory/run.ts), and each of those rows went into the GIN index as well:
 * about 2 s of index upkeep for 100,000 people that no search ever reads, then as many dead
 * entries once the staging rows are deleted, which every search's bitmap scan visited until
 * VACUUM came by. SQLite's FTS triggers have skipped staging rows from the start
 * (2026_12_02_130000_create_directory_search_indexes.ts); this does the same here.
 *
 * A search's LIKE names the predicate word for word (services/directory/search.ts), which is how
 * PostgreSQL's planner knows the partial index answers it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`drop index directory_contacts_search_trgm`.execute(db);
  await sql`create index directory_contacts_search_trgm on directory_contacts using gin (search_text gin_trgm_ops)
    where substr(connection, 1, 1) <> '~'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`drop index directory_contacts_search_trgm`.execute(db);
  await sql`create index directory_contacts_search_trgm on directory_contacts using gin (search_text gin_trgm_ops)`.execute(db);
}
