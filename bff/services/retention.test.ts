/**
 * The retention worker with an injected clock, one test per setting, on a real database (SQLite,
 * or PostgreSQL with TEST_PG_URL); what a disconnect purges at once; delivered mail keeps no
 * payload; and createBff's start() runs the worker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { API_KEY, createHarness, SECRET, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { csvProvider, sampleProvider } from '../providers/registry.js';
import { silentLogger } from '../logger.js';
import { createOutboxWorker } from '../mail/outbox.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { parseSettings, settingsFromEnv, sqlitePathOf, type RetentionSettings } from '../config.js';
import { createBff } from '../create-bff.js';
import { stagingKey } from './directory/rows.js';
import { createRetentionWorker } from './retention.js';
import type { ImportResult } from '../../contract/index.js';
import { queuedMessage } from '../mail/outbox.js';

const DAY = 86_400_000;
const people = sampleDirectory().filter((p) => p.status === 'active' && p.email);
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}: {{acceptUrl}}' };
const DEFAULTS = parseSettings({ apiKeys: [API_KEY], secret: SECRET }).retention;

let h: Harness;
let t0: Date;
let token: string;
beforeEach(async () => {
  // The sample directory with a century's lifetime: a listing reads the cache and never refreshes it,
  // so "used" and "fetched" are told apart.
  h = await createHarness({ providers: [{ ...sampleProvider(), cacheTtlSeconds: 100 * 365 * 86_400 }, csvProvider()] });
  t0 = h.clock.now;
  await h.target('organization', 'acme', 10);
  token = await h.session({ type: 'organization', id: 'acme' }, 86_400);
});
afterEach(() => h.close());

const at = (days: number) => (h.clock.now = new Date(t0.getTime() + days * DAY));
const run = (retention: Partial<RetentionSettings> = {}) =>
  createRetentionWorker({ db: h.db.kysely, retention: { ...DEFAULTS, ...retention }, now: () => h.clock.now, logger: silentLogger }).runOnce();
const rows = (
  table:
    'directory_contacts' | 'directory_syncs' | 'invites' | 'outbox' | 'imports' | 'audit_events' | 'events' | 'webhook_deliveries' | 'csv_uploads' | 'members',
) =>
  h.db.kysely
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
const list = async () => {
  // A session of today: the clock may have moved days since the last one.
  token = await h.session({ type: 'organization', id: 'acme' });
  expect((await h.request('GET', '/api/providers/sample/contacts?limit=5', { token })).status).toBe(200);
};

async function importThree(): Promise<string[]> {
  await list();
  const ids = people.slice(0, 3).map((p) => p.id);
  const res = await h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids }, role: 'user', message },
    headers: { 'Idempotency-Key': 'retention-import-0001' },
  });
  expect(res.status).toBe(201);
  expect(((await res.json()) as ImportResult).invited).toBe(3);
  return (await h.db.kysely.selectFrom('invites').select('id').orderBy('email_normalized').execute()).map((i) => i.id);
}

describe('the retention settings', () => {
  it('default to 30 days of unused directory, a year of invites and audit, 30 days of events', () => {
    expect(DEFAULTS).toEqual({ directoryUnusedDays: 30, inviteHistoryDays: 365, auditDays: 365, eventLogDays: 30 });
    expect(() => parseSettings({ apiKeys: [API_KEY], secret: SECRET, retention: { eventLogDays: 2 } })).toThrow(/retention\.eventLogDays/);
    expect(settingsFromEnv({ HR_IMPORT_RETENTION: 'auditDays=90, directoryUnusedDays=7' }).retention).toEqual({
      ...DEFAULTS,
      auditDays: 90,
      directoryUnusedDays: 7,
    });
    expect(() => settingsFromEnv({ HR_IMPORT_RETENTION: 'auditDays' })).toThrow(/^invalid environment: HR_IMPORT_RETENTION /);
    expect(() => settingsFromEnv({ HR_IMPORT_RETENTION: 'forever=1' })).toThrow(/^invalid environment: HR_IMPORT_RETENTION /);
  });
});

describe('the retention worker', () => {
  it('purges a directory nobody listed for directoryUnusedDays, and only then', async () => {
    await list();
    const cached = await rows('directory_contacts');
    expect(cached).toBeGreaterThan(100);
    at(29);
    expect((await run()).directories).toBe(0);
    await list(); // a use on day 29: the period starts again
    at(58);
    expect((await run()).directories).toBe(0);
    expect(await rows('directory_contacts')).toBe(cached);
    at(59.1);
    expect((await run()).directories).toBe(1);
    expect([await rows('directory_contacts'), await rows('directory_syncs')]).toEqual([0, 0]);
    // Needed again, it is fetched again.
    await list();
    expect(await rows('directory_contacts')).toBe(cached);
    at(59.1 + 8);
    expect((await run({ directoryUnusedDays: 7 })).directories).toBe(1);
  });

  it('marks a listed directory used at most once an hour, so listings in between write nothing', async () => {
    const usedAt = async () => (await h.db.kysely.selectFrom('directory_syncs').select('used_at').executeTakeFirstOrThrow()).used_at;
    await list();
    const first = await usedAt();
    expect(first).toBe(t0.toISOString());
    at(50 / 1440);
    await list();
    expect(await usedAt()).toBe(first);
    at(61 / 1440);
    await list();
    expect(await usedAt()).toBe(h.clock.now.toISOString());
  });

  it('deletes invites finished more than inviteHistoryDays ago, with their mail, then their import', async () => {
    const [accepted, revoked, pending] = await importThree();
    const payload = await h.db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', accepted!).executeTakeFirstOrThrow();
    const acceptToken = /token=([A-Za-z0-9_-]+)/.exec(queuedMessage(payload.payload!)!.text)![1]!;
    expect((await h.request('POST', '/api/invites/accept', { body: { token: acceptToken } })).status).toBe(200);
    expect((await h.request('DELETE', `/api/invites/${revoked}`, { token })).status).toBe(204);
    at(30.5);
    expect(await run({ inviteHistoryDays: 30 })).toMatchObject({ invites: 2, imports: 0 });
    // The pending one expired on day 7: kept until day 37.
    expect((await h.db.kysely.selectFrom('invites').select('id').execute()).map((i) => i.id)).toEqual([pending]);
    expect(await h.db.kysely.selectFrom('outbox').select('invite_id').distinct().execute()).toEqual([{ invite_id: pending }]);
    expect(await rows('members')).toBe(1);
    at(37.5);
    expect(await run({ inviteHistoryDays: 30 })).toMatchObject({ invites: 1, imports: 1 });
    expect([await rows('invites'), await rows('outbox'), await rows('imports')]).toEqual([0, 0, 0]);
    // Membership is the host's, not history: it stays.
    expect(await rows('members')).toBe(1);
  });

  it('deletes audit entries older than auditDays', async () => {
    await importThree();
    expect(await rows('audit_events')).toBe(1);
    at(9.9);
    expect((await run({ auditDays: 10 })).audit).toBe(0);
    at(10.1);
    expect((await run({ auditDays: 10 })).audit).toBe(1);
    expect(await rows('audit_events')).toBe(0);
  });

  it('deletes events older than eventLogDays once their deliveries are over', async () => {
    await importThree();
    const [event] = await h.db.kysely.selectFrom('events').select(['id', 'seq', 'target_type', 'target_id']).execute();
    const delivery = {
      event_id: event!.id,
      seq: event!.seq,
      target_type: event!.target_type,
      target_id: event!.target_id,
      attempts: 1,
      next_attempt_at: t0.toISOString(),
      last_error: null,
      created_at: t0.toISOString(),
      delivered_at: null,
    };
    await h.db.kysely
      .insertInto('webhook_deliveries')
      .values([
        { ...delivery, endpoint: 'still-trying', status: 'pending' },
        { ...delivery, endpoint: 'done', status: 'delivered' },
      ])
      .execute();
    at(29.9);
    expect((await run()).events).toBe(0);
    at(30.1);
    expect((await run()).events).toBe(0);
    expect(await rows('events')).toBe(1);
    await h.db.kysely.updateTable('webhook_deliveries').set({ status: 'failed' }).execute();
    expect((await run()).events).toBe(1);
    expect([await rows('events'), await rows('webhook_deliveries')]).toEqual([0, 0]);
  });

  it('deletes CSV uploads never confirmed once they expire', async () => {
    const res = await h.request('POST', '/api/providers/csv/uploads', {
      token,
      headers: { 'Content-Type': 'text/csv' },
      rawBody: 'email,name\nada@acme.test,Ada\n',
    });
    expect(res.status).toBe(201);
    at(0.01);
    expect((await run()).uploads).toBe(0);
    at(0.05);
    expect((await run()).uploads).toBe(1);
    expect(await rows('csv_uploads')).toBe(0);
  });
});

describe('disconnecting a provider', () => {
  it('purges its directory, staging rows, sync errors and unconfirmed uploads at once', async () => {
    const upload = async () =>
      (await (
        await h.request('POST', '/api/providers/csv/uploads', {
          token,
          headers: { 'Content-Type': 'text/csv' },
          rawBody: 'email,name\nada@acme.test,Ada\ngrace@acme.test,Grace\n',
        })
      ).json()) as { id: string };
    const confirmed = await upload();
    const confirm = await h.request('POST', `/api/providers/csv/uploads/${confirmed.id}/confirm`, {
      token,
      body: { mapping: { email: 'email', displayName: 'name' } },
    });
    expect(confirm.status).toBe(200);
    await upload(); // a second file, not confirmed
    const key = 'csv:organization:acme';
    // What a refresh in another process leaves while it runs, and a failed sync's error.
    await h.db.kysely
      .insertInto('directory_contacts')
      .values({
        connection: stagingKey(key),
        contact_id: 'x',
        display_name: 'Staged Person',
        status: 'active',
        search_text: 'staged',
        sort_name: 'staged',
        email: 'staged@acme.test',
        email_normalized: 'staged@acme.test',
      })
      .execute();
    await h.db.kysely.updateTable('directory_syncs').set({ error_code: 'provider_auth', error_message: 'refused' }).where('connection', '=', key).execute();
    expect(await rows('directory_contacts')).toBe(3);

    expect((await h.request('DELETE', '/api/providers/csv/connection', { token })).status).toBe(200);
    expect([await rows('directory_contacts'), await rows('directory_syncs'), await rows('csv_uploads')]).toEqual([0, 0, 0]);
  });
});

describe('delivered mail', () => {
  it('keeps no message once sent: no address, no link', async () => {
    await importThree();
    const worker = createOutboxWorker({
      db: h.db.kysely,
      dialect: h.db.dialect,
      transport: { send: async () => undefined },
      from: 'hr <no-reply@example.com>',
      now: () => h.clock.now,
      logger: silentLogger,
    });
    expect((await worker.runOnce()).sent).toBe(3);
    const mail = await h.db.kysely.selectFrom('outbox').selectAll().execute();
    expect(mail.map((m) => [m.status, m.payload])).toEqual([
      ['sent', null],
      ['sent', null],
      ['sent', null],
    ]);
    expect(JSON.stringify(mail)).not.toMatch(/@|token=/);
  });
});

describe.skipIf(!!process.env.TEST_PG_URL)("createBff's start()", () => {
  it('runs the retention worker at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hri-retention-'));
    try {
      const db = openDatabase({ sqlitePath: sqlitePathOf(dataDir) });
      await migrateToLatest(db);
      const old = new Date(Date.now() - 400 * DAY).toISOString();
      await db.kysely
        .insertInto('audit_events')
        .values({ id: 'aud_old', at: old, action: 'import', actor: 'u', target_type: 'lab', target_id: 'l', subject: 'imp_x', count: 1 })
        .execute();
      await db.close();
      const bff = await createBff(
        { apiKeys: [API_KEY], secret: SECRET, dataDir, acceptUrl: 'http://localhost/accept' },
        { logger: silentLogger, transport: { send: async () => undefined } },
      );
      await bff.start();
      const gone = async () => (await bff.db.kysely.selectFrom('audit_events').select('id').execute()).length === 0;
      for (let i = 0; i < 100 && !(await gone()); i++) await new Promise((ok) => setTimeout(ok, 20));
      expect(await gone()).toBe(true);
      await bff.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
