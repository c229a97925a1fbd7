/**
 * What the contact list's routes read on every request, in one statement: whether the directory
 * is fresh, when a listing last marked it used, the session's target, and the generations its
 * kept answers are valid for (answers.ts). Four queries before (the sync row twice, the target,
 * the generations), which on PostgreSQL were four round trips through a pool shared by every
 * request; a kept answer costs little else.
 *
 * Nothing is written unless the directory is stale (then refreshed, as `ensureDirectory` does)
 * or has not been marked used for an hour (`markDirectoryUsed`).
 */
import { sql, type Kysely } from 'kysely';
import type { Database, Target } from '../../db/schema.js';
import { directoryScope, generationOf, seatsScope, stampOf } from '../../db/answer-generations.js';
import { markDirectoryUsed } from '../retention.js';
import { targetNotFound, type TargetRef } from '../targets.js';
import { ensureDirectory, isFresh, type DirectorySource } from './refresh.js';
import type { RefreshLimits } from './limits.js';
import type { AnswerStamps } from './answers.js';

/** How the directory is kept: its lifetime (none: never stale) and the refresh's limits. */
export interface Freshness {
  maxAgeSeconds: number | undefined;
  limits: RefreshLimits;
}

/** The directory's sync state and generation, as columns of the statement that reads the rest. */
function directoryColumns(connection: string) {
  return [
    sql<string | null>`(select directory_syncs.synced_at from directory_syncs where directory_syncs.connection = ${connection})`.as('listing_synced_at'),
    sql<string | null>`(select directory_syncs.used_at from directory_syncs where directory_syncs.connection = ${connection})`.as('listing_used_at'),
    generationOf(directoryScope(connection)).as('listing_directory_generation'),
  ] as const;
}

/**
 * Reads with `read`, refreshes the directory when the read says it is stale, and reads again:
 * the generations must be read after the refresh that raises them, or its answer is kept under
 * numbers already out of date (correct, but computed again at the next request).
 */
async function readFresh<T extends { listing_synced_at: string | null }>(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  freshness: Freshness,
  read: () => Promise<T>,
): Promise<T> {
  // Asked first, even for a fresh cache: a disconnected organization's directory is never served.
  source.connector();
  const row = await read();
  if (isFresh(row.listing_synced_at, now(), freshness.maxAgeSeconds)) return row;
  await ensureDirectory(db, source, now, freshness.maxAgeSeconds, freshness.limits);
  return read();
}

/** `GET …/contacts`: the directory made fresh and marked used, the target, and the stamps of its answers. */
export async function openContactList(
  db: Kysely<Database>,
  source: DirectorySource,
  ref: TargetRef,
  now: () => Date,
  freshness: Freshness,
): Promise<{ target: Target; stamps: AnswerStamps }> {
  const row = await readFresh(db, source, now, freshness, async () => {
    const found = await db
      .selectFrom('targets')
      .selectAll('targets')
      .select([...directoryColumns(source.cacheKey), generationOf(seatsScope(ref)).as('listing_seats_generation')])
      .where('targets.type', '=', ref.type)
      .where('targets.id', '=', ref.id)
      .executeTakeFirst();
    if (!found) throw targetNotFound(ref);
    return found;
  });
  const { listing_synced_at, listing_used_at, listing_directory_generation, listing_seats_generation, ...target } = row;
  if (listing_synced_at !== null) await markDirectoryUsed(db, source.cacheKey, listing_used_at, now());
  return { target, stamps: { directory: stampOf([listing_directory_generation]), seats: stampOf([listing_seats_generation]) } };
}

/** `GET …/contacts/facets`: the directory made fresh, and the stamp of its answers. */
export async function openFacets(db: Kysely<Database>, source: DirectorySource, now: () => Date, freshness: Freshness): Promise<string> {
  const row = await readFresh(db, source, now, freshness, () => db.selectNoFrom(directoryColumns(source.cacheKey)).executeTakeFirstOrThrow());
  return stampOf([row.listing_directory_generation]);
}
