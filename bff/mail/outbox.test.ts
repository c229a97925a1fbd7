import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createHarness, type Harness } from '../../test/harness.js';
import { directoryPerson } from '../../test/directory.js';
import { openDatabase } from '../db/connect.js';
import { sampleDirectory } from '../connectors/sample.js';
import { sampleProvider, staticProvider } from '../providers/registry.js';
import { silentLogger } from '../logger.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import { createOutboxWorker, messageIdFor, type OutboxWorkerOptions } from './outbox.js';
import { fileTransport, smtpTransport, type MailTransport } from './transport.js';

// ---- a real SMTP server on loopback, and just enough MIME to read what it received ----------

interface Received {
  rcptTo: string[];
  raw: string;
}

/** Per test: the SMTP reply code to give RCPT TO for an address (null accepts). */
let rcptRule: (address: string) => number | null = () => null;
const received: Received[] = [];
let smtp: SMTPServer;
let smtpUrl: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = rcptRule(address.address);
      if (!code) return callback();
      // smtp-server answers with the error's responseCode; the text quotes the address, as
      // real servers do, so the test can check it is redacted from last_error.
      const err = Object.assign(new Error(code >= 500 ? `5.1.1 <${address.address}>: mailbox unknown` : '4.3.0 try again later'), { responseCode: code });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', () => ok()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => smtp.close(() => ok())));

function headerBlock(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/g, '%25'));
  }
  return body;
}

interface Parsed {
  headers: Map<string, string>;
  /** Decoded parts by content type (`text/plain`, `text/html`). */
  parts: Map<string, string>;
  /** The HTML part exactly as it is on the wire, before decoding. */
  rawHtml: string;
}

/** A nodemailer text + HTML message: multipart/alternative with two parts. */
function parseMail(raw: string): Parsed {
  const { headers, body } = headerBlock(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('not multipart');
  const parts = new Map<string, string>();
  let rawHtml = '';
  for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
    const part = headerBlock(chunk.replace(/^\r\n/, ''));
    const type = (part.headers.get('content-type') ?? '').split(';')[0]!;
    parts.set(type, decodeBody(part.headers, part.body.replace(/\r\n$/, '')));
    if (type === 'text/html') rawHtml = part.body;
  }
  return { headers, parts, rawHtml };
}

const tokenIn = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

// ---- the BFF on a real database --------------------------------------------------------------

const ascii = sampleDirectory().filter((p) => p.status === 'active' && p.email && /^[A-Za-z .'-]+$/.test(p.displayName));
const message = { subject: 'Join {{targetName}}, {{firstName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you.' };

let h: Harness;
let session: string;
let keys = 0;

async function importPeople(people: { id: string }[], harness = h, token = session): Promise<ImportResult> {
  const res = await harness.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids: people.map((p) => p.id) }, role: 'user', message },
    headers: { 'Idempotency-Key': `outbox-test-${++keys}` },
  });
  expect(res.status).toBe(201);
  const result = (await res.json()) as ImportResult;
  expect(result.invited).toBe(people.length);
  return result;
}

async function invites(harness = h, token = session): Promise<InviteSummary[]> {
  const res = await harness.request('GET', '/api/invites', { token });
  return ((await res.json()) as { items: InviteSummary[] }).items;
}

const outboxRows = (harness = h) => harness.db.kysely.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('id').execute();

function worker(overrides: Partial<OutboxWorkerOptions> = {}, harness = h) {
  return createOutboxWorker({
    db: harness.db.kysely,
    dialect: harness.db.dialect,
    transport: smtpTransport(smtpUrl),
    from: 'hr-import <no-reply@hr.example>',
    now: () => harness.clock.now,
    logger: silentLogger,
    random: () => 0.5,
    ...overrides,
  });
}

const advance = (ms: number, harness = h) => (harness.clock.now = new Date(harness.clock.now.getTime() + ms));
const to = (r: Received) => r.rcptTo[0]!.toLowerCase();

