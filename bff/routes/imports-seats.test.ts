/**
 * An import counts the target's seats from the count the previous import kept
 * (bff/db/seat-counts.ts) while that count holds. Each test changes the seats in one way between
 * two imports and checks that the second import saw exactly what GET /api/session counts from
 * the rows themselves: in the seats of its 409, and in a 201 that takes the last seat.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, mailedToken, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult, InviteSummary, Seats } from '../../contract/index.js';

let h: Harness;
let token: string;
const active = sampleDirectory().filter((p) => p.status === 'active' && p.email && !p.email.includes('@Example'));
const LIMIT = 6;
let keyN = 0;
/** The people not yet invited by these tests, in order. */
let next = 0;

beforeEach(async () => {
  h = await createHarness();
  await h.target('lab', 'seats', LIMIT);
  token = await h.session({ type: 'lab', id: 'seats' });
  next = 0;
});
afterEach(() => h.close());

const importPeople = (n: number) =>
  h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids: active.slice(next, next + n).map((p) => p.id) }, role: 'user', message: { subject: 'Join', body: 'Hi' } },
    headers: { 'Idempotency-Key': `seats-${++keyN}-abcdefgh` },
  });

async function invite(n: number): Promise<ImportResult> {
  const res = await importPeople(n);
  expect(res.status).toBe(201);
  next += n;
  return (await res.json()) as ImportResult;
}

/** Moves the clock on, with a new session (a session lasts minutes). */
async function later(days: number): Promise<void> {
  h.clock.now = new Date(h.clock.now.getTime() + days * 86_400_000);
  token = await h.session({ type: 'lab', id: 'seats' });
}

async function sessionSeats(): Promise<Seats> {
  return ((await (await h.request('GET', '/api/session', { token })).json()) as { seats: Seats }).seats;
}

async function pending(): Promise<InviteSummary[]> {
  return ((await (await h.request('GET', '/api/invites?status=pending', { token })).json()) as { items: InviteSummary[] }).items;
}

/** The next import sees the seats as counted from the rows: refused one past them, then taking them all. */
async function expectImportSees(seats: Seats, { fill = true } = {}): Promise<void> {
  expect(await sessionSeats()).toEqual(seats);
  const refused = await importPeople(seats.remaining + 1);
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as { error: { details: { seats: Seats } } }).error.details.seats).toEqual(seats);
  if (fill && seats.remaining > 0) expect((await invite(seats.remaining)).seats).toEqual({ limit: seats.limit, used: seats.limit, remaining: 0 });
}

describe('the seats an import counts', () => {
  it('are the count the last import kept while nothing else changed them', async () => {
    expect((await invite(2)).seats).toEqual({ limit: LIMIT, used: 2, remaining: 4 });
    // A row written around the services raises nothing, so the kept count does not see it: the
    // import reads the kept count instead of counting the rows.
    const [row] = await h.db.kysely.selectFrom('invites').selectAll().limit(1).execute();
    await h.db.kysely
      .insertInto('invites')
      .values({ ...row!, id: 'inv_unannounced', email: 'x@example.org', email_normalized: 'x@example.org', token_hash: 'unannounced' })
      .execute();
    expect((await invite(1)).seats).toEqual({ limit: LIMIT, used: 3, remaining: 3 });
    expect(await sessionSeats()).toEqual({ limit: LIMIT, used: 4, remaining: 2 });
  });

  it('follow one import after another', async () => {
    await invite(2);
    await invite(1);
    await expectImportSees({ limit: LIMIT, used: 3, remaining: 3 });
  });

  it('are counted again after a revoke', async () => {
    await invite(4);
    const [first] = await pending();
    expect((await h.request('DELETE', `/api/invites/${first!.id}`, { token })).status).toBe(204);
    await expectImportSees({ limit: LIMIT, used: 3, remaining: 3 });
  });

  it('are counted again after an accept', async () => {
    await invite(4);
    const [first] = await pending();
    expect((await h.request('POST', '/api/invites/accept', { body: { token: await mailedToken(h.db, first!.id) } })).status).toBe(200);
    await expectImportSees({ limit: LIMIT, used: 4, remaining: 2 });
  });

  it('are counted again after the host syncs its members', async () => {
    const invited = await invite(2);
    // One invitee became a member (their invite now counts as that membership), and two others joined.
    const members = [invited.invites[0]!.email, 'm1@example.org', 'm2@example.org'].map((email, i) => ({ id: `m${i}`, email }));
    expect((await h.request('PUT', '/api/targets/lab/seats/members', { token: API_KEY, body: { members } })).status).toBe(200);
    await expectImportSees({ limit: LIMIT, used: 4, remaining: 2 });
  });

  it('are counted again once an invite expires, with no write, and after an expired invite is resent', async () => {
    await invite(2);
    await later(1);
    await invite(1);
    // Past the first two invites' expiry (7 days), not the third's.
    await later(6.5);
    await expectImportSees({ limit: LIMIT, used: 1, remaining: 5 }, { fill: false });
    const expired = ((await (await h.request('GET', '/api/invites?status=expired', { token })).json()) as { items: InviteSummary[] }).items;
    expect(expired.length).toBe(2);
    expect((await h.request('POST', `/api/invites/${expired[0]!.id}/resend`, { token })).status).toBe(200);
    await expectImportSees({ limit: LIMIT, used: 2, remaining: 4 });
  });

  it('are counted again when the host lowers the limit', async () => {
    await invite(3);
    expect((await h.request('PUT', '/api/targets/lab/seats', { token: API_KEY, body: { name: 'Seats', seatLimit: 4 } })).status).toBe(200);
    await expectImportSees({ limit: 4, used: 3, remaining: 1 });
  });
});
