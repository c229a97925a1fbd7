/**
 * POST /api/invites/resend: expired (or pending) invites resent at once, each by the rules of a
 * single resend, the refused ones named with their reason and left untouched; and the expired
 * invites the admin resends from, as GET /api/invites?status=expired lists them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult, InviteResendResult, InviteSummary } from '../../contract/index.js';
import { queuedMessage } from '../mail/outbox.js';

const DAY = 86_400_000;
const people = sampleDirectory().filter(
  (p, i, all) => p.status === 'active' && p.email && all.findIndex((q) => q.email?.toLowerCase() === p.email!.toLowerCase()) === i,
);
const message = { subject: 'Join', body: 'Hi {{firstName}}' };

let h: Harness;
let t0: Date;
let next = 0;
let keys = 0;
beforeEach(async () => {
  h = await createHarness();
  t0 = h.clock.now;
  next = 0;
  await h.target('lab', 'l-1', 4);
  await h.target('lab', 'l-2', 4);
});
afterEach(() => h.close());

const session = (id = 'l-1') => h.session({ type: 'lab', id });
const at = (days: number) => (h.clock.now = new Date(t0.getTime() + days * DAY));

/** Invites `count` more people into a lab; answers their invites in the order of the people. */
async function invite(count: number, lab = 'l-1'): Promise<InviteSummary[]> {
  const chosen = people.slice(next, (next += count));
  const res = await h.request('POST', '/api/imports', {
    token: await session(lab),
    body: { provider: 'sample', selection: { ids: chosen.map((p) => p.id) }, role: 'user', message },
    headers: { 'Idempotency-Key': `resend-${++keys}` },
  });
  const { id } = (await res.json()) as ImportResult;
  const items = (await list('', lab)).filter((i) => i.importId === id);
  return chosen.map((p) => items.find((i) => i.email === p.email)!);
}

async function list(query = '', lab = 'l-1'): Promise<InviteSummary[]> {
  const res = await h.request('GET', `/api/invites${query}`, { token: await session(lab) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: InviteSummary[] }).items;
}

const resend = async (body: unknown) => h.request('POST', '/api/invites/resend', { token: await session(), body });
const mails = async (inviteId: string) => (await h.db.kysely.selectFrom('outbox').select('status').where('invite_id', '=', inviteId).execute()).length;
const tokenOf = async (inviteId: string) => {
  const row = await h.db.kysely
    .selectFrom('outbox')
    .select('payload')
    .where('invite_id', '=', inviteId)
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return decodeURIComponent(/token=([^\s&]+)/.exec(queuedMessage(row.payload!)!.text)![1]!);
};

