/**
 * Idempotency keys of POST /api/imports, kept in the database so that every replica shares them.
 *
 * The rules are Stripe's. The first attempt that runs to an answer fixes the key's answer: a
 * success, and a refusal too (409 seat limit, 400 unknown role), is stored and replayed for the
 * same key and body, without running again; a corrected request needs a new key. A request
 * refused before it started (a malformed body, an unknown provider) stores nothing, and neither
 * does a failure on our side (5xx, a busy database): the key is freed and the same request may
 * be sent again. The same key with another body is refused with 422. A key expires 24 hours
 * after its first use; it is then new again, and its row is purged.
 *
 * A key is claimed by a row committed before the import's transaction begins, so a second
 * request with the key, on any replica, sees it in flight and is answered 409 at once rather
 * than waiting. The import's transaction turns the claim into the stored answer, guarded by the
 * claim's id, so of two attempts that both believed they held the key only one can commit.
 * A claim whose holder died is taken over: at once when the holder was a process on this host
 * that is gone, otherwise when its lease (60 s, far above an import's few seconds) runs out.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, IdempotencyKey } from '../db/schema.js';
import { AppError, errorBody } from '../errors.js';

export const KEY_TTL_MS = 24 * 3_600_000;
export const CLAIM_LEASE_MS = 60_000;

export interface KeyScope {
  targetType: string;
  targetId: string;
  inviterId: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface KeyedResponse extends StoredResponse {
  /** True when this is the stored answer of an earlier request with the key. */
  replayed: boolean;
}

export interface Claim {
  scope: KeyScope;
  claimId: string;
}

/**
 * This process as a claim names it. The instance id tells this process from an earlier one
 * with the same pid (a restarted container's process is pid 1 again).
 */
const HOLDER = { host: hostname(), pid: process.pid, instance: randomBytes(9).toString('base64url') };

/** Canonical JSON (sorted keys) so the same request hashes the same however it was written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}

/** Our claim was taken over (we outlived the lease): the key is someone else's now. */
class ClaimLostError extends AppError {
  constructor() {
    super(409, 'idempotency_key_in_flight', 'Another request with this Idempotency-Key took it over; send it again to get its result.', undefined, 1);
  }
}

function inFlight(): AppError {
  return new AppError(
    409,
    'idempotency_key_in_flight',
    'A request with this Idempotency-Key is still being processed; send it again in a moment to get its result.',
    undefined,
    1,
  );
}

function byScope(scope: KeyScope) {
  return { target_type: scope.targetType, target_id: scope.targetId, inviter_id: scope.inviterId, idempotency_key: scope.key };
}

/** The key's row; with a claim, only as that claim left it in `status` (the guard of every change). */
function keyRow(scope: KeyScope, claim?: { claimId: string; status: IdempotencyKey['status'] }) {
  return (eb: ExpressionBuilder<Database, 'idempotency_keys'>) =>
    eb.and({ ...byScope(scope), ...(claim ? { claim_id: claim.claimId, status: claim.status } : {}) });
}

function findKey(db: Kysely<Database>, scope: KeyScope): Promise<IdempotencyKey | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where(keyRow(scope)).executeTakeFirst();
}

