/**
 * Keep in sync, end to end on a real database (SQLite in memory, or PostgreSQL with TEST_PG_URL):
 * a loopback Unified.to stand-in whose directory the test edits between runs drives sync rules
 * through their routes and the runner: dry run, review and auto, leavers and the safeguard, a
 * provider answering with nothing, the seat limit, "reports to", racing runners and a crash.
 */
import { credentialKey } from '../crypto.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, TEST_CONFIG, createHarness, type Harness } from '../../test/harness.js';
import { startUnifiedFake } from '../../test/fakes/unified-server.js';
import type { Loopback } from '../../test/fakes/loopback.js';
import { createUnifiedConnector } from '../connectors/unified.js';
import { createProviderRegistry, staticProvider } from '../providers/registry.js';
import type { PrivacyExport, SyncDryRun, SyncRule, SyncRuleInput, SyncRun, SyncUpdateList, SyncUpdateResult } from '../../contract/index.js';
import { type SyncDeps } from '../services/sync/rule.js';
import { awaitSyncRuns, claimRule, executeRun, runDueRule, startRun, SYNC_LEASE_MS } from '../services/sync/runner.js';

const CREDENTIALS = { apiKey: 'unified-key', connectionId: 'conn_1' };
const TARGET = { type: 'organization' as const, id: 'acme' };
const HOUR = 3_600_000;

type Employee = Record<string, unknown>;
const person = (i: number, more: Employee = {}): Employee => ({
  id: `emp_${i}`,
  name: `Person ${String(i).padStart(3, '0')}`,
  emails: [{ email: `e${i}@acme.test`, type: 'WORK' }],
  department: 'Engineering',
  title: 'Engineer',
  employment_status: 'ACTIVE',
  ...more,
});

let h: Harness;
let fake: Loopback;
let hr: { employees: Employee[] };
let token: string;
let deps: SyncDeps;

beforeEach(async () => {
  hr = { employees: [] };
  fake = await startUnifiedFake({
    get employees() {
      return hr.employees;
    },
    ...CREDENTIALS,
  });
  const unified = staticProvider('unified', 'unified', 'Unified.to', (s) => createUnifiedConnector(s, { policy: { maxAttempts: 1 } }), {
    baseUrl: fake.url,
    credentials: CREDENTIALS,
  });
  // Every refresh full: Unified.to never names deleted people, and the tests delete some.
  const config = { ...TEST_CONFIG, refreshLimits: { incrementalRefreshes: 0 } };
  h = await createHarness({ providers: [unified], config });
  deps = { db: h.db.kysely, config, providers: createProviderRegistry([unified]), now: () => h.clock.now, sealingKey: credentialKey(config.secret) };
  // The clock moves days ahead between runs.
  token = await h.session(TARGET, 90 * 86_400);
});
afterEach(async () => {
  await awaitSyncRuns(h.db.kysely);
  await h.close();
  await fake.close();
});

const later = (ms: number) => {
  h.clock.now = new Date(h.clock.now.getTime() + ms);
};

function rule(more: Partial<SyncRuleInput> = {}): SyncRuleInput {
  return {
    provider: 'unified',
    scope: { filters: { department: 'Engineering' } },
    roleRules: [{ conditions: [{ field: 'title', operator: 'contains', value: 'manager' }], role: 'admin' }],
    defaultRole: 'user',
    message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invited you.' },
    joiners: 'review',
    leavers: 'review',
    ...more,
  };
}

