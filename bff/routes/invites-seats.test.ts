/** The user limit on accept: an invite holds its own seat, unless the host lowered the limit. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, mailedToken, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { InviteSummary, Seats } from '../../contract/index.js';

let h: Harness;
let token: string;
const active = sampleDirectory().filter((p) => p.status === 'active' && p.email && !p.email.includes('@Example'));

beforeEach(async () => {
  h = await createHarness();
  await h.target('challenge', 'c', 3);
  token = await h.session({ type: 'challenge', id: 'c' });
  const body = { provider: 'sample', selection: { ids: active.slice(0, 3).map((p) => p.id) }, role: 'user', message: { subject: 'Join', body: 'Hi' } };
  expect((await h.request('POST', '/api/imports', { token, body, headers: { 'Idempotency-Key': 'seats-setup-1' } })).status).toBe(201);
});
afterEach(() => h.close());

async function pending(): Promise<InviteSummary[]> {
  return ((await (await h.request('GET', '/api/invites?status=pending', { token })).json()) as { items: InviteSummary[] }).items;
}

async function seats(): Promise<Seats> {
  return ((await (await h.request('GET', '/api/session', { token })).json()) as { seats: Seats }).seats;
}

const tokenFromMail = (inviteId: string) => mailedToken(h.db, inviteId);

const accept = (t: string) => h.request('POST', '/api/invites/accept', { body: { token: t } });

describe('accepting an invite', () => {
  it('fits when every seat is taken: the invite turns its own seat into a membership', async () => {
    expect(await seats()).toEqual({ limit: 3, used: 3, remaining: 0 });
    const [invite] = await pending();
    expect((await accept(await tokenFromMail(invite!.id))).status).toBe(200);
    expect(await seats()).toEqual({ limit: 3, used: 3, remaining: 0 });
  });

  it('is refused with 409 while the target is over a limit the host lowered, and fits again once a seat is freed', async () => {
    expect((await h.request('PUT', '/api/targets/challenge/c', { token: API_KEY, body: { name: 'C', seatLimit: 2 } })).status).toBe(200);
    const [invite, other] = await pending();
    const t = await tokenFromMail(invite!.id);
    const refused = await accept(t);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'seat_limit_exceeded', details: { seats: { limit: 2, used: 3, remaining: 0 } } } });
    expect((await pending()).length).toBe(3);
    expect(await h.db.kysely.selectFrom('members').selectAll().execute()).toEqual([]);

    expect((await h.request('DELETE', `/api/invites/${other!.id}`, { token })).status).toBe(204);
    expect((await accept(t)).status).toBe(200);
    expect(await seats()).toEqual({ limit: 2, used: 2, remaining: 0 });
  });

  it('makes one member of one token accepted by racing requests; the others are told it was', async () => {
    const [invite] = await pending();
    const t = await tokenFromMail(invite!.id);
    const answers = await Promise.all(Array.from({ length: 8 }, () => accept(t)));
    expect(answers.filter((r) => r.status === 200).length).toBe(1);
    for (const r of answers.filter((a) => a.status !== 200)) {
      expect(r.status).toBe(410);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invite_accepted');
    }
    expect((await h.db.kysely.selectFrom('members').selectAll().execute()).length).toBe(1);
  });
});
