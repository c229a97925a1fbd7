/**
 * The public endpoints of the page the email link leads to (look up, accept), and the session
 * target's invites (mounted behind the widget's session auth, routes/widget.ts).
 */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import {
  acceptRequest,
  inviteListQuery,
  inviteParams,
  inviteResendRequest,
  type AcceptedInvite,
  type InviteList,
  type InviteLookup,
  type InviteResendResult,
  type InviteSummary,
} from '../../contract/index.js';
import { acceptInvite, listInvites, lookUpInvite, resendInvite, resendInvites, revokeInvite, type ResendDeps } from '../services/invites.js';
import { validate } from '../validate.js';
import { mailLimitsOf } from '../services/mail-limits.js';

export const acceptRoutes = ({ db, now }: RouteDeps) =>
  new Hono()
    .post('/accept', validate('json', acceptRequest), async (c) =>
      c.json((await acceptInvite(db.kysely, c.req.valid('json').token, now())) satisfies AcceptedInvite),
    )
    .post('/lookup', validate('json', acceptRequest), async (c) =>
      c.json((await lookUpInvite(db.kysely, c.req.valid('json').token, now())) satisfies InviteLookup),
    );

export const invitesRoutes = ({ db, config, now }: RouteDeps) => {
  // Read per request: acceptUrl may be known only once the server listens (create-bff.ts).
  const resendDeps = (): ResendDeps => ({
    db: db.kysely,
    now,
    acceptUrl: config.acceptUrl,
    inviteTtlDays: config.inviteTtlDays,
    mailLimits: mailLimitsOf(config.mailLimits),
  });
  return new Hono<SessionEnv>()
    .get('/', validate('query', inviteListQuery), async (c) => {
      const q = c.req.valid('query');
      return c.json((await listInvites(db.kysely, c.get('session').target, { ...q, limit: q.limit ?? 50 }, now())) satisfies InviteList);
    })
    .post('/resend', validate('json', inviteResendRequest), async (c) => {
      const session = c.get('session');
      return c.json((await resendInvites(resendDeps(), session.target, c.req.valid('json').ids, session.inviter)) satisfies InviteResendResult);
    })
    .post('/:id/resend', validate('param', inviteParams), async (c) => {
      const session = c.get('session');
      return c.json((await resendInvite(resendDeps(), session.target, c.req.valid('param').id, session.inviter)) satisfies InviteSummary);
    })
    .delete('/:id', validate('param', inviteParams), async (c) => {
      const session = c.get('session');
      await revokeInvite(db.kysely, session.target, c.req.valid('param').id, now(), session.inviter.id);
      return c.body(null, 204);
    });
};
