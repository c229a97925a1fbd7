import { sql, type Kysely } from 'kysely';

// The daily mail budgets summed every audit row of the last 24 hours on every import: 1.1 ms of
// a one-contact import after 3,000 of them. mail_counts keeps the mails a target and an inviter
// sent per UTC hour, written with the audit row (bff/db/mail-counts.ts); a budget is the hours
// wholly inside the window plus the audit rows of the one hour it starts in.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_counts')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_counts_pk', ['scope', 'hour'])
    .execute();
  // The mails already sent in the last two days, so the budgets read the same after the upgrade.
  const since = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const mails = sql`action in ('import', 'resend', 'remind') and at > ${since}`;
  await sql`insert into mail_counts (scope, hour, count)
    select 'target:' || target_type || '/' || target_id, substr(at, 1, 13), sum(count) from audit_events where ${mails}
    group by target_type, target_id, substr(at, 1, 13)`.execute(db);
  await sql`insert into mail_counts (scope, hour, count)
    select 'inviter:' || actor, substr(at, 1, 13), sum(count) from audit_events where ${mails}
    group by actor, substr(at, 1, 13)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_counts').ifExists().execute();
}
