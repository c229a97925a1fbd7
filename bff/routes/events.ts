/** Host backends that poll rather than receive webhooks read the same events here (API key). */
import { Hono } from 'hono';
import { eventListQuery, type EventList } from '../../contract/events.js';
import type { RouteDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { listEvents } from '../webhooks/events.js';
import { validate } from '../validate.js';

export const eventsRoutes = ({ db, config }: RouteDeps) =>
  new Hono().use(apiKeyAuth(config.apiKeys)).get('/', validate('query', eventListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json((await listEvents(db.kysely, q.after, q.limit ?? 100)) satisfies EventList);
  });
