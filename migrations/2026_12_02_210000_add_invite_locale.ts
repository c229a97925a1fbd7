import type { Kysely } from 'kysely';

// The language of an invite's mail (issue 18): the widget's at the import, kept for the
// reminder and every resend. Invites written before it had English mail, so they keep `en`.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invites')
    .addColumn('locale', 'text', (col) => col.notNull().defaultTo('en'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invites').dropColumn('locale').execute();
}
