/**
 * Server-to-server routes: `Authorization: Bearer <API key>`. Several keys may be valid at once
 * so a deployment can rotate without downtime. Keys are compared as SHA-256 digests with
 * timingSafeEqual, so neither content nor length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export function apiKeyAuth(keys: readonly string[]) {
  const digests = keys.map(digest);
  return createMiddleware(async (c, next) => {
    const given = bearer(c.req.header('Authorization'));
    if (!given) throw new AppError(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <API key>.');
    const d = digest(given);
    // Compare against every key, not stopping at the first match.
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(k, d) || ok;
    if (!ok) throw new AppError(401, 'unauthorized', 'Invalid API key.');
    await next();
  });
}
