/**
 * The Idempotency-Key of POST /api/imports beyond the plain replay (imports.test.ts): refusals
 * stored and replayed (Stripe's rule), failures not stored, keys in flight on another replica,
 * claims of dead processes taken over, expiry after 24 hours, and a busy SQLite answered 503.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, createHarness, INVITER, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { importRequest, type ImportResult } from '../../contract/index.js';
import { requestHash } from '../services/idempotency.js';

let h: Harness;
let token: string;
const active = sampleDirectory().filter((p) => p.status === 'active' && p.email && !p.email.includes('@Example'));
const message = { subject: 'Join', body: 'Hi {{firstName}}' };
const importOf = (n: number, from = 0) => ({ provider: 'sample', selection: { ids: active.slice(from, from + n).map((p) => p.id) }, role: 'user', message });

beforeEach(async () => {
  h = await createHarness();
  await h.target('lab', 'lab-1', 3);
  token = await h.session({ type: 'lab', id: 'lab-1' });
});
afterEach(() => h.close());

function post(body: unknown, key: string) {
  return h.request('POST', '/api/imports', { token, body, headers: { 'Idempotency-Key': key } });
}

async function written(): Promise<[number, number, number]> {
  const n = async (table: 'invites' | 'imports' | 'outbox') =>
    Number(
      (
        await h.db.kysely
          .selectFrom(table)
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return [await n('invites'), await n('imports'), await n('outbox')];
}

function keyRow(key: string) {
  return h.db.kysely.selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** A claim as another process would have committed it, for `body`. */
async function claimHeldBy(key: string, body: unknown, holder: { host: string; pid: number; instance: string }) {
  await h.db.kysely
    .insertInto('idempotency_keys')
    .values({
      target_type: 'lab',
      target_id: 'lab-1',
      inviter_id: INVITER.id,
      idempotency_key: key,
      request_hash: requestHash(importRequest.parse(body)),
      status: 'in_flight',
      claim_id: `claim-of-${key}`,
      holder_host: holder.host,
      holder_pid: holder.pid,
      holder_instance: holder.instance,
      lease_until: new Date(h.clock.now.getTime() + 60_000).toISOString(),
      response_status: null,
      response_body: null,
      created_at: h.clock.now.toISOString(),
    })
    .execute();
}

