/** The deployment's HR applications and their contacts, as the session's target sees them. */
import { Hono, type Context } from 'hono';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import {
  contactsFacetsQuery,
  contactsQuery,
  providerParams,
  refreshRequest,
  type ContactFacets,
  type ContactPage,
  type ProviderList,
  type RefreshStatus,
} from '../../contract/index.js';
import { DEFAULT_REFRESH_LIMITS } from '../services/directory/limits.js';
import { answerJson, createAnswerCache } from '../services/directory/answers.js';
import { lastRefreshStart, refreshStatus, startRefresh } from '../services/directory/refresh.js';
import { openContactList, openFacets } from '../services/directory/listing.js';
import { AppError } from '../errors.js';
import { describeProviders, openConnection } from '../services/connections.js';
import type { TargetRef } from '../services/targets.js';
import { getProvider, isHeld } from '../providers/registry.js';
import { validate } from '../validate.js';
import { connectionsRoutes } from './connections.js';
import { uploadsRoutes } from './uploads.js';
import { heldRefreshStatus } from '../services/csv-uploads.js';
import { oauthStartRoutes } from './oauth.js';

/** `c.json(value)` for a kept answer: the JSON kept with it (answers.ts), typed as `c.json` types it. */
function keptJson<T extends object>(c: Context, value: T) {
  return c.body(answerJson(value), 200, { 'Content-Type': 'application/json' }) as unknown as ReturnType<typeof c.json<T, 200>>;
}

export const providersRoutes = (deps: RouteDeps) => {
  const { db, config, providers, now, sealingKey } = deps;
  const connections = { db: db.kysely, sealingKey };
  // The connection the session's target uses: the deployment's, or its organization's own.
  const connection = (provider: string, target: TargetRef) => openConnection(connections, getProvider(providers, provider), target);
  const limits = { ...DEFAULT_REFRESH_LIMITS, ...config.refreshLimits };
  // Searches answered again from memory while exact: each keystroke of many admins at once costs a lookup.
  const answers = createAnswerCache();
  const freshness = (conn: { provider: { cacheTtlSeconds?: number | undefined } }) => ({ maxAgeSeconds: conn.provider.cacheTtlSeconds, limits });
  return (
    new Hono<SessionEnv>()
      .get('/', async (c) => c.json({ items: await describeProviders(connections, providers.list(), c.get('session').target, now()) } satisfies ProviderList))
      .get('/:provider/contacts', validate('param', providerParams), validate('query', contactsQuery), async (c) => {
        const conn = await connection(c.req.valid('param').provider, c.get('session').target);
        const q = c.req.valid('query');
        const { target, stamps } = await openContactList(db.kysely, conn, c.get('session').target, now, freshness(conn));
        const page = await answers.contacts(
          db.kysely,
          target,
          conn.cacheKey,
          {
            search: q.search,
            filters: { department: q.department, location: q.location, status: q.status },
            flagged: q.flagged === 'true',
            cursor: q.cursor,
            offset: q.offset,
            limit: q.limit ?? 50,
          },
          now(),
          stamps,
        );
        return keptJson(c, page satisfies ContactPage);
      })
      .get('/:provider/contacts/facets', validate('param', providerParams), validate('query', contactsFacetsQuery), async (c) => {
        const conn = await connection(c.req.valid('param').provider, c.get('session').target);
        const q = c.req.valid('query');
        const stamp = await openFacets(db.kysely, conn, now, freshness(conn));
        return keptJson(
          c,
          (await answers.facets(
            db.kysely,
            conn.cacheKey,
            { search: q.search, filters: { status: q.status, department: q.department, location: q.location } },
            stamp,
          )) satisfies ContactFacets,
        );
      })
      // The directory's refresh, so the widget can show progress instead of waiting on a listing.
      .get('/:provider/refresh', validate('param', providerParams), async (c) => {
        const conn = await connection(c.req.valid('param').provider, c.get('session').target);
        conn.connector(); // a disconnected organization learns so here, as it would from the contacts
        if (isHeld(conn.provider))
          return c.json((await heldRefreshStatus({ db: db.kysely, now }, conn.cacheKey, conn.provider.cacheTtlSeconds)) satisfies RefreshStatus);
        return c.json((await refreshStatus(db.kysely, conn.cacheKey, now(), conn.provider.cacheTtlSeconds)) satisfies RefreshStatus);
      })
      .post('/:provider/refresh', validate('param', providerParams), async (c) => {
        const conn = await connection(c.req.valid('param').provider, c.get('session').target);
        conn.connector();
        // An uploaded file, or what an identity provider pushed, is the directory itself: nothing to
        // fetch again (services/csv-uploads.ts, services/scim.ts).
        if (isHeld(conn.provider))
          return c.json((await heldRefreshStatus({ db: db.kysely, now }, conn.cacheKey, conn.provider.cacheTtlSeconds)) satisfies RefreshStatus, 200);
        // The body is optional (the widget's automatic refresh sends none): read it by hand.
        const text = await c.req.text();
        let raw: unknown;
        try {
          raw = text.trim() ? JSON.parse(text) : {};
        } catch {
          throw new AppError(400, 'invalid_request', 'The body must be JSON like { "force": true }, or empty.');
        }
        const body = refreshRequest.safeParse(raw);
        if (!body.success) throw new AppError(400, 'invalid_request', 'The body must be JSON like { "force": true }, or empty.');
        const before = await refreshStatus(db.kysely, conn.cacheKey, now(), conn.provider.cacheTtlSeconds);
        const force = body.data.force === true;
        // A fresh directory costs no provider call unless an admin asks for one; one running is joined.
        if (before.status === 'ready' && !before.stale && !force) return c.json(before satisfies RefreshStatus, 200);
        if (before.status !== 'syncing' && (force || before.status === 'error')) {
          // The quota may be the whole deployment's: one forced refresh a minute per connection, however
          // many tenants ask. A retry after a failure (the provider was down) is what an admin's Retry
          // is for and goes at once: refreshes of a connection run one at a time, so even a loop of
          // retries costs at most one refresh's calls at a time (each bounded by the call deadline).
          const interval = before.status === 'error' ? 0 : limits.minIntervalSeconds;
          const started = await lastRefreshStart(db.kysely, conn.cacheKey);
          const wait = started === null ? 0 : Math.ceil((Date.parse(started) + interval * 1000 - now().getTime()) / 1000);
          if (wait > 0)
            throw new AppError(429, 'refresh_too_soon', `This directory was refreshed less than ${interval} s ago; try again in ${wait} s.`, undefined, wait);
        }
        await startRefresh(db.kysely, conn, now, limits, before.status === 'syncing');
        return c.json((await refreshStatus(db.kysely, conn.cacheKey, now(), conn.provider.cacheTtlSeconds)) satisfies RefreshStatus, 202);
      })
      .route('/:provider/connection', connectionsRoutes(deps))
      .route('/:provider/uploads', uploadsRoutes(deps))
      .route('/:provider/oauth', oauthStartRoutes(deps))
  );
};
