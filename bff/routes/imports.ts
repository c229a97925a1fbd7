/** POST /api/imports: the article's "Import Contacts" button. */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import { importHeaders, importRequest, type ErrorBody, type ImportResult } from '../../contract/index.js';
import { AppError } from '../errors.js';
import { ensureDirectory } from '../services/directory/refresh.js';
import { openConnection } from '../services/connections.js';
import { createImport, importKeyScope } from '../services/imports.js';
import { holdKeyInProcess } from '../services/idempotency.js';
import { bearer } from '../auth/api-key.js';
import { readSessionToken } from '../auth/session-token.js';
import { createMiddleware } from 'hono/factory';
import { validate } from '../validate.js';
import { mailLimitsOf } from '../services/mail-limits.js';

export const importsRoutes = ({ db, config, providers, now, sealingKey }: RouteDeps) =>
  new Hono<SessionEnv>().post('/', validate('header', importHeaders), validate('json', importRequest), async (c) => {
    const request = c.req.valid('json');
    const session = c.get('session');
    const key = c.req.valid('header')['idempotency-key'];
    const entry = providers.get(request.provider);
    if (!entry) throw new AppError(400, 'provider_not_found', `No HR application "${request.provider}" is configured.`);
    // Contacts are resolved from the cache, so it must hold this provider's directory.
    const connection = await openConnection({ db: db.kysely, sealingKey }, entry, session.target);
    await ensureDirectory(db.kysely, connection, now);
    const result = await createImport(
      {
        db: db.kysely,
        now,
        acceptUrl: config.acceptUrl,
        inviteTtlDays: config.inviteTtlDays,
        cacheKey: connection.cacheKey,
        mailLimits: mailLimitsOf(config.mailLimits),
      },
      session,
      request,
      key,
    );
    // As Stripe marks a replay, so a client (and its logs) can tell it ran nothing.
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    // The body is this import's answer or the one stored with the key (its 201 or its refusal).
    return c.json(result.body as ImportResult | ErrorBody, result.status as ContentfulStatusCode);
  });

/**
 * Mounted ahead of everything else that touches the database on POST /api/imports (the rate
 * limiter included): a second request with a key this process is running gets its 409 at once,
 * instead of queuing behind the first import on SQLite's single connection. Requests it cannot
 * read (no key, no valid session) pass on to be refused by the route itself.
 */
export const importKeyGuard = ({ db, config, now }: RouteDeps) =>
  createMiddleware(async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    const token = bearer(c.req.header('Authorization'));
    if (c.req.method !== 'POST' || !key || !token) return next();
    const session = await readSessionToken(config.secret, token, now()).catch(() => null);
    if (!session) return next();
    await holdKeyInProcess(db.kysely, importKeyScope(session, key), () => next());
  });
