/**
 * POST /api/privacy/erase and /export on a real database (SQLite, or PostgreSQL with TEST_PG_URL):
 * after a real flow (listing, import, mail, events), an erased person appears in no table, the
 * counts and the audit trail's ids stay, unsent mail never leaves, and the SQLite file itself
 * holds none of the erased bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { API_KEY, createHarness, INVITER, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { createOutboxWorker } from '../mail/outbox.js';
import type { MailMessage } from '../mail/transport.js';
import { silentLogger } from '../logger.js';
import { upsertTarget } from '../services/targets.js';
import type { ImportResult, PrivacyErasure, PrivacyExport } from '../../contract/index.js';

const people = sampleDirectory();
/** People whose address and name nobody else in the directory shares, so "appears nowhere" means them. */
const unique = people.filter(
  (p) =>
    p.status === 'active' && p.email && people.filter((q) => q.email?.toLowerCase() === p.email!.toLowerCase() || q.displayName === p.displayName).length === 1,
);
const [person, other, third] = [unique[0]!, unique[1]!, unique[2]!];
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you: {{acceptUrl}}' };

let h: Harness;
let dir: string | undefined;
afterEach(async () => {
  await h.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const api = (path: string, body: unknown) => h.request('POST', path, { token: API_KEY, body });

/** The flow before an erasure: the admin lists the directory and imports three people, one of them twice across two targets. */
async function importFlow() {
  await upsertTarget(h.db.kysely, { type: 'lab', id: 'l-1' }, { name: 'Lab one', seatLimit: 10, organizationId: 'acme' }, h.clock.now);
  await upsertTarget(h.db.kysely, { type: 'lab', id: 'l-2' }, { name: 'Lab two', seatLimit: 10, organizationId: 'globex' }, h.clock.now);
  for (const [lab, ids] of [
    ['l-1', [person.id, other.id, third.id]],
    ['l-2', [person.id]],
  ] as const) {
    const token = await h.session({ type: 'lab', id: lab });
    expect((await h.request('GET', '/api/providers/sample/contacts?limit=5', { token })).status).toBe(200);
    const res = await h.request('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids }, role: 'user', message },
      headers: { 'Idempotency-Key': `key-${lab}-0123456789` },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as ImportResult).invited).toBe(ids.length);
  }
}

const TABLES = [
  'targets',
  'members',
  'invites',
  'imports',
  'idempotency_keys',
  'directory_syncs',
  'directory_contacts',
  'outbox',
  'audit_events',
  'csv_uploads',
  'events',
  'webhook_deliveries',
] as const;

/** Every row of every table, as text: what a person with database access could read. */
async function everything(): Promise<string> {
  const dump: unknown[] = [];
  for (const table of TABLES) dump.push(await h.db.kysely.selectFrom(table).selectAll().execute());
  return JSON.stringify(dump).toLowerCase();
}

async function count(table: (typeof TABLES)[number]): Promise<number> {
  return Number(
    (
      await h.db.kysely
        .selectFrom(table)
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

describe('POST /api/privacy/erase', () => {
  it('leaves the person in no table, keeps counts and audit ids, and erases nothing more the second time', async () => {
    h = await createHarness();
    await importFlow();
    const email = person.email!.toLowerCase();
    const before = await everything();
    expect(before).toContain(email);
    expect(before).toContain(person.displayName.toLowerCase());
    const invitesBefore = await count('invites');
    const auditBefore = await h.db.kysely.selectFrom('audit_events').select('id').orderBy('id').execute();
    const importsBefore = await h.db.kysely.selectFrom('imports').select(['id', 'invited_count']).orderBy('id').execute();

    // The host's backend asks in any case.
    const res = await api('/api/privacy/erase', { email: person.email!.toUpperCase() });
    expect(res.status).toBe(200);
    const erasure = (await res.json()) as PrivacyErasure;
    expect(erasure.erased).toEqual({ directoryContacts: 1, csvRows: 0, invites: 2, members: 0, mail: 2, events: 2, imports: 0 });

    const after = await everything();
    expect(after).not.toContain(email);
    expect(after).not.toContain(person.displayName.toLowerCase());
    // Only the person: the others are still cached, invited and about to be mailed.
    expect(after).toContain(other.email!.toLowerCase());
    expect(await count('invites')).toBe(invitesBefore);
    expect(await h.db.kysely.selectFrom('imports').select(['id', 'invited_count']).orderBy('id').execute()).toEqual(importsBefore);
    const trail = await h.db.kysely.selectFrom('audit_events').selectAll().orderBy('id').execute();
    expect(trail.map((a) => a.id)).toEqual(expect.arrayContaining(auditBefore.map((a) => a.id)));
    expect(trail.filter((a) => a.action === 'erase')).toEqual([
      expect.objectContaining({ actor: 'api', subject: erasure.erasureId, count: 7, target_type: 'deployment', target_id: '*' }),
    ]);

    // The tombstones: the invite rows stay (seats freed, ids kept), nothing personal in them.
    const tomb = await h.db.kysely.selectFrom('invites').selectAll().where('email', 'like', '%@erased.invalid').execute();
    expect(tomb).toHaveLength(2);
    expect(
      tomb.every((i) => i.status === 'revoked' && i.name === null && i.first_name === null && i.contact_id === null && i.email === `${i.id}@erased.invalid`),
    ).toBe(true);
    // The events the host polls name the invite, not the person.
    const events = (await (await h.request('GET', '/api/events', { token: API_KEY })).json()) as {
      items: { data: { invites?: { inviteId: string; email: string }[] } }[];
    };
    const listed = events.items.flatMap((e) => e.data.invites ?? []);
    expect(
      listed
        .filter((i) => i.email.endsWith('@erased.invalid'))
        .map((i) => i.email)
        .sort(),
    ).toEqual(tomb.map((i) => `${i.id}@erased.invalid`).sort());

    const again = (await (await api('/api/privacy/erase', { email: person.email })).json()) as PrivacyErasure;
    expect(again.erased).toEqual({ directoryContacts: 0, csvRows: 0, invites: 0, members: 0, mail: 0, events: 0, imports: 0 });
    expect(again.erasureId).not.toBe(erasure.erasureId);
    expect(await everything()).not.toContain(email);
  });

  it('sends no mail to the person once erased, and the others theirs', async () => {
    h = await createHarness();
    await importFlow();
    await api('/api/privacy/erase', { email: person.email });
    const sent: MailMessage[] = [];
    const worker = createOutboxWorker({
      db: h.db.kysely,
      dialect: h.db.dialect,
      transport: { send: async (m) => void sent.push(m) },
      from: 'hr <no-reply@example.com>',
      now: () => h.clock.now,
      logger: silentLogger,
      batchSize: 50,
    });
    await worker.runOnce();
    expect(sent.map((m) => m.to).sort()).toEqual([other.email, third.email].sort());
    expect(JSON.stringify(sent)).not.toContain(person.email!);
  });

  it('within one organization, erases only what belongs to it', async () => {
    h = await createHarness();
    await importFlow();
    const res = await api('/api/privacy/erase', { email: person.email, organizationId: 'globex' });
    // The sample directory is the deployment's, shared by every organization: not this organization's to erase.
    expect(((await res.json()) as PrivacyErasure).erased).toMatchObject({ directoryContacts: 0, invites: 1, mail: 1 });
    const left = await h.db.kysely
      .selectFrom('invites')
      .select(['target_id', 'email_normalized'])
      .where('email_normalized', '=', person.email!.toLowerCase())
      .execute();
    expect(left).toEqual([{ target_id: 'l-1', email_normalized: person.email!.toLowerCase() }]);
    expect((await h.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'erase').executeTakeFirstOrThrow()).target_id).toBe('globex');
  });

  it('takes the inviter out of the imports they sent and the Reply-To of their unsent mail', async () => {
    h = await createHarness();
    await importFlow();
    const res = (await (await api('/api/privacy/erase', { email: INVITER.email })).json()) as PrivacyErasure;
    expect(res.erased.imports).toBe(2);
    expect(await everything()).not.toContain(INVITER.email);
    // Their invitees are not erased with them: the mail still goes.
    expect(await h.db.kysely.selectFrom('outbox').select('id').where('status', '=', 'queued').execute()).toHaveLength(4);
  });

  it('refuses a call without the API key, and an input that is not an address', async () => {
    h = await createHarness();
    expect((await h.request('POST', '/api/privacy/erase', { body: { email: person.email } })).status).toBe(401);
    const bad = await api('/api/privacy/erase', { email: 'nobody' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect((await api('/api/privacy/export', { email: person.email, extra: 1 })).status).toBe(400);
  });

  it.skipIf(!!process.env.TEST_PG_URL)('leaves none of the erased bytes in the SQLite file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hri-privacy-'));
    const file = join(dir, 'db.sqlite');
    h = await createHarness({ sqlitePath: file });
    await importFlow();
    const bytes = async () => {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(h.db.kysely);
      const wal = `${file}-wal`;
      return Buffer.concat([readFileSync(file), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)])
        .toString('latin1')
        .toLowerCase();
    };
    const email = person.email!.toLowerCase();
    expect(await bytes()).toContain(email);
    await api('/api/privacy/erase', { email });
    const raw = await bytes();
    expect(raw).not.toContain(email);
    expect(raw).toContain(other.email!.toLowerCase());
  });
});

describe('POST /api/privacy/export', () => {
  it('answers everything held about the person, and is audited without the address', async () => {
    h = await createHarness();
    await importFlow();
    const res = await api('/api/privacy/export', { email: person.email });
    expect(res.status).toBe(200);
    const held = (await res.json()) as PrivacyExport;
    expect(held.email).toBe(person.email!.toLowerCase());
    expect(held.directoryContacts).toEqual([
      expect.objectContaining({ provider: 'sample', connection: '*', contactId: person.id, displayName: person.displayName, email: person.email }),
    ]);
    expect(held.invites.map((i) => i.target.id).sort()).toEqual(['l-1', 'l-2']);
    expect(held.mail).toHaveLength(2);
    expect(held.mail.every((m) => m.status === 'queued' && m.subject?.startsWith('Join Lab'))).toBe(true);
    expect(held.events.map((e) => e.type)).toEqual(['import.completed', 'import.completed']);
    expect(held.importsSent).toEqual([]);

    const audit = await h.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'export').execute();
    expect(audit).toEqual([expect.objectContaining({ actor: 'api', count: 7 })]);
    expect(JSON.stringify(audit)).not.toContain(person.email!);

    await api('/api/privacy/erase', { email: person.email });
    const none = (await (await api('/api/privacy/export', { email: person.email })).json()) as PrivacyExport;
    expect({ ...none, exportedAt: undefined, email: undefined }).toEqual({
      directoryContacts: [],
      csvUploads: [],
      invites: [],
      memberships: [],
      mail: [],
      events: [],
      importsSent: [],
      syncUpdates: [],
      syncLinks: [],
      exportedAt: undefined,
      email: undefined,
    });
  });
});
