/**
 * GET /api/events: the events a host's backend can poll instead of (or beside) its webhooks. The
 * scene: test/webhook-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY } from '../../test/harness.js';
import { webhookScene } from '../../test/webhook-scene.js';
import type { EventItem } from './events.js';

const s = webhookScene();
const { importPeople, mail } = s;

describe('GET /api/events', () => {
  it('pages through the events in order with after= and limit=, for API-key callers only', async () => {
    await importPeople('acme', 2);
    await mail().runOnce();
    const get = async (query = '', token = API_KEY) => s.h.request('GET', `/api/events${query}`, { token });

    const first = (await (await get('?limit=2')).json()) as { items: EventItem[]; next: string };
    expect(first.items.map((e) => e.type)).toEqual(['import.completed', 'invite.sent']);
    expect(first.next).toBe(first.items[1]!.id);
    expect(first.items[0]).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      timestamp: s.h.clock.now.toISOString(),
      data: { target: { type: 'organization', id: 'acme' }, invited: 2 },
    });
    const second = (await (await get(`?after=${first.next}&limit=2`)).json()) as { items: EventItem[]; next: string };
    expect(second.items.map((e) => e.type)).toEqual(['invite.sent']);
    // Up to date: nothing new, and next stays where the poller is.
    const third = (await (await get(`?after=${second.next}`)).json()) as { items: EventItem[]; next: string };
    expect(third).toEqual({ items: [], next: second.next });
    const all = (await (await get()).json()) as { items: EventItem[] };
    expect(all.items.map((e) => e.id)).toEqual([...first.items, ...second.items].map((e) => e.id));

    expect((await s.h.request('GET', '/api/events')).status).toBe(401);
    const wrong = await get('', 'not-the-api-key-0123456789');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    // A session token is not an API key.
    expect((await get('', await s.h.session({ type: 'organization', id: 'acme' }))).status).toBe(401);
    const badAfter = await get('?after=evt_doesnotexist00000');
    expect(badAfter.status).toBe(400);
    expect(await badAfter.json()).toMatchObject({ error: { code: 'invalid_cursor' } });
    expect((await get('?after=inv_123')).status).toBe(400);
    expect((await get('?limit=501')).status).toBe(400);
    expect((await get('?limit=0')).status).toBe(400);
  });
});

describe('recordEvents', () => {
  it('numbers several events of one transaction in their order, after those before, with the bodies sent', async () => {
    const { recordEvents } = await import('./events.js');
    const target = { type: 'organization', id: 'acme' } as const;
    const at = s.h.clock.now;
    const before = Number((await s.h.db.kysely.selectFrom('event_sequence').select('value').executeTakeFirstOrThrow()).value);
    const data = (n: number) => ({ target, importId: `imp_${n}`, invited: n, skipped: 0, invites: [], invitesTruncated: false });
    const ids = await s.h.db.kysely.transaction().execute((trx) =>
      recordEvents(
        trx,
        [1, 2, 3].map((n) => ({ type: 'import.completed' as const, target, at, data: data(n) })),
      ),
    );
    const rows = await s.h.db.kysely.selectFrom('events').selectAll().where('id', 'in', ids).orderBy('seq').execute();
    expect(rows.map((r) => [r.id, Number(r.seq)])).toEqual(ids.map((id, i) => [id, before + 1 + i]));
    expect(rows.map((r) => JSON.parse(r.payload) as unknown)).toEqual(
      [1, 2, 3].map((n) => ({ type: 'import.completed', timestamp: at.toISOString(), data: data(n) })),
    );
    expect(Number((await s.h.db.kysely.selectFrom('event_sequence').select('value').executeTakeFirstOrThrow()).value)).toBe(before + 3);
  });
});
