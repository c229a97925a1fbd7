import type { Kysely } from 'kysely';

// The mail limits (bff/services/mail-limits.ts) count the last 24 hours of one inviter's audit
// events, of one address's mails and of one invite's latest mail: indexes so that each count
// reads only those rows, however large the tables grow.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor', 'at']).execute();
  await db.schema.createIndex('invites_email_idx').on('invites').column('email_normalized').execute();
  await db.schema.createIndex('outbox_invite_idx').on('outbox').columns(['invite_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_invite_idx').ifExists().execute();
  await db.schema.dropIndex('invites_email_idx').ifExists().execute();
  await db.schema.dropIndex('audit_events_actor_idx').ifExists().execute();
}
