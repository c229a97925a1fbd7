import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * PostgreSQL only: no parallel workers for a pass over the directory cache.
 *
 * The count or facets of a common two-letter fragment is a sequential pass of some 20 ms over a
 * connection's 100,000 people, for which PostgreSQL started two worker processes: the facets of
 * "ro" and "li" then took 45–52 ms instead of 24 (bench/search.ts), and under many admins at once
 * each request's workers only compete with the other requests for the same cores.
 *
 * A storage parameter of the table rather than a setting of our connections: it needs no startup
 * `options` (which PgBouncer refuses unless told to ignore them) and touches no other table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`alter table directory_contacts set (parallel_workers = 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`alter table directory_contacts reset (parallel_workers)`.execute(db);
}
