/**
 * A row read through readLatest (latest-read.ts) is what a read made at the time of the request
 * would find: after a write of this process, after another process's write to the same database
 * (a second app on the same SQLite file or PostgreSQL database), and, where requests share reads,
 * after a write committed while an earlier read was on its way.
 */
import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from '../../test/harness.js';
import { batchReads, readLatest, shareReads } from './latest-read.js';

let harnesses: Harness[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const h of harnesses.reverse()) await h.close();
  harnesses = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A read that takes the value as it starts and answers when the test lets it. */
function slowRead(value: () => number) {
  const started: { value: number; answer: () => void }[] = [];
  const read = () =>
    new Promise<number>((resolve) => {
      const v = value();
      started.push({ value: v, answer: () => resolve(v) });
    });
  return { read, started };
}

it('shares a read only among requests that arrived before it started, so none misses an earlier write', async () => {
  const shared = shareReads();
  let value = 1;
  const { read, started } = slowRead(() => value);
  const first = shared('k', read);
  expect(started).toHaveLength(1);
  value = 2; // committed while the first read is on its way
  const second = shared('k', read);
  const third = shared('k', read);
  await Promise.resolve();
  expect(started).toHaveLength(1); // the two wait for the first to land, then share one read
  started[0]!.answer();
  expect(await first).toBe(1);
  await new Promise((ok) => setImmediate(ok));
  expect(started).toHaveLength(2);
  started[1]!.answer();
  expect([await second, await third]).toEqual([2, 2]);
  // Nothing on its way: the next request reads at once, and other keys never wait on this one.
  value = 3;
  const fourth = shared('k', read);
  const other = shared('other', read);
  expect(started).toHaveLength(4);
  started[2]!.answer();
  started[3]!.answer();
  expect([await fourth, await other]).toEqual([3, 3]);
});

it('batches the keys of requests that arrived while a batch was on its way, and reads alone a key it did not find', async () => {
  if (!process.env.TEST_PG_URL) return; // batches are PostgreSQL's; SQLite keeps rows while unchanged
  const h = await createHarness();
  harnesses.push(h);
  let value = 1;
  const batches: { keys: string[]; value: number; answer: () => void }[] = [];
  const batched = batchReads<number>(
    (_db, keys) =>
      new Promise((resolve) => {
        const v = value;
        batches.push({ keys, value: v, answer: () => resolve(new Map(keys.filter((k) => k !== 'gone').map((k) => [k, v]))) });
      }),
  );
  const alone = async () => -1;
  const first = batched(h.db.kysely, 'a', alone);
  value = 2; // committed while the first batch is on its way
  const others = ['a', 'b', 'c', 'gone'].map((k) => batched(h.db.kysely, k, alone));
  await Promise.resolve();
  expect(batches.map((b) => b.keys)).toEqual([['a']]);
  batches[0]!.answer();
  expect(await first).toBe(1);
  await new Promise((ok) => setImmediate(ok));
  expect(batches.map((b) => b.keys)).toEqual([['a'], ['a', 'b', 'c', 'gone']]);
  batches[1]!.answer();
  expect(await Promise.all(others)).toEqual([2, 2, 2, -1]);
});

it('fails a shared read for those who shared it only; the next request reads again', async () => {
  const shared = shareReads();
  let calls = 0;
  const failing = () => (++calls === 1 ? Promise.reject(new Error('database went away')) : Promise.resolve(calls));
  await expect(shared('k', failing)).rejects.toThrow('database went away');
  expect(await shared('k', failing)).toBe(2);
});

it('reads a row again after a write of this process and after another process’s', async () => {
  if (!process.env.TEST_PG_URL) dir = mkdtempSync(join(tmpdir(), 'hr-latest-read-'));
  const h = await createHarness(dir ? { sqlitePath: join(dir, 'shared.sqlite') } : {});
  harnesses.push(h);
  const other = await createHarness({ sameDatabaseAs: h });
  harnesses.push(other);
  await h.target('organization', 'acme', 10);
  const seatLimit = () =>
    readLatest(h.db.kysely, 'acme', () =>
      h.db.kysely.selectFrom('targets').select('seat_limit').where('type', '=', 'organization').where('id', '=', 'acme').executeTakeFirstOrThrow(),
    );
  expect((await seatLimit()).seat_limit).toBe(10);
  expect((await seatLimit()).seat_limit).toBe(10);
  await h.db.kysely.updateTable('targets').set({ seat_limit: 11 }).where('id', '=', 'acme').execute();
  expect((await seatLimit()).seat_limit).toBe(11);
  await other.db.kysely.updateTable('targets').set({ seat_limit: 12 }).where('id', '=', 'acme').execute();
  expect((await seatLimit()).seat_limit).toBe(12);
  // Many at once after another write: every one of them sees it.
  await other.db.kysely.updateTable('targets').set({ seat_limit: 13 }).where('id', '=', 'acme').execute();
  expect((await Promise.all(Array.from({ length: 20 }, seatLimit))).map((r) => r.seat_limit)).toEqual(Array(20).fill(13));
});
