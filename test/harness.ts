/**
 * A BFF on a real throwaway database for route tests: a SQLite file of its own by default, or a
 * PostgreSQL database of its own when TEST_PG_URL names a server (test/postgres.ts).
 */
import { createApp } from '../bff/app.js';
import type { AppConfig } from '../bff/deps.js';
import { openDatabase, migrateToLatest, type Db } from '../bff/db/connect.js';
import { createProviderRegistry, sampleProvider, type ProviderEntry } from '../bff/providers/registry.js';
import { jsonLogger, silentLogger, type Logger } from '../bff/logger.js';
import { upsertTarget, syncMembers } from '../bff/services/targets.js';
import { mintSessionToken } from '../bff/auth/session-token.js';
import type { TargetType } from '../contract/index.js';
import { leasePgDatabase } from './postgres.js';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queuedMessage } from '../bff/mail/outbox.js';

export const API_KEY = 'test-api-key-0123456789';
export const SECRET = 'test-secret-0123456789-0123456789-abcdef';
export const INVITER = { id: 'u-1', name: 'Dana Admin', email: 'dana@example.com' };
export const TEST_CONFIG: AppConfig = {
  apiKeys: [API_KEY, 'second-rotated-key-0123456789'],
  secret: SECRET,
  sessionTtlSeconds: 900,
  inviteTtlDays: 7,
  acceptUrl: 'http://localhost/accept',
  origins: ['https://host.example'],
  // Tests fire thousands of requests from one address; the limits have their own test.
  rateLimits: { session: 1_000_000, address: 1_000_000, accept: 1_000_000 },
};

/**
 * This process's SQLite files: one migrated template, copied per harness. Migrating a new
 * database cost 60–170 ms a test, most of what a short route test took.
 */
let sqliteFiles: { dir: string; template: string; next: number } | undefined;

async function freshSqliteFile(): Promise<string> {
  if (!sqliteFiles) {
    const dir = mkdtempSync(join(tmpdir(), 'hr-import-harness-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const template = join(dir, 'template.sqlite');
    const db = openDatabase({ url: undefined, sqlitePath: template });
    await migrateToLatest(db);
    // Closing the last connection checkpoints the log into the file: the copy is whole.
    await db.close();
    sqliteFiles = { dir, template, next: 0 };
  }
  const path = join(sqliteFiles.dir, `harness-${sqliteFiles.next++}.sqlite`);
  copyFileSync(sqliteFiles.template, path);
  return path;
}

const removeSqliteFile = (path: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
};

export interface Harness {
  db: Db;
  /** Where its database is, for a second app on the same one (`sameDatabaseAs`). */
  location: { url: string | undefined; sqlitePath: string };
  clock: { now: Date };
  request(method: string, path: string, init?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string }): Promise<Response>;
  /** The app itself, for a test that serves it over HTTP (to a browser). */
  fetch(request: Request): Promise<Response>;
  session(target: { type: TargetType; id: string }, ttlSeconds?: number): Promise<string>;
  target(type: TargetType, id: string, seatLimit: number, memberEmails?: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(
  options: {
    providers?: ProviderEntry[];
    sqlitePath?: string;
    logger?: Logger;
    config?: Partial<AppConfig>;
    /** Another app, as a second replica would be, on this harness's database (its own connections); closing it drops nothing. */
    sameDatabaseAs?: Harness;
  } = {},
): Promise<Harness> {
  const shared = options.sameDatabaseAs?.location;
  const pgDb = !shared && process.env.TEST_PG_URL && !options.sqlitePath ? await leasePgDatabase(process.env.TEST_PG_URL) : null;
  const ownFile = !shared && !pgDb && !options.sqlitePath ? await freshSqliteFile() : null;
  const location = shared ?? { url: pgDb?.url, sqlitePath: options.sqlitePath ?? ownFile ?? '' };
  // The drop below ends connections the pool still holds; that is expected, not a failure.
  const db = openDatabase({ ...location, onIdleError: () => undefined });
  // A leased PostgreSQL database and an own SQLite file are copies of a migrated template.
  if (!pgDb?.migrated && !ownFile) await migrateToLatest(db);
  const clock = { now: new Date('2026-11-24T12:00:00Z') };
  const app = createApp({
    db,
    config: { ...TEST_CONFIG, ...options.config },
    providers: createProviderRegistry(options.providers ?? [sampleProvider()]),
    // HR_IMPORT_TEST_LOG=1 shows the BFF's log lines (unexpected errors included) while debugging.
    logger: options.logger ?? (process.env.HR_IMPORT_TEST_LOG === '1' ? jsonLogger() : silentLogger),
    now: () => clock.now,
  });
  return {
    db,
    location,
    clock,
    request: async (method, path, init = {}) => {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.token) headers.Authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['Content-Type'] ??= 'application/json';
      }
      return app.request(path, { method, headers, body });
    },
    fetch: async (request) => app.fetch(request),
    session: async (target, ttlSeconds = 900) => (await mintSessionToken(SECRET, INVITER, target, ttlSeconds, clock.now)).token,
    target: async (type, id, seatLimit, memberEmails = []) => {
      await upsertTarget(db.kysely, { type, id }, { name: `${type} ${id}`, seatLimit }, clock.now);
      if (memberEmails.length)
        await syncMembers(
          db.kysely,
          { type, id },
          memberEmails.map((email, i) => ({ id: `m${i}`, email })),
          clock.now,
        );
    },
    close: async () => {
      await db.close();
      await pgDb?.release();
      if (ownFile) removeSqliteFile(ownFile);
    },
  };
}

/** An invite's token exists only in its queued email: read it where the invitee would. */
export async function mailedToken(db: Db, inviteId: string): Promise<string> {
  const row = await db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', inviteId).where('status', '=', 'queued').executeTakeFirstOrThrow();
  return decodeURIComponent(/token=([^\s&]+)/.exec(queuedMessage(row.payload!)!.text)![1]!);
}
