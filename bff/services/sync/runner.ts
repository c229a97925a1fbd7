/**
 * A sync rule's run (issue 17), and the runner that starts them: refresh the rule's directory, then compare it with the target in
 * SQL, over the whole directory, reading into memory only what changed (joiners, leavers, people
 * whose HR fields moved since the last run). Joiners are invited through the import's own path
 * (services/imports.ts) or wait as updates; leavers wait, or are reported and their pending
 * invites revoked (services/invites.ts); a run that would mark too many leavers is held.
 *
 * One run of a rule at a time across replicas: a run holds the rule's lease (a row update that
 * only succeeds while nobody else holds a live one). A run whose process died leaves its report
 * `running` and its lease to expire; the next claim marks it `interrupted` and runs the rule again.
 * The evaluation and everything it writes commit in one transaction under the target's lock, so
 * a crash leaves either all of it or none, and the import path's checks inside that lock make a
 * second invite of the same person impossible.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncRunRow } from '../../db/schema.js';
import type { SyncRun, TargetType } from '../../../contract/index.js';
import type { Logger } from '../../logger.js';
import { ProviderError } from '../../connectors/types.js';
import { writeTransaction } from '../../db/connect.js';
import { AppError } from '../../errors.js';
import { repeat } from '../../repeat.js';
import { recordEvents, syncCompletedEvent } from '../../webhooks/events.js';
import { DEFAULT_REFRESH_LIMITS } from '../directory/limits.js';
import { refreshDirectory } from '../directory/refresh.js';
import { openConnection } from '../connections.js';
import { newId } from '../../ids.js';
import { lockTarget, type TargetRef } from '../targets.js';
import type { SyncDeps } from './rule.js';
import { EMPTY_OUTCOME, type Outcome } from './outcome.js';
import { getRule, runSummary } from './queries.js';
import { evaluate } from './evaluate.js';

type Q = Kysely<Database>;

/** A run holds its rule this long; a refresh stops at 9 minutes (DEFAULT_REFRESH_LIMITS.seconds). */
export const SYNC_LEASE_MS = 15 * 60_000;
const PROCESS = `${hostname()}:${process.pid}:${randomBytes(6).toString('base64url')}`;

/**
 * Takes a rule's lease: the given one, or the rule due soonest. One UPDATE that only succeeds while
 * nobody holds a live lease, so two replicas asking at once get one rule each, or one of them none.
 */
export async function claimRule(db: Q, now: Date, ruleId?: string): Promise<{ rule: SyncRuleRow; holder: string } | null> {
  const iso = now.toISOString();
  const holder = `${PROCESS}:${randomBytes(6).toString('base64url')}`;
  let claim = db
    .updateTable('sync_rules')
    .set({ lease_until: new Date(now.getTime() + SYNC_LEASE_MS).toISOString(), lease_holder: holder })
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', iso)]));
  claim = ruleId
    ? claim.where('id', '=', ruleId)
    : claim.where('id', '=', (eb) =>
        eb
          .selectFrom('sync_rules as due')
          .select('due.id')
          .where('due.paused', '=', 0)
          .where('due.next_run_at', '<=', iso)
          .where((e) => e.or([e('due.lease_until', 'is', null), e('due.lease_until', '<', iso)]))
          .orderBy('due.next_run_at')
          .limit(1),
      );
  const rule = await claim.returningAll().executeTakeFirst();
  return rule ? { rule, holder } : null;
}

/** Starts a run of a claimed rule: an earlier run left `running` died with its process, and says so. */
export async function startRun(db: Q, rule: SyncRuleRow, trigger: SyncRun['trigger'], now: Date): Promise<SyncRunRow> {
  const iso = now.toISOString();
  await db.updateTable('sync_runs').set({ status: 'interrupted', finished_at: iso }).where('rule_id', '=', rule.id).where('status', '=', 'running').execute();
  const run: SyncRunRow = {
    id: newId('run'),
    rule_id: rule.id,
    target_type: rule.target_type,
    target_id: rule.target_id,
    trigger,
    status: 'running',
    started_at: iso,
    finished_at: null,
    directory_size: null,
    matched: 0,
    invited: 0,
    joiners: 0,
    leavers: 0,
    role_changes: 0,
    revoked: 0,
    skipped: '[]',
    skipped_count: 0,
    error_code: null,
    error_message: null,
  };
  await db.insertInto('sync_runs').values(run).execute();
  return run;
}

/** What a failed refresh or evaluation leaves in the report: the code and the provider's words, nothing internal. */
function runError(err: unknown): { code: string; message: string } {
  if (err instanceof ProviderError) return { code: `provider_${err.kind}`, message: err.message.slice(0, 500) };
  if (err instanceof AppError) return { code: err.code, message: err.message.slice(0, 500) };
  return { code: 'sync_failed', message: 'The run failed; it runs again at its next time.' };
}

/**
 * Runs a started run to its end: refreshes the directory (waiting for it), evaluates the rule,
 * records the report, schedules the next run and gives the lease back. Never throws: a failure is
 * the report's.
 */