async function json<T>(res: Response, status: number): Promise<T> {
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

const save = async (input: SyncRuleInput) => json<SyncRule>(await h.request('POST', '/api/sync-rules', { token, body: input }), 201);
const updates = async (query = '') => json<SyncUpdateList>(await h.request('GET', `/api/sync/updates${query}`, { token }), 200);
const act = async (action: 'approve' | 'dismiss', ids: string[]) =>
  json<SyncUpdateResult>(await h.request('POST', `/api/sync/updates/${action}`, { token, body: { ids } }), 200);
const runs = async (ruleId: string) => (await json<{ items: SyncRun[] }>(await h.request('GET', `/api/sync-rules/${ruleId}/runs`, { token }), 200)).items;
/** The scheduled run, as the runner does it once the rule is due. */
async function scheduled(ruleId: string): Promise<SyncRun> {
  expect(await runDueRule(deps)).toBe(true);
  return (await runs(ruleId))[0]!;
}
const pendingInvites = async () =>
  (await h.db.kysely.selectFrom('invites').select(['email', 'role']).where('status', '=', 'pending').orderBy('email').execute()).map(
    (i) => `${i.email}:${i.role}`,
  );
const events = async (type: string) =>
  (await h.db.kysely.selectFrom('events').select('payload').where('type', '=', type).orderBy('seq').execute()).map((e) => JSON.parse(e.payload).data);

describe('sync rules: dry run, review mode, approve and dismiss', () => {
  it('counts what the rule would do, saves it due at once, and leaves joiners in Updates to approve or dismiss', async () => {
    hr.employees = [
      ...Array.from({ length: 8 }, (_, i) => person(i)),
      person(8, { title: 'Engineering Mánager' }),
      person(9, { emails: [] }),
      person(10, { department: 'Sales' }),
      person(11, { employment_status: 'INACTIVE' }),
    ];
    await h.target('organization', 'acme', 50, ['e0@acme.test']);

    const dry = await json<SyncDryRun>(await h.request('POST', '/api/sync-rules/dry-run', { token, body: rule() }), 200);
    expect(dry).toEqual({
      matched: 10,
      alreadyIn: 1,
      toInvite: 8,
      roles: [
        { role: 'admin', count: 1 },
        { role: 'user', count: 7 },
      ],
      noEmail: 1,
      seatsNeeded: 8,
      seats: { limit: 50, used: 1, remaining: 49 },
      fits: true,
    });

    const saved = await save(rule());
    expect(saved).toMatchObject({
      joiners: 'review',
      intervalHours: 24,
      leaverThresholdPercent: 20,
      paused: false,
      nextRunAt: h.clock.now.toISOString(),
      lastRun: null,
      createdBy: { name: 'Dana Admin' },
    });
    const first = await scheduled(saved.id);
    expect(first).toMatchObject({ trigger: 'schedule', status: 'completed', matched: 10, invited: 0, joiners: 8, leavers: 0, skippedCount: 0 });
    // Nothing due until the interval has passed.
    expect(await runDueRule(deps)).toBe(false);

    const list = await updates();
    expect(list.counts).toEqual({ joiner: 8, leaver: 0, role_change: 0 });
    expect(list.items.find((u) => u.email === 'e8@acme.test')).toMatchObject({ kind: 'joiner', role: 'admin', status: 'open', name: 'Person 008' });
    const byEmail = (e: string) => list.items.find((u) => u.email === e)!.id;

    const approved = await act('approve', [byEmail('e1@acme.test'), byEmail('e8@acme.test')]);
    expect(approved).toMatchObject({ done: 2, invited: 2, skipped: [], seats: { used: 3 } });
    expect(await pendingInvites()).toEqual(['e1@acme.test:user', 'e8@acme.test:admin']);
    // A double click invites nobody twice.
    const again = await act('approve', [byEmail('e1@acme.test')]);
    expect(again).toMatchObject({ done: 0, invited: 0, skipped: [{ id: byEmail('e1@acme.test'), reason: 'not_open' }] });
    expect(await pendingInvites()).toHaveLength(2);

    expect(await act('dismiss', [byEmail('e2@acme.test')])).toMatchObject({ done: 1 });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', joiners: 0 });
    // Dismissed stays dismissed while nothing about the person changes; a new title brings them back.
    expect((await updates()).counts.joiner).toBe(5);
    hr.employees[2] = person(2, { title: 'Staff Engineer' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ joiners: 1 });
    expect((await updates('?kind=joiner')).items.map((u) => u.email)).toContain('e2@acme.test');

    // The rule and its last run, as the widget lists them.
    const rules = await json<{ items: SyncRule[] }>(await h.request('GET', '/api/sync-rules', { token }), 200);
    expect(rules.items).toHaveLength(1);
    expect(rules.items[0]!.lastRun).toMatchObject({ joiners: 1 });
  });
});

describe('sync rules: auto mode and the seat limit', () => {
  it('invites joiners through the import path within the seats, and names who was left out', async () => {
    hr.employees = Array.from({ length: 4 }, (_, i) => person(i));
    await h.target('organization', 'acme', 5);
    const saved = await save(rule({ joiners: 'auto' }));
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', invited: 4, joiners: 0 });
    expect(await pendingInvites()).toHaveLength(4);
    expect((await events('invite.created')).map((e) => e.email)).toEqual(['e0@acme.test', 'e1@acme.test', 'e2@acme.test', 'e3@acme.test']);
    expect(await events('import.completed')).toHaveLength(1);
    // Shown as done in Updates.
    expect((await updates('?status=done')).items).toHaveLength(4);

    hr.employees.push(person(4), person(5), person(6));
    later(25 * HOUR);
    const run = await scheduled(saved.id);
    expect(run).toMatchObject({
      invited: 1,
      joiners: 2,
      skippedCount: 2,
      skipped: [
        { contactId: 'emp_5', name: 'Person 005', reason: 'seat_limit' },
        { contactId: 'emp_6', name: 'Person 006', reason: 'seat_limit' },
      ],
    });
    expect(await pendingInvites()).toHaveLength(5);
    expect((await events('sync.completed')).at(-1)).toMatchObject({ ruleId: saved.id, runId: run.id, status: 'completed', invited: 1, skipped: 2 });

    // A rule that would not fit now is refused with the seats it needs.
    const refused = await json<{ error: { code: string; details: unknown } }>(
      await h.request('POST', '/api/sync-rules', { token, body: rule({ scope: {} }) }),
      409,
    );
    expect(refused.error).toMatchObject({ code: 'seat_limit_exceeded', details: { seats: { limit: 5, used: 5, remaining: 0 }, requested: 2 } });
  });
});

describe('sync rules: leavers and the safeguards', () => {
  it('holds a run that would mark more than 20% as leavers until approved, then revokes and reports', async () => {
    hr.employees = Array.from({ length: 10 }, (_, i) => person(i));
    await h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto', leavers: 'report' }));
    expect(await scheduled(saved.id)).toMatchObject({ invited: 10 });

    // Three terminated: 30% of the HR-linked invitees.
    for (const i of [1, 2, 3]) hr.employees[i] = person(i, { employment_status: 'INACTIVE' });
    later(25 * HOUR);
    const held = await scheduled(saved.id);
    expect(held).toMatchObject({ status: 'held', leavers: 3, revoked: 0, error: { code: 'leaver_threshold' } });
    expect(await pendingInvites()).toHaveLength(10);
    expect(await events('member.left_hr')).toEqual([]);
    expect((await updates('?status=held')).items.map((u) => [u.email, u.reason])).toEqual(expect.arrayContaining([['e1@acme.test', 'terminated']]));

    expect((await h.request('POST', `/api/sync-rules/${saved.id}/runs/${held.id}/approve`, { token })).status).toBe(200);
    expect(await pendingInvites()).toHaveLength(7);
    expect((await events('member.left_hr')).map((e) => [e.email, e.reason, e.membership])).toEqual([
      ['e1@acme.test', 'terminated', 'invited'],
      ['e2@acme.test', 'terminated', 'invited'],
      ['e3@acme.test', 'terminated', 'invited'],
    ]);
    expect((await runs(saved.id))[0]).toMatchObject({ status: 'completed', revoked: 3 });
    const twice = await json<{ error: { code: string } }>(await h.request('POST', `/api/sync-rules/${saved.id}/runs/${held.id}/approve`, { token }), 409);
    expect(twice.error.code).toBe('sync_run_not_held');

    // One more, under the threshold: reported and revoked by the run itself, once.
    hr.employees = hr.employees.filter((e) => e.id !== 'emp_4');
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', leavers: 1, revoked: 1 });
    expect((await events('member.left_hr')).at(-1)).toMatchObject({ email: 'e4@acme.test', reason: 'deleted' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ leavers: 0, revoked: 0 });
  });

  it('flags a department move as an out-of-scope leaver, and a role rule change as a role change', async () => {
    hr.employees = Array.from({ length: 10 }, (_, i) => person(i));
    await h.target(
      'organization',
      'acme',
      100,
      hr.employees.map((_, i) => `e${i}@acme.test`),
    );
    const saved = await save(rule());
    expect(await scheduled(saved.id)).toMatchObject({ matched: 10, joiners: 0, leavers: 0, roleChanges: 0 });

    hr.employees[5] = person(5, { department: 'Sales' });
    hr.employees[6] = person(6, { title: 'Engineering Manager' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', leavers: 1, roleChanges: 1 });
    const list = await updates();
    expect(list.items.map((u) => [u.kind, u.email, u.reason, u.membership, u.currentRole, u.role])).toEqual(
      expect.arrayContaining([
        ['leaver', 'e5@acme.test', 'out_of_scope', 'member', 'user', null],
        ['role_change', 'e6@acme.test', null, 'member', 'user', 'admin'],
      ]),
    );
    const result = await act(
      'approve',
      list.items.map((u) => u.id),
    );
    expect(result).toMatchObject({ done: 2, roleChanges: 1, revoked: 0 });
    const member = await h.db.kysely.selectFrom('members').select('role').where('email', '=', 'e6@acme.test').executeTakeFirstOrThrow();
    expect(member.role).toBe('admin');
    expect(await events('member.role_changed')).toEqual([expect.objectContaining({ email: 'e6@acme.test', role: 'admin', previousRole: 'user' })]);

    // The person's export lists what the rule noted about them: the update and the link to their HR record.
    const exported = await json<PrivacyExport>(await h.request('POST', '/api/privacy/export', { token: API_KEY, body: { email: 'E5@acme.test' } }), 200);
    expect(exported.syncUpdates).toEqual([
      expect.objectContaining({
        ruleId: saved.id,
        target: TARGET,
        kind: 'leaver',
        email: 'e5@acme.test',
        name: 'Person 005',
        department: 'Sales',
        reason: 'out_of_scope',
        membership: 'member',
        status: 'done',
      }),
    ]);
    expect(exported.syncLinks).toEqual([{ ruleId: saved.id, target: TARGET, contactId: 'emp_5', facts: expect.any(String) }]);
    // Erasing a person takes what the rule noted about them too.
    expect((await h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'e5@acme.test' } })).status).toBe(200);
    expect(await h.db.kysely.selectFrom('sync_updates').select('id').where('email_normalized', '=', 'e5@acme.test').execute()).toEqual([]);
    expect(await h.db.kysely.selectFrom('sync_links').select('rule_id').where('email_normalized', '=', 'e5@acme.test').execute()).toEqual([]);
  });

  it('treats an empty or much smaller directory as a provider problem and changes nothing', async () => {
    hr.employees = Array.from({ length: 10 }, (_, i) => person(i));
    await h.target(
      'organization',
      'acme',
      100,
      hr.employees.map((_, i) => `e${i}@acme.test`),
    );
    const saved = await save(rule({ leavers: 'report' }));
    await scheduled(saved.id);

    hr.employees = [];
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'failed', leavers: 0, error: { code: 'provider_suspect' } });
    hr.employees = [person(0), person(1), person(2), person(3)];
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'failed', error: { code: 'provider_suspect', message: expect.stringContaining('under half') } });
    expect((await updates()).counts).toEqual({ joiner: 0, leaver: 0, role_change: 0 });
    expect(await events('member.left_hr')).toEqual([]);
    expect((await events('sync.completed')).map((e) => e.status)).toEqual(['completed', 'failed', 'failed']);
  });

  it('scopes "reports to" directly or through others, and sees reports leave when their manager goes', async () => {
    hr.employees = [
      person(100, { title: 'VP' }),
      person(1, { manager_id: 'emp_100' }),
      person(2, { manager_id: 'emp_1' }),
      person(3, { manager_id: 'emp_2' }),
      person(4, { manager_id: 'emp_50' }),
      person(50, { title: 'VP' }),
    ];
    await h.target('organization', 'acme', 100);
    const direct = await json<SyncDryRun>(
      await h.request('POST', '/api/sync-rules/dry-run', { token, body: rule({ scope: { reportsTo: { contactId: 'emp_100', indirect: false } } }) }),
      200,
    );
    expect(direct.matched).toBe(1);
    const input = rule({ scope: { reportsTo: { contactId: 'emp_100', indirect: true } }, joiners: 'auto', leaverThresholdPercent: 100 });
    expect((await json<SyncDryRun>(await h.request('POST', '/api/sync-rules/dry-run', { token, body: input }), 200)).matched).toBe(3);
    const saved = await save(input);
    // The answer names the manager, so the widget says who rather than an id.
    expect(saved.reportsToName).toBe('Person 100');
    expect(await scheduled(saved.id)).toMatchObject({ matched: 3, invited: 3 });

    // The manager is terminated and their report moves to another: the whole branch left the scope.
    hr.employees[0] = person(100, { title: 'VP', employment_status: 'INACTIVE' });
    hr.employees[1] = person(1, { manager_id: 'emp_50' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ matched: 0, leavers: 3 });
    expect((await updates('?kind=leaver')).items.map((u) => u.reason)).toEqual(['out_of_scope', 'out_of_scope', 'out_of_scope']);
  });
});

