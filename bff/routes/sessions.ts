/** POST /api/sessions (API key): a session token for one inviter and one target. */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { mintSessionToken } from '../auth/session-token.js';
import { sessionRequest, type SessionToken } from '../../contract/index.js';
import { getTarget } from '../services/targets.js';
import { validate } from '../validate.js';

export const sessionsRoutes = ({ db, config, now }: RouteDeps) =>
  new Hono().use(apiKeyAuth(config.apiKeys)).post('/', validate('json', sessionRequest), async (c) => {
    const { inviter, target, ttlSeconds } = c.req.valid('json');
    // A session for a target the BFF does not know would fail on every call: refuse it now.
    await getTarget(db.kysely, target);
    const session = await mintSessionToken(config.secret, inviter, target, ttlSeconds ?? config.sessionTtlSeconds, now());
    return c.json(session satisfies SessionToken, 201);
  });
