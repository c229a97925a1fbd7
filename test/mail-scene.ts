/**
 * The scene of the outbox tests (bff/mail/outbox*.test.ts): the BFF on a real database (SQLite, or
 * PostgreSQL when TEST_PG_URL is set) with one challenge, a real SMTP server on loopback, and just
 * enough MIME to read what it received.
 *
 * `mailScene()` registers its hooks in the calling test file: the SMTP server for the file, a
 * fresh BFF and an admin's session for each test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createHarness, type Harness } from './harness.js';
import { sampleDirectory } from '../bff/connectors/sample.js';
import { silentLogger } from '../bff/logger.js';
import type { ImportResult, InviteSummary } from '../contract/index.js';
import { createOutboxWorker, type OutboxWorkerOptions } from '../bff/mail/outbox.js';
import { smtpTransport } from '../bff/mail/transport.js';

export interface Received {
  rcptTo: string[];
  raw: string;
}

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
export function parseMail(raw: string): Parsed {
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

export const tokenIn = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

export const ascii = sampleDirectory().filter((p) => p.status === 'active' && p.email && /^[A-Za-z .'-]+$/.test(p.displayName));
export const message = { subject: 'Join {{targetName}}, {{firstName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you.' };

/** The first recipient of a message the server received. */
export const to = (r: Received) => r.rcptTo[0]!.toLowerCase();

export function mailScene() {
  let smtp: SMTPServer;
  let keys = 0;
  const scene = {
    /** The BFF of the running test, and its admin's session on challenge c-1. */
    h: undefined as unknown as Harness,
    session: '',
    /** What the SMTP server received, in order. */
    received: [] as Received[],
    /** Per test: the SMTP reply code to give RCPT TO for an address (null accepts). */
    rcptRule: (() => null) as (address: string) => number | null,
    smtpUrl: '',
  };

  async function importPeople(people: { id: string }[], harness = scene.h, token = scene.session): Promise<ImportResult> {
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

  async function invites(harness = scene.h, token = scene.session): Promise<InviteSummary[]> {
    const res = await harness.request('GET', '/api/invites', { token });
    return ((await res.json()) as { items: InviteSummary[] }).items;
  }

  const outboxRows = (harness = scene.h) => harness.db.kysely.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('id').execute();

  function worker(overrides: Partial<OutboxWorkerOptions> = {}, harness = scene.h) {
    return createOutboxWorker({
      db: harness.db.kysely,
      dialect: harness.db.dialect,
      transport: smtpTransport(scene.smtpUrl),
      from: 'hr-import <no-reply@hr.example>',
      now: () => harness.clock.now,
      logger: silentLogger,
      random: () => 0.5,
      ...overrides,
    });
  }

  const advance = (ms: number, harness = scene.h) => (harness.clock.now = new Date(harness.clock.now.getTime() + ms));

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const code = scene.rcptRule(address.address);
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
          scene.received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', () => ok()));
    scene.smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => smtp.close(() => ok())));

  beforeEach(async () => {
    scene.received.length = 0;
    scene.rcptRule = () => null;
    scene.h = await createHarness();
    await scene.h.target('challenge', 'c-1', 20);
    scene.session = await scene.h.session({ type: 'challenge', id: 'c-1' });
  });
  afterEach(() => scene.h.close());

  return Object.assign(scene, { importPeople, invites, outboxRows, worker, advance });
}
