import type { Kysely } from 'kysely';

// The readiness check rewrites one row here: a database that answers reads but refuses writes
// (full disk, read-only) is not ready, and only a committed write finds that out.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('health_probes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('health_probes').ifExists().execute();
}
