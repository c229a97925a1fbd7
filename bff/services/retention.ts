/**
 * The retention worker: deletes personal data once its period (the `retention` setting,
 * bff/config.ts) has passed, so nothing is kept because nobody got round to deleting it.
 *
 * - a provider's cached directory nobody listed for `directoryUnusedDays`
 *   (with its staging rows and its sync state, errors included); it is fetched again when next needed;
 * - invites finished (accepted, revoked, or expired) more than `inviteHistoryDays` ago, with their
 *   mail rows, and the imports left without invites;
 * - audit trail entries older than `auditDays`;
 * - events older than `eventLogDays` whose deliveries are over, with those deliveries;
 * - CSV uploads never confirmed, once they expire (an hour after the upload).
 *
 * Every replica may run it: each pass deletes what is due, and deleting twice deletes nothing.
 * Each pass is bounded (BATCH rows a statement, MAX_BATCHES statements a kind); what is left is
 * deleted at the next pass.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { RetentionSettings } from '../config.js';
import { repeat } from '../repeat.js';
import { dropDirectory } from './directory/rows.js';
import { forgetMailBefore, hourOf } from '../db/mail-counts.js';

export interface RetentionWorkerOptions {
  db: Kysely<Database>;
  retention: RetentionSettings;
  now?: () => Date;
  logger: Logger;
}

export interface RetentionRun {
  directories: number;
  invites: number;
  imports: number;
  audit: number;
  events: number;
  uploads: number;
}

export interface RetentionWorker {
  runOnce(): Promise<RetentionRun>;
  /** The first pass at once, then one every `intervalMs`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/** One pass an hour is enough for periods counted in days. */
export const RETENTION_INTERVAL_MS = 3_600_000;

const DAY_MS = 86_400_000;
const BATCH = 500;
const MAX_BATCHES = 200;
/** A refresh claimed less than this long ago is alive (services/directory/refresh.ts, SYNC_LEASE_MS). */
const REFRESH_LEASE_MS = 10 * 60_000;
/** How often a read marks its directory used: one write an hour per directory, not one per listing. */
const USED_RESOLUTION_MS = 3_600_000;

/**
 * Records that a listing read this directory, so it is not purged as unused. At most one write an
 * hour per directory: `usedAt` is the `used_at` the caller read (the contact list reads it with
 * everything else it needs, services/directory/listing.ts), so a read in between writes nothing.
 * A database that refuses writes (full disk, read-only) must not fail the read, so a failed write
 * is ignored: the directory is then only purged early.
 */
export async function markDirectoryUsed(db: Kysely<Database>, connection: string, usedAt: string | null, now: Date): Promise<void> {
  if (usedAt && Date.parse(usedAt) > now.getTime() - USED_RESOLUTION_MS) return;
  try {
    await db.updateTable('directory_syncs').set({ used_at: now.toISOString() }).where('connection', '=', connection).execute();
  } catch {
    // See above: reads go on under a database that takes no writes.
  }
}

/** Deletes in batches of BATCH ids until fewer are due; returns how many. */
async function inBatches(pick: () => Promise<string[]>, remove: (ids: string[]) => Promise<void>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const ids = await pick();
    if (ids.length) await remove(ids);
    total += ids.length;
    if (ids.length < BATCH) break;
  }
  return total;
}

export function createRetentionWorker(options: RetentionWorkerOptions): RetentionWorker {
  const { db, retention, logger } = options;
  const now = options.now ?? (() => new Date());
  const before = (days: number) => new Date(now().getTime() - days * DAY_MS).toISOString();

  async function directories(): Promise<number> {
    const cutoff = before(retention.directoryUnusedDays);
    const live = new Date(now().getTime() - REFRESH_LEASE_MS).toISOString();
    const due = await db
      .selectFrom('directory_syncs')
      .select('connection')
      .where(sql<string>`coalesce(used_at, synced_at, started_at)`, '<', cutoff)
      // A refresh running now is a use.
      .where((eb) => eb.or([eb('status', '!=', 'syncing'), eb('started_at', '<', live)]))
      .limit(BATCH)
      .execute();
    for (const d of due) await db.transaction().execute((trx) => dropDirectory(trx, d.connection));
    return due.length;
  }

  async function invites(): Promise<{ invites: number; imports: number }> {
    const cutoff = before(retention.inviteHistoryDays);
    const removed = await inBatches(
      async () =>
        (
          await db
            .selectFrom('invites')
            .select('id')
            .where((eb) =>
              eb.or([
                eb.and([eb('status', '=', 'accepted'), eb('accepted_at', '<', cutoff)]),
                eb.and([eb('status', '=', 'revoked'), eb('revoked_at', '<', cutoff)]),
                // Pending past its expiry is expired (services/invites.ts); a resend would have moved expires_at.
                eb.and([eb('status', 'in', ['pending', 'expired']), eb('expires_at', '<', cutoff)]),
              ]),
            )
            .limit(BATCH)
            .execute()
        ).map((r) => r.id),
      // Only invites that hold no seat go (accepted, revoked, long expired): no search counted them,
      // so the answers kept of their targets stay exact (services/directory/answers.ts).
      (ids) =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('outbox').where('invite_id', 'in', ids).execute();
          await trx.deleteFrom('invites').where('id', 'in', ids).execute();
        }),
    );
    const imports = await inBatches(
      async () =>
        (
          await db
            .selectFrom('imports')
            .select('id')
            .where('created_at', '<', cutoff)
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('invites')
                    .select(sql`1`.as('one'))
                    .whereRef('invites.import_id', '=', 'imports.id'),
                ),
              ),
            )
            .limit(BATCH)
            .execute()
        ).map((r) => r.id),
      async (ids) => void (await db.deleteFrom('imports').where('id', 'in', ids).execute()),
    );
    return { invites: removed, imports };
  }

  const audit = async () => {
    const cutoff = before(retention.auditDays);
    // The hourly mail sums serve the daily budgets only: two days back is more than they read.
    await forgetMailBefore(db, hourOf(before(2)));
    return inBatches(
      async () => (await db.selectFrom('audit_events').select('id').where('at', '<', cutoff).limit(BATCH).execute()).map((r) => r.id),
      async (ids) => void (await db.deleteFrom('audit_events').where('id', 'in', ids).execute()),
    );
  };

  const events = () => {
    const cutoff = before(retention.eventLogDays);
    return inBatches(
      async () =>
        (
          await db
            .selectFrom('events')
            .select('id')
            .where('created_at', '<', cutoff)
            // A delivery still being tried reads the event's payload: it goes when the delivery is over.
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('webhook_deliveries')
                    .select(sql`1`.as('one'))
                    .whereRef('webhook_deliveries.event_id', '=', 'events.id')
                    .where('webhook_deliveries.status', 'in', ['pending', 'delivering']),
                ),
              ),
            )
            .limit(BATCH)
            .execute()
        ).map((r) => r.id),
      (ids) =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', ids).execute();
          await trx.deleteFrom('events').where('id', 'in', ids).execute();
        }),
    );
  };

  const uploads = async () => Number((await db.deleteFrom('csv_uploads').where('expires_at', '<=', now().toISOString()).executeTakeFirst()).numDeletedRows);

  async function runOnce(): Promise<RetentionRun> {
    const run = { directories: await directories(), ...(await invites()), audit: await audit(), events: await events(), uploads: await uploads() };
    if (Object.values(run).some((n) => n > 0)) logger.info('retention purged', { ...run });
    return run;
  }

  const loop = repeat(async () => (await runOnce(), false), logger, 'retention run failed');
  return { runOnce, start: loop.start, stop: loop.stop };
}
