import type { Kysely } from 'kysely';

// Sync rules (issue 17) scope people and give roles by employment type (full-time, contractor…),
// which providers report beside department and location.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('directory_contacts').addColumn('employment_type', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('directory_contacts').dropColumn('employment_type').execute();
}
