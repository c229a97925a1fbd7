/**
 * The outbox with two workers on one database, and the file transport (one .eml a message). The
 * scene: test/mail-scene.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from '../../test/harness.js';
import { directoryPerson } from '../../test/directory.js';
import { ascii, mailScene, message, parseMail, to } from '../../test/mail-scene.js';
import { openDatabase } from '../db/connect.js';
import { sampleProvider, staticProvider } from '../providers/registry.js';
import { silentLogger } from '../logger.js';
import type { ImportResult } from '../../contract/index.js';
import { createOutboxWorker, messageIdFor } from './outbox.js';
import { fileTransport, smtpTransport } from './transport.js';

const s = mailScene();
const { received, importPeople, outboxRows, worker } = s;

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
        transport: smtpTransport(s.smtpUrl),
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
