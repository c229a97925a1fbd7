/**
 * One hung SMTP transaction must not hold the rest of the outbox: a loopback SMTP server that
 * never answers DATA for one recipient, while it answers everyone else at once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { jsonLogger } from '../logger.js';
import { createOutboxWorker, type OutboxWorker } from './outbox.js';
import { fileTransport, smtpTransport } from './transport.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const people = sampleDirectory().filter((p) => p.status === 'active' && p.email && /^[A-Za-z .'-]+$/.test(p.displayName));
const stuck = people[0]!;
const received: string[] = [];
let smtp: SMTPServer;
let smtpUrl: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // The message body is read, but for one recipient the final reply never comes.
    onData(stream, session, callback) {
      const rcpt = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      stream.on('data', () => undefined);
      stream.on('end', () => {
        if (rcpt.includes(stuck.email!.toLowerCase())) return;
        received.push(...rcpt);
        callback();
      });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', () => ok()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => smtp.close(() => ok())));

let h: Harness;
let session: string;
let w: OutboxWorker | null = null;
let keys = 0;
const logged: string[] = [];

beforeEach(async () => {
  received.length = 0;
  logged.length = 0;
  h = await createHarness();
  await h.target('challenge', 'c-1', 20);
  session = await h.session({ type: 'challenge', id: 'c-1' });
});
afterEach(async () => {
  await w?.stop();
  w = null;
  await h.close();
});

async function importPeople(ids: string[]) {
  const res = await h.request('POST', '/api/imports', {
    token: session,
    body: { provider: 'sample', selection: { ids }, role: 'user', message: { subject: 'Join', body: 'Hi' } },
    headers: { 'Idempotency-Key': `isolation-${++keys}` },
  });
  expect(res.status).toBe(201);
}

const rowOf = async (email: string) =>
  h.db.kysely
    .selectFrom('outbox')
    .innerJoin('invites', 'invites.id', 'outbox.invite_id')
    .select(['outbox.status', 'outbox.last_error', 'outbox.attempts'])
    .where('invites.email_normalized', '=', email.toLowerCase())
    .executeTakeFirstOrThrow();

describe('mail isolation', () => {
  it('a hung SMTP transaction times out on its own, and mail queued meanwhile goes out at once', async () => {
    await importPeople(people.slice(0, 3).map((p) => p.id));
    w = createOutboxWorker({
      db: h.db.kysely,
      dialect: h.db.dialect,
      transport: smtpTransport(smtpUrl, { sendTimeoutMs: 4000 }),
      from: 'hr-import <no-reply@hr.example>',
      now: () => h.clock.now,
      logger: jsonLogger((line) => logged.push(line)),
      random: () => 0.5,
    });
    w.start(20);
    // The other two of the same batch go out promptly.
    await expect.poll(() => received.length, { timeout: 1500, interval: 20 }).toBe(2);
    // Mail queued while the hung transaction still runs is not held behind it.
    const queuedAt = Date.now();
    await importPeople(people.slice(3, 5).map((p) => p.id));
    await expect.poll(() => received.length, { timeout: 1500, interval: 20 }).toBe(4);
    expect(Date.now() - queuedAt).toBeLessThan(1500);
    expect((await rowOf(stuck.email!)).status).toBe('sending');
    // The hung one ends by its own deadline: back to the queue with a backoff, the reason logged.
    await expect.poll(async () => (await rowOf(stuck.email!)).status, { timeout: 8000, interval: 100 }).toBe('queued');
    const row = await rowOf(stuck.email!);
    expect(row.last_error).toMatch(/abort|timeout/i);
    expect(row.last_error).not.toContain('@');
    const failure = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'outbox send failed');
    expect(failure).toMatchObject({ final: false });
    expect(JSON.stringify(failure)).not.toContain('@');
    expect(received).not.toContain(stuck.email!.toLowerCase());
  }, 15_000);

  it("a failure that is not SMTP's is logged and stored with its class, code and message, never an address", async () => {
    await importPeople([people[0]!.id]);
    const dir = mkdtempSync(join(tmpdir(), 'hr-import-outbox-log-'));
    // The outbox folder's place is taken by a file: every write fails with ENOTDIR.
    writeFileSync(join(dir, 'outbox'), '');
    try {
      const worker = createOutboxWorker({
        db: h.db.kysely,
        dialect: h.db.dialect,
        transport: fileTransport(join(dir, 'outbox')),
        from: 'hr-import <no-reply@hr.example>',
        now: () => h.clock.now,
        logger: jsonLogger((line) => logged.push(line)),
      });
      expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1 });
      const failure = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'outbox send failed')!;
      expect(failure).toMatchObject({ error: 'Error', code: 'EEXIST' });
      expect(String(failure.message)).toMatch(/EEXIST/);
      expect((await rowOf(people[0]!.email!)).last_error).toMatch(/^EEXIST: /);
      expect(logged.join('\n')).not.toContain('@hr.example');
      expect(logged.join('\n')).not.toContain(people[0]!.email!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
