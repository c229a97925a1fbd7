import type { Kysely } from 'kysely';

// An import's answer is replayed from `idempotency_keys` (2026_11_24_210000), which stores it for
// the key's 24 hours; the copy in `imports` was written and never read, and kept a skipped
// person's address as long as the import. One column a statement: SQLite drops no more at once.
const COLUMNS = ['request_hash', 'response_status', 'response_body'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of COLUMNS) await db.schema.alterTable('imports').dropColumn(column).execute();
}

// Back, but empty: the answers are gone, and imports written meanwhile never had one.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('request_hash', 'text').execute();
  await db.schema.alterTable('imports').addColumn('response_status', 'integer').execute();
  await db.schema.alterTable('imports').addColumn('response_body', 'text').execute();
}
