/**
 * The webhook worker: delivers the events recorded by bff/webhooks/events.ts to the host's
 * endpoints, following the Standard Webhooks specification (https://www.standardwebhooks.com):
 * a JSON POST with `webhook-id` (the event's id, the same on every attempt, for the receiver to
 * dedupe), `webhook-timestamp` and `webhook-signature` (`v1,` HMAC-SHA256 by the `standardwebhooks`
 * package), signed with the endpoint's `whsec_` secret.
 *
 * Built like the mail outbox (bff/mail/outbox.ts): the worker keeps no state of its own, a
 * delivery is claimed by a guarded UPDATE that only one worker can win, and the claim is a lease
 * (`next_attempt_at` of a `delivering` row), so the deliveries of a worker that died mid-request
 * are picked up again once it runs out. Delivery is at least once: a receiver's 2xx and our
 * record of it are not one transaction.
 *
 * Each run, in order: the expiry sweep (invites whose expiry passed get `invite.expired`), then
 * for each endpoint the delivery rows of events recorded since its cursor, then one batch of
 * due deliveries. A target's events reach an endpoint in order: a delivery is not due while an
 * earlier event of the same target is still pending for that endpoint (a failure holds the
 * target's later events back until it is delivered or given up). Retries back off exponentially
 * with jitter; a delivery still failing 3 days after its first attempt became due is given up.
 * An endpoint first seen by a worker starts with the events recorded from then on.
 */
import { createHash } from 'node:crypto';
import type { lookup as dnsLookup } from 'node:dns';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/connect.js';
import type { Logger } from '../logger.js';
import { sweepExpiredInvites } from './events.js';
import { claimLeased, type LeasedQueue } from '../db/lease.js';
import { repeat } from '../repeat.js';
import { AddressRefusedError, guardedFetch, type WebhookFetch } from './address.js';

const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const webhookSecretSchema = z.string().refine((s) => {
  const m = SECRET_PATTERN.exec(s);
  if (!m) return false;
  const bytes = Buffer.from(m[1]!, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}, 'must be whsec_ followed by the base64 of 24 to 64 random bytes');

/**
 * One endpoint's settings. `https` only, unless `allowPrivate` (development: a receiver on
 * localhost over plain http). The refusal of private addresses happens at delivery, where the
 * name is resolved; here only the form is checked. Messages never quote the secret.
 */
export function webhookEndpointSchemaFor(options: { allowPrivate: boolean }) {
  return z.strictObject({
    url: z
      .string()
      .max(2000)
      .refine((u) => URL.canParse(u), 'must be an absolute URL')
      .refine(
        (u) => {
          const { protocol, username, password, hash } = new URL(u);
          return (protocol === 'https:' || (options.allowPrivate && protocol === 'http:')) && !username && !password && !hash;
        },
        options.allowPrivate
          ? 'must be an http(s) URL without credentials or fragment'
          : 'must be an https URL without credentials or fragment (http only with webhooksAllowPrivate)',
      ),
    secret: webhookSecretSchema,
  });
}

/** An endpoint as production accepts it (https). */
export const webhookEndpointSchema = webhookEndpointSchemaFor({ allowPrivate: false });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** How a delivery row names its endpoint: a digest of the URL, so a rotated secret keeps the queue. */
export function endpointKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

export interface WebhookWorkerOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  endpoints: WebhookEndpoint[];
  /** Development only: http, and loopback/private addresses. */
  allowPrivate: boolean;
  logger: Logger;
  now?: () => Date;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** The HTTP client; the default refuses private addresses (webhooks/address.ts). */
  fetch?: WebhookFetch;
  /** Name resolution for the default client (tests point names at chosen addresses). */
  lookup?: typeof dnsLookup;
  /** One request's limit, connect to response headers. */
  timeoutMs?: number;
  batchSize?: number;
  /** How long a claim holds; must exceed `timeoutMs`. */
  leaseMs?: number;
  /** Given up this long after the delivery first became due. */
  giveUpAfterMs?: number;
}

export interface WebhookWorker {
  runOnce(): Promise<{ expired: number; delivered: number; failed: number }>;
  start(intervalMs: number): void;
  /** Stops the loop and waits for the run in flight. */
  stop(): Promise<void>;
}

