/** The invite lifecycle after an import: list, resend, revoke, accept. */
import type { Kysely } from 'kysely';
import type { Database, Invite, Target } from '../db/schema.js';
import type {
  AcceptedInvite,
  InviteLocale,
  InviteList,
  InviteLookup,
  InviteResendResult,
  InviteStatus,
  InviteSummary,
  TargetType,
} from '../../contract/index.js';
import type { TargetRef } from './targets.js';
import { writeTransaction } from '../db/connect.js';
import { recordAudit } from './audit.js';
import { AppError } from '../errors.js';
import { countSeats, getTarget, lockTarget, roleLabel } from './targets.js';
import { acceptLink, hashToken, newInviteToken } from '../ids.js';
import { inviteExpiry, isLapsed, lapsedInvite, liveInvite } from '../db/invites.js';
import { cancelUnsentMail, enqueueInviteMail } from '../db/outbox.js';
import { queuedInvite } from './message.js';
import { DEFAULT_BODY, DEFAULT_SUBJECT, firstNameOf } from '../../widget/src/model/message.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { INVITE_EVENT_COLUMNS, inviteEvent, recordEvent, type NewEvent } from '../webhooks/events.js';
import { checkMailBudget, checkResend, type MailLimits } from './mail-limits.js';
import { seatsChanged } from '../db/answer-generations.js';

/** A pending invite past its expiry is reported as expired whether or not a job has swept it. */
export function effectiveStatus(invite: Pick<Invite, 'status' | 'expires_at'>, now: Date): InviteStatus {
  if (isLapsed(invite, now)) return 'expired';
  return invite.status as InviteStatus;
}

export async function listInvites(
  db: Kysely<Database>,
  target: TargetRef,
  q: { status?: InviteStatus | undefined; cursor?: string | undefined; limit: number; ids?: string[] | undefined },
  now: Date,
): Promise<InviteList> {
  let query = db
    .selectFrom('invites')
    // A resent invite has several mails; its delivery is that of the latest.
    .leftJoin('outbox', (join) =>
      join.on('outbox.id', '=', (eb) =>
        eb.selectFrom('outbox as o').select('o.id').whereRef('o.invite_id', '=', 'invites.id').orderBy('o.created_at', 'desc').orderBy('o.id', 'desc').limit(1),
      ),
    )
    .select([
      'invites.id',
      'invites.email',
      'invites.name',
      'invites.role',
      'invites.status',
      'invites.expires_at',
      'invites.created_at',
      'invites.import_id',
      'outbox.status as delivery',
      'outbox.last_error as delivery_error',
    ])
    .where('invites.target_type', '=', target.type)
    .where('invites.target_id', '=', target.id)
    .orderBy('invites.created_at', 'desc')
    .orderBy('invites.id', 'desc')
    .limit(q.limit + 1);
  if (q.ids) query = query.where('invites.id', 'in', q.ids);
  if (q.status === 'pending') query = query.where(liveInvite(now));
  else if (q.status === 'expired') query = query.where((eb) => eb.or([eb('invites.status', '=', 'expired'), lapsedInvite(now)]));
  else if (q.status) query = query.where('invites.status', '=', q.status);
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor);
    query = query.where((eb) =>
      eb.or([eb('invites.created_at', '<', createdAt), eb.and([eb('invites.created_at', '=', createdAt), eb('invites.id', '<', id)])]),
    );
  }
  const rows = await query.execute();
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: effectiveStatus(r, now),
    delivery: (r.delivery ?? 'queued') as InviteSummary['delivery'],
    deliveryError: r.delivery === 'failed' ? r.delivery_error : null,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    importId: r.import_id,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor([last.createdAt, last.id]) : null };
}

async function getInvite(db: Kysely<Database>, target: TargetRef, id: string): Promise<Invite> {
  const invite = await db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
  if (!invite) throw new AppError(404, 'invite_not_found', 'No such invite.');
  // Invite ids are 120 random bits, so saying "not yours" reveals nothing guessable.
  if (invite.target_type !== target.type || invite.target_id !== target.id) {
    throw new AppError(403, 'forbidden_target', 'This invite belongs to another target than the session’s.');
  }
  return invite;
}

