/**
 * A sync rule's run (issue 17): refresh the rule's directory, then compare it with the target in
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
import { randomBytes, type KeyObject } from 'node:crypto';
import { expressionBuilder, sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, SyncRuleRow, SyncRunRow, SyncUpdateRow, Target } from '../db/schema.js';
import type { InviteLocale, RoleRule, SyncRun, SyncScope, SyncUpdate, SyncUpdateList, SyncUpdateResult, TargetType } from '../contract.js';
import { JOINER_MODES, LEAVER_MODES, SYNC_SKIP_REASONS } from '../contract/sync.js';
import type { AppConfig } from '../deps.js';
import type { ProviderRegistry } from '../providers.js';
import type { Logger } from '../logger.js';
import { ProviderError } from '../connectors/types.js';
import { dialectOf, writeTransaction, type Dialect } from '../db/connect.js';
import { AppError } from '../errors.js';
import { repeat } from '../repeat.js';
import { INVITE_EVENT_COLUMNS, memberEvent, recordEvents, syncCompletedEvent, type NewEvent } from '../webhooks/events.js';
import { DEFAULT_REFRESH_LIMITS } from './directory/limits.js';
import { contactMatches, type ContactQuery, resolveSelection, type SelectedContact } from './directory/queries.js';
import { refreshDirectory } from './directory/refresh.js';
import { openConnection } from './connections.js';
import { sortInvitees, writeInvites, type Invitee, type Inviter } from './imports.js';
import { newId } from './ids.js';
import { revokePending } from './invites.js';
import { checkMailBudget, mailLimitsOf } from './mail-limits.js';
import { countSeats, getTarget, lockTarget, type TargetRef } from './targets.js';
import { liveInvite, openInvite, pendingInvites } from '../db/invites.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { foldForSearch } from './text.js';

type Q = Kysely<Database>;

/** What a rule says, as stored in its `definition`. */
export interface RuleDefinition {
  scope: SyncScope;
  roleRules: RoleRule[];
  defaultRole: string;
  message: { subject: string; body: string };
  /** Absent in rules saved before invite mail had languages. */
  locale?: InviteLocale | undefined;
  joiners: (typeof JOINER_MODES)[number];
  leavers: (typeof LEAVER_MODES)[number];
}

export const definitionOf = (rule: Pick<SyncRuleRow, 'definition'>): RuleDefinition => JSON.parse(rule.definition) as RuleDefinition;

/** "Reports to" goes this many levels down at most: an org chart deeper than that is a cycle. */
export const MAX_REPORTING_DEPTH = 50;

/**
 * The contact ids reporting to a manager, directly or (indirect) through others: a recursive CTE
 * over `manager_id`, as SQLite and PostgreSQL both write it. The depth bound also ends a cycle.
 */
function reportsTo(connection: string, reports: NonNullable<SyncScope['reportsTo']>): Expression<string> {
  const depth = reports.indirect ? MAX_REPORTING_DEPTH : 1;
  return sql<string>`(with recursive reports(contact_id, depth) as (
      select contact_id, 1 from directory_contacts where connection = ${connection} and manager_id = ${reports.contactId}
      union all
      select d.contact_id, r.depth + 1 from directory_contacts d join reports r on d.manager_id = r.contact_id
      where d.connection = ${connection} and r.depth < ${depth}
    ) select contact_id from reports)`;
}

/**
 * The people a rule's scope covers, whatever their status: the flow's search and filters (one
 * condition, services/directory/queries.ts `contactMatches`) and "reports to". Status is the run's to
 * judge: an inactive person in scope is a leaver, not someone out of scope. `count` walks the
 * directory once (for queries over all of it); `seats` checks rows found another way.
 */
export function scopeWhere(dialect: Dialect, connection: string, scope: SyncScope, access: 'count' | 'seats'): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'directory_contacts'>();
  const matches = contactMatches(dialect, connection, { search: scope.search, filters: { ...scope.filters, status: 'all' } }, access)(eb);
  return scope.reportsTo ? eb.and([matches, eb('directory_contacts.contact_id', 'in', reportsTo(connection, scope.reportsTo))]) : matches;
}

export function inScope(db: Q, connection: string, scope: SyncScope): ContactQuery {
  return db.selectFrom('directory_contacts').where(scopeWhere(dialectOf(db), connection, scope, 'count'));
}

