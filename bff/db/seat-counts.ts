/**
 * The seats an import counts, kept between imports. Counting them (services/targets.ts,
 * `countSeats`) reads every member and live invite of the target, which grows with every import;
 * an import instead reads the count the previous import left in `seat_counts`, one row, and leaves
 * its own. A kept count is exact while two things hold:
 *
 * - the target's seats generation (`answer_generations`, raised in the transaction of every write
 *   that changes a target's members or invites) is the one it was counted at; and
 * - no invite it counted as live has expired since: it is kept until the earliest expiry among
 *   them (an invite stops holding its seat at expiry, with no write).
 *
 * Otherwise it is counted again. Only an import under the target's lock writes a count, and only
 * when the generation its own write raised is the one it read plus one: a write of another
 * transaction in between (a revoke does not take the target's lock) leaves the row out of date,
 * so the next import counts again. Free functions over the caller's transaction, like the rest of
 * bff/db/.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { seatsScope, type SeatsOf } from './answer-generations.js';
import { liveInvite } from './invites.js';

type Q = Kysely<Database> | Transaction<Database>;

/** Seats in use, the seats generation they were counted at, and until when they hold without a write. */
export interface SeatsInUse {
  used: number;
  generation: number;
  validUntil: string | null;
}

/** The target's seats in use: the kept count when it still holds, else counted by `count` now. */
export async function seatsInUse(trx: Q, target: SeatsOf, now: Date, count: () => Promise<number>): Promise<SeatsInUse> {
  const scope = seatsScope(target);
  const kept = await trx
    .selectFrom('seat_counts')
    .select(['seat_counts.generation', 'used', 'valid_until'])
    .select((eb) => eb.selectFrom('answer_generations').select('answer_generations.generation').where('answer_generations.scope', '=', scope).as('current'))
    .where('seat_counts.scope', '=', scope)
    .executeTakeFirst();
  const at = now.toISOString();
  if (kept && Number(kept.generation) === Number(kept.current ?? 0) && (kept.valid_until === null || at < kept.valid_until)) {
    return { used: Number(kept.used), generation: Number(kept.generation), validUntil: kept.valid_until };
  }
  // Read before counting: a write committed in between raises the number past the one read, and
  // the count taken here is then not kept (keepSeatsInUse).
  const generation = await trx.selectFrom('answer_generations').select('generation').where('scope', '=', scope).executeTakeFirst();
  const [used, earliest] = await Promise.all([
    count(),
    trx
      .selectFrom('invites')
      .select(sql<string | null>`min(${sql.ref('invites.expires_at')})`.as('at'))
      .where('invites.target_type', '=', target.type)
      .where('invites.target_id', '=', target.id)
      .where(liveInvite(now))
      .executeTakeFirstOrThrow(),
  ]);
  return { used, generation: Number(generation?.generation ?? 0), validUntil: earliest.at };
}

/**
 * Keeps `used` as the target's seats in use after a write that raised its seats generation to
 * `generation` from `before.generation` (the one `seatsInUse` read), its new invites expiring at
 * `expiresAt`. Does nothing when another write raised the number in between.
 */
export async function keepSeatsInUse(
  trx: Q,
  target: SeatsOf,
  before: SeatsInUse,
  after: { used: number; generation: number; expiresAt: string | null },
): Promise<void> {
  if (after.generation !== before.generation + 1) return;
  const ends = [before.validUntil, after.expiresAt].filter((t): t is string => t !== null).sort();
  const row = { scope: seatsScope(target), generation: after.generation, used: after.used, valid_until: ends[0] ?? null };
  await trx
    .insertInto('seat_counts')
    .values(row)
    .onConflict((oc) => oc.column('scope').doUpdateSet({ generation: row.generation, used: row.used, valid_until: row.valid_until }))
    .execute();
}
