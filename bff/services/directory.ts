/**
 * The directory cache: a provider's contacts copied into our database per connection, so that
 * search, filters, paging and "Select All" over a company-sized directory are answered here,
 * and an import resolves contacts from rows we fetched ourselves, never from what a browser says.
 */
import { CompiledQuery, sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Database, DirectoryContactRow, NewDirectoryContact, Target } from '../db/schema.js';
import type { Contact, ContactFacets, ContactFilters, ContactPage, Membership, RefreshStatus } from '../contract.js';
import { ProviderError, type ChangedContact, type Connector, type DirectoryContact } from '../connectors/types.js';
import { displayNameOf } from '../connectors/normalize.js';
import { allPages, readAhead } from '../connectors/paging.js';
import { responseByteLimit } from '../connectors/http.js';
import { redact } from '../connectors/redact.js';
import { AppError } from '../errors.js';
import { foldForSearch, normalizeEmail } from './text.js';
import { seatHolders } from './targets.js';
import { liveInvite } from '../db/invites.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { dialectOf, type Dialect } from '../db/connect.js';
import {
  countByIndex,
  countTakenByIndex,
  HITS_FIRST,
  indexPlan,
  inConnection,
  matchesSearch,
  searchWords,
  type Access,
  type IndexPlan,
} from './directory-search.js';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * The cache key of a connection: the provider and whose credentials reach it (`*` for the
 * deployment's own, else the organization's scope), so organizations never share a directory.
 */
export function connectionKey(providerId: string, scope: string): string {
  return `${providerId}:${scope}`;
}

/** A directory the cache holds: its key, and how to reach the provider behind it. */
export interface DirectorySource {
  /** `connectionKey(provider, scope)`. */
  key: string;
  /** The connector for this connection; throws an AppError while it has no usable credentials. */
  connector(): Connector;
  /** Pages fetched at once where the provider's API allows it (DEFAULT_REFRESH_CONCURRENCY). */
  concurrency?: number | undefined;
}

/**
 * How much one refresh may do before it stops with an `error` status: a provider that keeps
 * sending full pages, or one page that never ends, cannot fill the database or the memory.
 * The defaults fit a 100,000-person directory with room to spare.
 */
export interface RefreshLimits {
  /** Provider pages one refresh reads. */
  pages: number;
  /** People one refresh stages. */
  contacts: number;
  /** Bytes of one provider answer, counted as it streams. */
  responseBytes: number;
  /** Seconds one refresh may run (below the claim's 10 minute lease, so no other process takes over a live one). */
  seconds: number;
  /** Seconds between two refreshes of one connection that an admin forces. */
  minIntervalSeconds: number;
  /**
   * Incremental refreshes (only what changed, where the provider can tell) between two full
   * ones; 0 makes every refresh full. Most providers never report who was deleted, so only a
   * full refresh finds them.
   */
  incrementalRefreshes: number;
  /** Seconds after a full refresh when the next refresh is full again, however few incremental ones ran. */
  fullRefreshSeconds: number;
}

export const DEFAULT_REFRESH_LIMITS: RefreshLimits = {
  pages: 10_000,
  contacts: 250_000,
  responseBytes: 50 * 1024 * 1024,
  seconds: 540,
  minIntervalSeconds: 60,
  incrementalRefreshes: 23,
  fullRefreshSeconds: 86_400,
};

/** Forgets a connection's cached directory (its credentials changed or were removed, or it went unused). */
export async function dropDirectory(db: Q, connection: string): Promise<void> {
  await db
    .deleteFrom('directory_contacts')
    .where('connection', 'in', [connection, stagingKey(connection)])
    .execute();
  // A SCIM directory's records go with their mirror: nothing pushed outlives the directory it fed.
  await db.deleteFrom('scim_users').where('connection', '=', connection).execute();
  await db.deleteFrom('directory_syncs').where('connection', '=', connection).execute();
}

export const INSERT_BATCH = 200; // 17 columns × 200 rows stays far below every driver's parameter limit

