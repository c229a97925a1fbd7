/** The deployment's HR applications and their contacts, as the session's target sees them. */
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { sessionAuth, type SessionEnv } from '../auth/session-token.js';
import { contactsQuery, providerParams } from '../contract.js';
import { AppError } from '../errors.js';
import { connectionKey, ensureDirectory, listContacts, listFacets } from '../services/directory.js';
import { getTarget } from '../services/targets.js';
import { providerInfo } from '../providers.js';
import { validate } from '../validate.js';

/** Config-file credentials serve every target of the deployment. */
const SCOPE = '*';

export const providersRoutes = ({ db, config, providers, now = () => new Date() }: AppDeps) => {
  const provider = (id: string) => {
    const entry = providers.get(id);
    if (!entry) throw new AppError(404, 'provider_not_found', `No HR application "${id}" is configured.`);
    return entry;
  };
  return new Hono<SessionEnv>()
    .use(sessionAuth(config.secret, now))
    .get('/', (c) => c.json({ items: providers.list().map((p) => providerInfo(p, SCOPE)) }))
    .get('/:provider/contacts', validate('param', providerParams), validate('query', contactsQuery), async (c) => {
      const entry = provider(c.req.valid('param').provider);
      const q = c.req.valid('query');
      await ensureDirectory(db.kysely, entry, SCOPE, now, entry.cacheTtlSeconds);
      const target = await getTarget(db.kysely, c.get('session').target);
      const page = await listContacts(
        db.kysely,
        target,
        connectionKey(entry.id, SCOPE),
        { search: q.search, filters: { department: q.department, location: q.location, status: q.status }, cursor: q.cursor, limit: q.limit ?? 50 },
        now(),
      );
      return c.json(page);
    })
    .get('/:provider/contacts/facets', validate('param', providerParams), validate('query', contactsQuery.pick({ search: true, status: true })), async (c) => {
      const entry = provider(c.req.valid('param').provider);
      const q = c.req.valid('query');
      await ensureDirectory(db.kysely, entry, SCOPE, now, entry.cacheTtlSeconds);
      return c.json(await listFacets(db.kysely, connectionKey(entry.id, SCOPE), { search: q.search, filters: { status: q.status } }));
    });
};
