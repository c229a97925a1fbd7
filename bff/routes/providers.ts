/** The deployment's HR applications and their contacts, as the session's target sees them. */
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { sessionAuth, type SessionEnv } from '../auth/session-token.js';
import { contactsQuery, providerParams } from '../contract.js';
import { credentialKey } from '../crypto.js';
import { ensureDirectory, listContacts, listFacets } from '../services/directory.js';
import { describeProviders, openConnection } from '../services/connections.js';
import { getTarget, type TargetRef } from '../services/targets.js';
import { getProvider } from '../providers.js';
import { validate } from '../validate.js';
import { connectionsRoutes } from './connections.js';
import { oauthStartRoutes } from './oauth.js';

export const providersRoutes = (deps: AppDeps) => {
  const { db, config, providers, now = () => new Date() } = deps;
  const connections = { db: db.kysely, key: credentialKey(config.secret) };
  // The connection the session's target uses: the deployment's, or its organization's own.
  const connection = (provider: string, target: TargetRef) => openConnection(connections, getProvider(providers, provider), target);
  return new Hono<SessionEnv>()
    .use(sessionAuth(config.secret, now))
    .get('/', async (c) => c.json({ items: await describeProviders(connections, providers.list(), c.get('session').target) }))
    .get('/:provider/contacts', validate('param', providerParams), validate('query', contactsQuery), async (c) => {
      const conn = await connection(c.req.valid('param').provider, c.get('session').target);
      const q = c.req.valid('query');
      await ensureDirectory(db.kysely, conn, now, conn.provider.cacheTtlSeconds);
      const target = await getTarget(db.kysely, c.get('session').target);
      const page = await listContacts(
        db.kysely,
        target,
        conn.key,
        { search: q.search, filters: { department: q.department, location: q.location, status: q.status }, cursor: q.cursor, limit: q.limit ?? 50 },
        now(),
      );
      return c.json(page);
    })
    .get('/:provider/contacts/facets', validate('param', providerParams), validate('query', contactsQuery.pick({ search: true, status: true })), async (c) => {
      const conn = await connection(c.req.valid('param').provider, c.get('session').target);
      const q = c.req.valid('query');
      await ensureDirectory(db.kysely, conn, now, conn.provider.cacheTtlSeconds);
      return c.json(await listFacets(db.kysely, conn.key, { search: q.search, filters: { status: q.status } }));
    })
    .route('/:provider/connection', connectionsRoutes(deps))
    .route('/:provider/oauth', oauthStartRoutes(deps));
};
