/**
 * A run's evaluation: the rule's directory compared with the target in SQL, over the whole
 * directory, reading into memory only what changed. A directory that shrank suspiciously changes nothing.
 */
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncRunRow, Target } from '../../db/schema.js';
import type { SyncRun } from '../../../contract/index.js';
import type { NewEvent } from '../../webhooks/events.js';
import { definitionOf, inScope, type SyncDeps } from './rule.js';
import { EMPTY_OUTCOME, type Evaluation, type Outcome } from './outcome.js';
import { inviteJoiners } from './joiners.js';
import { reviewLinked } from './linked.js';

type Q = Kysely<Database>;

/**
 * Compares the rule's directory (already refreshed) with the target and writes what it finds, in
 * the caller's transaction under the target's lock: the joiners (joiners.ts), then the members and
 * invitees HR knows (linked.ts). The report and the events are the caller's to
 * write (`finish`). Exported for bench/sync.ts, which times it alone.
 */
export async function evaluate(trx: Q, deps: SyncDeps, rule: SyncRuleRow, run: SyncRunRow, target: Target): Promise<Outcome> {
  const now = deps.now();
  const iso = now.toISOString();
  const def = definitionOf(rule);
  const connection = rule.connection;

  // A provider answering with nothing, or with far fewer people than last time, is in trouble:
  // everyone leaving at once is not what happened.
  const size = Number(
    (
      await trx
        .selectFrom('directory_contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('connection', '=', connection)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const last = await trx
    .selectFrom('sync_runs')
    .select('directory_size')
    .where('rule_id', '=', rule.id)
    .where('status', 'in', ['completed', 'held'])
    .where('directory_size', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const before = last?.directory_size == null ? null : Number(last.directory_size);
  if (size === 0 || (before !== null && size < before / 2)) {
    const message =
      size === 0
        ? 'The HR application answered with an empty directory; nothing was changed.'
        : `The HR application answered with ${size} people, under half of the ${before} of the last run; nothing was changed.`;
    return { ...EMPTY_OUTCOME, status: 'failed', directorySize: size, error: { code: 'provider_suspect', message } };
  }

  const active = () => inScope(trx, connection, def.scope).where('directory_contacts.status', '=', 'active');
  const matched = Number(
    (
      await active()
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const events: NewEvent[] = [];
  const skipped: SyncRun['skipped'] = [];
  let skippedCount = 0;
  const skip = (s: SyncRun['skipped'][number]) => {
    skippedCount++;
    if (skipped.length < 100) skipped.push(s);
  };

  const e: Evaluation = { trx, deps, rule, run, target, def, now, iso, connection, active, events, skip };
  const { invited, joiners } = await inviteJoiners(e);
  const { status, error, revoked, leavers, roleChanges } = await reviewLinked(e);
  return { status, directorySize: size, matched, invited, joiners, leavers, roleChanges, revoked, skipped, skippedCount, error, events };
}
