/**
 * Invite reminders with an injected clock, on a real database (SQLite, or PostgreSQL with
 * TEST_PG_URL): the right day and not before, once, never after expiry, accept or revoke, off
 * per target or per deployment, postponed by the mail budget, and one mail when workers race.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, createHarness, SECRET, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { silentLogger } from '../logger.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import { createReminderWorker, type ReminderWorkerOptions } from './reminders.js';
import { mailLimitsOf, type MailLimits } from './mail-limits.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { sqlitePathOf } from '../config.js';
import { createBff } from '../create-bff.js';
import type { MailMessage } from '../mail/transport.js';
import { queuedMessage } from '../mail/outbox.js';
import { upsertTarget } from './targets.js';

const DAY = 86_400_000;
// Active people with an address of their own (the sample has a duplicate on purpose).
const people = sampleDirectory().filter(
  (p, i, all) => p.status === 'active' && p.email && all.findIndex((q) => q.email?.toLowerCase() === p.email!.toLowerCase()) === i,
);
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invited you.' };

let h: Harness;
let t0: Date;
let token: string;
let limits: Partial<MailLimits> | undefined;
let next = 0;

async function setup(mailLimits?: Partial<MailLimits>) {
  limits = mailLimits;
  next = 0;
  h = await createHarness({ config: { mailLimits } });
  t0 = h.clock.now;
  await h.target('organization', 'acme', 10);
  token = await h.session({ type: 'organization', id: 'acme' }, 86_400);
}
beforeEach(() => setup());
afterEach(() => h.close());

const at = (days: number) => (h.clock.now = new Date(t0.getTime() + days * DAY));
const worker = (options: Partial<ReminderWorkerOptions> = {}) =>
  createReminderWorker({
    db: h.db.kysely,
    defaultDays: 2,
    acceptUrl: () => 'http://localhost/accept',
    mailLimits: mailLimitsOf(limits),
    now: () => h.clock.now,
    logger: silentLogger,
    ...options,
  });

let keys = 0;
/** Imports `count` people not invited before; answers the import (its invites, when it went through). */
async function importPeople(count: number, target = 'acme') {
  const t = await h.session({ type: 'organization', id: target }, 86_400);
  const ids = people.slice(next, (next += count)).map((p) => p.id);
  return h.request('POST', '/api/imports', {
    token: t,
    body: { provider: 'sample', selection: { ids }, role: 'user', message },
    headers: { 'Idempotency-Key': `reminders-${++keys}` },
  });
}
/** Invites `count` more people; answers their invites. */
async function invite(count = 1, target = 'acme'): Promise<InviteSummary[]> {
  const res = await importPeople(count, target);
  const { id } = (await res.json()) as ImportResult;
  const list = await h.request('GET', '/api/invites', { token: await h.session({ type: 'organization', id: target }, 86_400) });
  const items = ((await list.json()) as { items: InviteSummary[] }).items.filter((i) => i.importId === id);
  expect(items).toHaveLength(count);
  return items.sort((a, b) => a.id.localeCompare(b.id));
}

/** The mails of an invite, oldest first, as the outbox holds them. */
async function mails(inviteId: string) {
  const rows = await h.db.kysely
    .selectFrom('outbox')
    .select(['status', 'payload', 'created_at'])
    .where('invite_id', '=', inviteId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    status: r.status,
    ...(r.payload ? queuedMessage(r.payload) : {}),
  }));
}
/** The invites a reminder was queued for, as the host hears of it. */
const reminded = async () => (await events('invite.reminded')).map((e) => e.data.inviteId as string).sort();
const tokenIn = (text: string) => decodeURIComponent(/token=([^\s&]+)/.exec(text)![1]!);
const events = async (type: string) =>
  (await h.db.kysely.selectFrom('events').select('payload').where('type', '=', type).execute()).map(
    (e) => JSON.parse(e.payload) as { data: Record<string, unknown> },
  );
const putTarget = (id: string, body: Record<string, unknown>) =>
  h.request('PUT', `/api/targets/organization/${id}`, { token: API_KEY, body: { name: id, seatLimit: 10, ...body } });

