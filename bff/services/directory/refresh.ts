/**
 * The directory cache: a provider's contacts copied into our database per connection, so that
 * search, filters, paging and "Select All" over a company-sized directory are answered here,
 * and an import resolves contacts from rows we fetched ourselves, never from what a browser says.
 *
 * This module decides who refreshes a connection and when: one claim across processes, one
 * refresh per connection in a process that concurrent requests join, cancelled with the
 * connection and stopped with the BFF. The refresh itself is ./run.ts; reading is ./queries.ts.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RefreshStatus } from '../../../contract/index.js';
import type { Connector } from '../../connectors/types.js';
import { withResponseByteLimit } from '../../connectors/http.js';
import { AppError } from '../../errors.js';
import { DEFAULT_REFRESH_CONCURRENCY, DEFAULT_REFRESH_LIMITS, type RefreshLimits } from './limits.js';
import { stagingKey } from './rows.js';
import { refreshCancelled, runRefresh } from './run.js';

/** A directory the cache holds: its cache key, and how to reach the provider behind it. */
export interface DirectorySource {
  /** `cacheKeyOf(provider, scope)`. */
  cacheKey: string;
  /** The connector for this connection; throws an AppError while it has no usable credentials. */
  connector(): Connector;
  /** Pages fetched at once where the provider's API allows it (DEFAULT_REFRESH_CONCURRENCY). */
  concurrency?: number | undefined;
}

/** How long a refresh may hold the claim before another process may take over (it crashed). */
const SYNC_LEASE_MS = 10 * 60_000;
const SYNC_POLL_MS = 200;

interface Running {
  /** Settles once this process knows whether it runs the refresh or waits for another's. */
  claimed: Promise<boolean>;
  done: Promise<void>;
  /** Stops it at once: a disconnect, new credentials, or the BFF stopping. */
  abort: AbortController;
}

/** Refreshes already running in this process, per database, so concurrent requests share one. */
const inFlight = new WeakMap<Kysely<Database>, Map<string, Running>>();

/**
 * Takes the right to refresh a connection's cache, across processes: one UPDATE that only
 * succeeds when nobody else holds a live claim. False means another refresh is running.
 */
