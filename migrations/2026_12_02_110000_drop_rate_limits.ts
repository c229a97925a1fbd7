import type { Kysely } from 'kysely';

// The rate limits count in memory (or Redis) now: a counter written to the database before every
// request made reads fail with the database's writes, and grew one row per random bearer token.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').ifExists().execute();
}

// The table as 2026_11_24_230000_create_rate_limits made it (empty: counters of past windows mean nothing).
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['bucket', 'window_start'])
    .execute();
}
