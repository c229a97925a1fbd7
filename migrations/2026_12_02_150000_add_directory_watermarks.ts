import type { Kysely } from 'kysely';

// Incremental refresh (issue 15): where a provider can list what changed since a point, the
// refresh asks only for that. The point (a timestamp or the provider's own delta link) is kept per
// connection, beside when the last full refresh ran and how many incremental ones followed it,
// so a periodic full refresh can still find the people a provider never reports as deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('directory_syncs').addColumn('watermark', 'text').execute();
  await db.schema.alterTable('directory_syncs').addColumn('full_synced_at', 'text').execute();
  await db.schema
    .alterTable('directory_syncs')
    .addColumn('incremental_refreshes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['incremental_refreshes', 'full_synced_at', 'watermark']) {
    await db.schema.alterTable('directory_syncs').dropColumn(column).execute();
  }
}
