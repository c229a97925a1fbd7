/**
 * BFF child processes (test/crash/server.ts) on one shared database, for the tests that kill
 * them mid-import or run several at once: the database (a SQLite file, or a fresh PostgreSQL
 * database when TEST_PG_URL is set), the directory they serve, and a client for their API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import type { AppConfig } from '../../bff/deps.js';
import type { DirectoryContact } from '../../bff/connectors/types.js';
import type { TargetType } from '../../contract/index.js';
import { migrateToLatest, openDatabase, type Db } from '../../bff/db/connect.js';
import { mintSessionToken } from '../../bff/auth/session-token.js';
import { staticProvider } from '../../bff/providers/registry.js';
import { upsertTarget } from '../../bff/services/targets.js';
import { createPgDatabase } from '../postgres.js';
import { directoryPerson } from '../directory.js';

const SECRET = 'crash-secret-0123456789-0123456789-abcdef';
export const APP_CONFIG: AppConfig = {
  apiKeys: ['crash-api-key-0123456789'],
  secret: SECRET,
  sessionTtlSeconds: 3600,
  inviteTtlDays: 7,
  acceptUrl: 'http://localhost/accept',
  origins: [],
};
export const PROVIDER = 'hris';
const INVITER = { id: 'u-crash', name: 'Dana Admin', email: 'dana@example.com' };

export function person(i: number): DirectoryContact {
  return directoryPerson(`p${i}`, { firstName: `First${i}`, lastName: `Last${i}`, displayName: `First${i} Last${i}`, email: `person${i}@crash.example` });
}

/** A directory answered from memory, cached for a month so no child refreshes it mid-test. */
export function crashProvider(size: number) {
  const contacts = Array.from({ length: size }, (_, i) => person(i));
  return staticProvider(
    PROVIDER,
    'static',
    'HRIS',
    () => ({ listContacts: async () => ({ contacts, nextCursor: null, total: size }) }),
    { baseUrl: 'builtin:', credentials: {} },
    30 * 86_400,
  );
}

export interface SharedDatabase {
  /** What a child is given: the SQLite file or the postgres:// URL. */
  location: string;
  db: Db;
  target(id: string, seatLimit: number): Promise<{ type: TargetType; id: string }>;
  /** Invites, their outbox mail and imports of one target. */
  written(targetId: string): Promise<[number, number, number]>;
  /** Whether some other connection is inside a write transaction right now: on PostgreSQL, one writing invites or their mail. */
  writerActive(): Promise<boolean>;
  close(): Promise<void>;
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  const pg = process.env.TEST_PG_URL ? await createPgDatabase(process.env.TEST_PG_URL) : null;
  const dir = pg ? null : mkdtempSync(join(tmpdir(), 'hr-import-crash-'));
  const location = pg ? pg.url : join(dir!, 'shared.sqlite');
  // Children's connections are cut when they are killed; that is the point, not a failure.
  const db = openDatabase({ url: pg?.url, sqlitePath: location, onIdleError: () => undefined });
  await migrateToLatest(db);
  // SQLite: a connection that asks for the write lock without waiting, and gives it back at once.
  const probe = pg ? null : new SQLite(location, { timeout: 0 });
  return {
    location,
    db,
    target: async (id, seatLimit) => {
      await upsertTarget(db.kysely, { type: 'organization', id }, { name: id, seatLimit }, new Date());
      return { type: 'organization', id };
    },
    written: async (targetId) => {
      const n = sql<number>`count(*)`.as('n');
      const invites = await db.kysely.selectFrom('invites').select(n).where('target_id', '=', targetId).executeTakeFirstOrThrow();
      const outbox = await db.kysely
        .selectFrom('outbox')
        .innerJoin('invites', 'invites.id', 'outbox.invite_id')
        .select(n)
        .where('invites.target_id', '=', targetId)
        .executeTakeFirstOrThrow();
      const imports = await db.kysely.selectFrom('imports').select(n).where('target_id', '=', targetId).executeTakeFirstOrThrow();
      return [Number(invites.n), Number(outbox.n), Number(imports.n)];
    },
    writerActive: async () => {
      if (probe) {
        try {
          probe.exec('begin immediate');
          probe.exec('rollback');
          return false;
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
          throw err;
        }
      }
      // A transaction that has begun writing the invites or their mail holds a RowExclusiveLock
      // on the table to its end. (Any transaction id would do for the 10% and 90% kills, but the
      // key's claim, its own short transaction before the import's, has one too: a kill aimed at
      // the writes once landed there, in the import's read of the selection.)
      const { rows } = await sql<{ n: number }>`select count(*) as n from pg_locks l join pg_class c on c.oid = l.relation
        where l.database = (select oid from pg_database where datname = current_database()) and c.relname in ('invites', 'outbox')
          and l.mode = 'RowExclusiveLock' and l.granted and l.pid <> pg_backend_pid()`.execute(db.kysely);
      return Number(rows[0]!.n) > 0;
    },
    close: async () => {
      probe?.close();
      await db.close();
      await pg?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Child {
  url: string;
  process: ChildProcess;
  /** SIGKILL: no handler runs, no transaction is finished, as in a power cut of the process. */
  kill(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');
let bundled: Promise<string> | undefined;

/**
 * server.ts and the BFF bundled into one ES module (packages left as imports), once per test
 * process: a child started from it listens in about half the time of one that has tsx compile
 * and load the BFF's sources file by file, and the crash test restarts its child four times.
 */
function serverBundle(): Promise<string> {
  bundled ??= (async () => {
    const { outputFiles } = await build({
      entryPoints: [resolve(import.meta.dirname, 'server.ts')],
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    const code = outputFiles[0]!.contents;
    // Under the repository, so that the bundle's package imports resolve to its node_modules; named
    // by its content, so that forks and runs of the same sources share one file and never write half of one.
    const dir = join(ROOT, 'dist', 'crash-server');
    const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return file;
  })();
  return bundled;
}

export async function startChild(location: string, directorySize: number): Promise<Child> {
  const child = spawn(process.execPath, [await serverBundle()], {
    cwd: ROOT,
    env: { ...process.env, CRASH_DATABASE: location, CRASH_DIRECTORY_SIZE: String(directorySize) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const line = await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line').then(([l]) => l as string),
    exited.then(([code]) => {
      throw new Error(`the BFF child exited (${code}) before listening: ${stderr.trim()}`);
    }),
  ]);
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function sessionFor(target: { type: TargetType; id: string }): Promise<string> {
  return (await mintSessionToken(SECRET, INVITER, target, 3600, new Date())).token;
}

/** POST /api/imports of a selection of the directory. */
export async function postImport(child: Child, token: string, key: string, selection: { all: true } | { ids: string[] }): Promise<Response> {
  return fetch(`${child.url}/api/imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ provider: PROVIDER, selection, role: 'user', message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}: {{acceptUrl}}' } }),
  });
}

/** Fills the directory cache through the API, so imports only read it. */
export async function warmDirectory(child: Child, token: string): Promise<void> {
  const res = await fetch(`${child.url}/api/providers/${PROVIDER}/contacts?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`warming the directory failed: ${res.status} ${await res.text()}`);
}
