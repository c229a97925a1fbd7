/** Runs and updates as the admin and the host see them. */
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncRunRow, SyncUpdateRow, Target } from '../../db/schema.js';
import type { SyncRun, SyncUpdate, SyncUpdateList } from '../../../contract/index.js';
import { AppError } from '../../errors.js';
import { countSeats, type TargetRef } from '../targets.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { UpdateKind } from './apply.js';

type Q = Kysely<Database>;

export function runSummary(r: SyncRunRow): SyncRun {
  return {
    id: r.id,
    ruleId: r.rule_id,
    trigger: r.trigger as SyncRun['trigger'],
    status: r.status as SyncRun['status'],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    matched: Number(r.matched),
    invited: Number(r.invited),
    joiners: Number(r.joiners),
    leavers: Number(r.leavers),
    roleChanges: Number(r.role_changes),
    revoked: Number(r.revoked),
    skipped: JSON.parse(r.skipped) as SyncRun['skipped'],
    skippedCount: Number(r.skipped_count),
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  };
}

/** The rule, if it is the target's: ids are random, so "not yours" and "no such rule" are one answer. */
export async function getRule(db: Q, target: TargetRef, id: string): Promise<SyncRuleRow> {
  const rule = await db
    .selectFrom('sync_rules')
    .selectAll()
    .where('id', '=', id)
    .where('target_type', '=', target.type)
    .where('target_id', '=', target.id)
    .executeTakeFirst();
  if (!rule) throw new AppError(404, 'sync_rule_not_found', 'No such sync rule for this target.');
  return rule;
}

/** A rule's last 20 runs, newest first. */
export async function listRuns(db: Q, target: TargetRef, ruleId: string): Promise<SyncRun[]> {
  await getRule(db, target, ruleId);
  const rows = await db
    .selectFrom('sync_runs')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return rows.map(runSummary);
}

function toUpdate(u: SyncUpdateRow): SyncUpdate {
  return {
    id: u.id,
    ruleId: u.rule_id,
    kind: u.kind as SyncUpdate['kind'],
    contactId: u.contact_id,
    email: u.email,
    name: u.name,
    title: u.title,
    department: u.department,
    membership: u.membership as SyncUpdate['membership'],
    role: u.role,
    currentRole: u.held_role,
    reason: u.reason as SyncUpdate['reason'],
    status: u.status as SyncUpdate['status'],
    detectedAt: u.detected_at,
  };
}

export async function listUpdates(
  db: Q,
  target: Target,
  q: { kind?: UpdateKind | undefined; status?: SyncUpdate['status'] | undefined; cursor?: string | undefined; limit: number },
  now: Date,
): Promise<SyncUpdateList> {
  let query = db
    .selectFrom('sync_updates')
    .selectAll()
    .where('target_type', '=', target.type)
    .where('target_id', '=', target.id)
    .where('status', '=', q.status ?? 'open')
    .orderBy('detected_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor);
    query = query.where((eb) => eb.or([eb('detected_at', '<', at), eb.and([eb('detected_at', '=', at), eb('id', '<', id)])]));
  }
  const [rows, counts, seats] = await Promise.all([
    query.execute(),
    db
      .selectFrom('sync_updates')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('target_type', '=', target.type)
      .where('target_id', '=', target.id)
      .where('status', '=', 'open')
      .groupBy('kind')
      .execute(),
    countSeats(db, target, now),
  ]);
  const items = rows.slice(0, q.limit).map(toUpdate);
  const last = items[items.length - 1];
  const count = (k: UpdateKind) => Number(counts.find((c) => c.kind === k)?.n ?? 0);
  return {
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.detectedAt, last.id]) : null,
    counts: { joiner: count('joiner'), leaver: count('leaver'), role_change: count('role_change') },
    seats,
  };
}