function newClaim(at: Date) {
  const claimId = randomBytes(12).toString('base64url');
  const values = {
    status: 'in_flight' as const,
    claim_id: claimId,
    holder_host: HOLDER.host,
    holder_pid: HOLDER.pid,
    holder_instance: HOLDER.instance,
    lease_until: new Date(at.getTime() + CLAIM_LEASE_MS).toISOString(),
  };
  return { claimId, values };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A holder on another host is known only by its lease. One on this host (every process sharing
 * a SQLite file is) is gone when its process is; this spares a retry after a crash the wait for
 * the lease. Taking over a claim whose holder is in fact alive costs that holder its commit,
 * never exactness: completing a claim is guarded by its id.
 */
function holderGone(row: IdempotencyKey, at: Date): boolean {
  if (row.lease_until === null || row.lease_until <= at.toISOString()) return true;
  if (row.holder_host !== HOLDER.host || row.holder_pid === null) return false;
  if (row.holder_pid === HOLDER.pid) return row.holder_instance !== HOLDER.instance;
  return !processAlive(row.holder_pid);
}

/** How often a process purges expired keys, at most. */
const PURGE_EVERY_MS = 60_000;
const lastPurge = new WeakMap<Kysely<Database>, number>();

/**
 * Deletes the keys past their 24 hours, at most once a minute per process: on every new key it
 * was a statement and a commit of its own on each import, and it only ever keeps the table small.
 * A key found expired is treated as new whether or not its row is gone (claimKey).
 */
async function purgeExpired(db: Kysely<Database>, at: Date): Promise<void> {
  const last = lastPurge.get(db);
  if (last !== undefined && at.getTime() >= last && at.getTime() - last < PURGE_EVERY_MS) return;
  lastPurge.set(db, at.getTime());
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<=', new Date(at.getTime() - KEY_TTL_MS).toISOString())
    .execute();
}

/** The key's stored answer, or a claim on it; throws 422 (another body) or 409 (in flight). */
async function claimKey(db: Kysely<Database>, scope: KeyScope, hash: string, at: Date): Promise<{ claim: Claim } | { replay: StoredResponse }> {
  // Each pass either settles or saw the row change under it; a few passes settle any race.
  for (let pass = 0; pass < 4; pass++) {
    // Read before writing: on SQLite the write would wait for the lock an import holds, and a
    // key in flight must be answered at once.
    const row = await findKey(db, scope);
    if (!row) {
      const { claimId, values } = newClaim(at);
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ ...byScope(scope), ...values, request_hash: hash, response_status: null, response_body: null, created_at: at.toISOString() })
        .onConflict((oc) => oc.columns(['target_type', 'target_id', 'inviter_id', 'idempotency_key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) continue;
      // Housekeeping, not the import's business: should it fail, the next purge a minute on takes them.
      await purgeExpired(db, at).catch(() => undefined);
      return { claim: { scope, claimId } };
    }
    const expired = Date.parse(row.created_at) + KEY_TTL_MS <= at.getTime();
    if (!expired) {
      if (row.request_hash !== hash) {
        throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different import; use a new key for a new import.');
      }
      if (row.status === 'done') return { replay: { status: row.response_status!, body: JSON.parse(row.response_body!) } };
      if (!holderGone(row, at)) throw inFlight();
    }
    // An expired key starts over as new; a dead holder's claim is taken over as it stands.
    const { claimId, values } = newClaim(at);
    const fresh = expired ? { request_hash: hash, created_at: at.toISOString(), response_status: null, response_body: null } : {};
    const taken = await db
      .updateTable('idempotency_keys')
      .set({ ...values, ...fresh })
      .where(keyRow(scope, { claimId: row.claim_id, status: row.status }))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { claim: { scope, claimId } };
  }
  throw inFlight();
}

async function storeAnswer(db: Kysely<Database>, claim: Claim, response: StoredResponse): Promise<boolean> {
  const done = await db
    .updateTable('idempotency_keys')
    .set({
      status: 'done',
      response_status: response.status,
      response_body: JSON.stringify(response.body),
      lease_until: null,
      holder_host: null,
      holder_pid: null,
      holder_instance: null,
    })
    .where(keyRow(claim.scope, { claimId: claim.claimId, status: 'in_flight' }))
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/**
 * Stores the answer as part of the transaction that wrote it, so the import and its answer
 * commit together. Throws (rolling the transaction back) when the claim is no longer ours.
 */
export async function completeKey(trx: Kysely<Database>, claim: Claim, response: StoredResponse): Promise<void> {
  if (!(await storeAnswer(trx, claim, response))) throw new ClaimLostError();
}

/**
 * Runs `work` once per key: replays the stored answer, refuses a key in flight or reused, or
 * claims the key and runs `work`, which must call completeKey in its transaction.
 */
export async function withIdempotencyKey(
  db: Kysely<Database>,
  now: () => Date,
  scope: KeyScope,
  hash: string,
  work: (claim: Claim) => Promise<StoredResponse>,
): Promise<KeyedResponse> {
  const got = await claimKey(db, scope, hash, now());
  if ('replay' in got) return { ...got.replay, replayed: true };
  try {
    return { ...(await work(got.claim)), replayed: false };
  } catch (err) {
    if (err instanceof ClaimLostError) throw err;
    // A refusal is the key's answer, replayed like a success; anything else is not an answer,
    // and frees the key for a retry. Should that write fail too, the claim's lease frees the key.
    // A momentary refusal (one with Retry-After, like the mail budget's 429) is no answer: the
    // same request may succeed later, so it frees the key like a failure.
    const settle =
      err instanceof AppError && err.status < 500 && err.retryAfterSeconds === undefined
        ? storeAnswer(db, got.claim, { status: err.status, body: errorBody(err.code, err.message, err.details) })
        : db
            .deleteFrom('idempotency_keys')
            .where(keyRow(got.claim.scope, { claimId: got.claim.claimId, status: 'in_flight' }))
            .execute();
    await settle.catch(() => undefined);
    throw err;
  }
}

const running = new WeakMap<Kysely<Database>, Set<string>>();

/**
 * Runs a keyed request while this process remembers its key, refusing a second one at once.
 * On SQLite every request of the process shares one connection, so without this a second
 * request would wait on the first's transaction at its first query and only then find the
 * claim; with it, it gets the same immediate 409 another replica gets from the database.
 * Call it before the request touches the database.
 */
export async function holdKeyInProcess<T>(db: Kysely<Database>, scope: KeyScope, work: () => Promise<T>): Promise<T> {
  let mine = running.get(db);
  if (!mine) running.set(db, (mine = new Set()));
  const local = JSON.stringify([scope.targetType, scope.targetId, scope.inviterId, scope.key]);
  if (mine.has(local)) throw inFlight();
  mine.add(local);
  try {
    return await work();
  } finally {
    mine.delete(local);
  }
}
