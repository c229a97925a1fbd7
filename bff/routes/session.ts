/** GET /api/session: who is inviting, to what, and how many seats are left. */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import type { SessionInfo } from '../../contract/index.js';
import type { SessionEnv } from '../auth/session-token.js';
import { countSeats, getTarget, targetRoles } from '../services/targets.js';

export const sessionRoutes = ({ db, now }: RouteDeps) =>
  new Hono<SessionEnv>().get('/', async (c) => {
    const session = c.get('session');
    const target = await getTarget(db.kysely, session.target);
    const body: SessionInfo = {
      inviter: session.inviter,
      target: { type: session.target.type, id: target.id, name: target.name, roles: targetRoles(target), defaultRole: target.default_role },
      seats: await countSeats(db.kysely, target, now()),
      expiresAt: session.expiresAt.toISOString(),
    };
    return c.json(body satisfies SessionInfo);
  });