/** The HR fields role rules read, as one text: a person whose text is unchanged keeps their role. */
const SEPARATOR = '\u001f';
export function factsOf(alias: string) {
  const col = (c: string) => sql`coalesce(${sql.ref(`${alias}.${c}`)}, '')`;
  return sql<string>`${col('department')} || ${SEPARATOR} || ${col('title')} || ${SEPARATOR} || ${col('location')} || ${SEPARATOR} || ${col('employment_type')}`;
}

export interface HrFields {
  department: string | null;
  title: string | null;
  location: string | null;
  employment_type: string | null;
}

const FIELD_COLUMN = { department: 'department', title: 'title', location: 'location', employmentType: 'employment_type' } as const;

/** The role a rule gives a person: the first role rule whose conditions all hold, else the default. Case and accents ignored. */
export function roleFor(def: Pick<RuleDefinition, 'roleRules' | 'defaultRole'>, person: HrFields): string {
  const holds = (c: RoleRule['conditions'][number]) => {
    const value = foldForSearch(person[FIELD_COLUMN[c.field]] ?? '').trim();
    const wanted = foldForSearch(c.value).trim();
    return c.operator === 'is' ? value === wanted : value.includes(wanted);
  };
  return def.roleRules.find((r) => r.conditions.every(holds))?.role ?? def.defaultRole;
}

export interface SyncDeps {
  db: Kysely<Database>;
  config: AppConfig;
  /** Opens the stored credentials of an organization's connection: `credentialKey(config.secret)`, derived once. */
  sealingKey: KeyObject;
  providers: ProviderRegistry;
  now: () => Date;
  logger?: Logger | undefined;
}

// ---------------------------------------------------------------------------------------------
// Leases and the runner

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

export interface Outcome {
  status: 'completed' | 'held' | 'failed';
  directorySize: number | null;
  matched: number;
  invited: number;
  joiners: number;
  leavers: number;
  roleChanges: number;
  revoked: number;
  skipped: SyncRun['skipped'];
  skippedCount: number;
  error: { code: string; message: string } | null;
  events: NewEvent[];
}

const EMPTY_OUTCOME: Outcome = {
  status: 'completed',
  directorySize: null,
  matched: 0,
  invited: 0,
  joiners: 0,
  leavers: 0,
  roleChanges: 0,
  revoked: 0,
  skipped: [],
  skippedCount: 0,
  error: null,
  events: [],
};

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

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A live invite of the target to the person `email` names. */
/**
 * Where the target's seat holders are read from, one query each (a union of both would be
 * materialized whole before any join): its members, and its live invitees who are not members.
 */
function holderSources(
  target: Target,
  now: Date,
): { membership: 'member' | 'invited'; table: RawBuilder<unknown>; where: RawBuilder<unknown>; email: RawBuilder<unknown>; role: RawBuilder<unknown> }[] {
  const ofTarget = (table: 'members' | 'invites') =>
    sql`${sql.ref(`${table}.target_type`)} = ${target.type} and ${sql.ref(`${table}.target_id`)} = ${target.id}`;
  return [
    { membership: 'member', table: sql`members`, where: ofTarget('members'), email: sql.ref('members.email'), role: sql.ref('members.role') },
    {
      membership: 'invited',
      table: sql`invites`,
      where: sql`${ofTarget('invites')} and ${liveInvite(now)} and not exists (select 1 from members where ${ofTarget('members')} and members.email = invites.email_normalized)`,
      email: sql.ref('invites.email_normalized'),
      role: sql.ref('invites.role'),
    },
  ];
}

interface LinkedRow extends HrFields {
  email: string;
  role: string;
  membership: 'member' | 'invited';
  contact_id: string | null;
  display_name: string | null;
  d_email: string | null;
  status: string | null;
  in_scope: number | string | boolean | null;
  facts: string | null;
  link_contact: string | null;
}

type UpdateKind = SyncUpdate['kind'];
type NewUpdate = Omit<SyncUpdateRow, 'id'>;

/** Updates already recorded for these people, by kind and address. */
async function recordedUpdates(trx: Q, ruleId: string, kind: UpdateKind, emails: string[]): Promise<Map<string, SyncUpdateRow>> {
  const found = new Map<string, SyncUpdateRow>();
  for (let i = 0; i < emails.length; i += 500) {
    const rows = await trx
      .selectFrom('sync_updates')
      .selectAll()
      .where('rule_id', '=', ruleId)
      .where('kind', '=', kind)
      .where('email_normalized', 'in', emails.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.email_normalized, r);
  }
  return found;
}

