/**
 * Several BFF processes on one database, as replicas would be: imports racing for the last
 * seats of a target through different processes never end above the limit, a refused import
 * writes nothing, and one Idempotency-Key sent to every process makes one import. On a SQLite
 * file (the processes share it through its locks), or on a fresh PostgreSQL database when
 * TEST_PG_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncMembers } from '../services/targets.js';
import { person, postImport, sessionFor, sharedDatabase, startChild, warmDirectory, type Child, type SharedDatabase } from '../../test/crash/fixture.js';

const PROCESSES = 3;
let shared: SharedDatabase;
let children: Child[] = [];

beforeAll(async () => {
  shared = await sharedDatabase();
  children = await Promise.all(Array.from({ length: PROCESSES }, () => startChild(shared.location, 100)));
  await warmDirectory(children[0]!, await sessionFor(await shared.target('warm', 1)));
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await shared?.close();
});

type Answer = { status: number; body: { invited?: number; error?: { code: string } }; replayed: boolean };

async function send(child: Child, token: string, key: string, ids: string[]): Promise<Answer> {
  const res = await postImport(child, token, key, { ids });
  return { status: res.status, body: (await res.json()) as Answer['body'], replayed: res.headers.get('Idempotent-Replayed') === 'true' };
}

describe('imports through several processes on one database', () => {
  it('never end above the user limit, and a refused import writes nothing', async () => {
    const target = await shared.target('race', 12);
    await syncMembers(
      shared.db.kysely,
      target,
      [person(0), person(1)].map((p) => ({ id: p.id, email: p.email! })),
      new Date(),
    ); // 10 seats left
    const token = await sessionFor(target);
    // 50 imports of 1 to 3 people each, overlapping, so some also race on the same person.
    const requests = Array.from({ length: 50 }, (_, i) => ({
      key: `mp-race-${i}-abcdefgh`,
      ids: [2 + (i % 40), 2 + ((i * 7) % 40), 2 + ((i * 13) % 40)].slice(0, 1 + (i % 3)).map((n) => `p${n}`),
    }));
    const answers = await Promise.all(requests.map(async (r, i) => ({ ...r, ...(await send(children[i % PROCESSES]!, token, r.key, r.ids)) })));

    // A lock wait across processes is not a failure: no 500, no 503.
    expect(answers.filter((a) => a.status !== 201 && !(a.status === 409 && a.body.error?.code === 'seat_limit_exceeded'))).toEqual([]);
    const accepted = answers.filter((a) => a.status === 201);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThan(answers.length);

    const pending = await shared.db.kysely
      .selectFrom('invites')
      .select(['email_normalized', 'import_id'])
      .where('target_id', '=', 'race')
      .where('status', '=', 'pending')
      .execute();
    expect(pending.length + 2).toBeLessThanOrEqual(12);
    expect(new Set(pending.map((p) => p.email_normalized)).size).toBe(pending.length);
    expect(accepted.reduce((n, a) => n + a.body.invited!, 0)).toBe(pending.length);
    // Every import row is one that was answered 201: the refused ones wrote nothing.
    const imports = await shared.db.kysely.selectFrom('imports').select('idempotency_key').where('target_id', '=', 'race').execute();
    expect(imports.map((i) => i.idempotency_key).sort()).toEqual(accepted.map((a) => a.key).sort());
    const [invites, outbox] = await shared.written('race');
    expect([invites, outbox]).toEqual([pending.length, pending.length]);
  });

  it('makes one import of one key sent to every process at once', async () => {
    const target = await shared.target('one-key', 100);
    const token = await sessionFor(target);
    const ids = ['p50', 'p51', 'p52', 'p53'];
    const answers = await Promise.all(Array.from({ length: 4 * PROCESSES }, (_, i) => send(children[i % PROCESSES]!, token, 'mp-one-key-1', ids)));
    for (const a of answers) {
      if (a.status === 409) expect(a.body.error?.code).toBe('idempotency_key_in_flight');
      else expect(a).toMatchObject({ status: 201, body: { invited: 4 } });
    }
    expect(await shared.written('one-key')).toEqual([4, 4, 1]);
    const created = answers.filter((a) => a.status === 201);
    expect(new Set(created.map((a) => JSON.stringify(a.body))).size).toBe(1);
    const later = await send(children[0]!, token, 'mp-one-key-1', ids);
    expect(later).toMatchObject({ status: 201, replayed: true, body: created[0]!.body });
  });
});