describe('sync rules: the runner', () => {
  it('runs a rule once when two runners race for it, and refuses Sync now while it runs', async () => {
    hr.employees = Array.from({ length: 5 }, (_, i) => person(i));
    await h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto' }));
    const [a, b] = await Promise.all([runDueRule(deps), runDueRule(deps)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await runs(saved.id)).toHaveLength(1);
    expect(await pendingInvites()).toHaveLength(5);

    const claimed = (await claimRule(h.db.kysely, h.clock.now, saved.id))!;
    const busy = await json<{ error: { code: string } }>(await h.request('POST', `/api/sync-rules/${saved.id}/run`, { token }), 409);
    expect(busy.error.code).toBe('sync_run_in_progress');
    await h.db.kysely.updateTable('sync_rules').set({ lease_until: null, lease_holder: null }).where('id', '=', claimed.rule.id).execute();

    // Sync now: 202 at once, the run goes on in the background.
    hr.employees.push(person(5));
    later(60_000);
    const started = await json<SyncRun>(await h.request('POST', `/api/sync-rules/${saved.id}/run`, { token }), 202);
    expect(started).toMatchObject({ trigger: 'manual', status: 'running' });
    await awaitSyncRuns(h.db.kysely);
    expect((await runs(saved.id))[0]).toMatchObject({ id: started.id, status: 'completed', invited: 1 });
  });

  it('marks a run whose process died as interrupted once its lease expires, runs the rule again, and never invites twice', async () => {
    hr.employees = Array.from({ length: 5 }, (_, i) => person(i));
    await h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto' }));
    // A process claims the rule, starts its run, and dies.
    const dead = (await claimRule(h.db.kysely, h.clock.now))!;
    const lost = await startRun(h.db.kysely, dead.rule, 'schedule', h.clock.now);
    expect(await runDueRule(deps)).toBe(false);
    later(SYNC_LEASE_MS + 1000);
    const rerun = await scheduled(saved.id);
    expect(rerun).toMatchObject({ status: 'completed', invited: 5 });
    expect((await runs(saved.id)).map((r) => [r.id, r.status])).toEqual([
      [rerun.id, 'completed'],
      [lost.id, 'interrupted'],
    ]);
    // The dead run's process coming back to life finds its lease gone and writes nothing.
    await executeRun(deps, dead.rule, lost, dead.holder);
    expect(await pendingInvites()).toHaveLength(5);
    expect((await runs(saved.id)).find((r) => r.id === lost.id)!.status).toBe('interrupted');
  });
});

describe('sync rules: host routes and bad input', () => {
  it('lists rules and runs for the host with the API key', async () => {
    hr.employees = [person(0)];
    await h.target('organization', 'acme', 10);
    const saved = await save(rule());
    await scheduled(saved.id);
    const list = await json<{ items: SyncRule[] }>(await h.request('GET', '/api/targets/organization/acme/sync-rules', { token: API_KEY }), 200);
    expect(list.items.map((r) => r.id)).toEqual([saved.id]);
    const reports = await json<{ items: SyncRun[] }>(
      await h.request('GET', `/api/targets/organization/acme/sync-rules/${saved.id}/runs`, { token: API_KEY }),
      200,
    );
    expect(reports.items).toMatchObject([{ status: 'completed', joiners: 1 }]);
    expect((await h.request('GET', '/api/targets/organization/acme/sync-rules')).status).toBe(401);
    expect((await h.request('GET', '/api/targets/organization/acme/sync-rules', { token })).status).toBe(401);
    expect((await h.request('GET', '/api/targets/organization/nope/sync-rules', { token: API_KEY })).status).toBe(404);
    expect((await h.request('GET', '/api/targets/organization/acme/sync-rules/rule_0123456789abc/runs', { token: API_KEY })).status).toBe(404);
  });

  it('refuses bad input with 4xx JSON and writes nothing', async () => {
    hr.employees = [person(0)];
    await h.target('organization', 'acme', 10);
    const refuse = async (body: unknown, status: number, code: string, method = 'POST', path = '/api/sync-rules') => {
      const res = await h.request(method, path, { token, body });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    };
    await refuse(rule({ defaultRole: 'owner' }), 400, 'invalid_role');
    await refuse(rule({ roleRules: [{ conditions: [{ field: 'title', operator: 'is', value: 'x' }], role: 'judge' }] }), 400, 'invalid_role');
    await refuse({ ...rule(), extra: 1 }, 400, 'invalid_request');
    await refuse(rule({ intervalHours: 0 }), 400, 'invalid_request');
    await refuse(rule({ intervalHours: 169 }), 400, 'invalid_request');
    await refuse(rule({ provider: 'nope' }), 400, 'provider_not_found');
    await refuse(rule({ scope: { reportsTo: { contactId: '', indirect: true } } }), 400, 'invalid_request');
    await refuse(rule(), 400, 'invalid_request', 'PUT', '/api/sync-rules/not-a-rule');
    await refuse(rule(), 404, 'sync_rule_not_found', 'PUT', '/api/sync-rules/rule_0123456789abc');
    await refuse(undefined, 404, 'sync_rule_not_found', 'DELETE', '/api/sync-rules/rule_0123456789abc');
    await refuse({ ids: [] }, 400, 'invalid_request', 'POST', '/api/sync/updates/approve');
    await refuse({ ids: ['inv_0123456789abc'] }, 400, 'invalid_request', 'POST', '/api/sync/updates/dismiss');
    const res = await h.request('GET', '/api/sync/updates?status=bogus', { token });
    expect(res.status).toBe(400);
    expect(await h.db.kysely.selectFrom('sync_rules').selectAll().execute()).toEqual([]);
  });

  it("limits Sync now and the other sync calls like the widget's other calls", async () => {
    const limited = await createHarness({ providers: [], config: { ...TEST_CONFIG, rateLimits: { session: 2, address: 1_000, accept: 1_000 } } });
    try {
      await limited.target('organization', 'acme', 10);
      const session = await limited.session(TARGET);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.request('POST', '/api/sync-rules/rule_0123456789abc/run', { token: session })).status);
      expect(statuses).toEqual([404, 404, 429]);
      expect((await limited.request('GET', '/api/sync/updates', { token: session })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('edits, pauses and deletes a rule', async () => {
    hr.employees = [person(0)];
    await h.target('organization', 'acme', 10);
    const saved = await save(rule());
    const paused = await json<SyncRule>(
      await h.request('PUT', `/api/sync-rules/${saved.id}`, { token, body: rule({ paused: true, intervalHours: 168 }) }),
      200,
    );
    expect(paused).toMatchObject({ paused: true, intervalHours: 168, nextRunAt: null });
    expect(await runDueRule(deps)).toBe(false);
    expect((await h.request('DELETE', `/api/sync-rules/${saved.id}`, { token })).status).toBe(204);
    expect((await json<{ items: SyncRule[] }>(await h.request('GET', '/api/sync-rules', { token }), 200)).items).toEqual([]);
  });
});