/**
 * Whether something detected now is news: not already waiting (open, or held by the safeguard),
 * and not what was done or dismissed before for the same facts. A dismissal is remembered until
 * something about the person changes.
 */
function isNews(existing: SyncUpdateRow | undefined, fingerprint: string): boolean {
  if (!existing) return true;
  if (existing.status === 'open' || existing.status === 'held') return existing.fingerprint !== fingerprint && existing.kind === 'role_change';
  return existing.fingerprint !== fingerprint;
}

/** Inserts or replaces updates (one per rule, kind and person), 500 a statement. */
async function saveUpdates(trx: Q, updates: NewUpdate[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 500) {
    const rows = updates.slice(i, i + 500).map((u) => ({ id: newId('upd'), ...u }));
    await trx
      .insertInto('sync_updates')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['rule_id', 'kind', 'email_normalized']).doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          contact_id: eb.ref('excluded.contact_id'),
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          title: eb.ref('excluded.title'),
          department: eb.ref('excluded.department'),
          membership: eb.ref('excluded.membership'),
          role: eb.ref('excluded.role'),
          held_role: eb.ref('excluded.held_role'),
          reason: eb.ref('excluded.reason'),
          status: eb.ref('excluded.status'),
          fingerprint: eb.ref('excluded.fingerprint'),
          detected_at: eb.ref('excluded.detected_at'),
          done_at: eb.ref('excluded.done_at'),
        })),
      )
      .execute();
  }
}

const skippedOf = (c: SelectedContact, reason: (typeof SYNC_SKIP_REASONS)[number]) => ({ contactId: c.contact_id, name: c.display_name, reason });

/**
 * Compares the rule's directory (already refreshed) with the target and writes what it finds, in
 * the caller's transaction under the target's lock; the report and the events are the caller's to
 * write (`finish`). Exported for bench/sync.ts, which times it alone.
 */
