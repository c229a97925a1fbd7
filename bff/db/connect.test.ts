import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { writeTransaction } from './connect.js';
import { upsertTarget } from '../services/targets.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

describe('writeTransaction', () => {
  it.skipIf(!process.env.TEST_PG_URL)(
    'runs the deadlock victim again on PostgreSQL instead of failing the request',
    async () => {
      const db = h.db.kysely;
      await h.target('lab', 'a', 5);
      await h.target('lab', 'b', 5);
      // Two writers lock the same two rows in opposite order, each waiting until the other holds
      // its first row: PostgreSQL must kill one of them (40P01).
      let arrived = 0;
      let release!: () => void;
      const bothHoldOne = new Promise<void>((ok) => (release = ok));
      const attempts = { ab: 0, ba: 0 };
      const lockBoth = (first: string, second: string, name: 'ab' | 'ba') =>
        writeTransaction(db, async (trx) => {
          attempts[name]++;
          await trx.selectFrom('targets').select('id').where('type', '=', 'lab').where('id', '=', first).forUpdate().execute();
          if (++arrived === 2) release();
          await bothHoldOne;
          await trx.selectFrom('targets').select('id').where('type', '=', 'lab').where('id', '=', second).forUpdate().execute();
          await trx
            .updateTable('targets')
            .set({ name: `${name}` })
            .where('type', '=', 'lab')
            .where('id', '=', second)
            .execute();
          return name;
        });
      expect(await Promise.all([lockBoth('a', 'b', 'ab'), lockBoth('b', 'a', 'ba')])).toEqual(['ab', 'ba']);
      // Exactly one of them was chosen as the victim and ran twice.
      expect(attempts.ab + attempts.ba).toBe(3);
    },
    20_000,
  );

  it('creates a target once when many hosts create it at the same moment', async () => {
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => upsertTarget(h.db.kysely, { type: 'challenge', id: 'hack' }, { name: `Hack ${i}`, seatLimit: 10 + i }, now)),
    );
    expect(results.filter((r) => r.created).length).toBeGreaterThanOrEqual(1);
    const rows = await h.db.kysely.selectFrom('targets').selectAll().where('type', '=', 'challenge').where('id', '=', 'hack').execute();
    expect(rows).toHaveLength(1);
    expect(results.map((r) => r.target.name)).toContain(rows[0]!.name);
  });
});
