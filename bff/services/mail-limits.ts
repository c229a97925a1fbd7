/**
 * How much mail the BFF agrees to send, so that nobody can aim it at an address or spend it
 * without end. Every invite mail counts: the first one an import queues, each resend, and each
 * reminder (services/reminders.ts, counted for the inviter who sent the invitation).
 * - one invite is resent at most once per `resendCooldownSeconds`;
 * - one address gets at most `perRecipientPerDay` mails in 24 hours (across invites and targets),
 *   so a made-up CSV row cannot turn the server into somebody's mail bomb;
 * - one target (organization, lab, challenge) and one inviter send at most `perTargetPerDay` and
 *   `perInviterPerDay` mails in 24 hours; an import that would go over is refused whole.
 * All of it is counted from what is already stored (the outbox, the audit trail and its hourly
 * sums in mail_counts) inside the write transaction, under the target's lock, so concurrent
 * resends of one target cannot slip past.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { TargetRef } from './targets.js';
import { dialectOf } from '../db/connect.js';
import { lastMailAt } from '../db/outbox.js';
import { hourOf, mailAfterHour, type MailScope } from '../db/mail-counts.js';
import { MAIL_ACTIONS } from './audit.js';

export interface MailLimits {
  resendCooldownSeconds: number;
  perRecipientPerDay: number;
  perTargetPerDay: number;
  perInviterPerDay: number;
}

/**
 * Seats cap what a target can invite; the daily budgets bound what revoking and importing again
 * could add. A directory of 100,000 people still imports in one go, and an admin may import it
 * into a lab the same day (the budgets are per target and per inviter, not shared); one person
 * gets the first mail and a few reminders.
 */
export const DEFAULT_MAIL_LIMITS: MailLimits = { resendCooldownSeconds: 600, perRecipientPerDay: 5, perTargetPerDay: 100_000, perInviterPerDay: 200_000 };

const DAY_MS = 86_400_000;
type Db = Kysely<Database> | Transaction<Database>;

export const mailLimitsOf = (configured: Partial<MailLimits> | undefined): MailLimits => ({ ...DEFAULT_MAIL_LIMITS, ...configured });

/** Seconds until `since` plus `windowMs` has passed, at least 1. */
const secondsUntil = (since: string, windowMs: number, now: Date) => Math.max(1, Math.ceil((new Date(since).getTime() + windowMs - now.getTime()) / 1000));

