/**
 * The webhook worker when several run at once (replicas) and when one dies mid-delivery, and
 * events that stay unwritten when the change that would record them fails. The scene:
 * test/webhook-scene.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { writeTransaction } from '../db/connect.js';
import { message, people, webhookScene } from '../../test/webhook-scene.js';
import { inviteEvent, recordEvent } from './events.js';

const s = webhookScene();
const { received, hooks, mail, importPeople, types, deliveries, advance } = s;

describe('several replicas', () => {
  it('deliver each event once, each target in order, when their workers run at the same time', async () => {
    for (const [i, target] of ['acme', 'globex'].entries()) await importPeople(target, 4, i * 4);
    await mail().runOnce();
    const workers = [hooks(), hooks(), hooks()];
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(workers.map((w) => w.runOnce()));
      if (results.every((r) => !r.delivered && !r.failed)) break;
    }
    const ids = received.map((r) => r.headers['webhook-id']);
    expect(ids.length).toBe(10);
    expect(new Set(ids).size).toBe(10);
    const seqOf = new Map((await s.h.db.kysely.selectFrom('events').select(['id', 'seq', 'target_id']).execute()).map((e) => [e.id, e]));
    for (const target of ['acme', 'globex']) {
      const order = ids
        .map((id) => seqOf.get(id as string)!)
        .filter((e) => e.target_id === target)
        .map((e) => Number(e.seq));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});

describe('crash safety', () => {
  it('an event survives a worker that dies after claiming it: once its lease runs out, another delivers it', async () => {
    await importPeople('acme', 1);
    // This worker claims, then never gets an answer: as if its process died mid-request.
    const dying = hooks({ fetch: () => new Promise(() => undefined), leaseMs: 60_000 });
    void dying.runOnce();
    await vi.waitFor(async () => expect((await deliveries())[0]?.status).toBe('delivering'));

    const survivor = hooks();
    expect(await survivor.runOnce()).toMatchObject({ delivered: 0 });
    advance(60_001);
    expect(await survivor.runOnce()).toMatchObject({ delivered: 1 });
    expect(types()).toEqual(['import.completed']);
    expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('a change rolled back writes no event, and leaves no gap in the sequence', async () => {
    await importPeople('acme', 1);
    const [invite] = await s.h.db.kysely.selectFrom('invites').selectAll().execute();
    await expect(
      writeTransaction(s.h.db.kysely, async (trx) => {
        await trx.updateTable('invites').set({ status: 'revoked' }).where('id', '=', invite!.id).execute();
        await recordEvent(trx, inviteEvent('invite.revoked', invite!, s.h.clock.now));
        throw new Error('the change fails after its event was written');
      }),
    ).rejects.toThrow('the change fails');
    // A refused import (over the seat limit) writes none either.
    await s.h.target('organization', 'tiny', 1);
    const res = await s.h.request('POST', '/api/imports', {
      token: await s.h.session({ type: 'organization', id: 'tiny' }),
      body: { provider: 'sample', selection: { ids: people.slice(0, 2).map((p) => p.id) }, role: 'user', message },
      headers: { 'Idempotency-Key': 'hooks-test-refused' },
    });
    expect(res.status).toBe(409);

    const session = await s.h.session({ type: 'organization', id: 'acme' });
    expect((await s.h.request('DELETE', `/api/invites/${invite!.id}`, { token: session })).status).toBe(204);
    const events = await s.h.db.kysely.selectFrom('events').select(['type', 'seq']).orderBy('seq').execute();
    expect(events).toEqual([
      { type: 'import.completed', seq: 1 },
      { type: 'invite.revoked', seq: 2 },
    ]);
  });
});
