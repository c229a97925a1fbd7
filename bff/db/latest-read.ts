/**
 * Rows that every request of a route reads, read no more often than exactness allows: a kept
 * search's whole cost was its one opening statement (services/directory/listing.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { databaseVersion, dialectOf } from './connect.js';

/** Rows read per database while it is unchanged, at most this many (the first kept is the first dropped). */
const UNCHANGED_ROWS = 1000;
const unchangedRows = new WeakMap<Kysely<Database>, Map<string, { version: string; row: unknown }>>();
const sharedReads = new WeakMap<Kysely<Database>, SharedReads>();

/**
 * `read`'s row under `key`, as a read made now would find it. Where the database tells when it may
 * have changed (databaseVersion: SQLite), the row is read again only then; the token is taken
 * before the read, so a write that lands after it is never missed. Elsewhere (PostgreSQL), the
 * requests for one row share reads (shareReads), or with `batched`, the requests for many rows.
 */
export async function readLatest<T>(db: Kysely<Database>, key: string, read: () => Promise<T>, batched?: BatchedReads<T>): Promise<T> {
  const version = databaseVersion(db);
  if (version === null) {
    // The batch's statement is PostgreSQL's; a SQLite transaction (which has no version) reads alone.
    if (batched) return dialectOf(db) === 'postgres' ? batched(db, key, read) : read();
    let shared = sharedReads.get(db);
    if (!shared) sharedReads.set(db, (shared = shareReads()));
    return shared(key, read);
  }
  let rows = unchangedRows.get(db);
  if (!rows) unchangedRows.set(db, (rows = new Map()));
  const kept = rows.get(key);
  if (kept?.version === version) return kept.row as T;
  const row = await read();
  rows.delete(key);
  if (rows.size >= UNCHANGED_ROWS) rows.delete(rows.keys().next().value!);
  rows.set(key, { version, row });
  return row;
}

export type SharedReads = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/**
 * Reads shared by the requests for one key, each only with a read that starts after it arrived,
 * so each still sees every write committed before it (readQueue). Under 64 connections searching
 * one target that is two reads in flight instead of 64.
 */
export function shareReads(): SharedReads {
  const queues = new Map<string, ReadQueue<unknown>>();
  return <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let queue = queues.get(key);
    if (!queue) {
      // Every request for the key reads the same row: whichever `read` starts the queue's reads serves all.
      const own: ReadQueue<unknown> = readQueue(read, Infinity, () => {
        if (queues.get(key) === own) queues.delete(key);
      });
      queues.set(key, (queue = own));
    }
    return queue.join(key)! as Promise<T>;
  };
}

/** A read of one key that many requests for many keys share (batchReads). */
export type BatchedReads<T> = (db: Kysely<Database>, key: string, read: () => Promise<T>) => Promise<T>;

/** Keys a batch reads at most; a request past them reads alone. */
const BATCH_KEYS = 500;

/**
 * shareReads across keys: the queued read takes the keys of every request that joins it, and
 * reads them in one statement (`readMany`, which answers each key it finds; `read` throws or
 * answers for one it does not). 64 admins searching their own targets at once make two
 * statements in flight instead of 64 round trips.
 */
export function batchReads<T>(readMany: (db: Kysely<Database>, keys: string[]) => Promise<Map<string, T>>): BatchedReads<T> {
  const queues = new WeakMap<Kysely<Database>, ReadQueue<Map<string, T>>>();
  return async (db, key, read) => {
    let queue = queues.get(db);
    if (!queue) queues.set(db, (queue = readQueue((keys) => readMany(db, keys), BATCH_KEYS)));
    const rows = queue.join(key);
    const found = rows ? (await rows).get(key) : undefined;
    return found === undefined ? read() : found;
  };
}

interface ReadQueue<R> {
  /** The read that will serve `key`: the queued one, or one started now; null when the queued one is full. */
  join(key: string): Promise<R> | null;
}

/**
 * At most one read on its way and one queued to start when it lands. A request with none on its
 * way starts one at once; one arriving while a read is on its way joins the queued read (adding
 * its key), which therefore starts after every request it serves arrived. `onIdle` is called when
 * a read lands with none queued.
 */
function readQueue<R>(run: (keys: string[]) => Promise<R>, maxKeys: number, onIdle?: () => void): ReadQueue<R> {
  let running: Promise<void> | null = null;
  let queued: { keys: Set<string>; result: Promise<R> } | null = null;
  const start = (keys: Set<string>): Promise<R> => {
    const result = run([...keys]);
    const landed: Promise<void> = result.then(
      () => settle(),
      () => settle(),
    );
    const settle = () => {
      if (running !== landed) return;
      running = null;
      if (!queued) onIdle?.();
    };
    running = landed;
    return result;
  };
  return {
    join(key) {
      if (queued) {
        if (queued.keys.size >= maxKeys && !queued.keys.has(key)) return null;
        queued.keys.add(key);
        return queued.result;
      }
      if (!running) return start(new Set([key]));
      const keys = new Set([key]);
      const result = running.then(() => {
        queued = null;
        return start(keys);
      });
      queued = { keys, result };
      return result;
    },
  };
}
