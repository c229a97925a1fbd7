import { sql, type Kysely } from 'kysely';

// Events for the host's backend (bff/webhooks/): written in the transaction of the change they
// describe, then listed by GET /api/events and delivered to each configured webhook endpoint.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    // `evt_…`: the `webhook-id` of every delivery of the event, so receivers can dedupe.
    .addColumn('id', 'text', (c) => c.primaryKey())
    // From `event_sequence`, taken last in the writing transaction: commit order, no gaps.
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    // The exact JSON body every delivery sends (and signs).
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // One row: the last `seq` handed out. Its row lock orders event-writing transactions.
  await db.schema
    .createTable('event_sequence')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('event_sequence').values({ name: 'events', value: 0 }).execute();

  // Per endpoint (keyed by a digest of its URL): the last event that has a delivery row.
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('endpoint', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    // Copied from the event, so "an earlier event of this target is still pending" is one index probe.
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['endpoint', 'event_id'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_order_idx').on('webhook_deliveries').columns(['endpoint', 'target_type', 'target_id', 'seq']).execute();

  // When `invite.expired` was recorded for the invite's current expiry (a resend clears it).
  // The status stays `pending`: an expired invite is still "pending past its expiry" everywhere.
  await db.schema.alterTable('invites').addColumn('expiry_recorded_at', 'text').execute();
  await db.schema
    .createIndex('invites_expiry_due_idx')
    .on('invites')
    .column('expires_at')
    .where(sql.ref('status'), '=', 'pending')
    .where(sql.ref('expiry_recorded_at'), 'is', null)
    .execute();
  // Invites that expired before events existed are not announced now, days late.
  const now = new Date().toISOString();
  await db.updateTable('invites').set({ expiry_recorded_at: now }).where('status', '=', 'pending').where('expires_at', '<=', now).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invites_expiry_due_idx').ifExists().execute();
  await db.schema.alterTable('invites').dropColumn('expiry_recorded_at').execute();
  for (const table of ['webhook_deliveries', 'webhook_endpoints', 'event_sequence', 'events']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