describe('POST /api/invites/resend', () => {
  it('resends expired invites at once: new links and expiry, seats taken again', async () => {
    const [a, b] = await invite(2);
    const oldToken = await tokenOf(a!.id);
    at(8);
    expect((await list('?status=expired')).map((i) => i.id).sort()).toEqual([a!.id, b!.id].sort());

    const res = await resend({ ids: [a!.id, b!.id] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InviteResendResult;
    expect(body.resent.map((i) => i.id)).toEqual([a!.id, b!.id]);
    const expiresAt = new Date(h.clock.now.getTime() + 7 * DAY).toISOString();
    for (const i of body.resent) expect(i).toMatchObject({ status: 'pending', delivery: 'queued', expiresAt });
    expect(body.skipped).toEqual([]);
    expect(body.seats).toEqual({ limit: 4, used: 2, remaining: 2 });
    expect(await list('?status=expired')).toEqual([]);

    expect((await h.request('POST', '/api/invites/accept', { body: { token: oldToken } })).status).toBe(404);
    expect((await h.request('POST', '/api/invites/accept', { body: { token: await tokenOf(a!.id) } })).status).toBe(200);
  });

  it('skips what a single resend would refuse, each with its reason, and writes nothing for it', async () => {
    const [accepted, revoked, expired, noSeat] = await invite(4);
    const [elsewhere] = await invite(1, 'l-2');
    await h.request('POST', '/api/invites/accept', { body: { token: await tokenOf(accepted!.id) } });
    await h.request('DELETE', `/api/invites/${revoked!.id}`, { token: await session() });
    at(8);
    // Two fresh invites: with the member, one of the four seats is left for the two expired ones.
    const [justSent] = await invite(2);
    const before = { noSeat: await mails(noSeat!.id), justSent: await mails(justSent!.id) };

    const unknown = 'inv_doesnotexist00000';
    const res = await resend({ ids: [accepted!.id, revoked!.id, expired!.id, noSeat!.id, justSent!.id, unknown, elsewhere!.id, expired!.id] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InviteResendResult;
    expect(body.resent.map((i) => i.id)).toEqual([expired!.id]);
    expect(body.skipped).toEqual([
      { id: accepted!.id, reason: 'not_resendable' },
      { id: revoked!.id, reason: 'not_resendable' },
      { id: noSeat!.id, reason: 'seat_limit_exceeded' },
      { id: justSent!.id, reason: 'mail_limit' },
      { id: unknown, reason: 'invite_not_found' },
      { id: elsewhere!.id, reason: 'invite_not_found' },
    ]);
    expect(body.seats).toEqual({ limit: 4, used: 4, remaining: 0 });

    // The skipped ones are as they were: no mail queued, no new expiry, the other lab's untouched.
    expect(await mails(noSeat!.id)).toBe(before.noSeat);
    expect(await mails(justSent!.id)).toBe(before.justSent);
    expect((await list('?status=expired')).map((i) => ({ id: i.id, expiresAt: i.expiresAt }))).toEqual([{ id: noSeat!.id, expiresAt: noSeat!.expiresAt }]);
    expect((await list('', 'l-2'))[0]).toMatchObject({ id: elsewhere!.id, expiresAt: elsewhere!.expiresAt });
    const audit = await h.db.kysely.selectFrom('audit_events').select('subject').where('action', '=', 'resend').execute();
    expect(audit.map((r) => r.subject)).toEqual([expired!.id]);
  });

  it('refuses bad input with 400 and no session with 401, writing nothing', async () => {
    const [a] = await invite(1);
    at(8);
    for (const body of [
      {},
      { ids: [] },
      { ids: ['nope'] },
      { ids: [a!.id], force: true },
      { ids: Array.from({ length: 501 }, (_, i) => `inv_${String(i).padStart(12, '0')}`) },
    ]) {
      const res = await resend(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect((await h.request('POST', '/api/invites/resend', { body: { ids: [a!.id] } })).status).toBe(401);
    expect(await mails(a!.id)).toBe(1);
    expect((await list('?status=expired')).map((i) => i.id)).toEqual([a!.id]);
  });
});

describe('GET /api/invites?status=expired', () => {
  it('lists the expired invites only, whether or not the expiry was recorded', async () => {
    const [accepted, revoked, swept, expired] = await invite(4);
    await h.request('POST', '/api/invites/accept', { body: { token: await tokenOf(accepted!.id) } });
    await h.request('DELETE', `/api/invites/${revoked!.id}`, { token: await session() });
    at(8);
    const [pending] = await invite(1);
    // One of the two marked as the webhook worker's sweep does; the other not yet.
    await h.db.kysely.updateTable('invites').set({ expiry_recorded_at: h.clock.now.toISOString() }).where('id', '=', swept!.id).execute();
    expect((await list('?status=expired')).map((i) => i.id).sort()).toEqual([swept!.id, expired!.id].sort());
    expect((await list('?status=pending')).map((i) => i.id)).toEqual([pending!.id]);
    expect((await list('?status=accepted')).map((i) => i.id)).toEqual([accepted!.id]);
    expect((await list('?status=revoked')).map((i) => i.id)).toEqual([revoked!.id]);
    expect((await list('?status=expired&limit=1')).length).toBe(1);
  });
});
