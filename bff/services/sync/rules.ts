/**
 * Sync rules (issue 17): what an import selected, saved for a target and a provider as a rule
 * that runs on a schedule (services/sync/runner.ts). Saved only when its roles are the target's,
 * its provider is connected, and the people it would invite now fit the free seats.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, SyncRuleRow, Target } from '../../db/schema.js';
import type { SyncDryRun, SyncRule, SyncRuleInput, TargetType } from '../../../contract/index.js';
import { syncRuleInput } from '../../../contract/sync.js';
import type { z } from 'zod';
import { AppError } from '../../errors.js';
import { getProvider } from '../../providers/registry.js';
import { DEFAULT_REFRESH_LIMITS } from '../directory/limits.js';
import { ensureDirectory } from '../directory/refresh.js';
import { openConnection, type Connection } from '../connections.js';
import type { Inviter } from '../imports.js';
import { newId } from '../../ids.js';
import { countSeats, getTarget, seatHolders, targetRoles, type TargetRef } from '../targets.js';
import { definitionOf, inScope, roleFor, type RuleDefinition, type SyncDeps } from './rule.js';
import { getRule, runSummary } from './queries.js';

type Q = Kysely<Database>;
export type RuleInput = z.output<typeof syncRuleInput>;

/** The target's roles must hold every role the rule gives. */
function checkRoles(target: Target, input: RuleInput): void {
  const roles = new Set(targetRoles(target).map((r) => r.id));
  const bad = [input.defaultRole, ...input.roleRules.map((r) => r.role)].find((r) => !roles.has(r));
  if (bad) throw new AppError(400, 'invalid_role', `"${bad}" is not a role of this ${target.type}; use one of: ${[...roles].join(', ')}.`);
}

/** The connection the rule reads, connected (a 409 otherwise), with its directory in the cache. */
async function readyConnection(deps: SyncDeps, target: TargetRef, provider: string): Promise<Connection> {
  const entry = deps.providers.get(provider);
  if (!entry) throw new AppError(400, 'provider_not_found', `No HR application "${provider}" is configured.`);
  const connection = await openConnection({ db: deps.db, sealingKey: deps.sealingKey }, getProvider(deps.providers, provider), target);
  await ensureDirectory(deps.db, connection, deps.now, connection.provider.cacheTtlSeconds, { ...DEFAULT_REFRESH_LIMITS, ...deps.config.refreshLimits });
  return connection;
}

/**
 * What the rule would do now. The roles are worked out once per distinct set of HR fields (a few
 * hundred in a company, however many people), never per person.
 */
async function dryRunOn(db: Q, target: Target, connection: string, def: RuleDefinition, now: Date): Promise<SyncDryRun> {
  const active = () => inScope(db, connection, def.scope).where('directory_contacts.status', '=', 'active');
  const holders = seatHolders(db, target, now);
  const [counts, groups, seats] = await Promise.all([
    active()
      .select((eb) => [
        eb.fn.countAll<number>().as('matched'),
        eb.fn.sum<number>(sql`case when directory_contacts.email_normalized is null then 1 else 0 end`).as('no_email'),
        eb.fn.sum<number>(sql`case when directory_contacts.email_normalized in (${holders}) then 1 else 0 end`).as('already_in'),
      ])
      .executeTakeFirstOrThrow(),
    active()
      .where('directory_contacts.email_normalized', 'is not', null)
      .where('directory_contacts.email_normalized', 'not in', holders)
      .select(['directory_contacts.department', 'directory_contacts.title', 'directory_contacts.location', 'directory_contacts.employment_type'])
      .select((eb) => eb.fn.count<number>('directory_contacts.email_normalized').distinct().as('n'))
      .groupBy(['directory_contacts.department', 'directory_contacts.title', 'directory_contacts.location', 'directory_contacts.employment_type'])
      .execute(),
    countSeats(db, target, now),
  ]);
  const roles = new Map<string, number>();
  let toInvite = 0;
  for (const g of groups) {
    const role = roleFor(def, g);
    roles.set(role, (roles.get(role) ?? 0) + Number(g.n));
    toInvite += Number(g.n);
  }
  return {
    matched: Number(counts.matched),
    alreadyIn: Number(counts.already_in ?? 0),
    toInvite,
    roles: [...roles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([role, count]) => ({ role, count })),
    noEmail: Number(counts.no_email ?? 0),
    seatsNeeded: toInvite,
    seats,
    fits: toInvite <= seats.remaining,
  };
}

const definition = (input: RuleInput): RuleDefinition => ({
  scope: input.scope,
  roleRules: input.roleRules,
  defaultRole: input.defaultRole,
  message: input.message,
  locale: input.locale,
  joiners: input.joiners,
  leavers: input.leavers,
});

/** `POST /sync-rules/dry-run`: checked like a save, nothing written. */
export async function dryRunRule(deps: SyncDeps, ref: TargetRef, input: RuleInput): Promise<SyncDryRun> {
  const target = await getTarget(deps.db, ref);
  checkRoles(target, input);
  const connection = await readyConnection(deps, ref, input.provider);
  return dryRunOn(deps.db, target, connection.cacheKey, definition(input), deps.now());
}

