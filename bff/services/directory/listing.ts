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
import { sql, type Expression, type Kysely } from 'kysely';
import type { Database, Target } from '../../db/schema.js';
import { batchReads, readLatest } from '../../db/latest-read.js';
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

/**
 * The directory's sync state and generation, as columns of the statement that reads the rest: of
 * `connection`, or of the connection and scope that columns of that statement hold (a batch).
 */
function directoryColumns(connection: string | Expression<string>, scope = typeof connection === 'string' ? directoryScope(connection) : connection) {
  return [
    sql<string | null>`(select directory_syncs.synced_at from directory_syncs where directory_syncs.connection = ${connection})`.as('listing_synced_at'),
    sql<string | null>`(select directory_syncs.used_at from directory_syncs where directory_syncs.connection = ${connection})`.as('listing_used_at'),
    generationOf(scope).as('listing_directory_generation'),
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

type OpeningRow = Target & {
  listing_synced_at: string | null;
  listing_used_at: string | null;
  listing_directory_generation: number | string | null;
  listing_seats_generation: number | string | null;
};

const openingKey = (connection: string, ref: TargetRef) => JSON.stringify([connection, ref.type, ref.id]);

/** The opening row of one contact list: its target, with the directory's state and the generations. */
async function readOpeningRow(db: Kysely<Database>, connection: string, ref: TargetRef): Promise<OpeningRow> {
  const found = await db
    .selectFrom('targets')
    .selectAll('targets')
    .select([...directoryColumns(connection), generationOf(seatsScope(ref)).as('listing_seats_generation')])
    .where('targets.type', '=', ref.type)
    .where('targets.id', '=', ref.id)
    .executeTakeFirst();
  if (!found) throw targetNotFound(ref);
  return found;
}

/**
 * The opening rows of many contact lists in one statement (PostgreSQL: a key list as VALUES), the
 * same columns as readOpeningRow's. A key whose target is missing has no row; its request reads
 * alone and is refused there.
 */
const openingRows = batchReads<OpeningRow>(async (db, keys) => {
  const wanted = keys.map((key) => {
    const [connection, type, id] = JSON.parse(key) as [string, string, string];
    return sql`(${key}, ${connection}, ${directoryScope(connection)}, ${seatsScope({ type, id })}, ${type}, ${id})`;
  });
  const k = (column: string) => sql.ref<string>(`k.${column}`);
  const columns = [...directoryColumns(k('connection'), k('directory_scope')), generationOf(k('seats_scope')).as('listing_seats_generation')];
  const { rows } = await sql<OpeningRow & { listing_key: string }>`
    select k.key as listing_key, targets.*, ${sql.join(columns)}
    from (values ${sql.join(wanted)}) as k(key, connection, directory_scope, seats_scope, type, id)
    join targets on targets.type = k.type and targets.id = k.id`.execute(db);
  return new Map(rows.map(({ listing_key, ...row }) => [listing_key, row]));
});

/** `GET …/contacts`: the directory made fresh and marked used, the target, and the stamps of its answers. */
export async function openContactList(
  db: Kysely<Database>,
  source: DirectorySource,
  ref: TargetRef,
  now: () => Date,
  freshness: Freshness,
): Promise<{ target: Target; stamps: AnswerStamps }> {
  const row = await readFresh(db, source, now, freshness, () =>
    readLatest(db, openingKey(source.cacheKey, ref), () => readOpeningRow(db, source.cacheKey, ref), openingRows),
  );
  const { listing_synced_at, listing_used_at, listing_directory_generation, listing_seats_generation, ...target } = row;
  if (listing_synced_at !== null) await markDirectoryUsed(db, source.cacheKey, listing_used_at, now());
  return { target, stamps: { directory: stampOf([listing_directory_generation]), seats: stampOf([listing_seats_generation]) } };
}

/** `GET …/contacts/facets`: the directory made fresh, and the stamp of its answers. */
export async function openFacets(db: Kysely<Database>, source: DirectorySource, now: () => Date, freshness: Freshness): Promise<string> {
  const row = await readFresh(db, source, now, freshness, () =>
    readLatest(db, JSON.stringify(['facets', source.cacheKey]), () => db.selectNoFrom(directoryColumns(source.cacheKey)).executeTakeFirstOrThrow()),
  );
  return stampOf([row.listing_directory_generation]);
}
