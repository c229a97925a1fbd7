/**
 * A database that answers reads but refuses writes: the widget's reads keep working, writes
 * answer 503 `database_unavailable` (not 500 `internal`) and store nothing, and readiness says
 * so while liveness does not. Real faults on real databases: a read-only SQLite file, a SQLite
 * file on a full disk (a small tmpfs, where this process may mount one), and a PostgreSQL
 * database switched read-only (TEST_PG_URL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createApp } from './app.js';
import type { Db } from './db/connect.js';
import type { Database } from './db/schema.js';
import { createProviderRegistry, sampleProvider } from './providers/registry.js';
import { sampleDirectory } from './connectors/sample.js';
import type { Logger } from './logger.js';
import { createHarness, TEST_CONFIG, type Harness } from '../test/harness.js';

const active = sampleDirectory().filter((p) => p.status === 'active' && p.email);
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you: {{acceptUrl}}' };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

type Call = (method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }) => Promise<Response>;

/** A target with a member, a session on it, and the sample directory cached: what the widget reads. */
async function prepared(h: Harness) {
  await h.target('lab', 'lab-1', 10, [active[0]!.email!]);
  const token = await h.session({ type: 'lab', id: 'lab-1' });
  const listed = await h.request('GET', '/api/providers/sample/contacts?limit=5', { token });
  expect(listed.status).toBe(200);
  return token;
}

async function count(db: Kysely<Database>, table: 'invites' | 'imports' | 'outbox' | 'idempotency_keys'): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** What the widget and a load balancer see while the database refuses writes. */
async function expectReadsServedWritesRefused(call: Call, db: Kysely<Database>) {
  const before = { invites: await count(db, 'invites'), imports: await count(db, 'imports'), outbox: await count(db, 'outbox') };
  for (const path of ['/api/session', '/api/providers', '/api/providers/sample/contacts?limit=5&search=a', '/api/invites']) {
    expect([path, (await call('GET', path)).status]).toEqual([path, 200]);
  }
  const refused = await call('POST', '/api/imports', {
    body: { provider: 'sample', selection: { ids: [active[1]!.id, active[2]!.id] }, role: 'user', message },
    headers: { 'Idempotency-Key': 'while-read-only-0001' },
  });
  expect(refused.status).toBe(503);
  expect(await refused.json()).toEqual({ error: { code: 'database_unavailable', message: expect.any(String) } });
  expect(refused.headers.get('Retry-After')).toBeTruthy();
  expect({ invites: await count(db, 'invites'), imports: await count(db, 'imports'), outbox: await count(db, 'outbox') }).toEqual(before);

  const ready = await call('GET', '/api/health');
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
  expect((await call('GET', '/api/health/ready')).status).toBe(503);
  expect((await call('GET', '/api/health/live')).status).toBe(200);
}

const recording = () => {
  const lines: string[] = [];
  const logger: Logger = { info: () => undefined, warn: (msg) => void lines.push(`warn ${msg}`), error: (msg) => void lines.push(`error ${msg}`) };
  return { lines, logger };
};

describe('a database that refuses writes', () => {
  it('SQLite, a read-only file: reads 200, an import 503 database_unavailable, readiness 503', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-import-readonly-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'hr-import.sqlite');
    const h = await createHarness({ sqlitePath: file });
    const token = await prepared(h);
    expect((await h.request('GET', '/api/health')).status).toBe(200);
    await h.close();

    // The same file, opened read-only, as after `chmod a-w` for a non-root server or a read-only mount.
    const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    cleanups.push(() => kysely.destroy());
    const db: Db = { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
    const { lines, logger } = recording();
    const app = createApp({ db, config: TEST_CONFIG, providers: createProviderRegistry([sampleProvider()]), logger, now: () => h.clock.now });
    const call: Call = async (method, path, init = {}) =>
      app.request(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
        body: init.body ? JSON.stringify(init.body) : undefined,
      });
    await expectReadsServedWritesRefused(call, kysely);
    expect(lines).not.toContain('error unhandled error');
  });

  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'hr-import-mount-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();

  // A real full disk needs a filesystem of our own; without the right to mount one the read-only
  // file above stands in for it (both are refusals of the same kind: SQLITE_FULL, SQLITE_READONLY).
  it.skipIf(!canMount)('SQLite, a full disk (tmpfs): reads 200, an import 503 database_unavailable, readiness 503', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-import-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
    cleanups.push(() => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const { lines, logger } = recording();
    const h = await createHarness({ sqlitePath: join(dir, 'hr-import.sqlite'), logger });
    cleanups.push(() => h.close());
    const token = await prepared(h);
    expect((await h.request('GET', '/api/health')).status).toBe(200);

    // Fill every byte the filesystem has left.
    const filler = openSync(join(dir, 'filler'), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (let i = 0; i < 1024; i++) writeSync(filler, chunk);
      throw new Error('the 8 MB filesystem never filled');
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(filler);
    }
    for (let i = 0; i < 64; i++) {
      try {
        writeFileSync(join(dir, `crumb-${i}`), 'x');
      } catch {
        break;
      }
    }
    h.clock.now = new Date(h.clock.now.getTime() + 5000);
    const call: Call = (method, path, init = {}) => h.request(method, path, { token, ...init });
    await expectReadsServedWritesRefused(call, h.db.kysely);
    expect(lines).not.toContain('error unhandled error');
  });

  it.skipIf(!process.env.TEST_PG_URL)('PostgreSQL switched read-only: reads 200, an import 503 database_unavailable, readiness 503', async () => {
    const { lines, logger } = recording();
    const h = await createHarness({ logger });
    cleanups.push(() => h.close());
    const token = await prepared(h);
    expect((await h.request('GET', '/api/health')).status).toBe(200);

    const name = (await sql<{ name: string }>`select current_database() as name`.execute(h.db.kysely)).rows[0]!.name;
    const admin = new pg.Client({ connectionString: process.env.TEST_PG_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
      // The setting applies to new sessions: end the pool's, as a failover to a standby would.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    } finally {
      await admin.end();
    }
    // The pool drops the ended connections as it hears of their end.
    await new Promise((ok) => setTimeout(ok, 200));
    h.clock.now = new Date(h.clock.now.getTime() + 5000);
    const call: Call = (method, path, init = {}) => h.request(method, path, { token, ...init });
    // A pooled connection may still be on its way out: the first calls are allowed to find that out.
    await h.request('GET', '/api/health/live');
    await expectReadsServedWritesRefused(call, h.db.kysely);
    expect(lines).not.toContain('error unhandled error');
  });
});