beforeEach(async () => {
  received.length = 0;
  rcptRule = () => null;
  h = await createHarness();
  await h.target('challenge', 'c-1', 20);
  session = await h.session({ type: 'challenge', id: 'c-1' });
});
afterEach(() => h.close());

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
      const accepted = await h.request('POST', '/api/invites/accept', { body: { token: tokenIn(text) } });
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as { email: string }).email.toLowerCase()).toBe(person.email!.toLowerCase());
    }

    expect(rows.map((r) => [r.status, r.payload, r.attempts, r.last_error, r.sent_at])).toEqual(
      rows.map(() => ['sent', null, 1, null, h.clock.now.toISOString()]),
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

  it('sends a mail queued before the outbox kept slots with the HTML it was queued with', async () => {
    await importPeople(ascii.slice(0, 1));
    const row = (await outboxRows())[0]!;
    const { slots, ...mail } = JSON.parse(row.payload!) as { slots: Record<string, string> };
    expect(slots.acceptUrl).toMatch(/^http:\/\/localhost\/accept\?token=/);
    const html = '<p>Queued by an earlier version: <a href="https://x.example/accept">accept</a></p>';
    await h.db.kysely
      .updateTable('outbox')
      .set({ payload: JSON.stringify({ ...mail, html }) })
      .where('id', '=', row.id)
      .execute();
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(parseMail(received[0]!.raw).parts.get('text/html')).toBe(html);
  });

  it('retries a transient rejection (451) after a backoff, delivering it once', async () => {
    const people = ascii.slice(0, 3);
    const flaky = people[1]!.email!.toLowerCase();
    let refused = 0;
    rcptRule = (address) => (address.toLowerCase() === flaky && refused++ === 0 ? 451 : null);
    await importPeople(people);
    const w = worker();

    expect(await w.runOnce()).toEqual({ sent: 2, failed: 1 });
    const row = (await outboxRows()).find((r) => r.status !== 'sent')!;
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.payload).not.toBeNull();
    expect(row.last_error).toMatch(/^451 at RCPT TO: /);
    // 30 s for a first failure, with jitter between half and all of it (random() = 0.5 here).
    expect(row.next_attempt_at).toBe(new Date(h.clock.now.getTime() + 22_500).toISOString());

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
    rcptRule = (address) => (address.toLowerCase() === unknown ? 550 : null);
    await importPeople(people);

    expect(await worker().runOnce()).toEqual({ sent: 2, failed: 1 });
    const failed = await h.db.kysely
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
    rcptRule = () => 421;
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
    const now = h.clock.now.getTime();
    // As a worker leaves them: claimed (attempt 1), the process gone before it recorded anything.
    await h.db.kysely
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, next_attempt_at: new Date(now - 1).toISOString() })
      .where('id', '=', crashed!.id)
      .execute();
    await h.db.kysely
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
    expect((await h.request('DELETE', `/api/invites/${byEmail[revoked!.email!.toLowerCase()]!.id}`, { token: session })).status).toBe(204);
    const resentId = byEmail[resent!.email!.toLowerCase()]!.id;
    const [oldRow] = await h.db.kysely.selectFrom('outbox').select('id').where('invite_id', '=', resentId).execute();
    // Past the resend cooldown (services/mail-limits.ts): the first mail has not gone out yet.
    h.clock.now = new Date(h.clock.now.getTime() + 600_000);
    expect((await h.request('POST', `/api/invites/${resentId}/resend`, { token: session })).status).toBe(200);

    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });

    expect(received.map(to)).toEqual([resent!.email!.toLowerCase()]);
    const rows = await h.db.kysely.selectFrom('outbox').select(['id', 'invite_id', 'status', 'payload']).execute();
    expect(rows.find((r) => r.id === oldRow!.id)).toMatchObject({ status: 'cancelled', payload: null });
    expect(rows.filter((r) => r.status === 'sent').map((r) => r.invite_id)).toEqual([resentId]);
    const mail = parseMail(received[0]!.raw);
    expect(mail.headers.get('message-id')).not.toBe(messageIdFor(oldRow!.id));
    expect((await h.request('POST', '/api/invites/accept', { body: { token: tokenIn(mail.parts.get('text/plain')!) } })).status).toBe(200);
  });

  it('cancels, rather than sends, mail whose invite expired before it could go out', async () => {
    rcptRule = () => 451;
    await importPeople(ascii.slice(0, 1));
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 1 });
    rcptRule = () => null;
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
    const inner = smtpTransport(smtpUrl);
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