async function claimRefresh(db: Kysely<Database>, connection: string, now: Date, joinOnly: boolean): Promise<boolean> {
  await dropOrphanedStaging(db, now);
  await db
    .insertInto('directory_syncs')
    .values({ connection, status: 'idle', fetched: 0, total: null, started_at: null, synced_at: null, error_code: null, error_message: null })
    .onConflict((oc) => oc.column('connection').doNothing())
    .execute();
  const stale = new Date(now.getTime() - SYNC_LEASE_MS).toISOString();
  const claimed = await db
    .updateTable('directory_syncs')
    .set({ status: 'syncing', fetched: 0, total: null, started_at: now.toISOString(), error_code: null, error_message: null })
    .where('connection', '=', connection)
    // Joining only: a refresh that ended since the caller saw it running is not started again;
    // one whose process died (its claim past the lease), or a directory never fetched, is.
    .where((eb) => eb.or([joinOnly ? eb('status', '=', 'idle') : eb('status', '!=', 'syncing'), eb('started_at', '<', stale)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/**
 * Staging rows no live refresh owns (a process killed mid-refresh left them): gone at the next
 * claim of any connection, so a restart does not keep hundreds of thousands of dead rows.
 */
async function dropOrphanedStaging(db: Kysely<Database>, now: Date): Promise<void> {
  const stale = new Date(now.getTime() - SYNC_LEASE_MS).toISOString();
  const live = await db.selectFrom('directory_syncs').select('connection').where('status', '=', 'syncing').where('started_at', '>=', stale).execute();
  await db
    .deleteFrom('directory_contacts')
    .where('connection', 'like', `${stagingKey('')}%`)
    .$if(live.length > 0, (qb) =>
      qb.where(
        'connection',
        'not in',
        live.map((l) => stagingKey(l.connection)),
      ),
    )
    .execute();
}

/** Waits for another process's refresh to end; its failure is ours too. */
async function awaitRefresh(db: Kysely<Database>, connection: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const sync = await db.selectFrom('directory_syncs').select(['status', 'error_message']).where('connection', '=', connection).executeTakeFirst();
    if (sync?.status === 'ready') return;
    if (sync?.status === 'error') throw new AppError(502, 'provider_sync_failed', sync.error_message ?? 'The directory could not be fetched.');
    await new Promise((ok) => setTimeout(ok, SYNC_POLL_MS));
  }
}

function beginRefresh(db: Kysely<Database>, source: DirectorySource, now: () => Date, signal: AbortSignal, limits: RefreshLimits, joinOnly = false): Running {
  const connection = source.cacheKey;
  let mine = inFlight.get(db);
  if (!mine) inFlight.set(db, (mine = new Map()));
  const running = mine.get(connection);
  if (running) return running;
  // Asked before anything else: a connection without usable credentials fails here, at once.
  const connector = source.connector();
  const abort = new AbortController();
  const stop = AbortSignal.any([signal, abort.signal]);
  const claimed = claimRefresh(db, connection, now(), joinOnly);
  // Only its own slot: once released, a newer refresh may hold it.
  const release = () => {
    if (mine.get(connection) === entry) mine.delete(connection);
  };
  const done = claimed
    .then((ok) => {
      if (ok) {
        return withResponseByteLimit(limits.responseBytes, () =>
          runRefresh(db, connector, connection, source.concurrency ?? DEFAULT_REFRESH_CONCURRENCY, now, stop, release, limits),
        );
      }
      // The slot is for the process running the refresh: a caller asking after the awaited one
      // has ended must claim for itself, not join a wait that is about to return.
      release();
      return awaitRefresh(db, connection, stop);
    })
    .finally(release);
  const entry: Running = { claimed, done, abort };
  mine.set(connection, entry);
  return entry;
}

/**
 * Fetches every page from the provider into a staging area and swaps it in at the end, so
 * readers see either the old directory or the new one, never half of each. Concurrent calls
 * (in this process or any other) share one refresh.
 */
export function refreshDirectory(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  signal: AbortSignal = new AbortController().signal,
  limits: RefreshLimits = DEFAULT_REFRESH_LIMITS,
): Promise<void> {
  try {
    return beginRefresh(db, source, now, signal, limits).done;
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Starts a refresh in the background (or joins the one running) and returns once it is under
 * way, so `refreshStatus` reports it. Its outcome is read from the status, never thrown here.
 * `joinOnly`: the caller saw a refresh running and means to wait for it; if it has ended since,
 * none is started (twenty tenants asking as it finishes cost the provider one refresh, not two).
 */
export async function startRefresh(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  limits: RefreshLimits = DEFAULT_REFRESH_LIMITS,
  joinOnly = false,
): Promise<void> {
  let background = backgroundRefreshes.get(db);
  if (!background) backgroundRefreshes.set(db, (background = new AbortController()));
  const running = beginRefresh(db, source, now, background.signal, limits, joinOnly);
  running.done.catch(() => undefined);
  await running.claimed;
}

/** Aborted when the BFF stops: background refreshes have no request to end them. */
const backgroundRefreshes = new WeakMap<Kysely<Database>, AbortController>();

/**
 * Stops this process's refresh of a connection, if one runs, and waits for it to clear its
 * staging rows: its credentials are being removed or replaced, so nothing it fetched may land.
 * A refresh in another process notices at its next batch (its claim is gone) and stops there.
 */
export async function cancelRefresh(db: Kysely<Database>, connection: string, why: string): Promise<void> {
  const running = inFlight.get(db)?.get(connection);
  if (!running) return;
  running.abort.abort(refreshCancelled(why));
  await running.done.catch(() => undefined);
}

/**
 * Stops this process's refreshes of `db`, background or joined by a request, and waits for them
 * to end, so the database can close under none of them (a refresh that stops early leaves the
 * directory it had, and no staging rows).
 */
export async function stopRefreshes(db: Kysely<Database>): Promise<void> {
  const stopping = new AppError(503, 'refresh_interrupted', 'The server stopped during the directory refresh; refresh again.');
  backgroundRefreshes.get(db)?.abort(stopping);
  backgroundRefreshes.delete(db);
  const running = [...(inFlight.get(db)?.values() ?? [])];
  for (const r of running) r.abort.abort(stopping);
  await Promise.allSettled(running.map((r) => r.done));
}

/**
 * Milliseconds until a directory fetched at `syncedAt` is too old to be served without a refresh
 * (0 or less: it is stale); without a lifetime, never.
 */
export function msUntilStale(syncedAt: string, now: Date, maxAgeSeconds: number | undefined): number {
  return maxAgeSeconds === undefined ? Infinity : Date.parse(syncedAt) + maxAgeSeconds * 1000 - now.getTime();
}

/** Whether a directory fetched at `syncedAt` (null: never filled) may be served without a refresh. */
export const isFresh = (syncedAt: string | null | undefined, now: Date, maxAgeSeconds: number | undefined): boolean =>
  syncedAt != null && msUntilStale(syncedAt, now, maxAgeSeconds) > 0;

/** When the connection's last refresh started (ISO), or null: the minimum interval counts from it. */
export async function lastRefreshStart(db: Kysely<Database>, connection: string): Promise<string | null> {
  const sync = await db.selectFrom('directory_syncs').select('started_at').where('connection', '=', connection).executeTakeFirst();
  return sync?.started_at ?? null;
}

/** A refresh's state, as `GET /api/providers/:provider/refresh` answers it. */
export async function refreshStatus(db: Kysely<Database>, connection: string, now: Date, maxAgeSeconds?: number): Promise<RefreshStatus> {
  const sync = await db.selectFrom('directory_syncs').selectAll().where('connection', '=', connection).executeTakeFirst();
  if (!sync) return { status: 'idle', fetched: 0, total: null, syncedAt: null, stale: true };
  const syncedAt = sync.synced_at;
  const stale = syncedAt === null || msUntilStale(syncedAt, now, maxAgeSeconds) <= 0;
  // A claim whose lease ran out belongs to a process that died: nothing is running.
  const abandoned = sync.status === 'syncing' && (sync.started_at === null || now.getTime() - Date.parse(sync.started_at) > SYNC_LEASE_MS);
  const status: RefreshStatus['status'] = abandoned
    ? syncedAt
      ? 'ready'
      : 'idle'
    : sync.status === 'syncing' || sync.status === 'error' || sync.status === 'ready'
      ? sync.status
      : 'idle';
  return {
    status,
    fetched: Number(sync.fetched),
    total: sync.total === null ? null : Number(sync.total),
    syncedAt,
    stale,
    ...(status === 'error'
      ? { error: { code: sync.error_code ?? 'provider_sync_failed', message: sync.error_message ?? 'The directory could not be fetched.' } }
      : {}),
  };
}

/**
 * Makes sure the cache can answer: refreshed when it was never filled, or, with `maxAgeSeconds`,
 * when it is older than that. An import passes no age: it resolves contacts from the directory
 * the admin was looking at, and must not wait on the provider for a fresher one.
 */
export async function ensureDirectory(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  maxAgeSeconds?: number,
  limits: RefreshLimits = DEFAULT_REFRESH_LIMITS,
): Promise<void> {
  // Asked first, even for a fresh cache: a disconnected organization's directory is never served.
  const connector = source.connector();
  const sync = await db.selectFrom('directory_syncs').selectAll().where('connection', '=', source.cacheKey).executeTakeFirst();
  if (!isFresh(sync?.synced_at, now(), maxAgeSeconds)) await refreshDirectory(db, { ...source, connector: () => connector }, now, undefined, limits);
}