/** A contact as its cache row (also how a confirmed CSV upload is written, services/csv-uploads.ts). */
export function toRow(connection: string, c: DirectoryContact): NewDirectoryContact {
  const email = c.email?.trim() || null;
  return {
    connection,
    contact_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    display_name: c.displayName,
    email,
    email_normalized: normalizeEmail(email),
    personal_email: c.personalEmail,
    title: c.title,
    department: c.department,
    location: c.location,
    employment_type: c.employmentType,
    manager_id: c.managerId,
    status: c.status,
    avatar_url: c.avatarUrl,
    search_text: foldForSearch([c.displayName, email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')),
    sort_name: foldForSearch(c.displayName),
  };
}

/** How long a refresh may hold the claim before another process may take over (it crashed). */
const SYNC_LEASE_MS = 10 * 60_000;
const SYNC_POLL_MS = 200;
/** Pages fetched at once from a provider whose API allows it, unless its configuration says otherwise. */
export const DEFAULT_REFRESH_CONCURRENCY = 4;

/**
 * Where a refresh writes the pages it fetches before they replace the directory: the same table
 * under another key. `~` cannot start a provider id, so no real connection has this key.
 */
export function stagingKey(connection: string): string {
  return `~staging:${connection}`;
}

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
async function claimRefresh(db: Kysely<Database>, connection: string, now: Date): Promise<boolean> {
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
    .where((eb) => eb.or([eb('status', '!=', 'syncing'), eb('started_at', '<', stale)]))
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

function beginRefresh(db: Kysely<Database>, source: DirectorySource, now: () => Date, signal: AbortSignal, limits: RefreshLimits): Running {
  const connection = source.key;
  let mine = inFlight.get(db);
  if (!mine) inFlight.set(db, (mine = new Map()));
  const running = mine.get(connection);
  if (running) return running;
  // Asked before anything else: a connection without usable credentials fails here, at once.
  const connector = source.connector();
  const abort = new AbortController();
  const stop = AbortSignal.any([signal, abort.signal]);
  const claimed = claimRefresh(db, connection, now());
  // Only its own slot: once released, a newer refresh may hold it.
  const release = () => {
    if (mine.get(connection) === entry) mine.delete(connection);
  };
  const done = claimed
    .then((ok) =>
      ok
        ? responseByteLimit.run(limits.responseBytes, () =>
            runRefresh(db, connector, connection, source.concurrency ?? DEFAULT_REFRESH_CONCURRENCY, now, stop, release, limits),
          )
        : awaitRefresh(db, connection, stop),
    )
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
 */
export async function startRefresh(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  limits: RefreshLimits = DEFAULT_REFRESH_LIMITS,
): Promise<void> {
  let background = backgroundRefreshes.get(db);
  if (!background) backgroundRefreshes.set(db, (background = new AbortController()));
  const running = beginRefresh(db, source, now, background.signal, limits);
  running.done.catch(() => undefined);
  await running.claimed;
}

/** Aborted when the BFF stops: background refreshes have no request to end them. */
const backgroundRefreshes = new WeakMap<Kysely<Database>, AbortController>();

/** A refresh stopped because its connection was removed or replaced: it leaves no status behind, only no directory. */
const refreshCancelled = (why: string) => new AppError(409, 'refresh_cancelled', `The directory refresh was stopped: ${why}.`);
const isCancelled = (err: unknown) => err instanceof AppError && err.code === 'refresh_cancelled';

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

/** The code and message a failed refresh leaves for the widget: the provider's own words, nothing internal. */
function refreshError(err: unknown): { code: string; message: string } {
  // Redacted again here: this text is stored and shown to every tenant of the connection.
  if (err instanceof ProviderError) return { code: `provider_${err.kind}`, message: redact(err.message) };
  if (err instanceof AppError) return { code: err.code, message: redact(err.message) };
  return { code: 'provider_sync_failed', message: 'The directory could not be refreshed; try again.' };
}

/**
 * Rows one staging statement writes: 16 parameters each stays below SQLite's 32,766 and
 * PostgreSQL's 65,535, and a few hundred rows a statement is where SQLite's multi-row insert
 * stops getting cheaper per row.
 */
const STAGE_STATEMENT_ROWS = 500;

/** The upsert of `rows` cache rows, compiled once per size and dialect (Kysely's compiler cost more than SQLite's insert). */
const stageStatements = new Map<string, string>();
function stageStatement(dialect: 'sqlite' | 'postgres', rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = stageStatements.get(key);
  if (!text) {
    const width = STAGED_COLUMNS.length;
    const placeholder = dialect === 'postgres' ? (n: number) => `$${n + 1}` : () => '?';
    const values = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => placeholder(r * width + c)).join(', ')})`).join(', ');
    const updates = REPLACED_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', ');
    text = `insert into "directory_contacts" (${STAGED_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${values} on conflict ("connection", "contact_id") do update set ${updates}`;
    stageStatements.set(key, text);
  }
  return text;
}

/**
 * Writes rows into the staging area (or, for an incremental refresh, the directory itself). A
 * person already written from an earlier batch is overwritten: the last record the provider sent
 * wins. Each statement is compiled SQL text with its parameters, so a 100,000-person refresh spends
 * its time in the database rather than in building two hundred query trees; on SQLite the
 * statement text repeats, which the driver's statement cache (bff/db/connect.ts) turns into one
 * prepared statement.
 */
async function stage(db: Q, rows: readonly NewDirectoryContact[]): Promise<void> {
  const dialect = dialectOf(db as Kysely<Database>);
  for (let i = 0; i < rows.length; i += STAGE_STATEMENT_ROWS) {
    const batch = rows.slice(i, i + STAGE_STATEMENT_ROWS);
    const params: unknown[] = [];
    for (const row of batch) for (const column of STAGED_COLUMNS) params.push(row[column] ?? null);
    await db.executeQuery(CompiledQuery.raw(stageStatement(dialect, batch.length), params));
  }
}

/**
 * Pages are staged in batches of about this many people (a few pages), each batch and its
 * progress in one transaction: a commit per page made a 100,000-person refresh wait on a
 * thousand disk syncs, while the batch still holds only a sliver of the directory in memory.
 */
const STAGE_ROWS = 2_000;
/** Pages fetched ahead of the one being staged (on top of the pages in flight). */
export const READ_AHEAD_PAGES = 2;
/** A batch is written sooner than that when pages come slowly, so progress keeps moving. */
const STAGE_MAX_WAIT_MS = 500;

const REPLACED_COLUMNS = [
  'first_name',
  'last_name',
  'display_name',
  'email',
  'email_normalized',
  'personal_email',
  'title',
  'department',
  'location',
  'employment_type',
  'manager_id',
  'status',
  'avatar_url',
  'search_text',
  'sort_name',
] as const satisfies readonly (keyof NewDirectoryContact)[];

/** Every column of a cache row, in the order `stage` writes them. */
const STAGED_COLUMNS = ['connection', 'contact_id', ...REPLACED_COLUMNS] as const satisfies readonly (keyof NewDirectoryContact)[];

/** Whether this refresh may ask only for what changed: the provider can, and the periodic full refresh is not due. */
function incrementalDue(
  connector: Connector,
  sync: { watermark: string | null; full_synced_at: string | null; incremental_refreshes: number },
  now: Date,
  limits: RefreshLimits,
): boolean {
  if (!connector.listChanges || sync.watermark === null || sync.full_synced_at === null) return false;
  if (Number(sync.incremental_refreshes) >= limits.incrementalRefreshes) return false;
  const age = now.getTime() - Date.parse(sync.full_synced_at);
  return age >= 0 && age < limits.fullRefreshSeconds * 1000;
}

/** Failures of an incremental refresh that a full refresh would meet as well. */
const PROVIDER_REFUSALS = new Set(['auth', 'permission', 'rate_limited', 'quota_exceeded', 'unavailable']);

/** A failure once the slot was released and the changes were being written: no fallback after it. */
class CommitFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('The directory changes could not be written.');
  }
}

/** A later change of one person laid over an earlier one of the same refresh: the fields it sent win. */
function laidOver(earlier: ChangedContact, later: ChangedContact): ChangedContact {
  const out: Record<string, unknown> = { ...earlier };
  for (const [field, value] of Object.entries(later)) if (value !== undefined) out[field] = value;
  return out as ChangedContact;
}

/** A person the cache does not hold, before any field is known. */
function unknownContact(id: string): DirectoryContact {
  return {
    id,
    firstName: null,
    lastName: null,
    displayName: id,
    email: null,
    personalEmail: null,
    title: null,
    department: null,
    location: null,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
  };
}

/**
 * Changed people as whole records: the fields a provider left out of a change (Graph may send
 * only what changed) keep what the cache holds, read in batches of 500; a person the cache does
 * not hold gets null for them, and a display name from what is known.
 */
async function completed(db: Q, connection: string, changes: ChangedContact[]): Promise<DirectoryContact[]> {
  const isWhole = (c: ChangedContact): c is DirectoryContact =>
    Object.keys(unknownContact(c.id)).every((field) => c[field as keyof DirectoryContact] !== undefined);
  const partial = changes.filter((c) => !isWhole(c)).map((c) => c.id);
  const stored = new Map<string, DirectoryContact>();
  for (let i = 0; i < partial.length; i += 500) {
    const rows = await db
      .selectFrom('directory_contacts')
      .selectAll()
      .where('connection', '=', connection)
      .where('contact_id', 'in', partial.slice(i, i + 500))
      .execute();
    for (const row of rows) stored.set(row.contact_id, storedContact(row));
  }
  return changes.map((c) => {
    if (isWhole(c)) return c;
    const known = stored.get(c.id);
    const merged = laidOver(known ?? unknownContact(c.id), c) as DirectoryContact;
    return known || c.displayName !== undefined ? merged : { ...merged, displayName: displayNameOf(merged) };
  });
}

interface ChangeRun {
  startedAt: Date;
  now: () => Date;
  signal: AbortSignal;
  release: () => void;
  limits: RefreshLimits;
  cancelled: () => AppError;
}

/**
 * An incremental refresh: the provider's changes since the stored watermark, held in memory
 * (bounded by the refresh limits, and a small share of the directory when run as often as the
 * cache expires), then written to the cached directory in one transaction: changed people
 * upserted, deleted ones removed, and the new watermark stored with them, so the watermark only
 * advances when the changes it stands for have landed.
 */
async function applyChanges(
  db: Kysely<Database>,
  connector: Connector,
  connection: string,
  claim: { started_at: string | null; watermark: string | null },
  { startedAt, now, signal, release, limits, cancelled }: ChangeRun,
): Promise<void> {
  const changed = new Map<string, ChangedContact>();
  const deleted = new Set<string>();
  let watermark: string | null = null;
  let pages = 0;
  for await (const page of connector.listChanges!({ since: claim.watermark!, startedAt, signal })) {
    signal.throwIfAborted();
    if (++pages > limits.pages) {
      throw new AppError(502, 'refresh_too_many_pages', `The provider kept sending pages: a refresh stops after ${limits.pages} (the refreshLimits setting).`);
    }
    // In the provider's order: a person changed and then deleted is gone, deleted and then back is there.
    for (const c of page.contacts) {
      deleted.delete(c.id);
      const earlier = changed.get(c.id);
      changed.delete(c.id);
      changed.set(c.id, earlier ? laidOver(earlier, c) : c);
    }
    for (const id of page.deleted) {
      changed.delete(id);
      deleted.add(id);
    }
    if (changed.size + deleted.size > limits.contacts) {
      throw new AppError(
        502,
        'refresh_too_many_contacts',
        `The provider sent more than ${limits.contacts} people: a refresh stops there (the refreshLimits setting).`,
      );
    }
    if (page.watermark !== null) watermark = page.watermark;
  }
  signal.throwIfAborted();
  if (watermark === null) throw new ProviderError('bad_response', "The provider's list of changes did not say where the next one starts.");
  const next = watermark;
  release();
  try {
    await db.transaction().execute(async (trx) => {
      const mine = await trx
        .updateTable('directory_syncs')
        .set({ status: 'ready', synced_at: now().toISOString(), watermark: next, incremental_refreshes: (eb) => eb('incremental_refreshes', '+', 1) })
        .where('connection', '=', connection)
        .where('status', '=', 'syncing')
        .where('started_at', '=', claim.started_at)
        .executeTakeFirst();
      // Disconnected or reconnected since: what was fetched with the old credentials never lands.
      if (Number(mine.numUpdatedRows) !== 1) throw cancelled();
      await stage(
        trx,
        (await completed(trx, connection, [...changed.values()])).map((c) => toRow(connection, c)),
      );
      const gone = [...deleted];
      for (let i = 0; i < gone.length; i += 500) {
        await trx
          .deleteFrom('directory_contacts')
          .where('connection', '=', connection)
          .where('contact_id', 'in', gone.slice(i, i + 500))
          .execute();
      }
      const count = await countDirectory(trx, connection);
      await trx.updateTable('directory_syncs').set({ fetched: count, total: count }).where('connection', '=', connection).execute();
    });
  } catch (err) {
    throw new CommitFailed(err);
  }
}

/**
 * Replaces the directory of `connection` with the rows staged under `staging`, writing only the
 * difference: people no longer listed are deleted, new ones inserted, and a person is rewritten
 * only when one of their columns changed. A full refresh mostly finds the people it already had,
 * and each of those costs one comparison in the database instead of a delete, an insert and the
 * search index's upkeep for both. The columns are compared as they are (no content hash): the
 * database reads both rows anyway, and nothing can fall out of step with them.
 */
async function switchToStaged(trx: Q, connection: string, staging: string): Promise<void> {
  await sql`delete from directory_contacts where connection = ${connection}
    and not exists (select 1 from directory_contacts as staged where staged.connection = ${staging} and staged.contact_id = directory_contacts.contact_id)`.execute(
    trx,
  );
  const columns = sql.join(REPLACED_COLUMNS.map((c) => sql.ref(c)));
  const changed = sql.join(
    REPLACED_COLUMNS.map((c) => sql`${sql.ref(`directory_contacts.${c}`)} is distinct from ${sql.ref(`excluded.${c}`)}`),
    sql` or `,
  );
  // `where true`: SQLite reads an ON CONFLICT right after a bare FROM as a join's.
  await sql`insert into directory_contacts (connection, contact_id, ${columns})
    select cast(${connection} as text), contact_id, ${columns} from directory_contacts as staged where staged.connection = ${staging} and true
    on conflict (connection, contact_id) do update set ${sql.join(REPLACED_COLUMNS.map((c) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`))}
    where ${changed}`.execute(trx);
}

async function countDirectory(db: Q, connection: string): Promise<number> {
  const { count } = await db
    .selectFrom('directory_contacts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('connection', '=', connection)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * One refresh, run by the process holding the claim. Pages are written in small batches as they
 * arrive (a batch and `concurrency` pages are all that is ever held in memory, never the
 * directory), progress is recorded with each batch, and one transaction switches to the new
 * directory. A failure leaves the directory as it was.
 *
 * Where the batches go depends on whether the connection has a directory yet. Before its first
 * refresh completes there is none to serve (`ensureDirectory` makes every reader wait for that
 * refresh), so they go straight into place, search index and all, while the provider is still
 * being read: the refresh costs the insert of its rows and no more, and a failure deletes them.
 * Once a directory exists, readers keep it whole until the end, so the batches go to the staging
 * area and the switch writes only the difference (see `switchToStaged`).
 *
 * `release` frees this process's slot for the connection just before the outcome is written:
 * once a reader can see `ready` or `error`, a new request must start a new refresh rather than
 * join this one, which a slot freed only when the promise settles (a few ticks later) allowed.
 */
async function runRefresh(
  db: Kysely<Database>,
  connector: Connector,
  connection: string,
  concurrency: number,
  now: () => Date,
  stop: AbortSignal,
  release: () => void,
  limits: RefreshLimits,
): Promise<void> {
  const staging = stagingKey(connection);
  // The claim this refresh holds: a write finding it gone (dropped by a disconnect, or taken over)
  // stops the refresh, whichever process dropped it.
  const claim = await db
    .selectFrom('directory_syncs')
    .select(['started_at', 'synced_at', 'watermark', 'full_synced_at', 'incremental_refreshes'])
    .where('connection', '=', connection)
    .executeTakeFirstOrThrow();
  const inPlace = claim.synced_at === null;
  const into = inPlace ? connection : staging;
  const timeUp = AbortSignal.timeout(limits.seconds * 1000);
  const signal = AbortSignal.any([stop, timeUp]);
  const cancelled = () => refreshCancelled('the connection was removed or replaced');
  // An abort surfaces as whatever the connector was awaiting; say what stopped it.
  const whyStopped = (err: unknown) => {
    if (timeUp.aborted && !stop.aborted)
      return new AppError(504, 'refresh_timed_out', `The provider did not send its whole directory within ${limits.seconds} s (the refreshLimits setting).`);
    if (stop.aborted && stop.reason instanceof Error) return stop.reason;
    return err;
  };
  try {
    const startedAt = now();
    if (incrementalDue(connector, claim, startedAt, limits)) {
      try {
        await applyChanges(db, connector, connection, claim, { startedAt, now, signal, release, limits, cancelled });
        return;
      } catch (err) {
        // Stopped, cancelled, or failed while committing: no full refresh after that. Any other
        // failure (a delta link the provider no longer honours, a page it garbled) is recovered
        // from by the full refresh below, which also sets a new watermark.
        if (err instanceof CommitFailed) throw err.cause;
        if (signal.aborted || isCancelled(err)) throw whyStopped(err);
        // The provider refusing us (credentials, throttling, quota, an outage) would refuse the full
        // refresh too, and throttling would only cost more of its quota: that is the answer.
        if (err instanceof ProviderError && PROVIDER_REFUSALS.has(err.kind)) throw err;
      }
    }
    // Asked before the first page: whatever changes while the listing runs is listed again next time.
    let watermark =
      connector.listChanges && connector.changeWatermark
        ? await connector.changeWatermark({ startedAt, signal }).catch((err: unknown) => Promise.reject(whyStopped(err)))
        : null;
    // Rows a crashed refresh left behind (staged, or written in place before any refresh of this
    // connection completed) must not become part of this one.
    await db.deleteFrom('directory_contacts').where('connection', '=', into).execute();
    let fetched = 0;
    let pages = 0;
    let total: number | null = null;
    // One person listed twice within a batch is folded here (one statement may not update a
    // row twice on PostgreSQL); the Map keeps the last record and the batch's order.
    let batch = new Map<string, NewDirectoryContact>();
    // The first page is written at once: the total, when the provider tells it, shows early.
    let flushedAt = 0;
    const flush = async () => {
      const rows = [...batch.values()];
      batch = new Map();
      flushedAt = Date.now();
      await db.transaction().execute(async (trx) => {
        const progress = await trx
          .updateTable('directory_syncs')
          .set({ fetched, total })
          .where('connection', '=', connection)
          .where('status', '=', 'syncing')
          .where('started_at', '=', claim.started_at)
          .executeTakeFirst();
        if (Number(progress.numUpdatedRows) !== 1) throw cancelled();
        await stage(trx, rows);
      });
    };
    try {
      // Two pages read ahead: the next requests are on the wire while a batch is written.
      for await (const page of readAhead(allPages(connector, { signal, concurrency }), READ_AHEAD_PAGES, limits.pages + 1)) {
        signal.throwIfAborted();
        pages++;
        if (pages > limits.pages) {
          throw new AppError(
            502,
            'refresh_too_many_pages',
            `The provider kept sending pages: a refresh stops after ${limits.pages} (the refreshLimits setting).`,
          );
        }
        if (fetched + page.contacts.length > limits.contacts) {
          throw new AppError(
            502,
            'refresh_too_many_contacts',
            `The provider sent more than ${limits.contacts} people: a refresh stops there (the refreshLimits setting).`,
          );
        }
        for (const c of page.contacts) {
          batch.delete(c.id);
          batch.set(c.id, toRow(into, c));
        }
        fetched += page.contacts.length;
        total = page.total ?? total;
        // A listing that is its provider's first round of change tracking ends with the watermark.
        if (connector.listChanges && page.watermark) watermark = page.watermark;
        if (batch.size >= STAGE_ROWS || Date.now() - flushedAt >= STAGE_MAX_WAIT_MS) await flush();
      }
      signal.throwIfAborted();
    } catch (err) {
      throw whyStopped(err);
    }
    await flush();
    release();
    await db.transaction().execute(async (trx) => {
      if (!inPlace) await switchToStaged(trx, connection, staging);
      const count = await countDirectory(trx, connection);
      const done = await trx
        .updateTable('directory_syncs')
        .set({
          status: 'ready',
          fetched: count,
          total: count,
          synced_at: now().toISOString(),
          watermark,
          full_synced_at: now().toISOString(),
          incremental_refreshes: 0,
        })
        .where('connection', '=', connection)
        .where('status', '=', 'syncing')
        .where('started_at', '=', claim.started_at)
        .executeTakeFirst();
      // Disconnected or reconnected since: what was fetched with the old credentials never lands.
      if (Number(done.numUpdatedRows) !== 1) throw cancelled();
    });
    // After the switch, outside its transaction: nobody reads staging rows, and a crash before
    // this leaves them to the next claim (dropOrphanedStaging).
    if (!inPlace) await db.deleteFrom('directory_contacts').where('connection', '=', staging).execute();
  } catch (err) {
    release();
    await db.deleteFrom('directory_contacts').where('connection', '=', staging).execute();
    // A first refresh that failed takes its rows with it, unless a directory was completed
    // meanwhile (a CSV upload under the same key): then they are no longer this refresh's.
    if (inPlace) {
      await db
        .deleteFrom('directory_contacts')
        .where('connection', '=', connection)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('directory_syncs').select('connection').where('connection', '=', connection).where('synced_at', 'is not', null))),
        )
        .execute();
    }
    if (isCancelled(err)) throw err;
    const { code, message } = refreshError(err);
    await db
      .updateTable('directory_syncs')
      .set({ status: 'error', error_code: code, error_message: message.slice(0, 500) })
      .where('connection', '=', connection)
      .where('started_at', '=', claim.started_at)
      .execute();
    throw err;
  }
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
  const sync = await db.selectFrom('directory_syncs').selectAll().where('connection', '=', source.key).executeTakeFirst();
  const filled = sync?.synced_at != null;
  const fresh = filled && msUntilStale(sync.synced_at!, now(), maxAgeSeconds) > 0;
  if (!fresh) await refreshDirectory(db, { ...source, connector: () => connector }, now, undefined, limits);
}

export interface DirectoryQuery {
  search?: string | undefined;
  filters?: ContactFilters | undefined;
}

export type ContactQuery = SelectQueryBuilder<Database, 'directory_contacts', object>;

/**
 * The contacts matching a search and filters; inactive people only when asked. The flow's listing,
 * Select All and sync rules' scopes (services/sync-runs.ts) all match through it, as a query's
 * WHERE (`applyQuery`) or as a condition on a row joined from elsewhere.
 */
export function contactMatches(dialect: Dialect, connection: string, q: DirectoryQuery, access: Access, scope: number | null = null) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> => {
    const checks: Expression<SqlBool>[] = [inConnection(dialect, connection, access)(eb)];
    const status = q.filters?.status ?? 'active';
    if (status !== 'all') checks.push(eb('directory_contacts.status', '=', status));
    if (q.filters?.department) checks.push(eb('directory_contacts.department', '=', q.filters.department));
    if (q.filters?.location) checks.push(eb('directory_contacts.location', '=', q.filters.location));
    if (q.filters?.employmentType) checks.push(eb('directory_contacts.employment_type', '=', q.filters.employmentType));
    // Each word must match somewhere: "ada eng" finds Ada in Engineering.
    const words = searchWords(q.search);
    if (words.length > 0) checks.push(matchesSearch(dialect, words, access, scope)(eb));
    return eb.and(checks);
  };
}

/** Narrows a query of the directory to the contacts matching a search and filters (`contactMatches`). */
export function applyQuery(
  qb: ContactQuery,
  dialect: Dialect,
  connection: string,
  q: DirectoryQuery,
  access: Access,
  scope: number | null = null,
): ContactQuery {
  return qb.where(contactMatches(dialect, connection, q, access, scope));
}

function isMember(target: Target) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>) =>
    eb.exists(
      eb
        .selectFrom('members')
        .select(sql`1`.as('one'))
        .where('members.target_type', '=', target.type)
        .where('members.target_id', '=', target.id)
        .whereRef('members.email', '=', 'directory_contacts.email_normalized'),
    );
}

function isInvited(target: Target, now: Date) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>) =>
    eb.exists(
      eb
        .selectFrom('invites')
        .select(sql`1`.as('one'))
        .where('invites.target_type', '=', target.type)
        .where('invites.target_id', '=', target.id)
        .where(liveInvite(now))
        .whereRef('invites.email_normalized', '=', 'directory_contacts.email_normalized'),
    );
}

/** A cache row as the contact a connector gave. */
function storedContact(row: DirectoryContactRow): DirectoryContact {
  return {
    id: row.contact_id,
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    email: row.email,
    personalEmail: row.personal_email,
    title: row.title,
    department: row.department,
    location: row.location,
    employmentType: row.employment_type,
    managerId: row.manager_id,
    status: row.status === 'inactive' ? 'inactive' : 'active',
    avatarUrl: row.avatar_url,
  };
}

function toContact(row: DirectoryContactRow & { member: unknown; invited: unknown }): Contact {
  const membership: Membership = Number(row.member) ? 'member' : Number(row.invited) ? 'invited' : null;
  return { ...storedContact(row), membership };
}

/**
 * Random access by position, for a virtualized list that jumps to row 99,900 without walking
 * a thousand cursors. The page still ends with a keyset `nextCursor`, so reading on from
 * there is keyset paging again.
 */
function skipTo<T extends SelectQueryBuilder<Database, 'directory_contacts', object>>(page: T, offset: number): T {
  return (offset > 0 ? page.offset(offset) : page) as T;
}

export async function listContacts(
  db: Kysely<Database>,
  target: Target,
  connection: string,
  q: DirectoryQuery & { cursor?: string | undefined; offset?: number | undefined; limit: number },
  now: Date,
): Promise<ContactPage> {
  const dialect = dialectOf(db);
  // On SQLite the FTS index answers the counts alone when it can, and they choose the page's way in.
  const plan = dialect === 'sqlite' ? await indexPlan(db, connection, q.search, q.filters) : null;
  const counts = plan === 'empty' ? { total: 0, reachable: 0 } : plan ? await countByIndex(db, plan) : null;
  const hits = plan !== null && plan !== 'empty' && counts !== null && counts.total < HITS_FIRST;
  let page = applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, hits ? 'hits' : 'walk', hits ? plan.id : null)
    .selectAll('directory_contacts')
    .select((eb) => [isMember(target)(eb).as('member'), isInvited(target, now)(eb).as('invited')])
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .limit(q.limit + 1);
  if (q.offset !== undefined) page = skipTo(page, q.offset);
  if (q.cursor) {
    // Keyset paging: stable and as fast on the last page as on the first.
    const [name, id] = decodeCursor(q.cursor);
    page = page.where((eb) =>
      eb.or([
        eb('directory_contacts.sort_name', '>', name),
        eb.and([eb('directory_contacts.sort_name', '=', name), eb('directory_contacts.contact_id', '>', id)]),
      ]),
    );
  }
  const [rows, matched, taken] = await Promise.all([
    page.execute(),
    counts ?? countMatches(db, dialect, connection, q),
    plan === 'empty' ? 0 : countTaken(db, dialect, target, connection, q, now, plan),
  ]);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return {
    items: items.map(toContact),
    nextCursor: more ? encodeCursor([items[items.length - 1]!.sort_name, items[items.length - 1]!.contact_id]) : null,
    total: matched.total,
    // Exact, as Select All weighs it against the seats: people with an address who are neither
    // members nor holders of a live invite.
    selectable: matched.reachable - taken,
  };
}

