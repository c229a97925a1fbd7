/** Host backends keep the BFF's view of their targets and members current (API key). */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import { apiKeyAuth } from '../auth/api-key.js';
import { memberSync, targetParams, targetUpsert, type MemberSyncResult, type Target as TargetBody, type TargetType } from '../../contract/index.js';
import { countSeats, getTarget, syncMembers, targetRoles, upsertTarget } from '../services/targets.js';
import { validate } from '../validate.js';
import type { Target } from '../db/schema.js';

function targetBody(t: Target): Omit<TargetBody, 'seats'> {
  // The column holds only the types a target was written with (checked at the edge).
  return {
    type: t.type as TargetType,
    id: t.id,
    name: t.name,
    organizationId: t.organization_id,
    seatLimit: t.seat_limit,
    roles: targetRoles(t),
    defaultRole: t.default_role,
    reminderDaysBeforeExpiry: t.reminder_days,
  };
}

export const targetsRoutes = ({ db, config, now }: RouteDeps) =>
  new Hono()
    .use(apiKeyAuth(config.apiKeys))
    .put('/:type/:id', validate('param', targetParams), validate('json', targetUpsert), async (c) => {
      const ref = c.req.valid('param');
      const { target, created } = await upsertTarget(db.kysely, ref, c.req.valid('json'), now());
      return c.json({ ...targetBody(target), seats: await countSeats(db.kysely, target, now()) } satisfies TargetBody, created ? 201 : 200);
    })
    .put('/:type/:id/members', validate('param', targetParams), validate('json', memberSync), async (c) => {
      const ref = c.req.valid('param');
      const result = await syncMembers(db.kysely, ref, c.req.valid('json').members, now());
      return c.json({ ...result, seats: await countSeats(db.kysely, await getTarget(db.kysely, ref), now()) } satisfies MemberSyncResult);
    });
