/**
 * Many imports racing for the last seats of one target: the limit holds, and every import that
 * was refused wrote nothing. Runs on SQLite and, with TEST_PG_URL, on PostgreSQL with a pool of
 * connections, where the transactions really do run side by side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult } from '../../contract/index.js';

let h: Harness;
const people = sampleDirectory().filter((p) => p.status === 'active' && p.email && !p.email.includes('@Example'));
const message = { subject: 'Join', body: 'Hi {{firstName}}' };

beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

describe('concurrent imports', () => {
  it('never end above the user limit, and a refused import writes nothing', async () => {
    await h.target('lab', 'race', 12, [people[0]!.email!, people[1]!.email!]); // 10 seats left
    const token = await h.session({ type: 'lab', id: 'race' });
    // 60 imports of 1 to 3 people each, overlapping, so some also race on the same person.
    const requests = Array.from({ length: 60 }, (_, i) => {
      const ids = [people[2 + (i % 40)]!.id, people[2 + ((i * 7) % 40)]!.id, people[2 + ((i * 13) % 40)]!.id].slice(0, 1 + (i % 3));
      return { key: `race-${i}-abcdefgh`, ids };
    });
    const answers = await Promise.all(
      requests.map(async (r) => {
        const res = await h.request('POST', '/api/imports', {
          token,
          body: { provider: 'sample', selection: { ids: r.ids }, role: 'user', message },
          headers: { 'Idempotency-Key': r.key },
        });
        return { ...r, status: res.status, body: (await res.json()) as ImportResult & { error?: { code: string } } };
      }),
    );
    expect(answers.every((a) => a.status === 201 || (a.status === 409 && a.body.error?.code === 'seat_limit_exceeded'))).toBe(true);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 409).length).toBeGreaterThan(0);

    const pending = await h.db.kysely
      .selectFrom('invites')
      .select(['email_normalized', 'import_id'])
      .where('target_id', '=', 'race')
      .where('status', '=', 'pending')
      .execute();
    // The limit holds exactly: members + pending invites never pass 12.
    expect(pending.length + 2).toBeLessThanOrEqual(12);
    // No one is invited twice.
    expect(new Set(pending.map((p) => p.email_normalized)).size).toBe(pending.length);
    // What the answers say is what the database holds.
    const accepted = answers.filter((a) => a.status === 201);
    expect(accepted.reduce((n, a) => n + a.body.invited, 0)).toBe(pending.length);
    const imports = await h.db.kysely.selectFrom('imports').select(['idempotency_key', 'invited_count']).where('target_id', '=', 'race').execute();
    expect(imports.map((i) => i.idempotency_key).sort()).toEqual(accepted.map((a) => a.key).sort());
    const outbox = await h.db.kysely
      .selectFrom('outbox')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(outbox.n)).toBe(pending.length);
    const session = (await (await h.request('GET', '/api/session', { token })).json()) as { seats: { used: number; remaining: number } };
    expect(session.seats.used).toBe(pending.length + 2);
  });

  it('replays of one key racing each other write one import; those that find it in flight get 409', async () => {
    await h.target('organization', 'o', 100);
    const token = await h.session({ type: 'organization', id: 'o' });
    const body = { provider: 'sample', selection: { ids: people.slice(5, 10).map((p) => p.id) }, role: 'user', message };
    const send = () => h.request('POST', '/api/imports', { token, body, headers: { 'Idempotency-Key': 'one-key-for-all' } });
    const answers = await Promise.all(Array.from({ length: 20 }, send));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as (ImportResult & { error?: { code: string } })[];
    // In one process on SQLite the requests queue for the one connection and replay; with a
    // pool (PostgreSQL) those that read the key while the first runs are told to come back.
    for (const [i, r] of answers.entries()) {
      if (r.status === 409) {
        expect(bodies[i]!.error?.code).toBe('idempotency_key_in_flight');
        expect(r.headers.get('Retry-After')).toBe('1');
      } else expect(r.status).toBe(201);
    }
    const created = bodies.filter((_, i) => answers[i]!.status === 201);
    expect(new Set(created.map((b) => JSON.stringify(b))).size).toBe(1);
    const imports = await h.db.kysely
      .selectFrom('imports')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(imports.n)).toBe(1);
    expect((await h.db.kysely.selectFrom('invites').select('id').execute()).length).toBe(5);
    const later = await send();
    expect(later.status).toBe(201);
    expect(later.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await later.json()).toEqual(created[0]);
  });
});