/** How many people a query matches, and how many of them have an address: one pass over the matching rows, no per-row subquery. */
async function countMatches(db: Kysely<Database>, dialect: Dialect, connection: string, q: DirectoryQuery): Promise<{ total: number; reachable: number }> {
  const row = await applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, 'count')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('directory_contacts.email_normalized').as('reachable')])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), reachable: Number(row.reachable) };
}

/**
 * How many of the people a query matches already hold a seat or a live invite of the target.
 * Driven from the target's members and pending invites (few, against a directory of many) through
 * the `(connection, email_normalized)` index, so the cost follows the seats taken and not the
 * size of the directory: on SQLite, with an index `plan`, each is looked up among the index's
 * hits; otherwise each found row is checked against the query.
 */
async function countTaken(
  db: Kysely<Database>,
  dialect: Dialect,
  target: Target,
  connection: string,
  q: DirectoryQuery,
  now: Date,
  plan: IndexPlan | null,
): Promise<number> {
  const taken = seatHolders(db, target, now);
  if (plan) return countTakenByIndex(db, plan, connection, taken);
  if (dialect === 'postgres') {
    // A lateral subquery per member or invite (`offset 0` keeps it from being flattened): left to
    // itself the planner hashes every match of the search instead (28 ms at 25,000 matches,
    // against 3 ms for 3,000 lookups).
    const hits = applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, 'seats')
      .where((eb) => eb(sql.ref('directory_contacts.email_normalized'), '=', sql.ref('taken.email')))
      .select(sql`1`.as('one'))
      .offset(0);
    const found = await sql<{ n: string | number }>`select count(*) as n from ${taken} as taken cross join lateral ${hits} as hit`.execute(db);
    return Number(found.rows[0]!.n);
  }
  const row = await applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, 'seats')
    .where('directory_contacts.email_normalized', 'in', taken)
    .select((eb) => eb.fn.countAll<number>().as('taken'))
    .executeTakeFirstOrThrow();
  return Number(row.taken);
}

