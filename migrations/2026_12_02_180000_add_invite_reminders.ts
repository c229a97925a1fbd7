import { sql, type Kysely } from 'kysely';

// Invite reminders (issue 17): one mail a set number of days before an invite expires.
// - invites.reminded_at: when the reminder was claimed (sent, or found unneeded because the
//   invitee was mailed within the reminder's days already); claimed by a guarded UPDATE, so one
//   reminder per invite across replicas and restarts;
// - invites.remind_after: a reminder over the mail budget waits until then instead of being lost;
// - targets.reminder_days: the target's own number of days (0 = no reminders), null for the
//   deployment's default.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invites').addColumn('reminded_at', 'text').execute();
  await db.schema.alterTable('invites').addColumn('remind_after', 'text').execute();
  await db.schema.alterTable('targets').addColumn('reminder_days', 'integer').execute();
  // The worker's question, "pending, not reminded, expiring soon", reads only those rows.
  await db.schema
    .createIndex('invites_reminder_due_idx')
    .on('invites')
    .column('expires_at')
    .where(sql.ref('status'), '=', 'pending')
    .where(sql.ref('reminded_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invites_reminder_due_idx').ifExists().execute();
  await db.schema.alterTable('targets').dropColumn('reminder_days').execute();
  await db.schema.alterTable('invites').dropColumn('remind_after').execute();
  await db.schema.alterTable('invites').dropColumn('reminded_at').execute();
}