function refuse(message: string, retryAfterSeconds: number, details: Record<string, unknown>): AppError {
  return new AppError(429, 'mail_limit', message, details, retryAfterSeconds);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Audit rows of mail sent by the scope after `since` (and before `until`, when given). */
function mailRows(db: Db, scope: MailScope, since: string, until?: string) {
  let query = db.selectFrom('audit_events').where('action', 'in', MAIL_ACTIONS).where('at', '>', since);
  if (until) query = query.where('at', '<', until);
  return 'target' in scope
    ? query.where('target_type', '=', scope.target.type).where('target_id', '=', scope.target.id)
    : query.where('actor', '=', scope.inviterId);
}

/**
 * Mails each scope sent in the last 24 hours (imports' invitations, resends and reminders): the
 * hours wholly inside the window from mail_counts, and the hour the window starts in from its
 * audit rows, so the window slides by the millisecond as the audit trail alone would have it.
 * One statement for every scope: an import reads it under the target's lock.
 */
async function sentToday(db: Db, scopes: readonly MailScope[], now: Date): Promise<number[]> {
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const firstHour = hourOf(since);
  const nextHour = new Date(Date.parse(`${firstHour}:00:00.000Z`) + 3_600_000).toISOString();
  const row: Record<string, unknown> = await db
    .selectNoFrom(
      scopes.flatMap((scope, i) => [
        mailRows(db, scope, since, nextHour)
          .select((eb) => eb.fn.sum<number | string | null>('count').as('sent'))
          .as(`partial${i}`),
        mailAfterHour(db, scope, firstHour).as(`hours${i}`),
      ]),
    )
    .executeTakeFirstOrThrow();
  return scopes.map((_, i) => Number(row[`partial${i}`] ?? 0) + Number(row[`hours${i}`] ?? 0));
}

/** When the scope's oldest mail of the last 24 hours was sent: it leaves the window a day later. */
async function oldestToday(db: Db, scope: MailScope, now: Date): Promise<string | null> {
  const row = await mailRows(db, scope, new Date(now.getTime() - DAY_MS).toISOString())
    .select((eb) => eb.fn.min<string | null>('at').as('oldest'))
    .executeTakeFirstOrThrow();
  return row.oldest;
}

/** Refuses `mails` more mails when the target's or the inviter's daily budget has less room. */
export async function checkMailBudget(db: Db, limits: MailLimits, target: TargetRef, inviterId: string, mails: number, now: Date): Promise<void> {
  if (mails === 0) return;
  // The target's budget is guarded by the target's row lock the caller holds; the inviter's spans
  // targets, so two imports by one inviter into two targets would both count the same room. On
  // PostgreSQL they queue on a lock per inviter held to the commit; SQLite has one writer anyway.
  if (dialectOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`hr-import:inviter:${inviterId}`}))`.execute(db);
  const budgets: { who: string; limit: number; scope: MailScope }[] = [
    { who: `This ${target.type}`, limit: limits.perTargetPerDay, scope: { target } },
    { who: 'You', limit: limits.perInviterPerDay, scope: { inviterId } },
  ];
  const sentEach = await sentToday(
    db,
    budgets.map((b) => b.scope),
    now,
  );
  for (const [i, b] of budgets.entries()) {
    const sent = sentEach[i]!;
    const left = Math.max(0, b.limit - sent);
    if (mails <= left) continue;
    const oldest = await oldestToday(db, b.scope, now);
    const retry = oldest ? secondsUntil(oldest, DAY_MS, now) : DAY_MS / 1000;
    throw refuse(
      mails === 1
        ? `${b.who} sent ${plural(sent, 'invitation')} in the last 24 hours, the daily limit; try again later.`
        : `This would send ${plural(mails, 'invitation')}, but ${b.who.toLowerCase() === 'you' ? 'you have' : `${b.who.toLowerCase()} has`} ${left} of ${b.limit} left for the next 24 hours; nothing was sent.`,
      retry,
      { limit: b.limit, remaining: left, requested: mails },
    );
  }
}

/** Refuses a resend of `inviteId` (to `email`, normalized) during its cooldown or past its address's daily limit. */
export async function checkResend(db: Db, limits: MailLimits, invite: { id: string; email_normalized: string }, now: Date): Promise<void> {
  const last = await lastMailAt(db, invite.id);
  const cooldownMs = limits.resendCooldownSeconds * 1000;
  if (last && now.getTime() - new Date(last).getTime() < cooldownMs) {
    const retry = secondsUntil(last, cooldownMs, now);
    throw refuse(
      `This invitation was sent less than ${Math.ceil(limits.resendCooldownSeconds / 60)} minutes ago; it can be sent again in ${plural(Math.ceil(retry / 60), 'minute')}.`,
      retry,
      { retryAfterSeconds: retry },
    );
  }
  const sent = await db
    .selectFrom('outbox')
    .innerJoin('invites', 'invites.id', 'outbox.invite_id')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<string | null>('outbox.created_at').as('oldest')])
    .where('invites.email_normalized', '=', invite.email_normalized)
    .where('outbox.created_at', '>', new Date(now.getTime() - DAY_MS).toISOString())
    .executeTakeFirstOrThrow();
  if (Number(sent.n) >= limits.perRecipientPerDay) {
    const retry = sent.oldest ? secondsUntil(sent.oldest, DAY_MS, now) : DAY_MS / 1000;
    throw refuse(`This address already got ${plural(Number(sent.n), 'invitation')} in the last 24 hours, the most it gets; try again later.`, retry, {
      retryAfterSeconds: retry,
    });
  }
}
