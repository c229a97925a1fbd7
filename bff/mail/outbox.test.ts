/**
 * The outbox worker over SMTP: real imports on a real database, their mail sent to a real SMTP
 * server on loopback and read back (test/mail-scene.ts). Two workers at once and the file
 * transport: outbox-workers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ascii, mailScene, parseMail, to, tokenIn } from '../../test/mail-scene.js';
import { messageIdFor } from './outbox.js';
import { inviteHtml } from './invite-html.js';
import { renderInvite, renderInviteMail, type InviteMail } from '../services/message.js';
import { smtpTransport, type MailTransport } from './transport.js';

const s = mailScene();
const { received, importPeople, invites, outboxRows, worker, advance } = s;

describe('outbox worker over SMTP', () => {
  it('delivers one message per invite with the rendered subject and a working accept link', async () => {
    const people = ascii.slice(0, 3);
    await importPeople(people);
    expect((await invites()).map((i) => i.delivery)).toEqual(['queued', 'queued', 'queued']);

    expect(await worker().runOnce()).toEqual({ sent: 3, failed: 0 });

    expect(received.map(to).sort()).toEqual(people.map((p) => p.email!.toLowerCase()).sort());
    const rows = await outboxRows();
    for (const person of people) {
      const mail = received.find((r) => to(r) === person.email!.toLowerCase())!;
      const parsed = parseMail(mail.raw);
      expect(parsed.headers.get('to')!.toLowerCase()).toContain(person.email!.toLowerCase());
      expect(parsed.headers.get('from')).toBe('"hr-import" <no-reply@hr.example>');
      expect(parsed.headers.get('reply-to')).toBe('dana@example.com');
      expect(parsed.headers.get('subject')).toBe(`Join challenge c-1, ${person.firstName}`);
      const text = parsed.parts.get('text/plain')!;
      expect(text).toContain(`Hi ${person.firstName}, Dana Admin invites you.`);
      expect(text).toContain('http://localhost/accept?token=');
      // The Message-ID is the outbox row's, so a copy sent twice is recognizable.
      expect(rows.map((r) => messageIdFor(r.id))).toContain(parsed.headers.get('message-id'));
      const accepted = await s.h.request('POST', '/api/invites/accept', { body: { token: tokenIn(text) } });
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as { email: string }).email.toLowerCase()).toBe(person.email!.toLowerCase());
    }

    expect(rows.map((r) => [r.status, r.payload, r.attempts, r.last_error, r.sent_at])).toEqual(
      rows.map(() => ['sent', null, 1, null, s.h.clock.now.toISOString()]),
    );
    expect((await invites()).map((i) => i.delivery)).toEqual(['sent', 'sent', 'sent']);
    // Nothing is due any more.
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(received.length).toBe(3);
  });

  it('sends as the configured sender, display name and all, with an HTML and a plain-text part', async () => {
    await importPeople(ascii.slice(0, 1));
    expect(await worker({ from: 'Acme via hr-import <invites@acme.example>' }).runOnce()).toEqual({ sent: 1, failed: 0 });
    const parsed = parseMail(received[0]!.raw);
    expect(parsed.headers.get('from')).toBe('"Acme via hr-import" <invites@acme.example>');
    expect(parsed.parts.get('text/html')).toMatch(/Accept invitation\s*<\/a>/);
    expect(parsed.parts.get('text/plain')).toContain('Accept invitation: http://localhost/accept?token=');
  });

  it('renders a queued mail when it sends it, as the import asked for it', async () => {
    await importPeople(ascii.slice(0, 1));
    const row = (await outboxRows())[0]!;
    // The row holds what the mail is made of (about 500 bytes), not its text and HTML.
    const queued = JSON.parse(row.payload!) as Record<string, unknown>;
    expect(Object.keys(queued).sort()).toEqual(['mail', 'replyTo', 'to', 'toName']);
    expect(row.payload!.length).toBeLessThan(600);
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
    const sent = parseMail(received[0]!.raw);
    const rendered = renderInvite({ ...(queued.mail as InviteMail), email: queued.to as string });
    expect(sent.headers.get('subject')).toBe(rendered.subject);
    expect(sent.parts.get('text/html')?.replace(/\r\n/g, '\n')).toBe(rendered.html);
    // The footer names the address the mail went to.
    expect(rendered.text).toContain(queued.to as string);
  });

  it('sends a mail queued by an earlier version as it was rendered then: HTML whole, or the template’s slots', async () => {
    await importPeople(ascii.slice(0, 2));
    const rows = await outboxRows();
    const earlier = (payload: string | null) => {
      const { mail, ...rest } = JSON.parse(payload!) as { mail: InviteMail; to: string };
      const { subject, text, slots } = renderInviteMail({ ...mail, email: rest.to });
      return { ...rest, subject, text, slots };
    };
    const html = '<p>Queued by an earlier version: <a href="https://x.example/accept">accept</a></p>';
    const { slots, ...whole } = earlier(rows[0]!.payload);
    const withSlots = { ...earlier(rows[1]!.payload), slots: { ...slots, heading: 'Queued with slots' } };
    await s.h.db.kysely
      .updateTable('outbox')
      .set({ payload: JSON.stringify({ ...whole, html }) })
      .where('id', '=', rows[0]!.id)
      .execute();
    await s.h.db.kysely
      .updateTable('outbox')
      .set({ payload: JSON.stringify(withSlots) })
      .where('id', '=', rows[1]!.id)
      .execute();
    expect(await worker().runOnce()).toEqual({ sent: 2, failed: 0 });
    // SMTP carries lines ended by CRLF.
    const htmlOf = (address: string) =>
      parseMail(received.find((r) => to(r) === address.toLowerCase())!.raw)
        .parts.get('text/html')
        ?.replace(/\r\n/g, '\n');
    expect(htmlOf(whole.to)).toBe(html);
    expect(htmlOf(withSlots.to)).toBe(inviteHtml(withSlots.slots));
    expect(htmlOf(withSlots.to)).toContain('Queued with slots');
    expect(parseMail(received[0]!.raw).parts.get('text/plain')).toContain('Accept invitation: http://localhost/accept?token=');
  });

  it('retries a transient rejection (451) after a backoff, delivering it once', async () => {
    const people = ascii.slice(0, 3);
    const flaky = people[1]!.email!.toLowerCase();
    let refused = 0;
    s.rcptRule = (address) => (address.toLowerCase() === flaky && refused++ === 0 ? 451 : null);
    await importPeople(people);
    const w = worker();

    expect(await w.runOnce()).toEqual({ sent: 2, failed: 1 });
    const row = (await outboxRows()).find((r) => r.status !== 'sent')!;
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.payload).not.toBeNull();
    expect(row.last_error).toMatch(/^451 at RCPT TO: /);
    // 30 s for a first failure, with jitter between half and all of it (random() = 0.5 here).
    expect(row.next_attempt_at).toBe(new Date(s.h.clock.now.getTime() + 22_500).toISOString());

    // Not due yet: nothing is sent.
    advance(20_000);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    advance(3_000);
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });

    expect(received.map(to).sort()).toEqual(people.map((p) => p.email!.toLowerCase()).sort());
    const rows = await outboxRows();
    expect(rows.every((r) => r.status === 'sent' && r.payload === null && r.last_error === null)).toBe(true);
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 1, 2]);
  });

  it('fails a permanent rejection (550) at once, without the address in the reason; others go out', async () => {
    const people = ascii.slice(0, 3);
    const unknown = people[0]!.email!.toLowerCase();
    s.rcptRule = (address) => (address.toLowerCase() === unknown ? 550 : null);
    await importPeople(people);

    expect(await worker().runOnce()).toEqual({ sent: 2, failed: 1 });
    const failed = await s.h.db.kysely
      .selectFrom('outbox')
      .innerJoin('invites', 'invites.id', 'outbox.invite_id')
      .select(['outbox.status', 'outbox.attempts', 'outbox.payload', 'outbox.last_error'])
      .where('invites.email_normalized', '=', unknown)
      .executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, payload: null });
    expect(failed.last_error).toMatch(/^550 at RCPT TO: .*mailbox unknown/);
    expect(failed.last_error).not.toContain('@');

    const byEmail = Object.fromEntries((await invites()).map((i) => [i.email.toLowerCase(), i.delivery]));
    expect(byEmail).toEqual(Object.fromEntries(people.map((p) => [p.email!.toLowerCase(), p.email!.toLowerCase() === unknown ? 'failed' : 'sent'])));

    // Never tried again.
    advance(2 * 3_600_000);
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(received.map(to).sort()).toEqual(
      people
        .slice(1)
        .map((p) => p.email!.toLowerCase())
        .sort(),
    );
  });

  it('gives up after maxAttempts transient failures', async () => {
    s.rcptRule = () => 421;
    await importPeople(ascii.slice(0, 1));
    const w = worker({ maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
      advance(3_600_000);
    }
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3, payload: null });
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
  });

  it('takes over a crashed worker’s row once its lease expires, never while it holds', async () => {
    await importPeople(ascii.slice(0, 3));
    const [crashed, holding] = await outboxRows();
    const now = s.h.clock.now.getTime();
    // As a worker leaves them: claimed (attempt 1), the process gone before it recorded anything.
    await s.h.db.kysely
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, next_attempt_at: new Date(now - 1).toISOString() })
      .where('id', '=', crashed!.id)
      .execute();
    await s.h.db.kysely
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, next_attempt_at: new Date(now + 60_000).toISOString() })
      .where('id', '=', holding!.id)
      .execute();

    expect(await worker().runOnce()).toEqual({ sent: 2, failed: 0 });
    const after = new Map((await outboxRows()).map((r) => [r.id, r]));
    expect(after.get(crashed!.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(after.get(holding!.id)).toMatchObject({ status: 'sending', attempts: 1 });
    const ids = received.map((r) => parseMail(r.raw).headers.get('message-id'));
    expect(ids).not.toContain(messageIdFor(holding!.id));

    advance(60_000);
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
    expect((await outboxRows()).find((r) => r.id === holding!.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(received.length).toBe(3);
  });

  it('never sends a revoked invite’s mail, and a resend sends only the new token', async () => {
    const [revoked, resent] = ascii.slice(0, 2);
    await importPeople([revoked!, resent!]);
    const byEmail = Object.fromEntries((await invites()).map((i) => [i.email.toLowerCase(), i]));
    expect((await s.h.request('DELETE', `/api/invites/${byEmail[revoked!.email!.toLowerCase()]!.id}`, { token: s.session })).status).toBe(204);
    const resentId = byEmail[resent!.email!.toLowerCase()]!.id;
    const [oldRow] = await s.h.db.kysely.selectFrom('outbox').select('id').where('invite_id', '=', resentId).execute();
    // Past the resend cooldown (services/mail-limits.ts): the first mail has not gone out yet.
    s.h.clock.now = new Date(s.h.clock.now.getTime() + 600_000);
    expect((await s.h.request('POST', `/api/invites/${resentId}/resend`, { token: s.session })).status).toBe(200);

    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });

    expect(received.map(to)).toEqual([resent!.email!.toLowerCase()]);
    const rows = await s.h.db.kysely.selectFrom('outbox').select(['id', 'invite_id', 'status', 'payload']).execute();
    expect(rows.find((r) => r.id === oldRow!.id)).toMatchObject({ status: 'cancelled', payload: null });
    expect(rows.filter((r) => r.status === 'sent').map((r) => r.invite_id)).toEqual([resentId]);
    const mail = parseMail(received[0]!.raw);
    expect(mail.headers.get('message-id')).not.toBe(messageIdFor(oldRow!.id));
    expect((await s.h.request('POST', '/api/invites/accept', { body: { token: tokenIn(mail.parts.get('text/plain')!) } })).status).toBe(200);
  });

  it('cancels, rather than sends, mail whose invite expired before it could go out', async () => {
    s.rcptRule = () => 451;
    await importPeople(ascii.slice(0, 1));
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 1 });
    s.rcptRule = () => null;
    advance(8 * 86_400_000);
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'cancelled', payload: null, last_error: 'invite expired' });
    expect(received).toEqual([]);
  });

  it('start() sends in the background and stop() waits for the batch in flight', async () => {
    await importPeople(ascii.slice(0, 2));
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    let started = 0;
    const inner = smtpTransport(s.smtpUrl);
    const slow: MailTransport = {
      send: async (m) => {
        started++;
        await gate;
        await inner.send(m);
      },
    };
    const w = worker({ transport: slow });
    w.start(5);
    await expect.poll(() => started).toBe(2);
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await new Promise((ok) => setTimeout(ok, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    // Both outcomes were recorded before stop() resolved.
    expect((await outboxRows()).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(received.length).toBe(2);
  });
});
