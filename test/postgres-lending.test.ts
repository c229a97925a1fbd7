/**
 * The PostgreSQL harness lends a database a test gave back, wiped to the template's rows, instead
 * of copying the template again (test/postgres.ts). When the wipe failed, every harness silently
 * fell back to a new copy and a drop, some 250 ms a test; these checks make that visible.
 */
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { leasePgDatabase, withClient } from './postgres.js';

const url = process.env.TEST_PG_URL;

const query = <T extends pg.QueryResultRow>(dbUrl: string, text: string): Promise<T[]> =>
  withClient(dbUrl, async (client) => (await client.query<T>(text)).rows);

const oidOf = async (dbUrl: string) => (await query<{ oid: string }>(dbUrl, 'SELECT oid::text FROM pg_database WHERE datname = current_database()'))[0]!.oid;

describe.skipIf(!url)('a PostgreSQL test database', () => {
  it('is lent again once given back, without the rows its test wrote', async () => {
    // A database that could not be renamed (someone connected at that moment, as autovacuum may)
    // is dropped instead, so one round may miss; lending that never works misses all three.
    const lentAgain: boolean[] = [];
    for (let round = 0; round < 3 && !lentAgain.includes(true); round++) {
      const first = await leasePgDatabase(url!);
      await query(
        first.url,
        `INSERT INTO targets (type, id, name, seat_limit, roles, default_role, created_at, updated_at) VALUES ('lab', 'x', 'X', 3, '[]', 'user', 't', 't')`,
      );
      const oid = await oidOf(first.url);
      await first.release();
      const second = await leasePgDatabase(url!);
      try {
        const same = (await oidOf(second.url)) === oid;
        lentAgain.push(same);
        if (same) expect(await query(second.url, `SELECT id FROM targets WHERE id = 'x'`)).toEqual([]);
      } finally {
        await second.release();
      }
    }
    expect(lentAgain).toContain(true);
  });

  it('is not lent again when its test changed the schema', async () => {
    const first = await leasePgDatabase(url!);
    await query(first.url, 'CREATE TABLE left_behind (id int)');
    const oid = await oidOf(first.url);
    await first.release();

    const second = await leasePgDatabase(url!);
    try {
      expect(await oidOf(second.url)).not.toBe(oid);
      expect(await query(second.url, `SELECT 1 FROM pg_tables WHERE tablename = 'left_behind'`)).toEqual([]);
    } finally {
      await second.release();
    }
  });
});
