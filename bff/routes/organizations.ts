/** Host backends manage an organization's SCIM token (API key): created or rotated, shown once; revoked. */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { scimTokenParams, type ScimToken } from '../../contract/index.js';
import { AppError } from '../errors.js';
import { scimProviderOf } from '../providers/registry.js';
import { createScimToken, revokeScimToken } from '../services/scim-tokens.js';
import { validate } from '../validate.js';
import { scimBaseUrl } from './scim.js';

export const organizationsRoutes = ({ db, config, providers, now }: RouteDeps) =>
  new Hono()
    .use(apiKeyAuth(config.apiKeys))
    .post('/:id/scim-token', validate('param', scimTokenParams), async (c) => {
      const provider = scimProviderOf(providers);
      if (!provider)
        throw new AppError(409, 'scim_not_configured', 'This deployment offers no SCIM provider: add { "id": "scim", "type": "scim" } to its providers.');
      const { token, createdAt } = await createScimToken(db.kysely, provider.id, c.req.valid('param').id, now());
      // The token is in this answer only: no cache may keep it.
      c.header('Cache-Control', 'no-store');
      return c.json({ token, baseUrl: scimBaseUrl(c, config), createdAt } satisfies ScimToken, 201);
    })
    .delete('/:id/scim-token', validate('param', scimTokenParams), async (c) => {
      await revokeScimToken(db.kysely, c.req.valid('param').id);
      return c.body(null, 204);
    });
