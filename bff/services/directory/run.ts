/**
 * One refresh, as the process holding its claim runs it (services/directory/refresh.ts decides
 * who that is): incremental where the provider can, else every page into staging and one switch.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, NewDirectoryContact } from '../../db/schema.js';
import { ProviderError, type Connector } from '../../connectors/types.js';
import { allPages, readAhead } from '../../connectors/paging.js';
import { redact } from '../../connectors/redact.js';
import { AppError } from '../../errors.js';
import type { RefreshLimits } from './limits.js';
import { applyChanges, CommitFailed, incrementalDue } from './changes.js';
import { countDirectory, REPLACED_COLUMNS, settleSearchIndex, stage, stagingKey, toRow, type Q } from './rows.js';
import { directoryChanged } from '../../db/answer-generations.js';

/** A refresh stopped because its connection was removed or replaced: it leaves no status behind, only no directory. */
export const refreshCancelled = (why: string) => new AppError(409, 'refresh_cancelled', `The directory refresh was stopped: ${why}.`);
const isCancelled = (err: unknown) => err instanceof AppError && err.code === 'refresh_cancelled';

/** The code and message a failed refresh leaves for the widget: the provider's own words, nothing internal. */
function refreshError(err: unknown): { code: string; message: string } {
  // Redacted again here: this text is stored and shown to every tenant of the connection.
  if (err instanceof ProviderError) return { code: `provider_${err.kind}`, message: redact(err.message) };
  if (err instanceof AppError) return { code: err.code, message: redact(err.message) };
  return { code: 'provider_sync_failed', message: 'The directory could not be refreshed; try again.' };
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

/** Failures of an incremental refresh that a full refresh would meet as well. */
const PROVIDER_REFUSALS = new Set(['auth', 'permission', 'rate_limited', 'quota_exceeded', 'unavailable']);

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
export async function runRefresh(
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
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('directory_contacts').where('connection', '=', into).execute();
      if (inPlace) await directoryChanged(trx, connection);
    });
    let fetched = 0;
    let pages = 0;
    let total: number | null = null;
    // One person listed twice within a batch is folded here (one statement may not update a
    // row twice on PostgreSQL); the Map keeps the last record and the batch's order.
    let batch = new Map<string, NewDirectoryContact>();
    // The first page is written at once: the total, when the provider tells it, shows early.
    let flushedAt = 0;
    const write = (rows: NewDirectoryContact[], progress: { fetched: number; total: number | null }) =>
      db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('directory_syncs')
          .set(progress)
          .where('connection', '=', connection)
          .where('status', '=', 'syncing')
          .where('started_at', '=', claim.started_at)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) throw cancelled();
        await stage(trx, rows);
        // A first refresh writes the directory itself (see above); staging rows are nobody's answer.
        if (inPlace) await directoryChanged(trx, connection);
      });
    // The batch being written while the next one fills: the database's work and the provider's
    // pages (their requests, parsing, normalising) overlap instead of taking turns. One write at a
    // time, so batches commit in the provider's order ("the last record wins" across batches).
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      const rows = [...batch.values()];
      batch = new Map();
      flushedAt = Date.now();
      writing = write(rows, { fetched, total });
      // Surfaces at the next flush, or at the end; never as unhandled meanwhile.
      writing.catch(() => undefined);
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
      // Nothing may still be writing when the cleanup below deletes this refresh's rows.
      await writing.catch(() => undefined);
      throw whyStopped(err);
    }
    await flush();
    await writing;
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
      await directoryChanged(trx, connection);
    });
    // After the switch, outside its transaction: nobody reads staging rows, and a crash before
    // this leaves them to the next claim (dropOrphanedStaging).
    if (!inPlace) await db.deleteFrom('directory_contacts').where('connection', '=', staging).execute();
    await settleSearchIndex(db);
  } catch (err) {
    release();
    await db.deleteFrom('directory_contacts').where('connection', '=', staging).execute();
    // A first refresh that failed takes its rows with it, unless a directory was completed
    // meanwhile (a CSV upload under the same key): then they are no longer this refresh's.
    if (inPlace) {
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('directory_contacts')
          .where('connection', '=', connection)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('directory_syncs').select('connection').where('connection', '=', connection).where('synced_at', 'is not', null))),
          )
          .execute();
        await directoryChanged(trx, connection);
      });
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
