import type { Kysely } from 'kysely';

// The daily mail budgets (bff/services/mail-limits.ts) sum `count` over a target's and an
// inviter's audit rows of the last 24 hours, on every import. With `action` and `count` in the
// indexes the sum reads the index alone, not each row of the table as well.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_target_mail_idx').on('audit_events').columns(['target_type', 'target_id', 'at', 'action', 'count']).execute();
  await db.schema.createIndex('audit_events_actor_mail_idx').on('audit_events').columns(['actor', 'at', 'action', 'count']).execute();
  await db.schema.dropIndex('audit_events_target_idx').execute();
  await db.schema.dropIndex('audit_events_actor_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_target_idx').on('audit_events').columns(['target_type', 'target_id', 'at']).execute();
  await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor', 'at']).execute();
  await db.schema.dropIndex('audit_events_target_mail_idx').execute();
  await db.schema.dropIndex('audit_events_actor_mail_idx').execute();
}