describe('Idempotency-Key', () => {
  it('stores a refusal and replays it, as Stripe does: a corrected import needs a new key', async () => {
    const tooMany = importOf(4);
    const first = await post(tooMany, 'refused-key-1');
    expect(first.status).toBe(409);
    const refusal = await first.json();
    expect(refusal).toMatchObject({ error: { code: 'seat_limit_exceeded' } });

    const again = await post(tooMany, 'refused-key-1');
    expect(again.status).toBe(409);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await again.json()).toEqual(refusal);

    // Even once it would fit, the key keeps its answer.
    expect((await h.request('PUT', '/api/targets/lab/lab-1', { token: API_KEY, body: { name: 'Lab', seatLimit: 10 } })).status).toBe(200);
    expect((await post(tooMany, 'refused-key-1')).status).toBe(409);
    expect((await post(importOf(1), 'refused-key-1')).status).toBe(422);
    expect(await written()).toEqual([0, 0, 0]);

    const badRole = { ...importOf(1), role: 'overlord' };
    const role = await post(badRole, 'refused-key-2');
    expect(role.status).toBe(400);
    const replayed = await post(badRole, 'refused-key-2');
    expect([replayed.status, await replayed.json()]).toEqual([400, await role.json()]);

    const fresh = await post(tooMany, 'refused-key-3');
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await written()).toEqual([4, 1, 4]);
  });

  it('stores nothing for a request refused before it started, so the key stays free', async () => {
    expect((await post({ ...importOf(1), selection: { ids: [] } }, 'early-key-1')).status).toBe(400);
    expect((await post({ ...importOf(1), provider: 'nowhere' }, 'early-key-1')).status).toBe(400);
    expect(await keyRow('early-key-1')).toBeUndefined();
    expect((await post(importOf(1), 'early-key-1')).status).toBe(201);
  });

  it('frees the key after a failure on our side, so the same request can be retried', async () => {
    // A real failure in the middle of the import's transaction: the invites insert is refused.
    if (h.db.dialect === 'sqlite') {
      await sql`create trigger fail_invites before insert on invites begin select raise(abort, 'disk on fire'); end`.execute(h.db.kysely);
    } else {
      await sql`create function fail_invites() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$`.execute(h.db.kysely);
      await sql`create trigger fail_invites before insert on invites for each statement execute function fail_invites()`.execute(h.db.kysely);
    }
    const failed = await post(importOf(2), 'failing-key-1');
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('disk on fire');
    expect(await written()).toEqual([0, 0, 0]);
    expect(await keyRow('failing-key-1')).toBeUndefined();

    await sql`drop trigger fail_invites${h.db.dialect === 'postgres' ? sql` on invites` : sql``}`.execute(h.db.kysely);
    const retried = await post(importOf(2), 'failing-key-1');
    expect(retried.status).toBe(201);
    expect(retried.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await written()).toEqual([2, 1, 2]);
  });

  it('answers 409 with Retry-After to a second request of the same key while the first runs in this process', async () => {
    await h.target('organization', 'big', 1000);
    const token = await h.session({ type: 'organization', id: 'big' });
    const send = () =>
      h.request('POST', '/api/imports', {
        token,
        body: { provider: 'sample', selection: { all: true }, role: 'user', message: { subject: 'Join', body: 'Hi {{firstName}}' } },
        headers: { 'Idempotency-Key': 'same-process-key-1' },
      });
    const [a, b] = await Promise.all([send(), send()]);
    const busy = a.status === 409 ? a : b;
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(busy.headers.get('Retry-After')).toBe('1');
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_in_flight');
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('answers 409 with Retry-After while another replica holds the key, and takes it over once its lease ran out', async () => {
    const body = importOf(2);
    await claimHeldBy('held-key-1', body, { host: 'replica-2.internal', pid: 4242, instance: 'other' });
    const busy = await post(body, 'held-key-1');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('Retry-After')).toBe('1');
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_in_flight');
    // Another body is a misuse of the key whether or not its first request has finished.
    expect((await post(importOf(1), 'held-key-1')).status).toBe(422);
    expect(await written()).toEqual([0, 0, 0]);

    h.clock.now = new Date(h.clock.now.getTime() + 59_000);
    expect((await post(body, 'held-key-1')).status).toBe(409);
    h.clock.now = new Date(h.clock.now.getTime() + 1_000);
    const taken = await post(body, 'held-key-1');
    expect(taken.status).toBe(201);
    expect(await keyRow('held-key-1')).toMatchObject({ status: 'done', response_status: 201, holder_pid: null });
    // The replica that held it can no longer commit: its claim id is not the key's any more.
    expect((await keyRow('held-key-1'))!.claim_id).not.toBe('claim-of-held-key-1');
    expect(await written()).toEqual([2, 1, 2]);
  });

  it('takes over at once a claim whose process on this host is gone', async () => {
    const exited = spawn(process.execPath, ['-e', '']);
    await once(exited, 'exit');
    await claimHeldBy('crashed-key-1', importOf(1), { host: hostname(), pid: exited.pid!, instance: 'crashed' });
    // A restarted container's process has the same pid as the one that died (often 1).
    await claimHeldBy('restarted-key-1', importOf(1, 1), { host: hostname(), pid: process.pid, instance: 'before-restart' });
    expect((await post(importOf(1), 'crashed-key-1')).status).toBe(201);
    expect((await post(importOf(1, 1), 'restarted-key-1')).status).toBe(201);
    expect(await written()).toEqual([2, 2, 2]);
  });

  it('expires a key after 24 hours: it is new again, and its row is purged', async () => {
    await h.target('organization', 'big', 100);
    token = await h.session({ type: 'organization', id: 'big' }, 3 * 86_400);
    const first = (await (await post(importOf(2), 'daily-key-1')).json()) as ImportResult;

    h.clock.now = new Date(h.clock.now.getTime() + 86_400_000 - 1);
    const replay = await post(importOf(2), 'daily-key-1');
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await replay.json()) as ImportResult).id).toBe(first.id);

    h.clock.now = new Date(h.clock.now.getTime() + 1);
    const renewed = await post(importOf(2), 'daily-key-1');
    expect(renewed.status).toBe(201);
    expect(renewed.headers.get('Idempotent-Replayed')).toBeNull();
    const second = (await renewed.json()) as ImportResult;
    expect(second.id).not.toBe(first.id);
    // A new import, so the people of the first are already invited, not invited twice.
    expect([second.invited, second.skipped.map((s) => s.reason)]).toEqual([0, ['already_invited', 'already_invited']]);

    const other = await post(importOf(1, 5), 'daily-key-2');
    expect(other.status).toBe(201);
    h.clock.now = new Date(h.clock.now.getTime() + 86_400_000);
    // Any new key purges the expired ones; an expired key also takes another body.
    expect((await post(importOf(1, 6), 'daily-key-3')).status).toBe(201);
    expect(await keyRow('daily-key-1')).toBeUndefined();
    expect(await keyRow('daily-key-2')).toBeUndefined();
    expect((await post(importOf(1, 7), 'daily-key-2')).status).toBe(201);
  });
});

describe('a busy SQLite database', () => {
  it('answers 503 database_busy with Retry-After, writes nothing, and the same key imports afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-import-busy-'));
    const file = join(dir, 'busy.sqlite');
    const sq = await createHarness({ sqlitePath: file });
    const other = new SQLite(file);
    try {
      await sq.target('lab', 'l', 5);
      const t = await sq.session({ type: 'lab', id: 'l' });
      const send = () => sq.request('POST', '/api/imports', { token: t, body: importOf(2), headers: { 'Idempotency-Key': 'busy-key-1' } });
      // Fill the directory cache first, so the write that meets the lock is the import's own.
      expect((await sq.request('GET', '/api/providers/sample/contacts?limit=1', { token: t })).status).toBe(200);
      await sql`pragma busy_timeout = 50`.execute(sq.db.kysely);
      other.exec('begin immediate'); // another process holding the write lock past the timeout
      const busy = await send();
      expect(busy.status).toBe(503);
      expect(busy.headers.get('Retry-After')).toBe('1');
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('database_busy');
      other.exec('rollback');
      expect(await sq.db.kysely.selectFrom('idempotency_keys').selectAll().execute()).toEqual([]);
      expect(await sq.db.kysely.selectFrom('invites').selectAll().execute()).toEqual([]);
      expect((await send()).status).toBe(201);
    } finally {
      other.close();
      await sq.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
