import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, INVITER, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ContactPage, ImportResult } from '../../contract/index.js';
import { queuedMessage } from '../mail/outbox.js';

let h: Harness;
let token: string;
const people = sampleDirectory();
const active = people.filter((p) => p.status === 'active' && p.email);
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you: {{acceptUrl}}' };
let keyN = 0;

beforeEach(async () => {
  h = await createHarness();
  await h.target('lab', 'lab-1', 10, [active[0]!.email!]);
  token = await h.session({ type: 'lab', id: 'lab-1' });
});
afterEach(() => h.close());

function post(body: unknown, key = `key-${++keyN}-abcdefgh`) {
  return h.request('POST', '/api/imports', { token, body, headers: { 'Idempotency-Key': key } });
}

async function count(table: 'invites' | 'imports' | 'outbox' | 'members'): Promise<number> {
  const r = await h.db.kysely
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('POST /api/imports', () => {
  it('invites the selected contacts with their roles and writes one outbox mail each', async () => {
    const ids = [active[1]!.id, active[2]!.id, active[3]!.id];
    const res = await post({ provider: 'sample', selection: { ids }, role: 'user', roles: { [ids[0]!]: 'manager' }, message });
    expect(res.status).toBe(201);
    const result = (await res.json()) as ImportResult;
    expect(result.invited).toBe(3);
    expect(result.skipped).toEqual([]);
    expect(result.seats).toEqual({ limit: 10, used: 4, remaining: 6 });
    // The confirmation names each person with their role, and counts per role in the target's order.
    const person = (id: string) => people.find((p) => p.id === id)!;
    expect(result.invites).toEqual(
      ids.map((id, i) => ({ contactId: id, name: person(id).displayName, email: person(id).email, role: i === 0 ? 'manager' : 'user' })),
    );
    expect(result.roles).toEqual([
      { role: 'manager', count: 1 },
      { role: 'user', count: 2 },
    ]);
    const invites = await h.db.kysely.selectFrom('invites').selectAll().orderBy('email').execute();
    expect(invites.map((i) => i.email_normalized).sort()).toEqual(ids.map((id) => people.find((p) => p.id === id)!.email!.toLowerCase()).sort());
    expect(invites.find((i) => i.contact_id === ids[0])!.role).toBe('manager');
    expect(invites.filter((i) => i.role === 'user').length).toBe(2);
    expect(invites.every((i) => i.status === 'pending' && i.import_id === result.id && /^[0-9a-f]{64}$/.test(i.token_hash))).toBe(true);
    expect(invites[0]!.expires_at).toBe(new Date(h.clock.now.getTime() + 7 * 86_400_000).toISOString());
    const mail = await h.db.kysely.selectFrom('outbox').selectAll().execute();
    expect(mail.length).toBe(3);
    const first = queuedMessage(mail.find((m) => m.invite_id === invites[0]!.id)!.payload)!;
    expect(first.subject).toBe('Join lab lab-1');
    expect(first.text).toContain(`${INVITER.name} invites you: http://localhost/accept?token=`);
    const imp = await h.db.kysely.selectFrom('imports').selectAll().executeTakeFirstOrThrow();
    expect(imp).toMatchObject({ inviter_id: INVITER.id, target_type: 'lab', target_id: 'lab-1', provider: 'sample', invited_count: 3, skipped_count: 0 });
  });

  it('skips members, pending invites, people without email and repeats, saying why', async () => {
    await post({ provider: 'sample', selection: { ids: [active[4]!.id] }, role: 'user', message });
    const noEmail = people.find((p) => !p.email)!;
    const dupA = people[13]!; // same email as people[14], in another case
    const dupB = people[14]!;
    const res = await post({
      provider: 'sample',
      selection: { ids: [active[0]!.id, active[4]!.id, noEmail.id, dupB.id, dupA.id, 'emp-9999', active[5]!.id] },
      role: 'user',
      message,
    });
    expect(res.status).toBe(201);
    const result = (await res.json()) as ImportResult;
    expect(result.invited).toBe(2);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.contactId, s.reason]));
    expect(reasons).toEqual({
      'emp-9999': 'not_found',
      [active[0]!.id]: 'already_member',
      [active[4]!.id]: 'already_invited',
      [noEmail.id]: 'no_email',
      [dupA.id]: 'duplicate',
    });
    expect(await count('invites')).toBe(3);
  });

  it('answers an import of people who are all members or invited with 0 invited, no one named, and no mail', async () => {
    await post({ provider: 'sample', selection: { ids: [active[4]!.id] }, role: 'user', message });
    const mailBefore = await count('outbox');
    const res = await post({ provider: 'sample', selection: { ids: [active[0]!.id, active[4]!.id] }, role: 'user', message });
    expect(res.status).toBe(201);
    const result = (await res.json()) as ImportResult;
    expect(result).toMatchObject({ invited: 0, invites: [], roles: [] });
    expect(result.skipped.map((s) => s.reason).sort()).toEqual(['already_invited', 'already_member']);
    expect(await count('outbox')).toBe(mailBefore);
  });

  it('imports "Select All" as a rule with exceptions, resolved on the server', async () => {
    await h.target('organization', 'big', 1000);
    token = await h.session({ type: 'organization', id: 'big' });
    const res = await post({ provider: 'sample', selection: { all: true, filters: { department: 'Research' }, except: [] }, role: 'user', message });
    const result = (await res.json()) as ImportResult;
    const research = people.filter((p) => p.department === 'Research' && p.status === 'active');
    expect(result.invited + result.skipped.length).toBe(research.length);
    expect(result.invited).toBe(
      research.filter((p) => p.email).length - (research.some((p) => p === people[13]) && research.some((p) => p === people[14]) ? 1 : 0),
    );

    const listed = (await (await h.request('GET', '/api/providers/sample/contacts?department=Sales&limit=500', { token })).json()) as ContactPage;
    const except = listed.items.slice(0, 3).map((c) => c.id);
    const sales = (await (
      await post({ provider: 'sample', selection: { all: true, filters: { department: 'Sales' }, except }, role: 'admin', message })
    ).json()) as ImportResult;
    expect(sales.invited).toBe(
      listed.selectable -
        except.filter((id) => listed.items.find((c) => c.id === id)!.membership === null && listed.items.find((c) => c.id === id)!.email).length,
    );
    const invitedIds = (await h.db.kysely.selectFrom('invites').select('contact_id').where('role', '=', 'admin').execute()).map((r) => r.contact_id);
    expect(invitedIds.some((id) => except.includes(id!))).toBe(false);
  });

  it('imports the contacts ticked one by one beside a Select All (include), each once, after the rule', async () => {
    await h.target('organization', 'big', 1000);
    token = await h.session({ type: 'organization', id: 'big' });
    const research = active.filter((p) => p.department === 'Research');
    const other = active.filter((p) => p.department !== 'Research').slice(0, 2);
    // One of the rule's own people ticked again is invited once; an unknown id is said to be missing.
    const include = [...other.map((p) => p.id), research[0]!.id, 'nobody-here'];
    const res = await post({
      provider: 'sample',
      selection: { all: true, filters: { department: 'Research' }, except: [research[1]!.id], include },
      role: 'user',
      message,
    });
    expect(res.status).toBe(201);
    const result = (await res.json()) as ImportResult;
    const invited = result.invites.map((i) => i.contactId);
    expect(new Set(invited).size).toBe(invited.length);
    expect(invited).toEqual(expect.arrayContaining([...other.map((p) => p.id), research[0]!.id]));
    expect(invited).not.toContain(research[1]!.id);
    expect(invited.slice(-2)).toEqual(other.map((p) => p.id));
    expect(result.skipped).toContainEqual({ contactId: 'nobody-here', email: null, reason: 'not_found' });
  });

  it('refuses an import past the user limit with 409 and writes nothing', async () => {
    // lab-1: 10 seats, 1 member.
    const ids = active.slice(1, 11).map((p) => p.id);
    const res = await post({ provider: 'sample', selection: { ids }, role: 'user', message });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string; details: { seats: { remaining: number }; requested: number } } };
    expect(body.error.code).toBe('seat_limit_exceeded');
    expect(body.error.details).toEqual({ seats: { limit: 10, used: 1, remaining: 9 }, requested: 10 });
    expect(body.error.message).toContain('9 seats');
    expect([await count('invites'), await count('imports'), await count('outbox')]).toEqual([0, 0, 0]);
    const fits = await post({ provider: 'sample', selection: { ids: ids.slice(0, 9) }, role: 'user', message });
    expect(fits.status).toBe(201);
    expect(((await fits.json()) as ImportResult).seats.remaining).toBe(0);
  });

  it('replays the same Idempotency-Key and body without writing, and refuses it with another body', async () => {
    const body = { provider: 'sample', selection: { ids: [active[1]!.id] }, role: 'user', message };
    const first = await post(body, 'same-key-123456');
    const again = await post(body, 'same-key-123456');
    expect(again.status).toBe(first.status);
    expect(await again.json()).toEqual(await first.json());
    expect(await count('invites')).toBe(1);
    const other = await post({ ...body, role: 'manager' }, 'same-key-123456');
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const good = { provider: 'sample', selection: { ids: [active[1]!.id] }, role: 'user', message };
    const cases: [unknown, Record<string, string>?][] = [
      [{ ...good, role: 'overlord' }],
      [{ ...good, roles: { [active[1]!.id]: 'overlord' } }],
      [{ ...good, selection: { ids: [] } }],
      [{ ...good, selection: { all: false } }],
      [{ ...good, message: { subject: '', body: 'x' } }],
      [{ ...good, message: { subject: 'x', body: 'y'.repeat(5001) } }],
      [{ ...good, extra: 1 }],
      [{ ...good, provider: 'unknown' }],
      [good, { 'Idempotency-Key': '' }],
      [good, { 'Idempotency-Key': 'short' }],
    ];
    for (const [body, headers] of cases) {
      const res = await h.request('POST', '/api/imports', { token, body, headers: headers ?? { 'Idempotency-Key': `k-${++keyN}-abcdefgh` } });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^(invalid_request|invalid_role|provider_not_found)$/);
    }
    const malformed = await h.request('POST', '/api/imports', {
      token,
      rawBody: '{"provider":',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-malformed-1' },
    });
    expect(malformed.status).toBe(400);
    const wrongType = await h.request('POST', '/api/imports', {
      token,
      rawBody: 'provider=sample',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': 'k-form-12345' },
    });
    expect(wrongType.status).toBe(415);
    expect([await count('invites'), await count('imports')]).toEqual([0, 0]);
  });
});
