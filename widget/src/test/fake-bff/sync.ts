/** Keep in sync: rules, their dry run, runs and the updates waiting for the admin, as contract/sync.ts describes them. */
import type { Contact, SyncDryRun, SyncRule, SyncRuleInput, SyncRun, SyncUpdate, SyncUpdateResult } from '../../api/types.js';
import { canInvite, matching } from './contacts.js';
import { makeRule, makeRun } from './data.js';
import { answer, errorResponse, notFound, type RecordedRequest } from './http.js';
import type { FakeState } from './state.js';

export function sync(state: FakeState, r: RecordedRequest): Response {
  const route = `${r.method} ${r.path.replace(/rule_[\w-]+/, ':id').replace(/run_[\w-]+/, ':run')}`;
  const ruleId = /rule_[\w-]+/.exec(r.path)?.[0];
  const rule = state.rules.find((x) => x.id === ruleId);
  if (ruleId && !rule) return errorResponse(404, 'sync_rule_not_found', 'No such sync rule.');
  const ids = (r.body as { ids?: string[] } | undefined)?.ids ?? [];
  switch (route) {
    case 'GET /sync-rules':
      return answer('/sync-rules', 'get', 200, { items: state.rules });
    case 'POST /sync-rules/dry-run':
      return answer('/sync-rules/dry-run', 'post', 200, dryRun(state, r.body as SyncRuleInput));
    case 'POST /sync-rules':
    case 'PUT /sync-rules/:id':
      return saveRule(state, r.body as SyncRuleInput, rule);
    case 'DELETE /sync-rules/:id':
      state.rules = state.rules.filter((x) => x !== rule);
      state.updates = state.updates.filter((u) => u.ruleId !== rule!.id);
      return new Response(null, { status: 204 });
    case 'POST /sync-rules/:id/run': {
      const runs = state.runs.get(rule!.id) ?? [];
      if (runs[0]?.status === 'running') return errorResponse(409, 'sync_run_in_progress', 'A run of this rule is under way.');
      const run = makeRun(runs.length + 100, rule!.id, { trigger: 'manual', status: 'running', startedAt: new Date().toISOString(), finishedAt: null });
      state.runs.set(rule!.id, [run, ...runs]);
      state.runReads = 0;
      return answer('/sync-rules/{id}/run', 'post', 202, run);
    }
    case 'GET /sync-rules/:id/runs': {
      const runs = state.runs.get(rule!.id) ?? [];
      if (runs[0]?.status === 'running' && ++state.runReads >= state.runReadsUntilDone) {
        runs[0] = { ...runs[0], status: 'completed', finishedAt: new Date().toISOString(), invited: 1 };
        setRule(state, { ...rule!, lastRun: runs[0] });
      }
      return answer('/sync-rules/{id}/runs', 'get', 200, { items: runs });
    }
    case 'POST /sync-rules/:id/runs/:run/approve':
      return approveRun(state, r, rule!);
    case 'GET /sync/updates': {
      const kind = r.url.searchParams.get('kind');
      const status = r.url.searchParams.get('status') ?? 'open';
      const open = state.updates.filter((u) => u.status === 'open');
      const count = (k: SyncUpdate['kind']) => open.filter((u) => u.kind === k).length;
      // Paged like the BFF: `limit` at a time, the cursor opaque (here the offset).
      const listed = state.updates.filter((u) => u.status === status && (!kind || u.kind === kind));
      const offset = Number(r.url.searchParams.get('cursor') ?? 0);
      const limit = Number(r.url.searchParams.get('limit') ?? 100);
      return answer('/sync/updates', 'get', 200, {
        items: listed.slice(offset, offset + limit),
        nextCursor: offset + limit < listed.length ? String(offset + limit) : null,
        counts: { joiner: count('joiner'), leaver: count('leaver'), role_change: count('role_change') },
        seats: state.seats,
      });
    }
    case 'POST /sync/updates/approve':
    case 'POST /sync/updates/dismiss':
      return answer('/sync/updates/approve', 'post', 200, actOnUpdates(state, r.path.endsWith('approve'), ids));
  }
  return notFound(r);
}

function setRule(state: FakeState, rule: SyncRule) {
  state.rules = state.rules.map((x) => (x.id === rule.id ? rule : x));
}

/** A held run goes ahead: it completes, and the updates it held are done. */
function approveRun(state: FakeState, r: RecordedRequest, rule: SyncRule): Response {
  const runs = state.runs.get(rule.id) ?? [];
  const run =
    runs.find((x) => r.path.endsWith(`${x.id}/approve`)) ?? (rule.lastRun && r.path.endsWith(`${rule.lastRun.id}/approve`) ? rule.lastRun : undefined);
  if (!run) return errorResponse(404, 'sync_run_not_found', 'No such run.');
  if (run.status !== 'held') return errorResponse(409, 'sync_run_not_held', 'This run is not waiting for an approval.');
  const done: SyncRun = { ...run, trigger: 'approval', status: 'completed', error: null, finishedAt: new Date().toISOString() };
  state.runs.set(
    rule.id,
    runs.map((x) => (x.id === run.id ? done : x)),
  );
  if (rule.lastRun?.id === run.id) setRule(state, { ...rule, lastRun: done });
  state.updates = state.updates.map((u) => (u.ruleId === rule.id && u.status === 'held' ? { ...u, status: 'done' } : u));
  return answer('/sync-rules/{id}/runs/{run}/approve', 'post', 200, done);
}

