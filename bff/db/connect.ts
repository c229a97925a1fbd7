/**
 * The one place the SQL dialect is chosen: PostgreSQL when DATABASE_URL says postgres://,
 * otherwise a SQLite file in the data folder (or `:memory:` for tests).
 */
import { Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver, sql, type DatabaseConnection } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { dirname } from 'node:path';
import { migrations } from '../../migrations/index.js';
import type { Database } from './schema.js';
import { ensurePrivateDatabaseFile, ensurePrivateDir } from '../private-files.js';
import { checkpointInWorker } from './checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; anything else is ignored. */
  url?: string | undefined;
  /** PostgreSQL: connections the pool keeps at most (10 unless said). */
  poolSize?: number | undefined;
  /** SQLite file path (or `:memory:`) when no PostgreSQL URL is given. */
  sqlitePath: string;
  /** SQLite: how long the connection is open before a worker takes over its checkpoints (checkpointer.ts). */
  checkpointAfterMs?: number | undefined;
  /** Told when PostgreSQL drops an idle pooled connection. */
  onIdleError?: ((err: Error) => void) | undefined;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export function openDatabase(options: DatabaseOptions): Db {
  if (isPostgresUrl(options.url)) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle connection dropped by the server (restart, failover) is an event, not a crash: the
    // pool replaces it on the next query, and that query reports any real outage.
    pool.on('error', (err) => options.onIdleError?.(err));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
  }
  if (options.sqlitePath !== ':memory:') {
    // Personal data and queued mail with live invite links: 0600 files in a 0700 folder.
    ensurePrivateDir(dirname(options.sqlitePath));
    ensurePrivateDatabaseFile(options.sqlitePath);
  }
  const sqlite = new SQLite(options.sqlitePath);
  // WAL lets readers go on while an import writes; a busy timeout rather than an instant
  // SQLITE_BUSY when a second process (npm run migrate, a test) holds the lock briefly.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // In WAL mode NORMAL syncs the log at checkpoints rather than at every commit: the file stays
  // consistent through any crash, and a power cut or an OS crash can lose the last commits before it,
  // never half of one. Each commit's fsync (0.3 ms here) blocked the event loop, twice per import.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and overwritten rows are zeroed on disk, not left in free pages: an erased person
  // (services/privacy/) or a purged directory cannot be read back from the file.
  sqlite.pragma('secure_delete = ON');
  // Reads through a memory map of the file's first 256 MB (address space, not memory) instead of a
  // read call and a copy per page: a search's pass over 100,000 people 15–20% faster
  // (docs/performance.md). Writes still go through the file; Rails 8 sets the same (128 MB).
  sqlite.pragma('mmap_size = 268435456');
  // Checkpoints run in a worker thread (checkpointer.ts), not in whichever commit crosses 1,000 pages.
  const checkpointer = options.sqlitePath === ':memory:' ? null : checkpointInWorker(sqlite, options.sqlitePath, options.checkpointAfterMs);
  // Every statement Kysely runs is prepared through this cache, so a statement that may write is
  // counted before it runs; `data_version` changes when another connection commits.
  let writes = 0;
  const dataVersion = sqlite.prepare('pragma data_version').pluck();
  const config = { database: withStatementCache(sqlite, () => writes++) };
  const dialect = new (class extends SqliteDialect {
    override createDriver() {
      return new FifoSqliteDriver(config);
    }
  })(config);
  const kysely = new Kysely<Database>({ dialect });
  versions.set(kysely, () => `${writes}.${dataVersion.get() as number}`);
  return {
    kysely,
    dialect: 'sqlite',
    close: async () => {
      await kysely.destroy();
      await checkpointer?.close();
    },
  };
}

/**
 * Kysely's SQLite driver shares its one connection through a lock that wakes every waiter when
 * it is released, and whichever runs first takes it: under 64 concurrent imports some requests
 * waited seconds while later ones went ahead (p99 1.3 s at a mean wait of 0.2 s). Here the
 * connection passes to the waiters in the order they asked for it.
 */
class FifoSqliteDriver extends SqliteDriver {
  #waiting: (() => void)[] = [];
  #held = false;

  override async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#held = true;
    // Never waits: this caller holds the only turn.
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    // Handed straight to the next in line: a caller arriving now queues behind it.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** Prepared statements kept per SQL text; the least recently used goes past this many. */
const STATEMENT_CACHE = 100;

/**
 * Kysely's SQLite driver prepares every query anew; a directory refresh runs the same few
 * hundred-row statements hundreds of times, and preparing them cost as much as running them.
 * Statements are kept by their text and reused (better-sqlite3 statements are reusable, and
 * Kysely runs one query at a time on its single connection).
 */
function withStatementCache(sqlite: SQLite.Database, onWrite: () => void): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver) as unknown;
        // The driver's own methods run on the database itself, not on this wrapper.
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return (source: string) => {
        let statement = cache.get(source);
        if (statement) {
          cache.delete(source);
        } else {
          statement = prepare(source);
          if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
        }
        cache.set(source, statement);
        // Begin, commit and rollback count too: what a rolled-back transaction read is not kept.
        if (!statement.readonly) onWrite();
        return statement;
      };
    },
  });
}

const versions = new WeakMap<Kysely<Database>, () => string>();

/**
 * A token that changes whenever the database may have changed: on SQLite, any statement of this
 * process that may write, or a commit by another connection (another process on the file). Null
 * where that cannot be known (PostgreSQL, whose other clients do not tell; a transaction), so
 * the caller reads. What was read under one token is as exact as a new read while it holds.
 */
export function databaseVersion(db: Kysely<Database>): string | null {
  return versions.get(db)?.() ?? null;
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The dialect behind a Kysely instance (or a transaction of one). */
export function dialectOf(db: Kysely<Database>): Dialect {
  // The adapter is the one piece of a Kysely instance that says which SQL it speaks.
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/**
 * A transaction that is going to write, for the writes that must be exact (import, resend,
 * accept, member sync). On SQLite it begins IMMEDIATE: it takes the database's write lock at
 * once (waiting up to busy_timeout), so what it reads cannot be changed by another process
 * before it writes. Kysely's own transaction begins DEFERRED, and a deferred transaction that
 * read a snapshot another process has since written past fails its first write with
 * SQLITE_BUSY, which no busy timeout can wait out. On PostgreSQL it is a plain transaction:
 * there the callers lock the rows they depend on.
 */
/** PostgreSQL chose this transaction as a deadlock's or a serialization conflict's victim: it did nothing. */
const retryable = (err: unknown) => ['40P01', '40001'].includes((err as { code?: unknown } | null)?.code as string);
const PG_ATTEMPTS = 4;

export async function writeTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres') {
    // The victim was rolled back whole, so running it again is safe, and better than answering 503
    // for a conflict the client did not cause. A short random pause lets the winner commit first.
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(fn);
      } catch (err) {
        if (!retryable(err) || attempt >= PG_ATTEMPTS) throw err;
        await new Promise((ok) => setTimeout(ok, 5 + Math.random() * 20 * attempt));
      }
    }
  }
  // connection() holds the one SQLite connection for the whole callback, so nothing else of
  // this process runs a statement inside the transaction.
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      // Also after a failed commit, so the connection is never left inside a transaction.
      // SQLite may have rolled back already (e.g. on SQLITE_FULL); the error that matters is err.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