/**
 * The departments and locations of the people a search matches, with how many in each: one pass
 * over the matching rows grouped by both, summed here per column (the pairs are few: a company
 * has tens of departments and places, not thousands of each).
 */
export async function listFacets(db: Kysely<Database>, connection: string, q: DirectoryQuery): Promise<ContactFacets> {
  const pairs = await applyQuery(
    db.selectFrom('directory_contacts'),
    dialectOf(db),
    connection,
    { search: q.search, filters: { status: q.filters?.status } },
    'count',
  )
    .select(['directory_contacts.department', 'directory_contacts.location', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['directory_contacts.department', 'directory_contacts.location'])
    .execute();
  const departments = new Map<string, number>();
  const locations = new Map<string, number>();
  for (const p of pairs) {
    if (p.department !== null) departments.set(p.department, (departments.get(p.department) ?? 0) + Number(p.count));
    if (p.location !== null) locations.set(p.location, (locations.get(p.location) ?? 0) + Number(p.count));
  }
  // Byte order, as the databases sort with their C collation (test/postgres.ts).
  const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, count]) => ({ value, count }));
  return { departments: sorted(departments), locations: sorted(locations) };
}

export type Selection = { ids: string[] } | { all: true; search?: string | undefined; filters?: ContactFilters | undefined; except?: string[] | undefined };

