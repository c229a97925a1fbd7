/**
 * The demo's data and routes: three targets (an organization, a lab and a challenge) with plan
 * limits and existing members taken from the sample directory, and a demo-only route that hands
 * the demo page a session token, as a host backend would through POST /api/sessions.
 *
 * Those routes ask for no authentication, so they answer for the seeded demo targets only: a
 * session or a member list of any other target (a real one in the same database) is a 404.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import type { TargetType } from '../contract/index.js';
import { targetParams } from '../contract/index.js';
import { sampleDirectory } from './connectors/sample.js';
import { mintSessionToken } from './auth/session-token.js';
import { countSeats, getTarget, syncMembers, upsertTarget } from './services/targets.js';
import { validate } from './validate.js';

export const DEMO_INVITER = { id: 'demo-admin', name: 'Dana Admin', email: 'dana.admin@example.com' };

export const DEMO_TARGETS: { type: TargetType; id: string; name: string; seatLimit: number; members: number; organizationId: string }[] = [
  { type: 'organization', id: 'acme', name: 'Acme Corporation', seatLimit: 150, members: 24, organizationId: 'acme' },
  { type: 'lab', id: 'acme-robotics', name: 'Robotics Lab', seatLimit: 30, members: 12, organizationId: 'acme' },
  { type: 'challenge', id: 'acme-green-ideas', name: 'Green Ideas Challenge', seatLimit: 60, members: 8, organizationId: 'acme' },
];

/** Creates the demo targets once; a restart keeps whatever the demo user did since. */
export async function seedDemo(db: Kysely<Database>, now: Date): Promise<void> {
  const people = sampleDirectory().filter((p) => p.email && p.status === 'active');
  for (const [i, t] of DEMO_TARGETS.entries()) {
    const exists = await db.selectFrom('targets').select('id').where('type', '=', t.type).where('id', '=', t.id).executeTakeFirst();
    if (exists) continue;
    await upsertTarget(db, t, { name: t.name, seatLimit: t.seatLimit, organizationId: t.organizationId }, now);
    // Different people per target, spread through the directory, so each list shows "Member" rows.
    const members = people.filter((_, n) => n % 9 === i * 3).slice(0, t.members);
    await syncMembers(
      db,
      t,
      members.map((p) => ({ id: p.id, email: p.email!, name: p.displayName })),
      now,
    );
  }
}

const isDemoTarget = (ref: { type: string; id: string }) => DEMO_TARGETS.some((t) => t.type === ref.type && t.id === ref.id);
const notDemo = { error: { code: 'target_not_found', message: 'The demo serves its own targets only.' } };

export function demoRoutes(db: Kysely<Database>, secret: string, ttlSeconds: number, now: () => Date = () => new Date()) {
  return new Hono()
    .get('/targets', async (c) => {
      const items = await Promise.all(
        DEMO_TARGETS.map(async (t) => {
          const target = await getTarget(db, t);
          return { type: t.type, id: t.id, name: target.name, seats: await countSeats(db, target, now()) };
        }),
      );
      return c.json({ items });
    })
    .post('/session', validate('json', z.object({ target: targetParams }).strict()), async (c) => {
      const { target } = c.req.valid('json');
      if (!isDemoTarget(target)) return c.json(notDemo, 404);
      await getTarget(db, target);
      return c.json(await mintSessionToken(secret, DEMO_INVITER, target, ttlSeconds, now()), 201);
    })
    .get('/targets/:type/:id/people', validate('param', targetParams), async (c) => {
      const ref = c.req.valid('param');
      if (!isDemoTarget(ref)) return c.json(notDemo, 404);
      const target = await getTarget(db, ref);
      const members = await db
        .selectFrom('members')
        .select(['email', 'name', 'role'])
        .where('target_type', '=', ref.type)
        .where('target_id', '=', ref.id)
        .orderBy('name')
        .execute();
      const invites = await db
        .selectFrom('invites')
        .select(['email', 'name', 'role', 'status', 'created_at'])
        .where('target_type', '=', ref.type)
        .where('target_id', '=', ref.id)
        .orderBy('created_at', 'desc')
        .orderBy('name')
        .execute();
      return c.json({ name: target.name, seats: await countSeats(db, target, now()), members, invites });
    });
}
