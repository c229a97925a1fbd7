import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, INVITER, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import { queuedMessage } from '../mail/outbox.js';

let h: Harness;
let token: string;
const active = sampleDirectory().filter((p) => p.status === 'active' && p.email);

beforeEach(async () => {
  h = await createHarness();
  await h.target('lab', 'l-1', 10);
  token = await h.session({ type: 'lab', id: 'l-1' });
});
afterEach(() => h.close());

describe('the audit trail', () => {
  it('records every import, resend, revoke and accept with who, when, which target and how many: ids only', async () => {
    const res = await h.request('POST', '/api/imports', {
      token,
      body: {
        provider: 'sample',
        selection: { ids: active.slice(0, 3).map((p) => p.id) },
        role: 'user',
        message: { subject: 'Join', body: 'Hi {{firstName}}' },
      },
      headers: { 'Idempotency-Key': 'audit-import-1' },
    });
    const imported = (await res.json()) as ImportResult;
    const { items } = (await (await h.request('GET', '/api/invites', { token })).json()) as { items: InviteSummary[] };
    const [a, b] = items;
    // Past the resend cooldown (10 minutes, services/mail-limits.ts).
    h.clock.now = new Date(h.clock.now.getTime() + 600_000);
    expect((await h.request('POST', `/api/invites/${a!.id}/resend`, { token })).status).toBe(200);
    expect((await h.request('DELETE', `/api/invites/${b!.id}`, { token })).status).toBe(204);
    const payload = (
      await h.db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', a!.id).where('status', '=', 'queued').executeTakeFirstOrThrow()
    ).payload!;
    const accept = decodeURIComponent(/token=([^\s&"]+)/.exec(queuedMessage(payload)!.text)![1]!);
    expect((await h.request('POST', '/api/invites/accept', { body: { token: accept } })).status).toBe(200);

    const trail = await h.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'actor', 'target_type', 'target_id', 'subject', 'count', 'at'])
      .orderBy('at')
      .orderBy('action')
      .execute();
    expect(trail).toEqual([
      { action: 'import', actor: INVITER.id, target_type: 'lab', target_id: 'l-1', subject: imported.id, count: 3, at: '2026-11-24T12:00:00.000Z' },
      { action: 'accept', actor: 'invitee', target_type: 'lab', target_id: 'l-1', subject: a!.id, count: 1, at: '2026-11-24T12:10:00.000Z' },
      { action: 'resend', actor: INVITER.id, target_type: 'lab', target_id: 'l-1', subject: a!.id, count: 1, at: '2026-11-24T12:10:00.000Z' },
      { action: 'revoke', actor: INVITER.id, target_type: 'lab', target_id: 'l-1', subject: b!.id, count: 1, at: '2026-11-24T12:10:00.000Z' },
    ]);
    expect(JSON.stringify(await h.db.kysely.selectFrom('audit_events').selectAll().execute())).not.toMatch(/@/);
  });

  it('records nothing for a refused import', async () => {
    const res = await h.request('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids: active.slice(0, 11).map((p) => p.id) }, role: 'user', message: { subject: 'Join', body: 'Hi' } },
      headers: { 'Idempotency-Key': 'audit-import-2' },
    });
    expect(res.status).toBe(409);
    expect(await h.db.kysely.selectFrom('audit_events').selectAll().execute()).toEqual([]);
  });
});
