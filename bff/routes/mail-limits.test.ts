/**
 * Mail that cannot be weaponised: an inviter who loops over resend, or imports more than a day's
 * budget, gets 429 `mail_limit` with Retry-After, and the outbox holds only the allowed mails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import type { MailLimits } from '../services/mail-limits.js';

const active = sampleDirectory().filter((p) => p.status === 'active' && p.email);
const message = { subject: 'Join', body: 'Hi {{firstName}}' };
let h: Harness;
afterEach(() => h?.close());

async function setup(mailLimits?: Partial<MailLimits>, seats = 50) {
  h = await createHarness({ config: { mailLimits } });
  await h.target('lab', 'l-1', seats);
  return h.session({ type: 'lab', id: 'l-1' });
}

let keys = 0;
const importPeople = (token: string, ids: string[]) =>
  h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids }, role: 'user', message },
    headers: { 'Idempotency-Key': `mail-limits-${++keys}` },
  });

async function firstInvite(token: string): Promise<InviteSummary> {
  const res = await h.request('GET', '/api/invites', { token });
  return ((await res.json()) as { items: InviteSummary[] }).items[0]!;
}

const mails = async () =>
  Number(
    (
      await h.db.kysely
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const queued = async () =>
  Number(
    (
      await h.db.kysely
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow()
    ).n,
  );
const minutes = (n: number) => (h.clock.now = new Date(h.clock.now.getTime() + n * 60_000));

describe('resend: cooldown per invite and a daily limit per address', () => {
  it('100 resends in a loop queue no mail during the cooldown: 429 mail_limit with Retry-After', async () => {
    const token = await setup();
    expect((await importPeople(token, [active[0]!.id])).status).toBe(201);
    const invite = await firstInvite(token);
    const answers: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await h.request('POST', `/api/invites/${invite.id}/resend`, { token });
      answers.push(res.status);
      if (i === 0) {
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBe('600');
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('mail_limit');
        expect(body.error.message).toMatch(/can be sent again in 10 minutes/);
      }
    }
    expect(answers.every((s) => s === 429)).toBe(true);
    // The import's one mail; nothing else was queued or cancelled and re-queued.
    expect(await mails()).toBe(1);
    expect(await queued()).toBe(1);
  });

  it("one resend every cooldown, and at most the address's daily limit in 24 hours", async () => {
    const token = await setup();
    await importPeople(token, [active[0]!.id]);
    const invite = await firstInvite(token);
    const statuses: number[] = [];
    // 100 attempts, one every 2 minutes: 200 minutes, room for 20 cooldowns, yet 5 mails a day.
    for (let i = 0; i < 100; i++) {
      minutes(2);
      const res = await h.request('POST', `/api/invites/${invite.id}/resend`, { token: await h.session({ type: 'lab', id: 'l-1' }) });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(await mails()).toBe(5);
    const refused = await h.request('POST', `/api/invites/${invite.id}/resend`, { token: await h.session({ type: 'lab', id: 'l-1' }) });
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/address already got 5 invitations in the last 24 hours/);
    // The first mail leaves the window 24 hours after it was queued.
    expect(Number(refused.headers.get('retry-after'))).toBe(24 * 3600 - 200 * 60);
    minutes(24 * 60);
    expect((await h.request('POST', `/api/invites/${invite.id}/resend`, { token: await h.session({ type: 'lab', id: 'l-1' }) })).status).toBe(200);
  });

  it('the cooldown is configurable (HR_IMPORT_MAIL_LIMITS)', async () => {
    const token = await setup({ resendCooldownSeconds: 60 });
    await importPeople(token, [active[0]!.id]);
    const invite = await firstInvite(token);
    minutes(1);
    expect((await h.request('POST', `/api/invites/${invite.id}/resend`, { token })).status).toBe(200);
  });
});

describe('daily budgets per target and per inviter', () => {
  it("an import larger than the target's remaining budget is refused whole; nothing written; the key may be retried", async () => {
    const token = await setup({ perTargetPerDay: 3 });
    expect((await importPeople(token, [active[0]!.id, active[1]!.id])).status).toBe(201);
    const res = await h.request('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids: [active[2]!.id, active[3]!.id] }, role: 'user', message },
      headers: { 'Idempotency-Key': 'over-budget' },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe(String(24 * 3600));
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error).toMatchObject({ code: 'mail_limit', details: { limit: 3, remaining: 1, requested: 2 } });
    expect(body.error.message).toMatch(/would send 2 invitations, but this lab has 1 of 3 left/);
    expect(await h.db.kysely.selectFrom('invites').select('email').execute()).toHaveLength(2);
    expect(await mails()).toBe(2);
    // Not stored as the key's answer: once the budget allows, the same key imports.
    minutes(24 * 60 + 1);
    const later = await h.session({ type: 'lab', id: 'l-1' });
    const retried = await h.request('POST', '/api/imports', {
      token: later,
      body: { provider: 'sample', selection: { ids: [active[2]!.id, active[3]!.id] }, role: 'user', message },
      headers: { 'Idempotency-Key': 'over-budget' },
    });
    expect(retried.status).toBe(201);
    expect(((await retried.json()) as ImportResult).invited).toBe(2);
  });

  it('the 24 hours slide by the minute, within an hour as across hours', async () => {
    await setup({ perTargetPerDay: 3 });
    // A session lasts 15 minutes: each import signs in again.
    const importOne = async (person: number) => importPeople(await h.session({ type: 'lab', id: 'l-1' }), [active[person]!.id]);
    // 12:40, 13:20 and 13:50: the budget is spent.
    for (const [wait, person] of [
      [40, 0],
      [40, 1],
      [30, 2],
    ] as const) {
      minutes(wait);
      expect((await importOne(person)).status).toBe(201);
    }
    // The next day at 12:39 all three are within the last 24 hours: the first leaves in a minute.
    minutes(24 * 60 - 71);
    const full = await importOne(3);
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('60');
    // 12:41: the mail of 12:40 has left the window, in the middle of its hour; one fits, not two.
    minutes(2);
    expect((await importOne(3)).status).toBe(201);
    expect((await importOne(4)).status).toBe(429);
    // 13:21: the one of 13:20 has left too.
    minutes(40);
    expect((await importOne(4)).status).toBe(201);
    expect((await importOne(5)).status).toBe(429);
    expect(await mails()).toBe(5);
  });

  it("an inviter's budget spans targets; resends count against it", async () => {
    const token = await setup({ perInviterPerDay: 2, resendCooldownSeconds: 0 });
    await h.target('lab', 'l-2', 50);
    const other = await h.session({ type: 'lab', id: 'l-2' });
    expect((await importPeople(token, [active[0]!.id])).status).toBe(201);
    expect((await importPeople(other, [active[1]!.id])).status).toBe(201);
    const invite = await firstInvite(token);
    const res = await h.request('POST', `/api/invites/${invite.id}/resend`, { token });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^You sent 2 invitations in the last 24 hours/);
    expect(await mails()).toBe(2);
  });

  it("imports by one inviter into several targets at once cannot together overspend the inviter's budget", async () => {
    const first = await setup({ perInviterPerDay: 3 });
    const tokens = [first];
    for (const id of ['l-2', 'l-3', 'l-4', 'l-5', 'l-6']) {
      await h.target('lab', id, 50);
      tokens.push(await h.session({ type: 'lab', id }));
    }
    const answers = await Promise.all(tokens.map((token, i) => importPeople(token, [active[2 * i]!.id, active[2 * i + 1]!.id])));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 429, 429, 429, 429, 429]);
    expect(await mails()).toBe(2);
  });
});