describe('two workers on one database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hr-import-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deliver each message exactly once when they run at the same time', async () => {
    // Two connections, as two processes would have. SQLite: a file database opened twice.
    // PostgreSQL: the harness's pool already runs concurrent queries on separate connections.
    const pg = !!process.env.TEST_PG_URL;
    const file = join(dir, 'db.sqlite');
    const a = pg ? await createHarness() : await createHarness({ sqlitePath: file });
    const second = pg ? a.db : openDatabase({ sqlitePath: file });
    try {
      await a.target('challenge', 'c-9', 50);
      const people = ascii.slice(0, 16);
      await importPeople(people, a, await a.session({ type: 'challenge', id: 'c-9' }));
      // A run can claim nothing because the other worker won every row it read: go on while
      // anything is queued.
      const queued = async () => (await a.db.kysely.selectFrom('outbox').select('id').where('status', '=', 'queued').execute()).length;
      const drain = async (w: ReturnType<typeof createOutboxWorker>) => {
        let sent = 0;
        while ((await queued()) > 0) sent += (await w.runOnce()).sent;
        return sent;
      };
      const w1 = worker({ batchSize: 3 }, a);
      const w2 = createOutboxWorker({
        db: second.kysely,
        dialect: second.dialect,
        transport: smtpTransport(smtpUrl),
        from: 'x <no-reply@hr.example>',
        now: () => a.clock.now,
        logger: silentLogger,
        batchSize: 3,
      });
      const [s1, s2] = await Promise.all([drain(w1), drain(w2)]);

      expect(s1 + s2).toBe(16);
      expect(s1).toBeGreaterThan(0);
      expect(s2).toBeGreaterThan(0);
      expect(received.length).toBe(16);
      expect(received.map(to).sort()).toEqual(people.map((p) => p.email!.toLowerCase()).sort());
      const rows = await outboxRows(a);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    } finally {
      if (second !== a.db) await second.close();
      await a.close();
    }
  });
});

describe('file transport', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hr-import-eml-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one .eml per message, and the HTML part escapes a hostile name', async () => {
    const hostile = directoryPerson('x-1', {
      firstName: '<img src=x onerror=alert(1)>',
      lastName: 'Doe',
      displayName: '<img src=x onerror=alert(1)> Doe',
      email: 'hostile@example.com',
    });
    const connector = () => ({
      listContacts: async () => ({
        contacts: [hostile, { ...hostile, id: 'x-2', firstName: 'Ann', displayName: 'Ann Doe', email: 'ann@example.com' }],
        nextCursor: null,
      }),
    });
    const fh = await createHarness({
      providers: [sampleProvider(), staticProvider('hostile', 'csv', 'Hostile', connector, { baseUrl: 'builtin:', credentials: {} })],
    });
    try {
      await fh.target('lab', 'l-1', 5);
      const token = await fh.session({ type: 'lab', id: 'l-1' });
      const res = await fh.request('POST', '/api/imports', {
        token,
        body: { provider: 'hostile', selection: { ids: ['x-1', 'x-2'] }, role: 'user', message },
        headers: { 'Idempotency-Key': 'eml-import-1' },
      });
      expect(((await res.json()) as ImportResult).invited).toBe(2);

      expect(await worker({ transport: fileTransport(dir) }, fh).runOnce()).toEqual({ sent: 2, failed: 0 });

      const rows = await outboxRows(fh);
      expect(readdirSync(dir).sort()).toEqual(rows.map((r) => `${r.id}.eml`).sort());
      const mails = rows.map((r) => parseMail(readFileSync(join(dir, `${r.id}.eml`), 'utf8')));
      for (const [i, mail] of mails.entries()) {
        expect(mail.headers.get('message-id')).toBe(messageIdFor(rows[i]!.id));
        expect(mail.headers.get('mime-version')).toBe('1.0');
        expect(mail.headers.get('from')).toBe('"hr-import" <no-reply@hr.example>');
        expect(mail.parts.get('text/plain')).toContain('http://localhost/accept?token=');
      }
      const toHostile = mails.find((m) => m.headers.get('to')!.includes('hostile@example.com'))!;
      expect(toHostile.rawHtml).not.toContain('<img');
      expect(toHostile.parts.get('text/html')).not.toContain('<img');
      expect(toHostile.parts.get('text/html')).toContain('Hi &lt;img src=x onerror=alert(1)&gt;,');
      // The display name is quoted in the header, never read as an address.
      expect(toHostile.headers.get('to')).toMatch(/^"<img src=x onerror=alert\(1\)> Doe" <hostile@example\.com>$/);
    } finally {
      await fh.close();
    }
  });

  it('overwrites rather than duplicates a message written twice, leaving no temp files', async () => {
    const t = fileTransport(join(dir, 'outbox'));
    const m = {
      messageId: '<msg_abc@hr-import>',
      from: 'a@hr.example',
      to: 'b@example.com',
      toName: null,
      subject: 'One',
      text: 'first',
      html: '<p>first</p>',
    };
    await t.send(m);
    await t.send({ ...m, text: 'second' });
    expect(readdirSync(join(dir, 'outbox'))).toEqual(['msg_abc.eml']);
    expect(parseMail(readFileSync(join(dir, 'outbox', 'msg_abc.eml'), 'utf8')).parts.get('text/plain')).toBe('second');
  });
});
