import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys get a table of their own, so a key is claimed (committed, visible to every
 * replica) before the import's transaction starts, and a refusal can be stored without an import.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('inviter_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('claim_id', 'text', (c) => c.notNull())
    .addColumn('holder_host', 'text')
    .addColumn('holder_pid', 'integer')
    .addColumn('holder_instance', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['target_type', 'target_id', 'inviter_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();

  // Answers stored with the imports so far go on being replayed.
  await sql`
    insert into idempotency_keys (target_type, target_id, inviter_id, idempotency_key, request_hash, status, claim_id, response_status, response_body, created_at)
    select target_type, target_id, inviter_id, idempotency_key, request_hash, 'done', id, response_status, response_body, created_at from imports
  `.execute(db);

  // A key may be used again once it has expired (24 h), so it no longer names one import.
  await db.schema.dropIndex('imports_idempotency_key_uq').execute();
  await db.schema.createIndex('imports_idempotency_key_idx').on('imports').columns(['target_type', 'target_id', 'inviter_id', 'idempotency_key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('imports_idempotency_key_idx').execute();
  await db.schema
    .createIndex('imports_idempotency_key_uq')
    .on('imports')
    .columns(['target_type', 'target_id', 'inviter_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema.dropTable('idempotency_keys').execute();
}
