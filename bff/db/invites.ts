/**
 * The rules of the `invites` table, each in one place: what a live invite is (pending and not
 * yet expired: it holds a seat and blocks a second invite), what a lapsed one is (still pending,
 * but past its expiry: reported as expired, offered for Resend), and when a new one expires.
 * Free functions taking the database or the caller's transaction, like the rest of bff/db/.
 */
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database, Invite } from './schema.js';

/** The target an invite is for, as its columns name it. */
export interface InviteTarget {
  type: string;
  id: string;
}

/**
 * Narrows a query of `invites` (under that name) to the live ones: `.where(liveInvite(now))`.
 * SQL, not a builder callback, so that it also fits the raw subqueries of services/sync/.
 */
export function liveInvite(now: Date) {
  return sql<SqlBool>`(${sql.ref('invites.status')} = 'pending' and ${sql.ref('invites.expires_at')} > ${now.toISOString()})`;
}

/**
 * Narrows a query of `invites` to the lapsed ones: still `pending` (no job changes the status)
 * but past their expiry, so reported as expired.
 */
export function lapsedInvite(now: Date) {
  return sql<SqlBool>`(${sql.ref('invites.status')} = 'pending' and ${sql.ref('invites.expires_at')} <= ${now.toISOString()})`;
}

/**
 * Narrows a query of `invites` to the ones still waiting for an answer, lapsed or not: a sync
 * rule counts a lapsed invite as invited (it is for Resend, not for a second invite).
 */
export function openInvite() {
  return sql<SqlBool>`(${sql.ref('invites.status')} = 'pending')`;
}

/** `liveInvite` for a row already read. */
export function isLive(invite: Pick<Invite, 'status' | 'expires_at'>, now: Date): boolean {
  return invite.status === 'pending' && invite.expires_at > now.toISOString();
}

/** `lapsedInvite` for a row already read. */
export function isLapsed(invite: Pick<Invite, 'status' | 'expires_at'>, now: Date): boolean {
  return invite.status === 'pending' && invite.expires_at <= now.toISOString();
}

/** The target's live invites, for the caller to select from and narrow further. */
export function pendingInvites(db: Kysely<Database>, target: InviteTarget, now: Date) {
  return db.selectFrom('invites').where('invites.target_type', '=', target.type).where('invites.target_id', '=', target.id).where(liveInvite(now));
}

/** When an invite sent (or sent again) at `now` stops working. */
export function inviteExpiry(now: Date, ttlDays: number): string {
  return new Date(now.getTime() + ttlDays * 86_400_000).toISOString();
}