const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;
/** Events given delivery rows per endpoint and run. */
const DERIVE_BATCH = 500;

/** 30 s × 2^(attempts−1), capped at 6 h, with equal jitter (between half and all of it). */
export function webhookBackoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

interface Claimed {
  endpoint: string;
  event_id: string;
  attempts: number;
  created_at: string;
}

/**
 * The deliveries to our endpoints: `pending` until `next_attempt_at`, `delivering` while a claim
 * holds them. A target's events go out in order: a delivery waits while an earlier event of its
 * target is still to go to the same endpoint.
 */
function deliveryQueue(endpointKeys: string[]): LeasedQueue<Claimed> {
  return {
    table: 'webhook_deliveries',
    key: ['endpoint', 'event_id'],
    waiting: 'pending',
    leased: 'delivering',
    returning: ['endpoint', 'event_id', 'attempts', 'created_at'],
    alsoDue: (eb) =>
      eb.and([
        // Only the endpoints configured now: one taken out of the settings keeps its rows.
        eb('d.endpoint', 'in', endpointKeys),
        eb.not(
          eb.exists(
            eb
              .selectFrom('webhook_deliveries as e')
              .select('e.event_id')
              .whereRef('e.endpoint', '=', 'd.endpoint')
              .whereRef('e.target_type', '=', 'd.target_type')
              .whereRef('e.target_id', '=', 'd.target_id')
              .whereRef('e.seq', '<', 'd.seq')
              .where('e.status', 'in', ['pending', 'delivering']),
          ),
        ),
      ]),
    thenBy: 'seq',
  };
}

