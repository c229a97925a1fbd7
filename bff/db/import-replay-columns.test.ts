import { afterEach, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createHarness, type Harness } from '../../test/harness.js';

let h: Harness;
afterEach(() => h.close());

/** An import row with only the columns every version of the table has. */
const insertImport = (id: string) =>
  sql`insert into imports (id, target_type, target_id, inviter_id, inviter_name, inviter_email, provider, role, subject, body, invited_count, skipped_count, idempotency_key, created_at)
      values (${id}, 'organization', 'acme', 'u-1', 'Ada', 'ada@example.com', 'sample', 'user', 's', 'b', 0, 0, ${`key-${id}`}, '2026-11-24T12:00:00.000Z')`.execute(
    h.db.kysely,
  );

describe('the migration that drops the replay columns of imports', () => {
  it('drops request_hash, response_status and response_body, puts them back empty when migrated down, and keeps the imports', async () => {
    h = await createHarness();
    const migrator = new Migrator({ db: h.db.kysely, provider: { getMigrations: async () => migrations } });
    await insertImport('imp-before');
    await expect(sql`select request_hash from imports`.execute(h.db.kysely)).rejects.toThrow();

    expect((await migrator.migrateTo('2026_12_02_210000_add_invite_locale')).error).toBeUndefined();
    // Nullable on the way back: an import written without them still fits.
    await insertImport('imp-down');
    const back = await sql<{ id: string; request_hash: string | null; response_status: number | null; response_body: string | null }>`
      select id, request_hash, response_status, response_body from imports order by id`.execute(h.db.kysely);
    expect(back.rows).toEqual([
      { id: 'imp-before', request_hash: null, response_status: null, response_body: null },
      { id: 'imp-down', request_hash: null, response_status: null, response_body: null },
    ]);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    for (const column of ['request_hash', 'response_status', 'response_body']) {
      await expect(sql`select ${sql.ref(column)} from imports`.execute(h.db.kysely)).rejects.toThrow();
    }
    expect((await h.db.kysely.selectFrom('imports').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['imp-before', 'imp-down']);
  });
});