export async function revokeInvite(db: Kysely<Database>, target: TargetRef, id: string, now: Date, actor: string): Promise<void> {
  const invite = await getInvite(db, target, id);
  if (invite.status !== 'pending') throw new AppError(409, 'invite_not_pending', `The invite is ${invite.status}; only pending invites can be revoked.`);
  await writeTransaction(db, async (trx) => {
    const event = await revokePending(trx, invite, now, actor);
    if (event) await recordEvent(trx, event);
  });
}

/**
 * Revokes a pending invite in the caller's transaction and cancels its unsent mail: the one
 * revoke path, for an admin's DELETE and for a sync rule's leavers. Returns its `invite.revoked`
 * for the caller to record last, or null when an accept came first.
 */
export async function revokePending(
  trx: Kysely<Database>,
  invite: Pick<Invite, (typeof INVITE_EVENT_COLUMNS)[number]>,
  now: Date,
  actor: string,
): Promise<NewEvent | null> {
  const target = { type: invite.target_type as TargetType, id: invite.target_id };
  const revoked = await trx
    .updateTable('invites')
    .set({ status: 'revoked', revoked_at: now.toISOString() })
    .where('id', '=', invite.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  // Mail not yet sent for a revoked invite is never sent.
  await cancelUnsentMail(trx, invite.id);
  await seatsChanged(trx, target);
  await recordAudit(trx, { action: 'revoke', actor, target, subject: invite.id, count: 1, at: now });
  // Only when this request revoked it: an accept may have come first.
  return Number(revoked.numUpdatedRows) === 1 ? inviteEvent('invite.revoked', invite, now) : null;
}

export interface ResendDeps {
  db: Kysely<Database>;
  now: () => Date;
  acceptUrl: string;
  inviteTtlDays: number;
  mailLimits: MailLimits;
}

type Inviter = { id: string; name: string; email: string };

/**
 * Queues the invite's mail again with the link of a new `token` (the caller has stored its hash):
 * the import's message in the inviter's words, or as a `reminder` of its expiry. Unsent older
 * mail carries a token that no longer works, so it is cancelled.
 */
export async function queueInviteMail(
  trx: Kysely<Database>,
  mail: {
    invite: Invite;
    target: Target;
    token: string;
    acceptUrl: string;
    now: Date;
    kind: 'invite' | 'reminder';
    inviter?: { name: string; email: string } | undefined;
    expiresAt?: string | undefined;
  },
): Promise<void> {
  const { invite, now } = mail;
  const imp = invite.import_id
    ? await trx.selectFrom('imports').select(['subject', 'body', 'inviter_name', 'inviter_email']).where('id', '=', invite.import_id).executeTakeFirst()
    : undefined;
  // A reminder speaks for whoever sent the invitation; a resend for whoever resends it.
  const inviter = mail.inviter ?? (imp ? { name: imp.inviter_name, email: imp.inviter_email } : { name: mail.target.name, email: undefined });
  const subject = imp?.subject ?? DEFAULT_SUBJECT;
  const body = imp?.body ?? DEFAULT_BODY;
  const values = {
    firstName: firstNameOf(invite.first_name, invite.name),
    targetName: mail.target.name,
    inviterName: inviter.name,
    acceptUrl: acceptLink(mail.acceptUrl, mail.token),
  };
  const payload = queuedInvite(
    { to: invite.email, toName: invite.name, replyTo: inviter.email },
    {
      kind: mail.kind,
      // Rows hold only what the contract allowed at the import.
      locale: invite.locale as InviteLocale,
      subject,
      body,
      values,
      // The target stands in for `{{inviterName}}` in the default message, but the mail does not say it invited them.
      inviterName: mail.inviter?.name ?? imp?.inviter_name ?? null,
      targetType: mail.target.type as TargetType,
      roleLabel: roleLabel(mail.target, invite.role, invite.locale as InviteLocale),
      // A resend's new expiry, written before the mail is queued.
      expiresAt: mail.expiresAt ?? invite.expires_at,
    },
  );
  await cancelUnsentMail(trx, invite.id);
  await enqueueInviteMail(trx, [{ inviteId: invite.id, payload }], now);
}

/** One resend inside the caller's transaction: every check, then the new token, expiry and mail, or a refusal and nothing. */
async function resendIn(trx: Kysely<Database>, deps: ResendDeps, target: TargetRef, id: string, inviter: Inviter, now: Date): Promise<void> {
  // Locked before the invite is read, so no accept or import of this target changes either meanwhile.
  const t = await lockTarget(trx, target);
  const invite = await getInvite(trx, target, id);
  const status = effectiveStatus(invite, now);
  if (status !== 'pending' && status !== 'expired') throw new AppError(409, 'invite_not_pending', `The invite is ${status}; it cannot be resent.`);
  // Under the target's lock: concurrent resends of this target are counted one after another.
  await checkResend(trx, deps.mailLimits, invite, now);
  await checkMailBudget(trx, deps.mailLimits, target, inviter.id, 1, now);
  if (status === 'expired') {
    // An expired invite holds no seat; resending takes one again.
    const seats = await countSeats(trx, t, now);
    if (seats.remaining < 1) throw new AppError(409, 'seat_limit_exceeded', "The plan's user limit is reached; free a seat before resending.", { seats });
  }
  const { token, hash } = newInviteToken();
  const expiresAt = inviteExpiry(now, deps.inviteTtlDays);
  const rotated = await trx
    .updateTable('invites')
    // A new expiry: it gets its own invite.expired when it passes (webhooks/events.ts).
    .set({ token_hash: hash, status: 'pending', expires_at: expiresAt, expiry_recorded_at: null })
    .where('id', '=', id)
    // A revoke takes no target lock: an invite revoked since it was read stays revoked.
    .where('status', '=', invite.status)
    .executeTakeFirst();
  if (Number(rotated.numUpdatedRows) !== 1) throw new AppError(409, 'invite_not_pending', 'The invite was revoked meanwhile; it cannot be resent.');
  await seatsChanged(trx, target);
  await queueInviteMail(trx, { invite, target: t, token, acceptUrl: deps.acceptUrl, now, kind: 'invite', inviter, expiresAt });
  await recordAudit(trx, { action: 'resend', actor: inviter.id, target, subject: id, count: 1, at: now });
}

/** Rotates the token (the old link stops working), extends the expiry and queues the mail again. */
export async function resendInvite(deps: ResendDeps, target: TargetRef, id: string, inviter: Inviter): Promise<InviteSummary> {
  const now = deps.now();
  await writeTransaction(deps.db, (trx) => resendIn(trx, deps, target, id, inviter, now));
  // The one invite, however many newer ones the target has.
  const { items } = await listInvites(deps.db, target, { ids: [id], limit: 1 }, now);
  return items[0]!;
}

/** A refusal of one invite in a bulk resend, as the answer names it; anything else is not a refusal. */
const RESEND_SKIPS: Record<string, InviteResendResult['skipped'][number]['reason']> = {
  invite_not_found: 'invite_not_found',
  // Not this target's: reported like an unknown id, as for a single invite nothing more is said.
  forbidden_target: 'invite_not_found',
  invite_not_pending: 'not_resendable',
  seat_limit_exceeded: 'seat_limit_exceeded',
  mail_limit: 'mail_limit',
};

/**
 * POST /invites/resend: each invite as `resendInvite` would, one transaction each, so one that
 * is refused (already accepted, no seat left, past the mail budget) is skipped with its reason
 * and never half written, while the others go.
 */
export async function resendInvites(deps: ResendDeps, target: TargetRef, ids: string[], inviter: Inviter): Promise<InviteResendResult> {
  const now = deps.now();
  const resent: string[] = [];
  const skipped: InviteResendResult['skipped'] = [];
  for (const id of new Set(ids)) {
    try {
      await writeTransaction(deps.db, (trx) => resendIn(trx, deps, target, id, inviter, now));
      resent.push(id);
    } catch (err) {
      const reason = err instanceof AppError ? RESEND_SKIPS[err.code] : undefined;
      if (!reason) throw err;
      skipped.push({ id, reason });
    }
  }
  const { items } = resent.length ? await listInvites(deps.db, target, { ids: resent, limit: resent.length }, now) : { items: [] };
  const order = new Map(resent.map((id, i) => [id, i]));
  items.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { resent: items, skipped, seats: await countSeats(deps.db, await getTarget(deps.db, target), now) };
}

const invalidLink = () => new AppError(404, 'invite_not_found', 'This invitation link is not valid. It may have been replaced by a newer email.');

/** The 410 for an invite that can no longer be accepted. */
function refuseUnlessPending(invite: Invite, now: Date): void {
  const status = effectiveStatus(invite, now);
  if (status === 'pending') return;
  const why = { accepted: 'has already been accepted', revoked: 'was withdrawn', expired: 'has expired; ask for a new one' }[
    status as 'accepted' | 'revoked' | 'expired'
  ];
  throw new AppError(410, `invite_${status}`, `This invitation ${why}.`);
}

/**
 * POST /invites/lookup: what the link is for, before the invitee accepts. Only the holder of the
 * mail's token asks, so the answer may name the target, role and inviter; it says nothing of
 * the invitee, and reads without a lock (it changes nothing).
 */
export async function lookUpInvite(db: Kysely<Database>, token: string, now: Date): Promise<InviteLookup> {
  const invite = await db.selectFrom('invites').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!invite) throw invalidLink();
  const target = await getTarget(db, { type: invite.target_type as TargetType, id: invite.target_id });
  const imp = invite.import_id ? await db.selectFrom('imports').select('inviter_name').where('id', '=', invite.import_id).executeTakeFirst() : undefined;
  return {
    target: { type: target.type as TargetType, name: target.name },
    role: { id: invite.role, label: roleLabel(target, invite.role, invite.locale as InviteLocale) },
    inviterName: imp?.inviter_name ?? null,
    status: effectiveStatus(invite, now),
    expiresAt: invite.expires_at,
  };
}