describe('invite reminders', () => {
  it('go once, the set number of days before expiry, with a new working link and the expiry unchanged', async () => {
    const [inv] = await invite();
    const first = await mails(inv!.id);
    const oldToken = tokenIn(first[0]!.text!);
    const w = worker();

    at(4.99);
    expect(await w.runOnce()).toEqual({ reminded: 0, postponed: 0, unneeded: 0 });
    at(5);
    expect((await w.runOnce()).reminded).toBe(1);
    const all = await mails(inv!.id);
    expect(all).toHaveLength(2);
    const reminder = all[1]!;
    expect(reminder.status).toBe('queued');
    expect(reminder.subject).toBe('Reminder: Join organization acme');
    expect(reminder.text).toContain('Dana Admin invited you.');
    expect(reminder.text).toContain('Dana Admin invited you to join the organization organization acme as User.');
    expect(reminder.text).toMatch(/A reminder: this invitation expires on Tuesday, December 1, 2026(,| at) 12:00\sPM UTC\./);
    expect(reminder.replyTo).toBe('dana@example.com');

    // The same invite: its expiry did not move; the reminder's link works, the first one no longer does.
    const listed = (
      (await (await h.request('GET', '/api/invites', { token: await h.session({ type: 'organization', id: 'acme' }) })).json()) as { items: InviteSummary[] }
    ).items;
    expect(listed.find((i) => i.id === inv!.id)).toMatchObject({ status: 'pending', expiresAt: inv!.expiresAt });
    expect((await h.request('POST', '/api/invites/accept', { body: { token: oldToken } })).status).toBe(404);

    const [event] = await events('invite.reminded');
    expect(event!.data).toMatchObject({ inviteId: inv!.id, expiresAt: inv!.expiresAt, target: { type: 'organization', id: 'acme' } });

    at(5.5);
    expect((await w.runOnce()).reminded).toBe(0);
    at(6.9);
    expect((await w.runOnce()).reminded).toBe(0);
    expect(await mails(inv!.id)).toHaveLength(2);
    expect(await events('invite.reminded')).toHaveLength(1);
    expect((await h.request('POST', '/api/invites/accept', { body: { token: tokenIn(reminder.text!) } })).status).toBe(200);
  });

  it('never after expiry, acceptance or revocation; a reminder queued before a revoke is cancelled', async () => {
    const [a, b, c, d] = await invite(4);
    // c accepted, d revoked before their reminder; b's reminder is queued, then b is revoked.
    await h.request('POST', '/api/invites/accept', { body: { token: tokenIn((await mails(c!.id))[0]!.text!) } });
    expect((await h.request('DELETE', `/api/invites/${d!.id}`, { token })).status).toBe(204);
    at(5);
    expect((await worker({ batchSize: 1 }).runOnce()).reminded).toBe(1);
    expect(await worker().runOnce()).toMatchObject({ reminded: 1 });
    expect(await reminded()).toEqual([a!.id, b!.id].sort());
    expect((await h.request('DELETE', `/api/invites/${b!.id}`, { token: await h.session({ type: 'organization', id: 'acme' }) })).status).toBe(204);
    // No outbox ran here: the reminder cancelled the first mail (its link died), the revoke the reminder.
    expect((await mails(b!.id)).map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect(await mails(c!.id)).toHaveLength(1);
    expect(await mails(d!.id)).toHaveLength(1);

    // An invite whose reminder day passed while no worker ran, and then expired: nothing, ever.
    await putTarget('beta', {});
    const [e] = await invite(1, 'beta');
    at(7 + 7.01);
    expect((await worker().runOnce()).reminded).toBe(0);
    expect(await mails(e!.id)).toHaveLength(1);
  });

  it('are off with 0 for a target or for the deployment, and follow a target’s own days', async () => {
    expect((await putTarget('acme', { reminderDaysBeforeExpiry: 0 })).status).toBe(200);
    const [off] = await invite();
    expect((await putTarget('beta', { reminderDaysBeforeExpiry: 4 })).status).toBe(201);
    const [four] = await invite(1, 'beta');
    at(2.99);
    expect((await worker().runOnce()).reminded).toBe(0);
    at(3);
    expect((await worker().runOnce()).reminded).toBe(1);
    expect(await reminded()).toEqual([four!.id]);
    at(6.99);
    expect((await worker().runOnce()).reminded).toBe(0);
    expect(await mails(off!.id)).toHaveLength(1);

    // Back to the deployment's default (null), which is 0 here: still none.
    const res = await putTarget('acme', { reminderDaysBeforeExpiry: null });
    expect(await res.json()).toMatchObject({ reminderDaysBeforeExpiry: null });
    expect((await worker({ defaultDays: 0 }).runOnce()).reminded).toBe(0);
    expect((await worker({ defaultDays: 1 }).runOnce()).reminded).toBe(1);
    expect(await reminded()).toEqual([four!.id, off!.id].sort());
  });

  it('refuse a target upsert with days out of range', async () => {
    for (const days of [-1, 31, 1.5, '2']) {
      const res = await putTarget('acme', { reminderDaysBeforeExpiry: days });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    // Left out, the setting is kept.
    await putTarget('acme', { reminderDaysBeforeExpiry: 5 });
    expect(await (await putTarget('acme', {})).json()).toMatchObject({ reminderDaysBeforeExpiry: 5 });
  });

  it('skip an invitee mailed within the reminder’s days already: nothing to remind of', async () => {
    await putTarget('acme', { reminderDaysBeforeExpiry: 10 });
    const [inv] = await invite();
    expect(await worker().runOnce()).toEqual({ reminded: 0, postponed: 0, unneeded: 1 });
    at(6);
    expect(await worker().runOnce()).toEqual({ reminded: 0, postponed: 0, unneeded: 0 });
    expect(await mails(inv!.id)).toHaveLength(1);
  });

  it('wait when over the mail budget, then go once the budget allows', async () => {
    await h.close();
    await setup({ perTargetPerDay: 2 });
    const [inv] = await invite();
    // Half a day before the reminder, the target spends its day's budget on two more invitations.
    at(4.5);
    await invite(2);
    at(5);
    expect(await worker().runOnce()).toEqual({ reminded: 0, postponed: 1, unneeded: 0 });
    // Not looked at again until the budget's window moves (24 h after the spending).
    at(5.4);
    expect(await worker().runOnce()).toEqual({ reminded: 0, postponed: 0, unneeded: 0 });
    at(5.5);
    expect(await worker().runOnce()).toEqual({ reminded: 1, postponed: 0, unneeded: 0 });
    at(6);
    expect((await worker().runOnce()).reminded).toBe(0);
    expect(await reminded()).toEqual([inv!.id]);
    // The reminder counts in the budget too: 1 of 2 left, so two more invitations are refused.
    const refused = await importPeople(2);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('mail_limit');
  });

  it('go once when two workers race for the same invites', async () => {
    const invites = await invite(3);
    at(5.5);
    const runs = await Promise.all([worker().runOnce(), worker().runOnce(), worker({ batchSize: 1 }).runOnce()]);
    expect(runs.reduce((n, r) => n + r.reminded, 0)).toBe(3);
    for (const i of invites) expect(await mails(i.id)).toHaveLength(2);
    expect(await reminded()).toEqual(invites.map((i) => i.id).sort());
  });
});

describe.skipIf(!!process.env.TEST_PG_URL)("createBff's start()", () => {
  it('runs the reminder worker, and the outbox sends the reminder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hri-reminders-'));
    try {
      // An invitation mailed 6 days ago that expires tomorrow: its reminder is due.
      const db = openDatabase({ sqlitePath: sqlitePathOf(dataDir) });
      await migrateToLatest(db);
      const now = Date.now();
      await upsertTarget(db.kysely, { type: 'lab', id: 'l' }, { name: 'Robotics', seatLimit: 5 }, new Date(now - 6 * DAY));
      const sent = new Date(now - 6 * DAY).toISOString();
      await db.kysely
        .insertInto('invites')
        .values({
          id: 'inv_reminded0000',
          target_type: 'lab',
          target_id: 'l',
          import_id: null,
          provider: null,
          contact_id: null,
          email: 'ada@example.com',
          email_normalized: 'ada@example.com',
          name: 'Ada L',
          first_name: 'Ada',
          role: 'user',
          status: 'pending',
          token_hash: 'x',
          inviter_id: 'u-1',
          expires_at: new Date(now + DAY).toISOString(),
          created_at: sent,
          accepted_at: null,
          revoked_at: null,
        })
        .execute();
      await db.kysely
        .insertInto('outbox')
        .values({
          id: 'msg_first',
          invite_id: 'inv_reminded0000',
          status: 'sent',
          attempts: 1,
          next_attempt_at: sent,
          payload: null,
          last_error: null,
          created_at: sent,
          sent_at: sent,
        })
        .execute();
      await db.close();

      const delivered: MailMessage[] = [];
      const bff = await createBff(
        { apiKeys: [API_KEY], secret: SECRET, dataDir, acceptUrl: 'http://localhost/accept' },
        { logger: silentLogger, pollMs: 20, transport: { send: async (m) => void delivered.push(m) } },
      );
      await bff.start();
      for (let i = 0; i < 200 && !delivered.length; i++) await new Promise((ok) => setTimeout(ok, 20));
      await bff.stop();
      expect(delivered.map((m) => ({ to: m.to, subject: m.subject }))).toEqual([{ to: 'ada@example.com', subject: 'Reminder: Join Robotics' }]);
      // An invite without an import: no admin is named as its sender; the widget's default message, in English.
      expect(delivered[0]!.text).toMatch(
        /^You are invited to join the lab Robotics as User\.\n\nHi Ada,\n\nRobotics has invited you to join Robotics\.\n\nFollow the link in this email to accept\.\n\nAccept invitation: http:\/\/localhost\/accept\?token=\S+\n\nA reminder: this invitation expires on .+ UTC\.\n\n--\nYou received this email because ada@example\.com was invited to Robotics\./,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
