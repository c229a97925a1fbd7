/**
 * Keep in sync, end to end on a real database (SQLite in memory, or PostgreSQL with TEST_PG_URL):
 * a loopback Unified.to stand-in whose directory the test edits between runs drives sync rules
 * through their routes and the runner: dry run, review and auto, the seat limit, racing runners
 * and a crash, the host's routes and bad input. Leavers and the safeguards:
 * sync-leavers.test.ts. The scene: test/sync-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY, TEST_CONFIG, createHarness } from '../../test/harness.js';
import { HOUR, TARGET, json, person, rule, syncScene } from '../../test/sync-scene.js';
import type { SyncDryRun, SyncRule, SyncRun } from '../../contract/index.js';
import { awaitSyncRuns, claimRule, executeRun, runDueRule, startRun, SYNC_LEASE_MS } from '../services/sync/runner.js';

const s = syncScene();
const { later, save, updates, act, runs, scheduled, pendingInvites, events } = s;

describe('sync rules: dry run, review mode, approve and dismiss', () => {
  it('counts what the rule would do, saves it due at once, and leaves joiners in Updates to approve or dismiss', async () => {
    s.hr.employees = [
      ...Array.from({ length: 8 }, (_, i) => person(i)),
      person(8, { title: 'Engineering Mánager' }),
      person(9, { emails: [] }),
      person(10, { department: 'Sales' }),
      person(11, { employment_status: 'INACTIVE' }),
    ];
    await s.h.target('organization', 'acme', 50, ['e0@acme.test']);

    const dry = await json<SyncDryRun>(await s.h.request('POST', '/api/sync-rules/dry-run', { token: s.token, body: rule() }), 200);
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
      nextRunAt: s.h.clock.now.toISOString(),
      lastRun: null,
      createdBy: { name: 'Dana Admin' },
    });
    const first = await scheduled(saved.id);
    expect(first).toMatchObject({ trigger: 'schedule', status: 'completed', matched: 10, invited: 0, joiners: 8, leavers: 0, skippedCount: 0 });
    // Nothing due until the interval has passed.
    expect(await runDueRule(s.deps)).toBe(false);

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
    s.hr.employees[2] = person(2, { title: 'Staff Engineer' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ joiners: 1 });
    expect((await updates('?kind=joiner')).items.map((u) => u.email)).toContain('e2@acme.test');

    // The rule and its last run, as the widget lists them.
    const rules = await json<{ items: SyncRule[] }>(await s.h.request('GET', '/api/sync-rules', { token: s.token }), 200);
    expect(rules.items).toHaveLength(1);
    expect(rules.items[0]!.lastRun).toMatchObject({ joiners: 1 });
  });
});

describe('sync rules: auto mode and the seat limit', () => {
  it('invites joiners through the import path within the seats, and names who was left out', async () => {
    s.hr.employees = Array.from({ length: 4 }, (_, i) => person(i));
    await s.h.target('organization', 'acme', 5);
    const saved = await save(rule({ joiners: 'auto' }));
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', invited: 4, joiners: 0 });
    expect(await pendingInvites()).toHaveLength(4);
    expect((await events('invite.created')).map((e) => e.email)).toEqual(['e0@acme.test', 'e1@acme.test', 'e2@acme.test', 'e3@acme.test']);
    expect(await events('import.completed')).toHaveLength(1);
    // Shown as done in Updates.
    expect((await updates('?status=done')).items).toHaveLength(4);

    s.hr.employees.push(person(4), person(5), person(6));
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
      await s.h.request('POST', '/api/sync-rules', { token: s.token, body: rule({ scope: {} }) }),
      409,
    );
    expect(refused.error).toMatchObject({ code: 'seat_limit_exceeded', details: { seats: { limit: 5, used: 5, remaining: 0 }, requested: 2 } });
  });
});

describe('sync rules: the runner', () => {
  it('runs a rule once when two runners race for it, and refuses Sync now while it runs', async () => {
    s.hr.employees = Array.from({ length: 5 }, (_, i) => person(i));
    await s.h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto' }));
    const [a, b] = await Promise.all([runDueRule(s.deps), runDueRule(s.deps)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await runs(saved.id)).toHaveLength(1);
    expect(await pendingInvites()).toHaveLength(5);

    const claimed = (await claimRule(s.h.db.kysely, s.h.clock.now, saved.id))!;
    const busy = await json<{ error: { code: string } }>(await s.h.request('POST', `/api/sync-rules/${saved.id}/run`, { token: s.token }), 409);
    expect(busy.error.code).toBe('sync_run_in_progress');
    await s.h.db.kysely.updateTable('sync_rules').set({ lease_until: null, lease_holder: null }).where('id', '=', claimed.rule.id).execute();

    // Sync now: 202 at once, the run goes on in the background.
    s.hr.employees.push(person(5));
    later(60_000);
    const started = await json<SyncRun>(await s.h.request('POST', `/api/sync-rules/${saved.id}/run`, { token: s.token }), 202);
    expect(started).toMatchObject({ trigger: 'manual', status: 'running' });
    await awaitSyncRuns(s.h.db.kysely);
    expect((await runs(saved.id))[0]).toMatchObject({ id: started.id, status: 'completed', invited: 1 });
  });

  it('marks a run whose process died as interrupted once its lease expires, runs the rule again, and never invites twice', async () => {
    s.hr.employees = Array.from({ length: 5 }, (_, i) => person(i));
    await s.h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto' }));
    // A process claims the rule, starts its run, and dies.
    const dead = (await claimRule(s.h.db.kysely, s.h.clock.now))!;
    const lost = await startRun(s.h.db.kysely, dead.rule, 'schedule', s.h.clock.now);
    expect(await runDueRule(s.deps)).toBe(false);
    later(SYNC_LEASE_MS + 1000);
    const rerun = await scheduled(saved.id);
    expect(rerun).toMatchObject({ status: 'completed', invited: 5 });
    expect((await runs(saved.id)).map((r) => [r.id, r.status])).toEqual([
      [rerun.id, 'completed'],
      [lost.id, 'interrupted'],
    ]);
    // The dead run's process coming back to life finds its lease gone and writes nothing.
    await executeRun(s.deps, dead.rule, lost, dead.holder);
    expect(await pendingInvites()).toHaveLength(5);
    expect((await runs(saved.id)).find((r) => r.id === lost.id)!.status).toBe('interrupted');
  });
});

describe('sync rules: host routes and bad input', () => {
  it('lists rules and runs for the host with the API key', async () => {
    s.hr.employees = [person(0)];
    await s.h.target('organization', 'acme', 10);
    const saved = await save(rule());
    await scheduled(saved.id);
    const list = await json<{ items: SyncRule[] }>(await s.h.request('GET', '/api/targets/organization/acme/sync-rules', { token: API_KEY }), 200);
    expect(list.items.map((r) => r.id)).toEqual([saved.id]);
    const reports = await json<{ items: SyncRun[] }>(
      await s.h.request('GET', `/api/targets/organization/acme/sync-rules/${saved.id}/runs`, { token: API_KEY }),
      200,
    );
    expect(reports.items).toMatchObject([{ status: 'completed', joiners: 1 }]);
    expect((await s.h.request('GET', '/api/targets/organization/acme/sync-rules')).status).toBe(401);
    expect((await s.h.request('GET', '/api/targets/organization/acme/sync-rules', { token: s.token })).status).toBe(401);
    expect((await s.h.request('GET', '/api/targets/organization/nope/sync-rules', { token: API_KEY })).status).toBe(404);
    expect((await s.h.request('GET', '/api/targets/organization/acme/sync-rules/rule_0123456789abc/runs', { token: API_KEY })).status).toBe(404);
  });

  it('refuses bad input with 4xx JSON and writes nothing', async () => {
    s.hr.employees = [person(0)];
    await s.h.target('organization', 'acme', 10);
    const refuse = async (body: unknown, status: number, code: string, method = 'POST', path = '/api/sync-rules') => {
      const res = await s.h.request(method, path, { token: s.token, body });
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
    const res = await s.h.request('GET', '/api/sync/updates?status=bogus', { token: s.token });
    expect(res.status).toBe(400);
    expect(await s.h.db.kysely.selectFrom('sync_rules').selectAll().execute()).toEqual([]);
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
    s.hr.employees = [person(0)];
    await s.h.target('organization', 'acme', 10);
    const saved = await save(rule());
    const paused = await json<SyncRule>(
      await s.h.request('PUT', `/api/sync-rules/${saved.id}`, { token: s.token, body: rule({ paused: true, intervalHours: 168 }) }),
      200,
    );
    expect(paused).toMatchObject({ paused: true, intervalHours: 168, nextRunAt: null });
    expect(await runDueRule(s.deps)).toBe(false);
    expect((await s.h.request('DELETE', `/api/sync-rules/${saved.id}`, { token: s.token })).status).toBe(204);
    expect((await json<{ items: SyncRule[] }>(await s.h.request('GET', '/api/sync-rules', { token: s.token }), 200)).items).toEqual([]);
  });
});
