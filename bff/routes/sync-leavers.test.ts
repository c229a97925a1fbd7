/**
 * Keep in sync: leavers, the safeguard against a provider answering with nothing, and "reports
 * to" scopes, end to end as in sync.test.ts. The scene: test/sync-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY } from '../../test/harness.js';
import { HOUR, TARGET, json, person, rule, syncScene } from '../../test/sync-scene.js';
import type { PrivacyExport, SyncDryRun } from '../../contract/index.js';

const s = syncScene();
const { later, save, updates, act, runs, scheduled, pendingInvites, events } = s;

/** Ten people in HR, each already a member of the organization. */
async function tenMembers() {
  s.hr.employees = Array.from({ length: 10 }, (_, i) => person(i));
  await s.h.target(
    'organization',
    'acme',
    100,
    s.hr.employees.map((_, i) => `e${i}@acme.test`),
  );
}

describe('sync rules: leavers and the safeguards', () => {
  it('holds a run that would mark more than 20% as leavers until approved, then revokes and reports', async () => {
    s.hr.employees = Array.from({ length: 10 }, (_, i) => person(i));
    await s.h.target('organization', 'acme', 100);
    const saved = await save(rule({ joiners: 'auto', leavers: 'report' }));
    expect(await scheduled(saved.id)).toMatchObject({ invited: 10 });

    // Three terminated: 30% of the HR-linked invitees.
    for (const i of [1, 2, 3]) s.hr.employees[i] = person(i, { employment_status: 'INACTIVE' });
    later(25 * HOUR);
    const held = await scheduled(saved.id);
    expect(held).toMatchObject({ status: 'held', leavers: 3, revoked: 0, error: { code: 'leaver_threshold' } });
    expect(await pendingInvites()).toHaveLength(10);
    expect(await events('member.left_hr')).toEqual([]);
    expect((await updates('?status=held')).items.map((u) => [u.email, u.reason])).toEqual(expect.arrayContaining([['e1@acme.test', 'terminated']]));

    expect((await s.h.request('POST', `/api/sync-rules/${saved.id}/runs/${held.id}/approve`, { token: s.token })).status).toBe(200);
    expect(await pendingInvites()).toHaveLength(7);
    expect((await events('member.left_hr')).map((e) => [e.email, e.reason, e.membership])).toEqual([
      ['e1@acme.test', 'terminated', 'invited'],
      ['e2@acme.test', 'terminated', 'invited'],
      ['e3@acme.test', 'terminated', 'invited'],
    ]);
    expect((await runs(saved.id))[0]).toMatchObject({ status: 'completed', revoked: 3 });
    const twice = await json<{ error: { code: string } }>(
      await s.h.request('POST', `/api/sync-rules/${saved.id}/runs/${held.id}/approve`, { token: s.token }),
      409,
    );
    expect(twice.error.code).toBe('sync_run_not_held');

    // One more, under the threshold: reported and revoked by the run itself, once.
    s.hr.employees = s.hr.employees.filter((e) => e.id !== 'emp_4');
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'completed', leavers: 1, revoked: 1 });
    expect((await events('member.left_hr')).at(-1)).toMatchObject({ email: 'e4@acme.test', reason: 'deleted' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ leavers: 0, revoked: 0 });
  });

  it('flags a department move as an out-of-scope leaver, and a role rule change as a role change', async () => {
    await tenMembers();
    const saved = await save(rule());
    expect(await scheduled(saved.id)).toMatchObject({ matched: 10, joiners: 0, leavers: 0, roleChanges: 0 });

    s.hr.employees[5] = person(5, { department: 'Sales' });
    s.hr.employees[6] = person(6, { title: 'Engineering Manager' });
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
    const member = await s.h.db.kysely.selectFrom('members').select('role').where('email', '=', 'e6@acme.test').executeTakeFirstOrThrow();
    expect(member.role).toBe('admin');
    expect(await events('member.role_changed')).toEqual([expect.objectContaining({ email: 'e6@acme.test', role: 'admin', previousRole: 'user' })]);

    // The person's export lists what the rule noted about them: the update and the link to their HR record.
    const exported = await json<PrivacyExport>(await s.h.request('POST', '/api/privacy/export', { token: API_KEY, body: { email: 'E5@acme.test' } }), 200);
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
    expect((await s.h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'e5@acme.test' } })).status).toBe(200);
    expect(await s.h.db.kysely.selectFrom('sync_updates').select('id').where('email_normalized', '=', 'e5@acme.test').execute()).toEqual([]);
    expect(await s.h.db.kysely.selectFrom('sync_links').select('rule_id').where('email_normalized', '=', 'e5@acme.test').execute()).toEqual([]);
  });

  it('treats an empty or much smaller directory as a provider problem and changes nothing', async () => {
    await tenMembers();
    const saved = await save(rule({ leavers: 'report' }));
    await scheduled(saved.id);

    s.hr.employees = [];
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'failed', leavers: 0, error: { code: 'provider_suspect' } });
    s.hr.employees = [person(0), person(1), person(2), person(3)];
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ status: 'failed', error: { code: 'provider_suspect', message: expect.stringContaining('under half') } });
    expect((await updates()).counts).toEqual({ joiner: 0, leaver: 0, role_change: 0 });
    expect(await events('member.left_hr')).toEqual([]);
    expect((await events('sync.completed')).map((e) => e.status)).toEqual(['completed', 'failed', 'failed']);
  });

  it('scopes "reports to" directly or through others, and sees reports leave when their manager goes', async () => {
    s.hr.employees = [
      person(100, { title: 'VP' }),
      person(1, { manager_id: 'emp_100' }),
      person(2, { manager_id: 'emp_1' }),
      person(3, { manager_id: 'emp_2' }),
      person(4, { manager_id: 'emp_50' }),
      person(50, { title: 'VP' }),
    ];
    await s.h.target('organization', 'acme', 100);
    const direct = await json<SyncDryRun>(
      await s.h.request('POST', '/api/sync-rules/dry-run', { token: s.token, body: rule({ scope: { reportsTo: { contactId: 'emp_100', indirect: false } } }) }),
      200,
    );
    expect(direct.matched).toBe(1);
    const input = rule({ scope: { reportsTo: { contactId: 'emp_100', indirect: true } }, joiners: 'auto', leaverThresholdPercent: 100 });
    expect((await json<SyncDryRun>(await s.h.request('POST', '/api/sync-rules/dry-run', { token: s.token, body: input }), 200)).matched).toBe(3);
    const saved = await save(input);
    // The answer names the manager, so the widget says who rather than an id.
    expect(saved.reportsToName).toBe('Person 100');
    expect(await scheduled(saved.id)).toMatchObject({ matched: 3, invited: 3 });

    // The manager is terminated and their report moves to another: the whole branch left the scope.
    s.hr.employees[0] = person(100, { title: 'VP', employment_status: 'INACTIVE' });
    s.hr.employees[1] = person(1, { manager_id: 'emp_50' });
    later(25 * HOUR);
    expect(await scheduled(saved.id)).toMatchObject({ matched: 0, leavers: 3 });
    expect((await updates('?kind=leaver')).items.map((u) => u.reason)).toEqual(['out_of_scope', 'out_of_scope', 'out_of_scope']);
  });
});
