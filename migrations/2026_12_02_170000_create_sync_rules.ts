import type { Kysely } from 'kysely';

// Sync rules (issue 17): what an import selected, saved as a rule that runs on a schedule; each
// run's report; what runs leave for an admin (updates); and the HR-linked people each rule saw.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    // The directory cache the rule reads (`provider:scope`), fixed when it is saved.
    .addColumn('connection', 'text', (c) => c.notNull())
    // JSON: scope, role rules, default role, message, joiner and leaver modes.
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('interval_hours', 'integer', (c) => c.notNull())
    .addColumn('paused', 'integer', (c) => c.notNull())
    .addColumn('leaver_threshold', 'integer', (c) => c.notNull())
    // The admin who saved it: automatic invites are signed with their name and count in their mail budget.
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_by_email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Null while paused.
    .addColumn('next_run_at', 'text')
    // Who runs it now and until when: one run of a rule at a time, across replicas.
    .addColumn('lease_until', 'text')
    .addColumn('lease_holder', 'text')
    .execute();
  await db.schema.createIndex('sync_rules_target_idx').on('sync_rules').columns(['target_type', 'target_id', 'created_at']).execute();
  await db.schema.createIndex('sync_rules_due_idx').on('sync_rules').column('next_run_at').execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    // The directory's size when the run read it: the next run compares against it (provider_suspect).
    .addColumn('directory_size', 'integer')
    .addColumn('matched', 'integer', (c) => c.notNull())
    .addColumn('invited', 'integer', (c) => c.notNull())
    .addColumn('joiners', 'integer', (c) => c.notNull())
    .addColumn('leavers', 'integer', (c) => c.notNull())
    .addColumn('role_changes', 'integer', (c) => c.notNull())
    .addColumn('revoked', 'integer', (c) => c.notNull())
    // JSON: the first 100 people left out, with why.
    .addColumn('skipped', 'text', (c) => c.notNull())
    .addColumn('skipped_count', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_rule_idx').on('sync_runs').columns(['rule_id', 'started_at']).execute();

  await db.schema
    .createTable('sync_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    // joiner | leaver | role_change
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('title', 'text')
    .addColumn('department', 'text')
    // member | invited (leavers, role changes)
    .addColumn('membership', 'text')
    .addColumn('role', 'text')
    // The role the person holds now (not `current_role`: a reserved word in PostgreSQL).
    .addColumn('held_role', 'text')
    .addColumn('reason', 'text')
    // open | held | done | dismissed
    .addColumn('status', 'text', (c) => c.notNull())
    // What was detected (HR fields, reason, role): a dismissed or done update comes back only when it changes.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addUniqueConstraint('sync_updates_person_uq', ['rule_id', 'kind', 'email_normalized'])
    .execute();
  await db.schema.createIndex('sync_updates_target_idx').on('sync_updates').columns(['target_type', 'target_id', 'status', 'detected_at']).execute();
  await db.schema.createIndex('sync_updates_run_idx').on('sync_updates').columns(['run_id', 'status']).execute();

  // The target's members and invitees the rule's last run found in HR, with their HR fields as
  // then: someone deleted from HR is still known as a leaver, and only people whose fields
  // changed have their role worked out again.
  await db.schema
    .createTable('sync_links')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('facts', 'text')
    .addPrimaryKeyConstraint('sync_links_pk', ['rule_id', 'email_normalized'])
    .execute();
  // "Reports to": the people whose manager is X, without reading the whole directory.
  await db.schema.createIndex('directory_contacts_manager_idx').on('directory_contacts').columns(['connection', 'manager_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('directory_contacts_manager_idx').ifExists().execute();
  for (const table of ['sync_links', 'sync_updates', 'sync_runs', 'sync_rules']) await db.schema.dropTable(table).ifExists().execute();
}
