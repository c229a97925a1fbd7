/** Host backends that poll rather than receive webhooks read the same events here (API key). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { listEvents } from '../webhooks/events.js';
import { validate } from '../validate.js';

export const eventListQuery = z
  .object({
    after: z.string().regex(/^evt_[A-Za-z0-9_-]{10,40}$/, 'must be an event id').optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const eventsRoutes = ({ db, config }: AppDeps) =>
  new Hono().use(apiKeyAuth(config.apiKeys)).get('/', validate('query', eventListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listEvents(db.kysely, q.after, q.limit ?? 100));
  });
