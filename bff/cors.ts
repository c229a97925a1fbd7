/**
 * CORS for the host origins the deployment lists (`origins`): a listed origin may read answers,
 * with credentials (the OAuth sign-in start sets its browser-binding cookie, routes/oauth.ts)
 * and the headers the widget reads; any other origin gets nothing to read. Every answer varies
 * by Origin, so a shared cache never serves one origin's answer to another.
 *
 * Hono's `cors` answers the preflights. On other requests its headers go on the answer once the
 * route has made it: set before, as `cors` sets them, they make Hono and the Node adapter rebuild
 * every answer as a full fetch Response (its body as a stream) when the route returns one, some
 * 10–15% of a kept search's CPU under load (bench/load.ts).
 */
import { createMiddleware } from 'hono/factory';
import { cors } from 'hono/cors';
import type { Env } from './deps.js';

/** Response headers a listed origin's scripts may read. */
const EXPOSED = ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'];

export function hostCors(origins: readonly string[]) {
  const listed = (origin: string | undefined): origin is string => origin !== undefined && origins.includes(origin);
  const preflight = cors({
    origin: (origin) => (listed(origin) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    exposeHeaders: EXPOSED,
    maxAge: 600,
    credentials: true,
  });
  return createMiddleware<Env>(async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const origin = c.req.header('Origin');
    await next();
    const headers = c.res.headers;
    if (listed(origin)) {
      headers.set('Access-Control-Allow-Origin', origin);
      headers.set('Access-Control-Allow-Credentials', 'true');
      headers.set('Access-Control-Expose-Headers', EXPOSED.join(','));
    }
    headers.append('Vary', 'Origin');
  });
}