/** Whether `c` reports to the manager: directly, or (indirect) up the managerId chain, at most 50 levels as the BFF goes. */
function reportsTo(state: FakeState, c: Contact, managerId: string, indirect: boolean): boolean {
  let boss = c.managerId;
  for (let level = 0; boss && level < (indirect ? 50 : 1); level++) {
    if (boss === managerId) return true;
    boss = state.contacts.find((x) => x.id === boss)?.managerId ?? null;
  }
  return false;
}

/** Who the rule matches now, and who a run would invite with which role (first matching role rule, else the default). */
export function dryRun(state: FakeState, input: SyncRuleInput): SyncDryRun {
  const manager = input.scope.reportsTo;
  const found = matching(state, input.scope.search ?? null, input.scope.filters ?? {}).filter(
    (c) => !manager || reportsTo(state, c, manager.contactId, manager.indirect),
  );
  const invite = found.filter(canInvite);
  const roles = new Map<string, number>();
  for (const c of invite) {
    const rule = input.roleRules.find((rr) =>
      rr.conditions.every((cond) => {
        const value = String(c[cond.field] ?? '').toLowerCase();
        const wanted = cond.value.toLowerCase();
        return cond.operator === 'is' ? value === wanted : value.includes(wanted);
      }),
    );
    const role = rule?.role ?? input.defaultRole;
    roles.set(role, (roles.get(role) ?? 0) + 1);
  }
  return {
    matched: found.length,
    alreadyIn: found.filter((c) => c.membership !== null).length,
    toInvite: invite.length,
    roles: [...roles].map(([role, count]) => ({ role, count })),
    noEmail: found.filter((c) => c.email === null).length,
    seatsNeeded: invite.length,
    seats: state.seats,
    fits: invite.length <= state.seats.remaining,
  };
}

function saveRule(state: FakeState, input: SyncRuleInput, existing: SyncRule | undefined): Response {
  const known = new Set(state.roles.map((x) => x.id));
  if (![input.defaultRole, ...input.roleRules.map((x) => x.role)].every((id) => known.has(id))) {
    return errorResponse(400, 'invalid_role', 'A role of the rule is not one the target offers.');
  }
  const dry = dryRun(state, input);
  if (!input.paused && !dry.fits) {
    return errorResponse(409, 'seat_limit_exceeded', 'The rule needs more seats than the plan has left.', { seats: state.seats, requested: dry.seatsNeeded });
  }
  const now = new Date().toISOString();
  const managerId = input.scope.reportsTo?.contactId;
  const reportsToName = (managerId && state.contacts.find((c) => c.id === managerId)?.displayName) || null;
  const rule: SyncRule = existing
    ? { ...existing, ...input, reportsToName, updatedAt: now, nextRunAt: input.paused ? null : (existing.nextRunAt ?? now) }
    : makeRule(state.rules.length + 1, { ...input, reportsToName, createdAt: now, updatedAt: now, nextRunAt: input.paused ? null : now });
  if (existing) setRule(state, rule);
  else state.rules = [...state.rules, rule];
  return existing ? answer('/sync-rules/{id}', 'put', 200, rule) : answer('/sync-rules', 'post', 201, rule);
}

function actOnUpdates(state: FakeState, approve: boolean, ids: readonly string[]): SyncUpdateResult {
  const result: SyncUpdateResult = { done: 0, invited: 0, revoked: 0, roleChanges: 0, skipped: [], seats: state.seats };
  for (const id of ids) {
    const update = state.updates.find((u) => u.id === id);
    if (!update || update.status !== 'open') {
      result.skipped.push({ id, reason: 'not_open' });
      continue;
    }
    if (approve && update.kind === 'joiner') {
      if (state.seats.remaining <= 0) {
        result.skipped.push({ id, reason: 'seat_limit' });
        continue;
      }
      state.seats = { ...state.seats, used: state.seats.used + 1, remaining: state.seats.remaining - 1 };
      result.invited += 1;
    }
    if (approve && update.kind === 'leaver' && update.membership === 'invited') result.revoked += 1;
    if (approve && update.kind === 'role_change') result.roleChanges += 1;
    state.updates = state.updates.map((u) => (u.id === id ? { ...u, status: approve ? 'done' : 'dismissed' } : u));
    result.done += 1;
  }
  return { ...result, seats: state.seats };
}