/**
 * The contacts a selection names, read from the cache. Ids the cache does not hold come back in
 * `missing` so the import can say so instead of dropping them silently.
 */
/** What an import needs of a selected contact: who, and where to write. */
const SELECTED_COLUMNS = ['contact_id', 'display_name', 'first_name', 'email', 'email_normalized'] as const;
export type SelectedContact = Pick<DirectoryContactRow, (typeof SELECTED_COLUMNS)[number]>;

export async function resolveSelection(db: Q, connection: string, selection: Selection): Promise<{ contacts: SelectedContact[]; missing: string[] }> {
  if ('ids' in selection) {
    const wanted = [...new Set(selection.ids)];
    const found = new Map<string, SelectedContact>();
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await db
        .selectFrom('directory_contacts')
        .select(SELECTED_COLUMNS)
        .where('connection', '=', connection)
        .where('contact_id', 'in', wanted.slice(i, i + 500))
        .execute();
      for (const r of rows) found.set(r.contact_id, r);
    }
    // Keep the order the admin selected in.
    return { contacts: wanted.flatMap((id) => found.get(id) ?? []), missing: wanted.filter((id) => !found.has(id)) };
  }
  const except = new Set(selection.except ?? []);
  const rows = await applyQuery(db.selectFrom('directory_contacts'), dialectOf(db), connection, selection, 'count')
    .select(SELECTED_COLUMNS.map((c) => `directory_contacts.${c}` as const))
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .execute();
  return { contacts: rows.filter((r) => !except.has(r.contact_id)), missing: [] };
}