export async function executeRun(deps: SyncDeps, rule: SyncRuleRow, run: SyncRunRow, holder: string, signal?: AbortSignal): Promise<void> {
  const { db, now } = deps;
  const target = { type: rule.target_type as TargetType, id: rule.target_id };
  try {
    const entry = deps.providers.get(rule.provider);
    if (!entry) throw new AppError(409, 'provider_not_found', `The HR application "${rule.provider}" is no longer configured.`);
    const connection = await openConnection({ db, sealingKey: deps.sealingKey }, entry, target);
    connection.connector();
    // An uploaded file is the directory itself: there is nothing to fetch.
    if (entry.configuredBy !== 'upload') await refreshDirectory(db, connection, now, signal, { ...DEFAULT_REFRESH_LIMITS, ...deps.config.refreshLimits });
    await writeTransaction(db, async (trx) => {
      const t = await lockTarget(trx, target);
      // Deleted, or taken over after its lease ran out: this run's results are not wanted.
      const current = await trx.selectFrom('sync_rules').selectAll().where('id', '=', rule.id).where('lease_holder', '=', holder).executeTakeFirst();
      if (!current) throw new AppError(409, 'sync_rule_gone', 'The rule was deleted or its run was taken over.');
      const outcome = await evaluate(trx, deps, current, run, t);
      await finish(trx, deps, current, run, outcome);
    });
  } catch (err) {
    const failure = runError(err);
    if (!(err instanceof AppError || err instanceof ProviderError))
      deps.logger?.error('sync run failed', { ruleId: rule.id, runId: run.id, error: err instanceof Error ? err.name : 'unknown' });
    await writeTransaction(db, async (trx) => {
      const current = await trx.selectFrom('sync_rules').selectAll().where('id', '=', rule.id).where('lease_holder', '=', holder).executeTakeFirst();
      if (!current) return;
      await finish(trx, deps, current, run, { ...EMPTY_OUTCOME, status: 'failed', error: failure });
    }).catch((e: unknown) => deps.logger?.error('sync run not recorded', { ruleId: rule.id, error: e instanceof Error ? e.name : 'unknown' }));
  }
}

/** Writes the report, schedules the next run from now, frees the lease, and records the events last. */
async function finish(trx: Q, deps: SyncDeps, rule: SyncRuleRow, run: SyncRunRow, o: Outcome): Promise<void> {
  const at = deps.now();
  await trx
    .updateTable('sync_runs')
    .set({
      status: o.status,
      finished_at: at.toISOString(),
      directory_size: o.directorySize,
      matched: o.matched,
      invited: o.invited,
      joiners: o.joiners,
      leavers: o.leavers,
      role_changes: o.roleChanges,
      revoked: o.revoked,
      skipped: JSON.stringify(o.skipped.slice(0, 100)),
      skipped_count: o.skippedCount,
      error_code: o.error?.code ?? null,
      error_message: o.error?.message ?? null,
    })
    .where('id', '=', run.id)
    .execute();
  await trx
    .updateTable('sync_rules')
    .set({ next_run_at: rule.paused ? null : new Date(at.getTime() + rule.interval_hours * 3_600_000).toISOString(), lease_until: null, lease_holder: null })
    .where('id', '=', rule.id)
    .execute();
  const target = { type: rule.target_type as TargetType, id: rule.target_id };
  const report = syncCompletedEvent(
    {
      ruleId: rule.id,
      runId: run.id,
      status: o.status,
      matched: o.matched,
      invited: o.invited,
      joiners: o.joiners,
      leavers: o.leavers,
      roleChanges: o.roleChanges,
      revoked: o.revoked,
      skipped: o.skippedCount,
      error: o.error,
    },
    target,
    at,
  );
  await recordEvents(trx, [...o.events, report]);
}

/** Runs running in this process in the background (Sync now), so stop() can wait for them. */
const backgroundRuns = new WeakMap<Kysely<Database>, Set<Promise<void>>>();

/**
 * Sync now: takes the rule's lease at once (409 while a run holds it), starts the run and
 * carries it on in the background; the answer is the run as it starts.
 */
export async function runNow(deps: SyncDeps, target: TargetRef, ruleId: string): Promise<SyncRun> {
  await getRule(deps.db, target, ruleId);
  const claimed = await claimRule(deps.db, deps.now(), ruleId);
  if (!claimed) throw new AppError(409, 'sync_run_in_progress', 'This rule is running now; its report shows when it is done.', undefined, 30);
  const run = await startRun(deps.db, claimed.rule, 'manual', deps.now());
  let running = backgroundRuns.get(deps.db);
  if (!running) backgroundRuns.set(deps.db, (running = new Set()));
  const done = executeRun(deps, claimed.rule, run, claimed.holder).finally(() => running.delete(done));
  running.add(done);
  return runSummary(run);
}

/** Waits for this process's background runs (Sync now) to end. */
export async function awaitSyncRuns(db: Kysely<Database>): Promise<void> {
  await Promise.allSettled([...(backgroundRuns.get(db) ?? [])]);
}

/** One pass of the runner: claims the rule due soonest and runs it. True when it ran one (more may be due). */
export async function runDueRule(deps: SyncDeps): Promise<boolean> {
  const claimed = await claimRule(deps.db, deps.now());
  if (!claimed) return false;
  const run = await startRun(deps.db, claimed.rule, 'schedule', deps.now());
  await executeRun(deps, claimed.rule, run, claimed.holder);
  return true;
}

/** The scheduled runs, in every replica: leases keep one rule to one run at a time. */
export function createSyncWorker(deps: SyncDeps & { logger: Logger }) {
  return repeat(() => runDueRule(deps), deps.logger, 'sync run failed');
}
