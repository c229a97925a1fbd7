/**
 * The routes the widget calls with its session token, gathered in one sub-app: every request to
 * them is counted by the widget's limiter and then has its token checked, here and nowhere else.
 * A route module only reads `c.get('session')`.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Schema } from 'hono/types';
import type { RouteDeps } from '../deps.js';
import { sessionAuth, type SessionEnv } from '../auth/session-token.js';
import { sessionRoutes } from './session.js';
import { providersRoutes } from './providers.js';
import { importsRoutes } from './imports.js';
import { invitesRoutes } from './invites.js';
import { syncRulesRoutes, syncUpdatesRoutes } from './sync.js';

export function widgetRoutes(deps: RouteDeps, limiter: MiddlewareHandler) {
  const auth = sessionAuth(deps.config.secret, deps.now);
  // Counted before the token is read, so a flood of invalid tokens is limited too.
  const guarded = <S extends Schema, B extends string>(routes: Hono<SessionEnv, S, B>) => new Hono<SessionEnv>().use(limiter, auth).route('/', routes);
  return new Hono<SessionEnv>()
    .route('/session', guarded(sessionRoutes(deps)))
    .route('/providers', guarded(providersRoutes(deps)))
    .route('/imports', guarded(importsRoutes(deps)))
    .route('/invites', guarded(invitesRoutes(deps)))
    .route('/sync-rules', guarded(syncRulesRoutes(deps)))
    .route('/sync', guarded(syncUpdatesRoutes(deps)));
}