/** The reason kept in `last_error`: never the URL (it may carry a token) or the secret. */
function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof AddressRefusedError) return `refused: ${err.message}`;
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${timeoutMs / 1000} s`;
  return `network error: ${e?.code ?? e?.cause?.code ?? e?.name ?? 'unknown'}`;
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, dialect, logger, allowPrivate } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const batchSize = options.batchSize ?? 10;
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 4);
  const giveUpAfterMs = options.giveUpAfterMs ?? 3 * 86_400_000;
  const post = options.fetch ?? guardedFetch({ allowPrivate, ...(options.lookup ? { lookup: options.lookup } : {}) });

  const schema = webhookEndpointSchemaFor({ allowPrivate });
  const endpoints = new Map<string, { url: string; signer: Webhook }>();
  options.endpoints.forEach((e, i) => {
    const parsed = schema.safeParse(e);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`invalid webhook endpoint ${i + 1}: ${issue.path.join('.')} ${issue.message}`);
    }
    endpoints.set(endpointKey(e.url), { url: e.url, signer: new Webhook(e.secret) });
  });
  const keys = [...endpoints.keys()];

  /** Delivery rows for the events since the endpoint's cursor; idempotent, so replicas may race. */
  async function derive(endpoint: string): Promise<number> {
    const at = now().toISOString();
    const { value } = await db.selectFrom('event_sequence').select('value').where('name', '=', 'events').executeTakeFirstOrThrow();
    // First sight: start from the events committed so far (sequence order is commit order).
    await db
      .insertInto('webhook_endpoints')
      .values({ endpoint, cursor: Number(value), created_at: at })
      .onConflict((oc) => oc.column('endpoint').doNothing())
      .execute();
    const { cursor } = await db.selectFrom('webhook_endpoints').select('cursor').where('endpoint', '=', endpoint).executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('events')
      .select(['id', 'seq', 'target_type', 'target_id'])
      .where('seq', '>', Number(cursor))
      .orderBy('seq')
      .limit(DERIVE_BATCH)
      .execute();
    const last = events[events.length - 1];
    if (!last) return 0;
    await db
      .insertInto('webhook_deliveries')
      .values(
        events.map((e) => ({
          endpoint,
          event_id: e.id,
          seq: Number(e.seq),
          target_type: e.target_type,
          target_id: e.target_id,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          last_error: null,
          created_at: at,
          delivered_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['endpoint', 'event_id']).doNothing())
      .execute();
    await db
      .updateTable('webhook_endpoints')
      .set({ cursor: Number(last.seq) })
      .where('endpoint', '=', endpoint)
      .where('cursor', '<', Number(last.seq))
      .execute();
    return events.length;
  }

  /** Due, and no earlier event of the same target still pending for the same endpoint. */
  async function claim(): Promise<Claimed[]> {
    if (!keys.length) return [];
    return claimLeased(db, dialect, deliveryQueue(keys), { at: now(), leaseMs, limit: batchSize });
  }

  /** Ends a claim we still hold: ours only while `delivering` at our attempt. */
  function settle(row: Claimed, values: { status: 'pending' | 'failed'; next_attempt_at?: string; last_error: string }) {
    return db
      .updateTable('webhook_deliveries')
      .set(values)
      .where('endpoint', '=', row.endpoint)
      .where('event_id', '=', row.event_id)
      .where('status', '=', 'delivering')
      .where('attempts', '=', row.attempts)
      .execute();
  }

  async function deliver(row: Claimed, payload: string): Promise<'delivered' | 'failed'> {
    const endpoint = endpoints.get(row.endpoint)!;
    const at = now();
    let error: string | null = null;
    let status: number | undefined;
    try {
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'hr-import-webhooks/1',
        'webhook-id': row.event_id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': endpoint.signer.sign(row.event_id, at, payload),
      };
      ({ status } = await post(endpoint.url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' }));
      if (status < 200 || status > 299) error = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
    } catch (err) {
      error = describe(err, timeoutMs);
    }
    if (error === null) {
      // Guarded by status only: if our lease ran out and another worker took over, the event has
      // still arrived, and saying so spares another copy.
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', delivered_at: now().toISOString(), last_error: null })
        .where('endpoint', '=', row.endpoint)
        .where('event_id', '=', row.event_id)
        .where('status', '=', 'delivering')
        .execute();
      return 'delivered';
    }
    const final = now().getTime() - Date.parse(row.created_at) >= giveUpAfterMs;
    logger.warn('webhook delivery failed', { endpoint: row.endpoint, event: row.event_id, attempts: row.attempts, status, final });
    await settle(
      row,
      final
        ? { status: 'failed', last_error: error }
        : { status: 'pending', next_attempt_at: new Date(now().getTime() + webhookBackoffMs(row.attempts, random)).toISOString(), last_error: error },
    );
    return 'failed';
  }

  async function runBatch(): Promise<{ expired: number; derived: number; claimed: number; delivered: number; failed: number }> {
    const expired = await sweepExpiredInvites(db, now());
    let derived = 0;
    for (const key of keys) derived += await derive(key);
    const rows = await claim();
    if (!rows.length) return { expired, derived, claimed: 0, delivered: 0, failed: 0 };
    const events = await db
      .selectFrom('events')
      .select(['id', 'payload'])
      .where('id', 'in', [...new Set(rows.map((r) => r.event_id))])
      .execute();
    const payloads = new Map(events.map((e) => [e.id, e.payload]));
    const outcomes = await Promise.allSettled(rows.map((row) => deliver(row, payloads.get(row.event_id)!)));
    const count = (o: string) => outcomes.filter((r) => r.status === 'fulfilled' && r.value === o).length;
    const result = { expired, derived, claimed: rows.length, delivered: count('delivered'), failed: count('failed') };
    const errors = outcomes.filter((r) => r.status === 'rejected').length;
    // A delivery whose outcome could not be recorded stays `delivering` until its lease runs out.
    if (errors) logger.error('webhooks could not record outcomes', { errors });
    logger.info('webhook batch', result);
    return result;
  }

  // More is likely due after a full batch or derive, and after a delivery (the target's next
  // event was waiting for it): the loop goes on at once.
  const loop = repeat(
    async () => {
      const r = await runBatch();
      return r.claimed === batchSize || r.derived >= DERIVE_BATCH || r.delivered > 0;
    },
    logger,
    'webhook run failed',
  );

  return {
    async runOnce() {
      const { expired, delivered, failed } = await runBatch();
      return { expired, delivered, failed };
    },
    start: loop.start,
    stop: loop.stop,
  };
}
