import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, mailedToken, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';

let h: Harness;
let token: string;
const active = sampleDirectory().filter((p) => p.status === 'active' && p.email);
const message = { subject: 'Join', body: 'Hi {{firstName}}' };

beforeEach(async () => {
  h = await createHarness();
  await h.target('challenge', 'c-1', 5);
  await h.target('challenge', 'c-2', 5);
  token = await h.session({ type: 'challenge', id: 'c-1' });
  const res = await h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids: [active[0]!.id, active[1]!.id] }, role: 'user', message },
    headers: { 'Idempotency-Key': 'invites-setup-1' },
  });
  expect(((await res.json()) as ImportResult).invited).toBe(2);
});
afterEach(() => h.close());

async function invites(query = '', t = token): Promise<InviteSummary[]> {
  const res = await h.request('GET', `/api/invites${query}`, { token: t });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: InviteSummary[] }).items;
}

const tokenFromMail = (inviteId: string) => mailedToken(h.db, inviteId);

describe('invites', () => {
  it('lists the session target’s invites without tokens or hashes', async () => {
    const items = await invites();
    expect(items.length).toBe(2);
    expect(items[0]).toMatchObject({ role: 'user', status: 'pending', delivery: 'queued' });
    expect(JSON.stringify(items)).not.toMatch(/token|hash/i);
    const other = await h.session({ type: 'challenge', id: 'c-2' });
    expect(await invites('', other)).toEqual([]);
  });

  it('accepts once, turning the invite into a membership', async () => {
    const [invite] = await invites();
    const t = await tokenFromMail(invite!.id);
    const ok = await h.request('POST', '/api/invites/accept', { body: { token: t } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ target: { type: 'challenge', id: 'c-1' }, role: 'user' });
    expect((await invites('?status=accepted')).map((i) => i.id)).toEqual([invite!.id]);
    const members = await h.db.kysely.selectFrom('members').selectAll().where('target_id', '=', 'c-1').execute();
    expect(members.map((m) => m.email)).toEqual([invite!.email.toLowerCase()]);
    const twice = await h.request('POST', '/api/invites/accept', { body: { token: t } });
    expect(twice.status).toBe(410);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('invite_accepted');
    expect((await h.request('POST', '/api/invites/accept', { body: { token: 'x'.repeat(43) } })).status).toBe(404);
  });

  it('revokes a pending invite, freeing its seat and cancelling its mail', async () => {
    const [invite] = await invites();
    const res = await h.request('DELETE', `/api/invites/${invite!.id}`, { token });
    expect(res.status).toBe(204);
    const seats = ((await (await h.request('GET', '/api/session', { token })).json()) as { seats: { used: number } }).seats;
    expect(seats.used).toBe(1);
    const t = await h.db.kysely.selectFrom('outbox').select('status').where('invite_id', '=', invite!.id).executeTakeFirstOrThrow();
    expect(t.status).toBe('cancelled');
    expect((await h.request('DELETE', `/api/invites/${invite!.id}`, { token })).status).toBe(409);
  });

  it('resends with a new token: the old link stops working, the new one works', async () => {
    const [invite] = await invites();
    const old = await tokenFromMail(invite!.id);
    h.clock.now = new Date(h.clock.now.getTime() + 3 * 86_400_000);
    const res = await h.request('POST', `/api/invites/${invite!.id}/resend`, { token: await h.session({ type: 'challenge', id: 'c-1' }) });
    expect(res.status).toBe(200);
    const resent = (await res.json()) as InviteSummary;
    expect(resent.expiresAt).toBe(new Date(h.clock.now.getTime() + 7 * 86_400_000).toISOString());
    expect((await h.request('POST', '/api/invites/accept', { body: { token: old } })).status).toBe(404);
    const fresh = await tokenFromMail(invite!.id);
    expect(fresh).not.toBe(old);
    // Still one row per invite, reporting its latest mail.
    const listed = await invites('', await h.session({ type: 'challenge', id: 'c-1' }));
    expect(listed.length).toBe(2);
    expect(listed.find((i) => i.id === invite!.id)).toMatchObject({ delivery: 'queued', deliveryError: null });
    expect((await h.request('POST', '/api/invites/accept', { body: { token: fresh } })).status).toBe(200);
  });

  it('expires invites after their lifetime: they no longer hold a seat or accept', async () => {
    const [invite] = await invites();
    const t = await tokenFromMail(invite!.id);
    h.clock.now = new Date(h.clock.now.getTime() + 7 * 86_400_000 + 1000);
    const fresh = await h.session({ type: 'challenge', id: 'c-1' });
    expect((await invites('?status=expired', fresh)).length).toBe(2);
    const seats = ((await (await h.request('GET', '/api/session', { token: fresh })).json()) as { seats: { used: number } }).seats;
    expect(seats.used).toBe(0);
    const res = await h.request('POST', '/api/invites/accept', { body: { token: t } });
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invite_expired');
  });

  it('forbids acting on another target’s invite (403)', async () => {
    const [invite] = await invites();
    const other = await h.session({ type: 'challenge', id: 'c-2' });
    expect((await h.request('DELETE', `/api/invites/${invite!.id}`, { token: other })).status).toBe(403);
    expect((await h.request('POST', `/api/invites/${invite!.id}/resend`, { token: other })).status).toBe(403);
    expect((await invites()).every((i) => i.status === 'pending')).toBe(true);
  });
});
