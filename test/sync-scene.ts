/**
 * The scene of the sync rule tests (bff/routes/sync*.test.ts): the BFF on a real database with a
 * loopback Unified.to stand-in whose directory (`hr.employees`) a test edits between runs, an
 * admin's session of organization acme, the runner's dependencies, and the routes a test calls.
 *
 * `syncScene()` registers its hooks in the calling test file: a fresh BFF and stand-in a test.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { credentialKey } from '../bff/crypto.js';
import { TEST_CONFIG, createHarness, type Harness } from './harness.js';
import { startUnifiedFake } from './fakes/unified-server.js';
import type { Loopback } from './fakes/loopback.js';
import { createUnifiedConnector } from '../bff/connectors/unified.js';
import { createProviderRegistry, staticProvider } from '../bff/providers/registry.js';
import type { SyncRule, SyncRuleInput, SyncRun, SyncUpdateList, SyncUpdateResult } from '../contract/index.js';
import type { SyncDeps } from '../bff/services/sync/rule.js';
import { awaitSyncRuns, runDueRule } from '../bff/services/sync/runner.js';

export const CREDENTIALS = { apiKey: 'unified-key', connectionId: 'conn_1' };
export const TARGET = { type: 'organization' as const, id: 'acme' };
export const HOUR = 3_600_000;

export type Employee = Record<string, unknown>;
export const person = (i: number, more: Employee = {}): Employee => ({
  id: `emp_${i}`,
  name: `Person ${String(i).padStart(3, '0')}`,
  emails: [{ email: `e${i}@acme.test`, type: 'WORK' }],
  department: 'Engineering',
  title: 'Engineer',
  employment_status: 'ACTIVE',
  ...more,
});

export function rule(more: Partial<SyncRuleInput> = {}): SyncRuleInput {
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

export async function json<T>(res: Response, status: number): Promise<T> {
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

export function syncScene() {
  const scene = {
    h: undefined as unknown as Harness,
    fake: undefined as unknown as Loopback,
    /** The stand-in's directory, read on each of its answers. */
    hr: { employees: [] } as { employees: Employee[] },
    /** An admin's session of acme. */
    token: '',
    deps: undefined as unknown as SyncDeps,
  };

  const later = (ms: number) => {
    scene.h.clock.now = new Date(scene.h.clock.now.getTime() + ms);
  };
  const save = async (input: SyncRuleInput) => json<SyncRule>(await scene.h.request('POST', '/api/sync-rules', { token: scene.token, body: input }), 201);
  const updates = async (query = '') => json<SyncUpdateList>(await scene.h.request('GET', `/api/sync/updates${query}`, { token: scene.token }), 200);
  const act = async (action: 'approve' | 'dismiss', ids: string[]) =>
    json<SyncUpdateResult>(await scene.h.request('POST', `/api/sync/updates/${action}`, { token: scene.token, body: { ids } }), 200);
  const runs = async (ruleId: string) =>
    (await json<{ items: SyncRun[] }>(await scene.h.request('GET', `/api/sync-rules/${ruleId}/runs`, { token: scene.token }), 200)).items;
  /** The scheduled run, as the runner does it once the rule is due. */
  async function scheduled(ruleId: string): Promise<SyncRun> {
    expect(await runDueRule(scene.deps)).toBe(true);
    return (await runs(ruleId))[0]!;
  }
  const pendingInvites = async () =>
    (await scene.h.db.kysely.selectFrom('invites').select(['email', 'role']).where('status', '=', 'pending').orderBy('email').execute()).map(
      (i) => `${i.email}:${i.role}`,
    );
  const events = async (type: string) =>
    (await scene.h.db.kysely.selectFrom('events').select('payload').where('type', '=', type).orderBy('seq').execute()).map((e) => JSON.parse(e.payload).data);

  beforeEach(async () => {
    scene.hr = { employees: [] };
    scene.fake = await startUnifiedFake({
      get employees() {
        return scene.hr.employees;
      },
      ...CREDENTIALS,
    });
    const unified = staticProvider('unified', 'unified', 'Unified.to', (s) => createUnifiedConnector(s, { policy: { maxAttempts: 1 } }), {
      baseUrl: scene.fake.url,
      credentials: CREDENTIALS,
    });
    // Every refresh full: Unified.to never names deleted people, and the tests delete some.
    const config = { ...TEST_CONFIG, refreshLimits: { incrementalRefreshes: 0 } };
    scene.h = await createHarness({ providers: [unified], config });
    scene.deps = {
      db: scene.h.db.kysely,
      config,
      providers: createProviderRegistry([unified]),
      now: () => scene.h.clock.now,
      sealingKey: credentialKey(config.secret),
    };
    // The clock moves days ahead between runs.
    scene.token = await scene.h.session(TARGET, 90 * 86_400);
  });
  afterEach(async () => {
    await awaitSyncRuns(scene.h.db.kysely);
    await scene.h.close();
    await scene.fake.close();
  });

  return Object.assign(scene, { later, save, updates, act, runs, scheduled, pendingInvites, events });
}
