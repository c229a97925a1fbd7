/** A person's rights of access and erasure, for the host's backend (API key): services/privacy/. */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { privacyRequest, type PrivacyErasure, type PrivacyExport } from '../../contract/privacy.js';
import { erasePerson } from '../services/privacy/erase.js';
import { exportPerson } from '../services/privacy/export.js';
import { validate } from '../validate.js';

export const privacyRoutes = ({ db, config, now }: RouteDeps) =>
  new Hono()
    .use(apiKeyAuth(config.apiKeys))
    .post('/erase', validate('json', privacyRequest), async (c) => c.json((await erasePerson(db.kysely, c.req.valid('json'), now())) satisfies PrivacyErasure))
    .post('/export', validate('json', privacyRequest), async (c) =>
      c.json((await exportPerson(db.kysely, c.req.valid('json'), now())) satisfies PrivacyExport),
    );
