/**
 * POST /api/invites/lookup, the accept page's question before Accept: what the link is for
 * (target, role label, inviter, state, expiry) without accepting; and the language the invite's
 * mail speaks, from the import to its resend and reminder.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, INVITER, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { AcceptedInvite, ImportResult, InviteLookup, InviteSummary, Role } from '../../contract/index.js';
import { upsertTarget } from '../services/targets.js';
import { queuedMessage, type QueuedMessage } from '../mail/outbox.js';
import { createReminderWorker } from '../services/reminders.js';
import { mailLimitsOf } from '../services/mail-limits.js';
import { silentLogger } from '../logger.js';

const DAY = 86_400_000;
const people = sampleDirectory().filter(
  (p, i, all) => p.status === 'active' && p.email && all.findIndex((q) => q.email?.toLowerCase() === p.email!.toLowerCase()) === i,
);
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}},\nsee you there.' };
const LAB = { type: 'lab', id: 'folding' } as const;

let h: Harness;
let t0: Date;
let keys = 0;
/** The lab: a reviewer role (with the labels given) and the default user role. */
const upsertLab = (reviewer: Pick<Role, 'labels'> = {}) =>
  upsertTarget(
    h.db.kysely,
    LAB,
    {
      name: 'Protein Folding',
      seatLimit: 10,
      roles: [
        { id: 'reviewer', label: 'Reviewer', ...reviewer },
        { id: 'user', label: 'Member' },
      ],
      defaultRole: 'user',
    },
    t0,
  );

beforeEach(async () => {
  h = await createHarness();
  t0 = h.clock.now;
  await upsertLab();
});
afterEach(() => h.close());

/** Invites `count` people as reviewers; answers their invites in the order of the people. */
async function invite(count: number, extra: Record<string, unknown> = {}): Promise<InviteSummary[]> {
  const chosen = people.slice(keys * 3, keys * 3 + count);
  const token = await h.session(LAB);
  const res = await h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids: chosen.map((p) => p.id) }, role: 'reviewer', message, ...extra },
    headers: { 'Idempotency-Key': `lookup-${++keys}` },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as ImportResult;
  const list = (await (await h.request('GET', '/api/invites', { token })).json()) as { items: InviteSummary[] };
  const items = list.items.filter((i) => i.importId === id);
  return chosen.map((p) => items.find((i) => i.email === p.email)!);
}

/** The invite's newest queued mail, as the invitee gets it. */
async function mailOf(inviteId: string): Promise<QueuedMessage> {
  const row = await h.db.kysely
    .selectFrom('outbox')
    .select('payload')
    .where('invite_id', '=', inviteId)
    .where('status', '=', 'queued')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return queuedMessage(row.payload)!;
}
const tokenOf = async (inviteId: string) => decodeURIComponent(/token=([^\s&]+)/.exec((await mailOf(inviteId)).text)![1]!);

const lookUp = (token: unknown) => h.request('POST', '/api/invites/lookup', { body: { token } });
async function lookUpOk(token: string): Promise<InviteLookup> {
  const res = await lookUp(token);
  expect(res.status).toBe(200);
  return (await res.json()) as InviteLookup;
}

