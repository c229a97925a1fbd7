/**
 * An organization's own connection to a provider: credentials entered in the widget, stored
 * sealed, never answered back. Mounted by providersRoutes at `/:provider/connection`, behind its
 * session auth; the session's target decides whose organization the connection belongs to.
 */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import { connectionRequest, providerParams, type ConnectionInfo, type ConnectionTest } from '../../contract/index.js';
import { getProvider } from '../providers/registry.js';
import { deleteConnection, saveConnection, testConnection } from '../services/connections.js';
import { validate } from '../validate.js';

export const connectionsRoutes = ({ db, providers, now, sealingKey }: RouteDeps) => {
  const deps = { db: db.kysely, sealingKey };
  return new Hono<SessionEnv>()
    .put('/', validate('param', providerParams), validate('json', connectionRequest), async (c) => {
      const entry = getProvider(providers, c.req.valid('param').provider);
      return c.json((await saveConnection(deps, entry, c.get('session').target, c.req.valid('json').credentials, now())) satisfies ConnectionInfo);
    })
    .post('/test', validate('param', providerParams), async (c) => {
      const entry = getProvider(providers, c.req.valid('param').provider);
      return c.json((await testConnection(deps, entry, c.get('session').target, c.req.raw.signal)) satisfies ConnectionTest);
    })
    .delete('/', validate('param', providerParams), async (c) => {
      const entry = getProvider(providers, c.req.valid('param').provider);
      return c.json((await deleteConnection(deps, entry, c.get('session').target)) satisfies ConnectionInfo);
    });
};