export async function evaluate(trx: Q, deps: SyncDeps, rule: SyncRuleRow, run: SyncRunRow, target: Target): Promise<Outcome> {
  const now = deps.now();
  const iso = now.toISOString();
  const def = definitionOf(rule);
  const connection = rule.connection;
  const ref = { type: target.type as TargetType, id: target.id };

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
  // For a directory row joined from a member or an invite.
  const inScopeRow = scopeWhere(dialectOf(trx), connection, def.scope, 'seats');
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

  // Joiners: in scope, active, with an address, neither member nor invited (an expired invite
  // still pending is for Resend, not a second invite), and not already waiting, done or dismissed
  // for the same HR fields.
  const email = sql.ref('directory_contacts.email_normalized');
  const joinerRows = await active()
    .where('directory_contacts.email_normalized', 'is not', null)
    .where(
      sql<SqlBool>`not exists (select 1 from members where members.target_type = ${target.type} and members.target_id = ${target.id} and members.email = ${email})`,
    )
    .where(
      sql<SqlBool>`not exists (select 1 from invites where invites.target_type = ${target.type} and invites.target_id = ${target.id} and ${openInvite()} and invites.email_normalized = ${email})`,
    )
    .where(
      sql<SqlBool>`not exists (select 1 from sync_updates u where u.rule_id = ${rule.id} and u.kind = 'joiner' and u.email_normalized = ${email} and (u.status in ('open', 'held') or u.fingerprint = ${factsOf('directory_contacts')}))`,
    )
    .select([
      'directory_contacts.contact_id',
      'directory_contacts.display_name',
      'directory_contacts.first_name',
      'directory_contacts.email',
      'directory_contacts.email_normalized',
    ])
    .select(['directory_contacts.title', 'directory_contacts.department', 'directory_contacts.location', 'directory_contacts.employment_type'])
    .select(factsOf('directory_contacts').as('facts'))
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .execute();
  // Joiners waiting from earlier runs who are no longer joiners (invited meanwhile, or out of scope) are not news any more.
  await trx
    .deleteFrom('sync_updates')
    .where('rule_id', '=', rule.id)
    .where('kind', '=', 'joiner')
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb(
          'email_normalized',
          'in',
          eb.selectFrom('members').select('members.email').where('members.target_type', '=', target.type).where('members.target_id', '=', target.id),
        ),
        eb(
          'email_normalized',
          'in',
          eb
            .selectFrom('invites')
            .select('invites.email_normalized')
            .where('invites.target_type', '=', target.type)
            .where('invites.target_id', '=', target.id)
            .where(openInvite()),
        ),
        eb(
          'email_normalized',
          'not in',
          active()
            .where('directory_contacts.email_normalized', 'is not', null)
            .select('directory_contacts.email_normalized')
            .$castTo<{ email_normalized: string }>(),
        ),
      ]),
    )
    .execute();

  const byContact = new Map(joinerRows.map((r) => [r.contact_id, r]));
  const sorted = await sortInvitees(trx, target, joinerRows, (c) => roleFor(def, byContact.get(c.contact_id)!), now);
  for (const s of sorted.skipped) {
    if (s.reason === 'no_email' || s.reason === 'invalid_email' || s.reason === 'duplicate') skip(skippedOf(s.contact, s.reason));
  }
  const joinerUpdate = (j: Invitee, status: 'open' | 'done'): NewUpdate => {
    const row = byContact.get(j.contact.contact_id)!;
    return {
      rule_id: rule.id,
      run_id: run.id,
      target_type: target.type,
      target_id: target.id,
      kind: 'joiner',
      contact_id: row.contact_id,
      email: row.email!.trim(),
      email_normalized: j.email,
      name: row.display_name,
      title: row.title,
      department: row.department,
      membership: null,
      role: j.role,
      held_role: null,
      reason: null,
      status,
      fingerprint: row.facts,
      detected_at: iso,
      done_at: status === 'done' ? iso : null,
    };
  };
  let invited = 0;
  let joiners = 0;
  if (def.joiners === 'review') {
    await saveUpdates(
      trx,
      sorted.toInvite.map((j) => joinerUpdate(j, 'open')),
    );
    joiners = sorted.toInvite.length;
  } else if (sorted.toInvite.length > 0) {
    // Within the seats: whoever does not fit is left out, named in the report, and tried again next run.
    const seats = await countSeats(trx, target, now);
    let fit = sorted.toInvite.slice(0, seats.remaining);
    for (const j of sorted.toInvite.slice(seats.remaining)) skip(skippedOf(j.contact, 'seat_limit'));
    try {
      await checkMailBudget(trx, mailLimitsOf(deps.config.mailLimits), ref, rule.created_by_id, fit.length, now);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'mail_limit')) throw err;
      for (const j of fit) skip(skippedOf(j.contact, 'mail_limit'));
      fit = [];
    }
    joiners = sorted.toInvite.length - fit.length;
    if (fit.length > 0) {
      const written = await inviteAs(trx, deps, target, creatorOf(rule), rule, def, fit, `sync:${run.id}`, true);
      events.push(...written);
      await saveUpdates(
        trx,
        fit.map((j) => joinerUpdate(j, 'done')),
      );
      invited = fit.length;
    }
  }

  // The HR-linked members and invitees: those the rule linked before, and those this directory
  // names by address. Only the ones with something to say are read: no longer in HR, terminated,
  // out of scope, or HR fields changed since the last run.
  // The HR-linked people the last run knew: the share the safeguard weighs leavers against.
  const linkedBefore = Number(
    (
      await trx
        .selectFrom('sync_links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('rule_id', '=', rule.id)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const people = new Map<string, LinkedRow>();
  const facts = factsOf('directory_contacts');
  const sources = holderSources(target, now);
  for (const h of sources) {
    const from = sql`from ${h.table}
      left join directory_contacts on directory_contacts.connection = ${connection} and directory_contacts.email_normalized = ${h.email}
      left join sync_links l on l.rule_id = ${rule.id} and l.email_normalized = ${h.email}
      where ${h.where} and (directory_contacts.contact_id is not null or l.email_normalized is not null)`;
    const changed =
      await sql<LinkedRow>`select ${h.email} as email, ${h.role} as role, ${h.membership} as membership, directory_contacts.contact_id, directory_contacts.display_name,
        directory_contacts.email as d_email, directory_contacts.title, directory_contacts.department, directory_contacts.location, directory_contacts.employment_type,
        directory_contacts.status, case when ${inScopeRow} then 1 else 0 end as in_scope, ${facts} as facts, l.contact_id as link_contact
      ${from} and (directory_contacts.contact_id is null or directory_contacts.status <> 'active' or not (${inScopeRow}) or l.facts is null or l.facts <> ${facts})`.execute(
        trx,
      );
    // One row a person: their record in scope before another with the same address.
    const weight = (r: LinkedRow) => (r.status === 'active' ? 0 : 2) + (Number(r.in_scope) ? 0 : 1);
    for (const r of changed.rows) {
      const seen = people.get(r.email);
      if (!seen || weight(r) < weight(seen)) people.set(r.email, r);
    }
  }
  // A first run reads every linked person (none has a link yet): all of them are the share.
  const linkedCount = Math.max(linkedBefore, people.size);
  const leaverCandidates: NewUpdate[] = [];
  const relinked: { rule_id: string; email_normalized: string; contact_id: string; facts: string }[] = [];
  const roleCandidates: NewUpdate[] = [];
  for (const p of people.values()) {
    const reason = p.contact_id === null ? 'deleted' : p.status !== 'active' ? 'terminated' : Number(p.in_scope) ? null : 'out_of_scope';
    const base = {
      rule_id: rule.id,
      run_id: run.id,
      target_type: target.type,
      target_id: target.id,
      contact_id: p.contact_id ?? p.link_contact,
      email: p.d_email?.trim() || p.email,
      email_normalized: p.email,
      name: p.display_name,
      title: p.title,
      department: p.department,
      membership: p.membership,
      held_role: p.role,
      detected_at: iso,
      done_at: null,
    };
    if (reason) {
      leaverCandidates.push({ ...base, kind: 'leaver', role: null, reason, status: 'open', fingerprint: `${reason}${SEPARATOR}${p.facts ?? ''}` });
    } else {
      relinked.push({ rule_id: rule.id, email_normalized: p.email, contact_id: p.contact_id!, facts: p.facts ?? '' });
      const role = roleFor(def, p);
      if (role !== p.role)
        roleCandidates.push({ ...base, kind: 'role_change', role, reason: null, status: 'open', fingerprint: `${role}${SEPARATOR}${p.facts ?? ''}` });
    }
  }
  const recordedLeavers = await recordedUpdates(
    trx,
    rule.id,
    'leaver',
    leaverCandidates.map((u) => u.email_normalized),
  );
  const leavers = leaverCandidates.filter((u) => isNews(recordedLeavers.get(u.email_normalized), u.fingerprint));
  const recordedRoles = await recordedUpdates(
    trx,
    rule.id,
    'role_change',
    roleCandidates.map((u) => u.email_normalized),
  );
  const roleChanges = roleCandidates.filter((u) => isNews(recordedRoles.get(u.email_normalized), u.fingerprint));
  await saveUpdates(trx, roleChanges);

  // The safeguard: more leavers at once than the rule's share of the HR-linked people waits for an admin.
  let status: Outcome['status'] = 'completed';
  let error: Outcome['error'] = null;
  let revoked = 0;
  const threshold = Number(rule.leaver_threshold);
  if (leavers.length > 0 && leavers.length * 100 > threshold * linkedCount) {
    status = 'held';
    error = {
      code: 'leaver_threshold',
      message: `This run would mark ${leavers.length} of ${linkedCount} HR-linked people as leavers, more than the rule's ${threshold}%; approve the run to go on.`,
    };
    await saveUpdates(
      trx,
      leavers.map((u) => ({ ...u, status: 'held' })),
    );
  } else if (def.leavers === 'review') {
    await saveUpdates(trx, leavers);
  } else {
    const reported = await reportLeavers(trx, target, rule.id, leavers, now, rule.created_by_id);
    revoked = reported.revoked;
    events.push(...reported.events);
    await saveUpdates(
      trx,
      leavers.map((u) => ({ ...u, status: 'done', done_at: iso })),
    );
  }

  // Who the rule links from now on: members and invitees in scope with their HR fields as now (only
  // the ones read above: for everyone else the link already says so), so that only a change makes
  // their role worked out again; and the linked ones that still hold a seat (a leaver deleted from
  // HR stays known until they no longer do).
  for (let i = 0; i < relinked.length; i += 500) {
    await trx
      .insertInto('sync_links')
      .values(relinked.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['rule_id', 'email_normalized']).doUpdateSet((eb) => ({ contact_id: eb.ref('excluded.contact_id'), facts: eb.ref('excluded.facts') })),
      )
      .execute();
  }
  await sql`delete from sync_links where rule_id = ${rule.id}
    and not exists (select 1 from members where members.target_type = ${target.type} and members.target_id = ${target.id} and members.email = sync_links.email_normalized)
    and not exists (select 1 from invites where invites.target_type = ${target.type} and invites.target_id = ${target.id} and ${liveInvite(now)} and invites.email_normalized = sync_links.email_normalized)`.execute(
    trx,
  );

  return {
    status,
    directorySize: size,
    matched,
    invited,
    joiners,
    leavers: leavers.length,
    roleChanges: roleChanges.length,
    revoked,
    skipped,
    skippedCount,
    error,
    events,
  };
}

const creatorOf = (rule: SyncRuleRow): Inviter => ({ id: rule.created_by_id, name: rule.created_by_name, email: rule.created_by_email });

/**
 * Invites people through the import's path (one import row, its audit entry, invites and mails,
 * `import.completed`); a run's own invites (`auto`) are also announced one by one as `invite.created`.
 */
async function inviteAs(
  trx: Q,
  deps: SyncDeps,
  target: Target,
  inviter: Inviter,
  rule: SyncRuleRow,
  def: RuleDefinition,
  people: Invitee[],
  key: string,
  automatic: boolean,
): Promise<NewEvent[]> {
  const at = deps.now();
  const { importId, invites, event } = await writeInvites(
    trx,
    { now: deps.now, acceptUrl: deps.config.acceptUrl, inviteTtlDays: deps.config.inviteTtlDays },
    {
      target,
      inviter,
      provider: rule.provider,
      role: def.defaultRole,
      message: def.message,
      locale: def.locale ?? 'en',
      people,
      skippedCount: 0,
      key,
    },
  );
  const ref = { type: target.type as TargetType, id: target.id };
  if (!automatic) return [event];
  return [
    event,
    ...invites.map((i): NewEvent => ({
      type: 'invite.created',
      target: ref,
      at,
      data: { target: ref, inviteId: i.id, email: i.email, role: i.role, importId },
    })),
  ];
}

/** Reports leavers to the host (`member.left_hr`) and revokes their live invites of the target. */
async function reportLeavers(
  trx: Q,
  target: Target,
  ruleId: string,
  leavers: Pick<NewUpdate, 'email_normalized' | 'contact_id' | 'membership' | 'held_role' | 'reason'>[],
  now: Date,
  actor: string,
) {
  const ref = { type: target.type as TargetType, id: target.id };
  const events: NewEvent[] = [];
  let revoked = 0;
  const emails = leavers.map((l) => l.email_normalized);
  for (let i = 0; i < emails.length; i += 500) {
    const invites = await pendingInvites(trx, target, now)
      .select(INVITE_EVENT_COLUMNS)
      .where('invites.email_normalized', 'in', emails.slice(i, i + 500))
      .execute();
    for (const invite of invites) {
      const event = await revokePending(trx, invite, now, actor);
      if (event) {
        revoked++;
        events.push(event);
      }
    }
  }
  for (const l of leavers) {
    events.push(
      memberEvent(
        'member.left_hr',
        {
          ruleId,
          email: l.email_normalized,
          contactId: l.contact_id,
          membership: l.membership as 'member' | 'invited',
          role: l.held_role ?? '',
          previousRole: null,
          reason: l.reason as 'terminated',
        },
        ref,
        now,
      ),
    );
  }
  return { revoked, events };
}

// ---------------------------------------------------------------------------------------------
// Runs as the admin and the host see them

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

/**
 * Confirms a run the safeguard held: its leavers are handled as the rule says (waiting in
 * Updates, or reported with their invites revoked), and the run counts as completed.
 */
export async function approveRun(deps: SyncDeps, target: TargetRef, ruleId: string, runId: string, actor: string): Promise<SyncRun> {
  return writeTransaction(deps.db, async (trx) => {
    const t = await lockTarget(trx, target);
    const rule = await getRule(trx, target, ruleId);
    const run = await trx.selectFrom('sync_runs').selectAll().where('id', '=', runId).where('rule_id', '=', ruleId).executeTakeFirst();
    if (!run) throw new AppError(404, 'sync_run_not_found', 'No such run of this rule.');
    if (run.status !== 'held') throw new AppError(409, 'sync_run_not_held', `The run is ${run.status}; only a held run is approved.`);
    const now = deps.now();
    const held = await trx.selectFrom('sync_updates').selectAll().where('run_id', '=', runId).where('status', '=', 'held').execute();
    const def = definitionOf(rule);
    let revoked = 0;
    const events: NewEvent[] = [];
    if (def.leavers === 'report') {
      const reported = await reportLeavers(trx, t, rule.id, held, now, actor);
      revoked = reported.revoked;
      events.push(...reported.events);
    }
    await trx
      .updateTable('sync_updates')
      .set(def.leavers === 'report' ? { status: 'done', done_at: now.toISOString() } : { status: 'open' })
      .where('run_id', '=', runId)
      .where('status', '=', 'held')
      .execute();
    await trx
      .updateTable('sync_runs')
      .set({ status: 'completed', revoked: Number(run.revoked) + revoked, error_code: null, error_message: null })
      .where('id', '=', runId)
      .execute();
    await recordEvents(trx, events);
    return runSummary({ ...run, status: 'completed', revoked: Number(run.revoked) + revoked, error_code: null, error_message: null });
  });
}

// ---------------------------------------------------------------------------------------------
// Updates

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

/** The target's updates these ids name, and the ids that name none of them. */
async function pickUpdates(trx: Q, target: TargetRef, ids: string[]) {
  const wanted = [...new Set(ids)];
  const rows: SyncUpdateRow[] = [];
  for (let i = 0; i < wanted.length; i += 500) {
    rows.push(
      ...(await trx
        .selectFrom('sync_updates')
        .selectAll()
        .where('target_type', '=', target.type)
        .where('target_id', '=', target.id)
        .where('id', 'in', wanted.slice(i, i + 500))
        .execute()),
    );
  }
  const found = new Set(rows.map((r) => r.id));
  return { rows, missing: wanted.filter((id) => !found.has(id)) };
}

export async function dismissUpdates(db: Q, target: TargetRef, ids: string[], now: Date): Promise<SyncUpdateResult> {
  return writeTransaction(db, async (trx) => {
    const t = await lockTarget(trx, target);
    const { rows, missing } = await pickUpdates(trx, target, ids);
    const skipped = missing.map((id) => ({ id, reason: 'not_found' }));
    const open = rows.filter((r) => r.status === 'open' || r.status === 'held');
    for (const r of rows) if (!open.includes(r)) skipped.push({ id: r.id, reason: 'not_open' });
    for (let i = 0; i < open.length; i += 500) {
      await trx
        .updateTable('sync_updates')
        .set({ status: 'dismissed', done_at: now.toISOString() })
        .where(
          'id',
          'in',
          open.slice(i, i + 500).map((r) => r.id),
        )
        .execute();
    }
    return { done: open.length, invited: 0, revoked: 0, roleChanges: 0, skipped, seats: await countSeats(trx, t, now) };
  });
}

/**
 * Approves updates. Joiners are an import: under the target's lock, each person once (an update
 * done is not open any more, so a second click finds nothing to do), within the seats, within
 * the mail budget (or the whole request is refused, as an import is). Leavers are reported and
 * their pending invites revoked; role changes are applied to the member or the pending invite.
 */
export async function approveUpdates(deps: SyncDeps, target: TargetRef, inviter: Inviter, ids: string[]): Promise<SyncUpdateResult> {
  return writeTransaction(deps.db, async (trx) => {
    const t = await lockTarget(trx, target);
    const now = deps.now();
    const iso = now.toISOString();
    const ref = { type: target.type, id: target.id };
    const { rows, missing } = await pickUpdates(trx, target, ids);
    const skipped = missing.map((id) => ({ id, reason: 'not_found' }));
    const open = rows.filter((r) => r.status === 'open');
    for (const r of rows) if (r.status !== 'open') skipped.push({ id: r.id, reason: 'not_open' });
    const done: string[] = [];
    const events: NewEvent[] = [];

    // Joiners, rule by rule (each its own directory and message).
    const joiners = open.filter((r) => r.kind === 'joiner');
    const rules = new Map<string, SyncRuleRow>();
    for (const ruleId of new Set(joiners.map((j) => j.rule_id))) {
      const rule = await trx.selectFrom('sync_rules').selectAll().where('id', '=', ruleId).executeTakeFirst();
      if (rule) rules.set(ruleId, rule);
    }
    let seatsLeft = (await countSeats(trx, t, now)).remaining;
    const batches: { rule: SyncRuleRow; people: Invitee[] }[] = [];
    for (const [ruleId, rule] of rules) {
      const mine = joiners.filter((j) => j.rule_id === ruleId && j.contact_id);
      const updateOf = new Map(mine.map((j) => [j.contact_id!, j]));
      const { contacts, missing: gone } = await resolveSelection(trx, rule.connection, { ids: [...updateOf.keys()] });
      for (const id of gone) skipped.push({ id: updateOf.get(id)!.id, reason: 'not_found' });
      const sorted = await sortInvitees(trx, t, contacts, (c) => updateOf.get(c.contact_id)!.role ?? definitionOf(rule).defaultRole, now);
      for (const s of sorted.skipped) {
        const u = updateOf.get(s.contact.contact_id)!;
        // Already in: nothing left to do for it.
        if (s.reason === 'already_member' || s.reason === 'already_invited') done.push(u.id);
        else skipped.push({ id: u.id, reason: s.reason });
      }
      const fit = sorted.toInvite.slice(0, Math.max(0, seatsLeft));
      for (const j of sorted.toInvite.slice(fit.length)) skipped.push({ id: updateOf.get(j.contact.contact_id)!.id, reason: 'seat_limit' });
      seatsLeft -= fit.length;
      if (fit.length) batches.push({ rule, people: fit });
      for (const j of fit) done.push(updateOf.get(j.contact.contact_id)!.id);
    }
    for (const j of joiners) if (!rules.has(j.rule_id) || !j.contact_id) skipped.push({ id: j.id, reason: 'not_found' });
    const invited = batches.reduce((n, b) => n + b.people.length, 0);
    await checkMailBudget(trx, mailLimitsOf(deps.config.mailLimits), ref, inviter.id, invited, now);
    for (const b of batches)
      events.push(...(await inviteAs(trx, deps, t, inviter, b.rule, definitionOf(b.rule), b.people, `sync-approval:${newId('key')}`, false)));

    // Leavers: reported, their pending invites revoked.
    const leavers = open.filter((r) => r.kind === 'leaver');
    const reported = await reportLeaversByRule(trx, t, leavers, now, inviter.id);
    events.push(...reported.events);
    done.push(...leavers.map((l) => l.id));

    // Role changes: the member's role, or the pending invite's.
    let roleChanges = 0;
    for (const r of open.filter((u) => u.kind === 'role_change')) {
      const changed =
        r.membership === 'member'
          ? await trx
              .updateTable('members')
              .set({ role: r.role! })
              .where('target_type', '=', t.type)
              .where('target_id', '=', t.id)
              .where('email', '=', r.email_normalized)
              .executeTakeFirst()
          : await trx
              .updateTable('invites')
              .set({ role: r.role! })
              .where('target_type', '=', t.type)
              .where('target_id', '=', t.id)
              .where('email_normalized', '=', r.email_normalized)
              .where(liveInvite(now))
              .executeTakeFirst();
      done.push(r.id);
      if (Number(changed.numUpdatedRows) === 0) continue;
      roleChanges++;
      events.push(
        memberEvent(
          'member.role_changed',
          {
            ruleId: r.rule_id,
            email: r.email_normalized,
            contactId: r.contact_id,
            membership: r.membership as 'member' | 'invited',
            role: r.role!,
            previousRole: r.held_role,
            reason: null,
          },
          ref,
          now,
        ),
      );
    }
    for (let i = 0; i < done.length; i += 500) {
      await trx
        .updateTable('sync_updates')
        .set({ status: 'done', done_at: iso })
        .where('id', 'in', done.slice(i, i + 500))
        .execute();
    }
    const seats = await countSeats(trx, t, now);
    await recordEvents(trx, events);
    return { done: done.length, invited, revoked: reported.revoked, roleChanges, skipped, seats };
  });
}

async function reportLeaversByRule(trx: Q, target: Target, leavers: SyncUpdateRow[], now: Date, actor: string) {
  const events: NewEvent[] = [];
  let revoked = 0;
  for (const ruleId of new Set(leavers.map((l) => l.rule_id))) {
    const r = await reportLeavers(
      trx,
      target,
      ruleId,
      leavers.filter((l) => l.rule_id === ruleId),
      now,
      actor,
    );
    events.push(...r.events);
    revoked += r.revoked;
  }
  return { events, revoked };
}

export { getTarget };