export async function acceptInvite(db: Kysely<Database>, token: string, now: Date): Promise<AcceptedInvite> {
  return writeTransaction(db, async (trx) => {
    const byToken = () => trx.selectFrom('invites').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    const invite = await byToken();
    if (!invite) throw invalidLink();
    refuseUnlessPending(invite, now);
    const target = await lockTarget(trx, { type: invite.target_type as TargetType, id: invite.target_id });
    // The invite holds a seat of its own (it is counted in `used`), so accepting it always fits,
    // unless the host lowered the limit below the seats already taken.
    const seats = await countSeats(trx, target, now);
    if (seats.used > seats.limit) {
      throw new AppError(
        409,
        'seat_limit_exceeded',
        `This ${target.type} is over its plan's user limit (${seats.used} of ${seats.limit}); ask its admin to free a seat, then open the link again.`,
        { seats },
      );
    }
    const accepted = await trx
      .updateTable('invites')
      .set({ status: 'accepted', accepted_at: now.toISOString() })
      .where('id', '=', invite.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(accepted.numUpdatedRows) !== 1) {
      // Accepted (or revoked, or resent with a new token) by another request meanwhile: say which.
      const current = await byToken();
      if (current) refuseUnlessPending(current, now);
      throw invalidLink();
    }
    await trx
      .insertInto('members')
      .values({
        target_type: invite.target_type,
        target_id: invite.target_id,
        email: invite.email_normalized,
        external_id: null,
        name: invite.name,
        role: invite.role,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(['target_type', 'target_id', 'email']).doNothing())
      .execute();
    await recordAudit(trx, { action: 'accept', actor: 'invitee', target, subject: invite.id, count: 1, at: now });
    await seatsChanged(trx, target);
    await recordEvent(trx, inviteEvent('invite.accepted', invite, now));
    return {
      target: { type: target.type as TargetType, id: target.id, name: target.name },
      email: invite.email,
      role: invite.role,
      roleLabel: roleLabel(target, invite.role, invite.locale as InviteLocale),
    };
  });
}
