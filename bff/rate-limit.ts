/**
 * Rate limits per session and per client address, counted in the database in fixed one-minute
 * windows so that every replica enforces the same limit. Over the limit: 429 with Retry-After.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import type { AppDeps, RateLimits } from './deps.js';
import { AppError } from './errors.js';
import { bearer } from './auth/api-key.js';

export const DEFAULT_RATE_LIMITS: RateLimits = { session: 600, address: 1200, accept: 30 };
const WINDOW_MS = 60_000;

/** Digest, so neither a session token nor an address is stored in the counters table. */
const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

export function clientAddress(c: Context, trustProxy: boolean | number): string {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
  if (hops > 0) {
    const chain = (c.req.header('X-Forwarded-For') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    // Our nearest proxy appended the last entry; with fewer entries than hops, the first is the client.
    const forwarded = chain[Math.max(0, chain.length - hops)];
    if (forwarded) return forwarded;
  }
  // @hono/node-server puts the socket in c.env; app.request() in tests has none.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

type Counted = { name: keyof RateLimits; key: (c: Context) => string | null };

export function rateLimit({ db, config, now = () => new Date() }: AppDeps, ...limits: Counted[]) {
  const max = { ...DEFAULT_RATE_LIMITS, ...config.rateLimits };
  return createMiddleware(async (c, next) => {
    const at = now().getTime();
    const windowStart = new Date(at - (at % WINDOW_MS)).toISOString();
    for (const limit of limits) {
      const key = limit.key(c);
      if (key === null) continue;
      const bucket = `${limit.name}:${digest(key)}`;
      const row = await db.kysely
        .insertInto('rate_limits')
        .values({ bucket, window_start: windowStart, count: 1 })
        .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
        .returning('count')
        .executeTakeFirstOrThrow();
      // A bucket's first request of a window clears its older windows: the table stays small.
      if (Number(row.count) === 1) await db.kysely.deleteFrom('rate_limits').where('bucket', '=', bucket).where('window_start', '<', windowStart).execute();
      if (Number(row.count) > max[limit.name]) {
        const retryAfterSeconds = Math.ceil((WINDOW_MS - (at % WINDOW_MS)) / 1000);
        throw new AppError(429, 'rate_limited', `Too many requests; try again in ${retryAfterSeconds} s.`, undefined, retryAfterSeconds);
      }
    }
    await next();
  });
}

export function widgetLimits(deps: AppDeps): Counted[] {
  return [
    { name: 'session', key: (c) => bearer(c.req.header('Authorization')) },
    { name: 'address', key: (c) => clientAddress(c, deps.config.trustProxy ?? false) },
  ];
}

export function acceptLimits(deps: AppDeps): Counted[] {
  return [{ name: 'accept', key: (c) => clientAddress(c, deps.config.trustProxy ?? false) }];
}
