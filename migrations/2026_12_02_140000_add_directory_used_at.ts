import type { Kysely } from 'kysely';

// When a directory was last listed (an import follows a listing): a directory nobody uses for the
// retention period is purged (bff/services/retention.ts), rather than kept because it was fetched.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('directory_syncs').addColumn('used_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('directory_syncs').dropColumn('used_at').execute();
}
