/**
 * The rules of `answer_generations`: what the contact list's kept answers are valid for
 * (services/directory/answers.ts). One number per directory (`directory:<connection>`) and one
 * per target's seats (`seats:<type>:<id>`), raised by every write that can change a search's
 * answer, in that write's own transaction:
 *
 * - `directoryChanged`: a refresh (full switch, incremental, a first refresh's batches), a CSV
 *   upload, a SCIM push, an erasure, a directory dropped (disconnected, unused).
 * - `seatsChanged`: an import (and a sync rule's joiners), a member sync, an accept, a revoke (and
 *   a sync rule's leavers), a resend, an erasure.
 *
 * Free functions taking the database or the caller's transaction, like the rest of bff/db/.
 * Kept apart from the answers themselves so the writers import nothing of the search.
 */
import { sql, type Expression, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** The target whose seats changed, as its rows name it. */
export interface SeatsOf {
  type: string;
  id: string;
}

export const directoryScope = (connection: string) => `directory:${connection}`;
export const seatsScope = (target: SeatsOf) => `seats:${target.type}:${target.id}`;

/**
 * Raises the numbers of `scopes`, in the caller's transaction. Call it after the write and before
 * `recordEvents` (which must stay last); in a fixed order, so that two transactions raising the
 * same numbers wait for each other instead of deadlocking on PostgreSQL.
 */
async function bump(trx: Q, scopes: string[]): Promise<Map<string, number>> {
  const sorted = [...new Set(scopes)].sort();
  if (sorted.length === 0) return new Map();
  const rows = await trx
    .insertInto('answer_generations')
    .values(sorted.map((scope) => ({ scope, generation: 1 })))
    .onConflict((oc) => oc.column('scope').doUpdateSet({ generation: (eb) => eb('answer_generations.generation', '+', 1) }))
    .returning(['scope', 'generation'])
    .execute();
  return new Map(rows.map((r) => [r.scope, Number(r.generation)]));
}

/** The people of these directories changed (or may have): their kept answers are out of date. */
export async function directoryChanged(trx: Q, ...connections: string[]): Promise<void> {
  await bump(trx, connections.map(directoryScope));
}

/**
 * The members or invites of these targets changed: the kept pages of their searches, and their
 * kept seat counts (db/seat-counts.ts), are out of date. Returns the new numbers by scope.
 */
export function seatsChanged(trx: Q, ...targets: SeatsOf[]): Promise<Map<string, number>> {
  return bump(trx, targets.map(seatsScope));
}

/** Numbers read (null: never raised, so 0) as one stamp. */
export const stampOf = (generations: readonly (number | string | null | undefined)[]): string => generations.map((g) => String(g ?? 0)).join('.');

/**
 * The current numbers of `scopes` as one stamp (a scope never raised is 0): one read of as many
 * primary-key rows, and never a write, on the path of every search.
 */
export async function generationStamp(db: Q, scopes: string[]): Promise<string> {
  const rows = await db.selectFrom('answer_generations').select(['scope', 'generation']).where('scope', 'in', scopes).execute();
  const of = new Map(rows.map((r) => [r.scope, r.generation]));
  return stampOf(scopes.map((s) => of.get(s)));
}

/**
 * One scope's number as a column of another read (a subquery of one primary-key row; null when
 * never raised), so a route reads it in the same statement as the rest of what it needs. The scope
 * is a value, or a column of that read holding one.
 */
export const generationOf = (scope: string | Expression<string>): RawBuilder<number | string | null> =>
  sql`(select answer_generations.generation from answer_generations where answer_generations.scope = ${scope})`;
