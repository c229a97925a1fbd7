/**
 * Events for the host's backend, end to end: real changes through the BFF on a real database,
 * delivered by the webhook worker to a real HTTP receiver that verifies them as a host would
 * (test/webhook-scene.ts). Several workers at once and workers that die: worker-safety.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { API_KEY } from '../../test/harness.js';
import { people, webhookScene } from '../../test/webhook-scene.js';
import { MailSendError } from '../mail/transport.js';
import type { EventItem } from './events.js';
import { queuedMessage } from '../mail/outbox.js';

const s = webhookScene();
const { received, hooks, mail, importPeople, invites, drain, types, deliveries, advance } = s;

describe('events delivered as signed webhooks', () => {
  it('an import sends import.completed, then invite.sent as each mail goes, each verified by the receiver', async () => {
    const result = await importPeople('acme', 2);
    await mail().runOnce();
    await drain();

    expect(types()).toEqual(['import.completed', 'invite.sent', 'invite.sent']);
    expect(received.every((r) => r.verified !== null)).toBe(true);
    const [completed, ...sentEvents] = received;
    const invitesNow = await invites('acme');
    expect(completed!.verified).toEqual({
      type: 'import.completed',
      timestamp: s.h.clock.now.toISOString(),
      data: {
        target: { type: 'organization', id: 'acme' },
        importId: result.id,
        invited: 2,
        skipped: 0,
        invites: expect.arrayContaining(invitesNow.map((i) => ({ inviteId: i.id, email: i.email, role: 'user' }))),
        invitesTruncated: false,
      },
    });
    expect(sentEvents.map((r) => r.verified!.data).sort((a, b) => ('inviteId' in a && 'inviteId' in b ? a.inviteId.localeCompare(b.inviteId) : 0))).toEqual(
      invitesNow
        .map((i) => ({ target: { type: 'organization', id: 'acme' }, inviteId: i.id, email: i.email, role: 'user', importId: result.id }))
        .sort((a, b) => a.inviteId.localeCompare(b.inviteId)),
    );
    // The three Standard Webhooks headers; the id is the event's, as GET /api/events lists it.
    const listed = (await (await s.h.request('GET', '/api/events', { token: API_KEY })).json()) as { items: EventItem[] };
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(listed.items.map((e) => e.id));
    expect(received[0]!.headers['webhook-timestamp']).toBe(String(s.h.clock.now.getTime() / 1000));
    expect(received[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    // Another secret does not verify: the signature is really checked.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(received[0]!.body, received[0]!.headers as Record<string, string>),
    ).toThrow();
    expect((await deliveries()).map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
    // Nothing is sent twice.
    await drain();
    expect(received.length).toBe(3);
  });

  it('a mail refused for good sends invite.delivery_failed with the reason, without the address', async () => {
    s.mailRule = () => new MailSendError(`5.1.1 <${people[0]!.email}>: mailbox unknown`, 550, 'RCPT TO', 'EENVELOPE');
    await importPeople('acme', 1);
    await mail().runOnce();
    await drain();
    expect(types()).toEqual(['import.completed', 'invite.delivery_failed']);
    const data = received[1]!.verified!.data as { reason: string; email: string };
    expect(data.email).toBe(people[0]!.email);
    expect(data.reason).toMatch(/^550 at RCPT TO/);
    expect(data.reason).not.toContain(people[0]!.email!);
  });

  it('accept sends invite.accepted; revoke sends invite.revoked', async () => {
    await importPeople('acme', 2);
    const [a, b] = await invites('acme');
    const row = await s.h.db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', a!.id).executeTakeFirstOrThrow();
    const token = /token=([A-Za-z0-9_-]+)/.exec(queuedMessage(row.payload!)!.text)![1]!;
    expect((await s.h.request('POST', '/api/invites/accept', { body: { token } })).status).toBe(200);
    const session = await s.h.session({ type: 'organization', id: 'acme' });
    expect((await s.h.request('DELETE', `/api/invites/${b!.id}`, { token: session })).status).toBe(204);
    // Refused changes record nothing.
    expect((await s.h.request('POST', '/api/invites/accept', { body: { token } })).status).toBe(410);
    expect((await s.h.request('DELETE', `/api/invites/${b!.id}`, { token: session })).status).toBe(409);
    await drain();

    expect(types()).toEqual(['import.completed', 'invite.accepted', 'invite.revoked']);
    expect(received[1]!.verified!.data).toMatchObject({ inviteId: a!.id, email: a!.email, role: 'user', target: { type: 'organization', id: 'acme' } });
    expect(received[2]!.verified!.data).toMatchObject({ inviteId: b!.id, email: b!.email });
  });

  it('an invite past its expiry sends invite.expired once, keeping its status; a resend gives it a new expiry of its own', async () => {
    await importPeople('acme', 2);
    await drain();
    received.length = 0;
    advance(7 * 86_400_000 + 1000);
    await drain();
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired']);
    const stored = await s.h.db.kysely.selectFrom('invites').select('status').execute();
    expect(stored.map((i) => i.status)).toEqual(['pending', 'pending']);
    expect((await invites('acme')).map((i) => i.status)).toEqual(['expired', 'expired']);

    const [first] = await invites('acme');
    const session = await s.h.session({ type: 'organization', id: 'acme' });
    expect((await s.h.request('POST', `/api/invites/${first!.id}/resend`, { token: session })).status).toBe(200);
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired']);
    advance(7 * 86_400_000 + 1000);
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired', 'invite.expired']);
    expect(received[2]!.verified!.data).toMatchObject({ inviteId: first!.id });
  });

  it('retries after a 500 with backoff, under the same webhook-id, newly signed', async () => {
    let calls = 0;
    s.answer = () => (calls++ === 0 ? { status: 500 } : { status: 200 });
    await importPeople('acme', 1);
    const w = hooks();
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    const [pending] = await deliveries();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    // 30 s, with the jitter at its middle: 22.5 s. Not due before.
    expect(pending!.next_attempt_at).toBe(new Date(s.h.clock.now.getTime() + 22_500).toISOString());
    advance(22_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    advance(1000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1, failed: 0 });

    expect(received.length).toBe(2);
    expect(received[0]!.headers['webhook-id']).toBe(received[1]!.headers['webhook-id']);
    expect(received[0]!.headers['webhook-timestamp']).not.toBe(received[1]!.headers['webhook-timestamp']);
    expect(received.every((r) => r.verified?.type === 'import.completed')).toBe(true);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 2, last_error: null }]);
  });

  it('a receiver that does not answer in time is a failure, retried later', async () => {
    let calls = 0;
    s.answer = () => (calls++ === 0 ? 'hang' : { status: 204 });
    await importPeople('acme', 1);
    const w = hooks({ timeoutMs: 200 });
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(await deliveries()).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'timeout after 0.2 s' }]);
    advance(60_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([received[0]!.headers['webhook-id'], received[0]!.headers['webhook-id']]);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    s.answer = (r) => (r.path === '/hooks' ? { status: 307, headers: { Location: `http://127.0.0.1:${s.receiverPort}/elsewhere` } } : { status: 204 });
    await importPeople('acme', 1);
    expect(await hooks().runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(received.map((r) => r.path)).toEqual(['/hooks']);
    expect(await deliveries()).toMatchObject([{ status: 'pending', last_error: 'HTTP 307: redirects are not followed' }]);
  });

  it("keeps each target's events in order: a later one waits while an earlier one is retried; other targets go on", async () => {
    await importPeople('acme', 1);
    s.answer = (r) =>
      r.verified?.type === 'import.completed' && (r.verified.data as { target: { id: string } }).target.id === 'acme' ? { status: 500 } : { status: 204 };
    await importPeople('globex', 1, 5);
    await mail().runOnce();
    const w = hooks();
    await drain(w);
    await drain(w);
    // acme's import.completed failed; its invite.sent waits. globex's both went.
    const byTarget = (id: string) => received.filter((r) => (r.verified!.data as { target: { id: string } }).target.id === id).map((r) => r.verified!.type);
    expect(byTarget('acme')).toEqual(['import.completed']);
    expect(byTarget('globex')).toEqual(['import.completed', 'invite.sent']);

    s.answer = () => ({ status: 204 });
    advance(60_000);
    await drain(w);
    expect(byTarget('acme')).toEqual(['import.completed', 'import.completed', 'invite.sent']);
  });

  it('gives up after 3 days, and the target’s later events then go', async () => {
    s.answer = (r) => (r.verified?.type === 'import.completed' ? { status: 503 } : { status: 204 });
    await importPeople('acme', 1);
    await mail().runOnce();
    const w = hooks();
    for (let i = 0; i < 100; i++) {
      await w.runOnce();
      if ((await deliveries())[0]!.status === 'failed') break;
      advance(3_600_000);
    }
    const [gaveUp, next] = await deliveries();
    expect(gaveUp).toMatchObject({ status: 'failed', last_error: 'HTTP 503' });
    // Exponential: about 15 attempts in 3 days, not one an hour.
    expect(gaveUp!.attempts).toBeGreaterThan(10);
    expect(gaveUp!.attempts).toBeLessThan(30);
    expect(s.h.clock.now.getTime() - Date.parse(gaveUp!.created_at)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(next).toMatchObject({ status: 'pending' });
    await drain(w);
    expect(types().filter((t) => t === 'invite.sent')).toEqual(['invite.sent']);
  });
});

describe('the worker loop', () => {
  it('start() delivers in the background, a target’s queue without waiting a tick per event; stop() waits for the run in flight', async () => {
    await importPeople('acme', 3);
    await mail().runOnce();
    const w = hooks();
    // A long interval: only the "go on at once after a delivery" rule can deliver all four in time.
    w.start(60_000);
    try {
      await vi.waitFor(() => expect(types()).toEqual(['import.completed', 'invite.sent', 'invite.sent', 'invite.sent']), { timeout: 5000 });
    } finally {
      await w.stop();
    }
    expect((await deliveries()).every((d) => d.status === 'delivered')).toBe(true);
  });
});