describe('POST /api/invites/lookup', () => {
  it('says what a pending invitation is for, by the role’s label, and accepts nothing', async () => {
    const [a] = await invite(1);
    const token = await tokenOf(a!.id);
    expect(await lookUpOk(token)).toEqual({
      target: { type: 'lab', name: 'Protein Folding' },
      role: { id: 'reviewer', label: 'Reviewer' },
      inviterName: INVITER.name,
      status: 'pending',
      expiresAt: new Date(t0.getTime() + 7 * DAY).toISOString(),
    });
    // Looked up twice, still pending: nothing was accepted, no member written.
    expect((await lookUpOk(token)).status).toBe('pending');
    expect(await h.db.kysely.selectFrom('members').selectAll().execute()).toEqual([]);

    // Accepting answers the label too.
    const accepted = await h.request('POST', '/api/invites/accept', { body: { token } });
    expect((await accepted.json()) as AcceptedInvite).toMatchObject({ target: { name: 'Protein Folding' }, role: 'reviewer', roleLabel: 'Reviewer' });
  });

  it('says a used, withdrawn or expired link is one, so the page offers no Accept', async () => {
    const [used, withdrawn, late] = await invite(3);
    const tokens = { used: await tokenOf(used!.id), withdrawn: await tokenOf(withdrawn!.id), late: await tokenOf(late!.id) };
    expect((await h.request('POST', '/api/invites/accept', { body: { token: tokens.used } })).status).toBe(200);
    expect((await h.request('DELETE', `/api/invites/${withdrawn!.id}`, { token: await h.session(LAB) })).status).toBe(204);
    h.clock.now = new Date(t0.getTime() + 8 * DAY);
    expect((await lookUpOk(tokens.used)).status).toBe('accepted');
    expect((await lookUpOk(tokens.withdrawn)).status).toBe('revoked');
    expect(await lookUpOk(tokens.late)).toMatchObject({ status: 'expired', target: { name: 'Protein Folding' }, role: { label: 'Reviewer' } });
  });

  it('names the role by its id when the host has removed it since', async () => {
    const [a] = await invite(1);
    await upsertTarget(h.db.kysely, LAB, { name: 'Protein Folding', seatLimit: 10, roles: [{ id: 'user', label: 'Member' }] }, h.clock.now);
    expect((await lookUpOk(await tokenOf(a!.id))).role).toEqual({ id: 'reviewer', label: 'reviewer' });
  });

  it('answers 404 for an unknown token, and for one a newer email replaced', async () => {
    const [a] = await invite(1);
    const old = await tokenOf(a!.id);
    h.clock.now = new Date(t0.getTime() + 3600_000);
    expect((await h.request('POST', `/api/invites/${a!.id}/resend`, { token: await h.session(LAB) })).status).toBe(200);
    for (const token of ['x'.repeat(43), old]) {
      const res = await lookUp(token);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invite_not_found');
    }
    expect((await lookUpOk(await tokenOf(a!.id))).status).toBe('pending');
  });

  it('refuses bad input with 400 and the error shape', async () => {
    for (const body of [{}, { token: 'short' }, { token: 42 }, { token: 'x'.repeat(201) }, { token: 'x'.repeat(43), extra: 1 }]) {
      const raw = await h.request('POST', '/api/invites/lookup', { body });
      expect(raw.status, JSON.stringify(body)).toBe(400);
      expect(((await raw.json()) as { error: { code: string } }).error.code).toBeTypeOf('string');
    }
    expect((await h.request('POST', '/api/invites/lookup', { rawBody: '{"token":', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
  });
});

describe('the invite mail’s language', () => {
  it('is the one the import names, kept for the resend and the reminder', async () => {
    const [a] = await invite(1, { locale: 'de' });
    const first = await mailOf(a!.id);
    expect(first.subject).toBe('Join Protein Folding');
    expect(first.text).toContain('Dana Admin hat Sie eingeladen, dem Labor Protein Folding als Reviewer beizutreten.');
    expect(first.text).toContain('Einladung annehmen: http://localhost/accept?token=');
    expect(first.html).toContain('<html lang="de"');

    h.clock.now = new Date(t0.getTime() + 3600_000);
    expect((await h.request('POST', `/api/invites/${a!.id}/resend`, { token: await h.session(LAB) })).status).toBe(200);
    const resent = await mailOf(a!.id);
    // The resend's own expiry, a week from the resend.
    expect(resent.text).toContain('Diese Einladung gilt bis Dienstag, 1. Dezember 2026 um 13:00 UTC.');
  });

  it('names the role by the label the host gave in that language, in the mail, the resend and the accept page', async () => {
    await upsertLab({ labels: { de: 'Gutachter:in', fr: 'Relecteur' } });
    const [a, b] = [...(await invite(1, { locale: 'de' })), ...(await invite(1, { locale: 'es' }))];
    expect((await mailOf(a!.id)).text).toContain('dem Labor Protein Folding als Gutachter:in beizutreten.');
    expect((await lookUpOk(await tokenOf(a!.id))).role).toEqual({ id: 'reviewer', label: 'Gutachter:in' });
    // No Spanish label: the default one.
    expect((await lookUpOk(await tokenOf(b!.id))).role).toEqual({ id: 'reviewer', label: 'Reviewer' });
    h.clock.now = new Date(t0.getTime() + 3600_000);
    expect((await h.request('POST', `/api/invites/${a!.id}/resend`, { token: await h.session(LAB) })).status).toBe(200);
    expect((await mailOf(a!.id)).text).toContain('als Gutachter:in');
  });

  it('is the reminder’s too: its subject and expiry line in the invite’s language', async () => {
    const [a] = await invite(1, { locale: 'fr' });
    h.clock.now = new Date(t0.getTime() + 5 * DAY);
    const worker = createReminderWorker({
      db: h.db.kysely,
      defaultDays: 2,
      acceptUrl: () => 'http://localhost/accept',
      mailLimits: mailLimitsOf(undefined),
      now: () => h.clock.now,
      logger: silentLogger,
    });
    expect((await worker.runOnce()).reminded).toBe(1);
    const reminder = await mailOf(a!.id);
    expect(reminder.subject).toBe('Rappel : Join Protein Folding');
    expect(reminder.text).toContain('Dana Admin vous invite à rejoindre le laboratoire Protein Folding en tant que Reviewer.');
    expect(reminder.text).toMatch(/Petit rappel : cette invitation expire le mardi 1 décembre 2026 (à )?12:00 UTC\./);
  });

  it('is English when the import names none, and a language the mail does not speak is refused', async () => {
    const [a] = await invite(1);
    expect((await mailOf(a!.id)).text).toContain('Dana Admin invited you to join the lab Protein Folding as Reviewer.');
    const res = await h.request('POST', '/api/imports', {
      token: await h.session(LAB),
      body: { provider: 'sample', selection: { ids: [people[20]!.id] }, role: 'reviewer', message, locale: 'it' },
      headers: { 'Idempotency-Key': 'lookup-italian' },
    });
    expect(res.status).toBe(400);
    expect(await h.db.kysely.selectFrom('invites').select('id').where('email', '=', people[20]!.email!).execute()).toEqual([]);
  });
});