/** A rule refused because what it would invite now does not fit: with the seats it needs. */
async function checkFits(deps: SyncDeps, target: Target, connection: string, input: RuleInput): Promise<void> {
  if (input.paused) return;
  const dry = await dryRunOn(deps.db, target, connection, definition(input), deps.now());
  if (dry.fits) return;
  throw new AppError(
    409,
    'seat_limit_exceeded',
    `This rule would invite ${dry.seatsNeeded} ${dry.seatsNeeded === 1 ? 'person' : 'people'} now but the plan's user limit leaves ${dry.seats.remaining} seat${dry.seats.remaining === 1 ? '' : 's'}; narrow the scope or free seats.`,
    { seats: dry.seats, requested: dry.seatsNeeded },
  );
}

/** A rule as saved, checked the same way for a new rule and an edit: its columns once it passes. */
async function checkedRule(deps: SyncDeps, ref: TargetRef, input: RuleInput) {
  const target = await getTarget(deps.db, ref);
  checkRoles(target, input);
  const connection = await readyConnection(deps, ref, input.provider);
  await checkFits(deps, target, connection.cacheKey, input);
  return {
    provider: input.provider,
    connection: connection.cacheKey,
    definition: JSON.stringify(definition(input)),
    interval_hours: input.intervalHours,
    paused: input.paused ? 1 : 0,
    leaver_threshold: input.leaverThresholdPercent,
  };
}

export async function createRule(deps: SyncDeps, ref: TargetRef, inviter: Inviter, input: RuleInput): Promise<SyncRule> {
  const columns = await checkedRule(deps, ref, input);
  const now = deps.now().toISOString();
  const row: SyncRuleRow = {
    id: newId('rule'),
    target_type: ref.type,
    target_id: ref.id,
    ...columns,
    created_by_id: inviter.id,
    created_by_name: inviter.name,
    created_by_email: inviter.email,
    created_at: now,
    updated_at: now,
    // The first run is due at once.
    next_run_at: input.paused ? null : now,
    lease_until: null,
    lease_holder: null,
  };
  await deps.db.insertInto('sync_rules').values(row).execute();
  return toRule(row, null, await reportsToName(deps.db, row));
}

export async function updateRule(deps: SyncDeps, ref: TargetRef, id: string, input: RuleInput): Promise<SyncRule> {
  const existing = await getRule(deps.db, ref, id);
  const columns = await checkedRule(deps, ref, input);
  const now = deps.now();
  // Resumed: due at once; otherwise no later than the new interval allows.
  const soonest = new Date(now.getTime() + input.intervalHours * 3_600_000).toISOString();
  const next = input.paused ? null : existing.next_run_at === null ? now.toISOString() : existing.next_run_at < soonest ? existing.next_run_at : soonest;
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sync_rules')
      .set({
        ...columns,
        updated_at: now.toISOString(),
        next_run_at: next,
      })
      .where('id', '=', id)
      .execute();
    // New role rules or scope: everyone's role is worked out again at the next run.
    await trx.updateTable('sync_links').set({ facts: null }).where('rule_id', '=', id).execute();
  });
  return (await listRules(deps.db, ref)).find((r) => r.id === id)!;
}

/** Deletes the rule with its runs, updates and links; the invites it sent stay. */
export async function deleteRule(db: Q, ref: TargetRef, id: string): Promise<void> {
  await getRule(db, ref, id);
  await db.transaction().execute(async (trx) => {
    for (const table of ['sync_updates', 'sync_runs', 'sync_links'] as const) await trx.deleteFrom(table).where('rule_id', '=', id).execute();
    await trx.deleteFrom('sync_rules').where('id', '=', id).execute();
  });
}

/** The manager a rule's scope names, as its directory names them, so the widget says who. */
async function reportsToName(db: Q, r: SyncRuleRow): Promise<string | null> {
  const contactId = definitionOf(r).scope.reportsTo?.contactId;
  if (!contactId) return null;
  const row = await db
    .selectFrom('directory_contacts')
    .select('display_name')
    .where('connection', '=', r.connection)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row?.display_name ?? null;
}

function toRule(r: SyncRuleRow, lastRun: SyncRule['lastRun'], managerName: string | null): SyncRule {
  const def = definitionOf(r);
  return {
    id: r.id,
    target: { type: r.target_type as TargetType, id: r.target_id },
    provider: r.provider,
    scope: def.scope,
    reportsToName: managerName,
    roleRules: def.roleRules,
    defaultRole: def.defaultRole,
    message: def.message,
    joiners: def.joiners,
    leavers: def.leavers,
    intervalHours: Number(r.interval_hours),
    leaverThresholdPercent: Number(r.leaver_threshold),
    paused: Boolean(Number(r.paused)),
    createdBy: { id: r.created_by_id, name: r.created_by_name },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    nextRunAt: r.next_run_at,
    lastRun,
  };
}

/** The target's rules, oldest first, each with its latest run. */
export async function listRules(db: Q, ref: TargetRef): Promise<SyncRule[]> {
  const rules = await db
    .selectFrom('sync_rules')
    .selectAll()
    .where('target_type', '=', ref.type)
    .where('target_id', '=', ref.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const out: SyncRule[] = [];
  for (const r of rules) {
    const last = await db
      .selectFrom('sync_runs')
      .selectAll()
      .where('rule_id', '=', r.id)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    out.push(toRule(r, last ? runSummary(last) : null, await reportsToName(db, r)));
  }
  return out;
}

export type { SyncRuleInput };
