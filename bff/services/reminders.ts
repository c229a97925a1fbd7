/**
 * The reminder worker: a set number of days before an invite expires (the target's
 * `reminderDaysBeforeExpiry`, else the deployment's, 2 by default; 0 turns them off), its invitee
 * gets one reminder mail, with the inviter's message again and the expiry.
 *
 * - The accept token exists only in the mail (its hash is stored), so the first mail's link cannot
 *   be sent again: the reminder carries a new token, as a resend does, and the old link stops
 *   working ("replaced by a newer email"). Two live links would need a second token per invite,
 *   and a forwarded old mail would go on working. The expiry does not move: a reminder is not a
 *   resend, and the seat it holds ends when the admin expected.
 * - Once per invite, across replicas and restarts: `invites.reminded_at` is claimed by a guarded
 *   UPDATE in the transaction that queues the mail, so exactly one worker's claim commits with
 *   its mail, or none does. It is never cleared (a resend gives a new expiry but no second reminder).
 * - Mail limits as for a resend (services/mail-limits.ts): the invite's cooldown, the address's
 *   daily limit, the target's and the inviter's daily budgets (a reminder counts for the inviter
 *   who sent the invitation). A reminder over a limit waits in `remind_after` until the limit
 *   says it may go, so it is neither lost nor sent twice; one that would leave after the expiry never goes.
 * - Never for an accepted, revoked or expired invite; one revoked or accepted after its reminder
 *   was queued has the mail cancelled (revoke, and the outbox's own check before sending).
 * - An invitee mailed within the reminder's days already (an invite that lives no longer than
 *   them) has nothing to be reminded of: the invite is marked without a mail.
 * - Bounded: BATCH invites a pass, each in its own short transaction; the loop goes on at once
 *   while passes come back full.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { TargetType } from '../../contract/index.js';
import { writeTransaction } from '../db/connect.js';
import { AppError } from '../errors.js';
import { repeat } from '../repeat.js';
import { inviteEvent, recordEvent } from '../webhooks/events.js';
import { recordAudit } from './audit.js';
import { newInviteToken } from '../ids.js';
import { queueInviteMail } from './invites.js';
import { checkMailBudget, checkResend, type MailLimits } from './mail-limits.js';
import { lockTarget, type TargetRef } from './targets.js';
import { isLive, liveInvite } from '../db/invites.js';
import { lastMailAt } from '../db/outbox.js';

export interface ReminderWorkerOptions {
  db: Kysely<Database>;
  /** Days before expiry for targets without their own (settings.reminderDaysBeforeExpiry); 0: none. */
  defaultDays: number;
  /** Read at each reminder: the standalone server knows it only once it listens. */
  acceptUrl: () => string;
  mailLimits: MailLimits;
  now?: () => Date;
  logger: Logger;
  /** Invites looked at a pass. */
  batchSize?: number;
}

export interface ReminderRun {
  /** Reminders queued. */
  reminded: number;
  /** Over a mail limit: they wait until it allows. */
  postponed: number;
  /** Mailed within the reminder's days already: marked, nothing sent. */
  unneeded: number;
}

export interface ReminderWorker {
  runOnce(): Promise<ReminderRun>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/** Reminders are counted in days; a pass a minute sends each within a minute of its time. */
export const REMINDER_INTERVAL_MS = 60_000;

const DAY_MS = 86_400_000;
const BATCH = 100;

type Outcome = keyof ReminderRun | 'gone';

export function createReminderWorker(options: ReminderWorkerOptions): ReminderWorker {
  const { db, defaultDays, mailLimits, logger } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? BATCH;

  /**
   * Invites whose reminder is due: pending, not reminded, not postponed past now, unexpired, and
   * within their target's days of the expiry. The days are compared one value at a time (at most
   * 30), so the database compares stored timestamps with constants and no date arithmetic, the
   * same on SQLite and PostgreSQL.
   */
  async function due(at: Date) {
    const iso = at.toISOString();
    const { most } = await db
      .selectFrom('targets')
      .select((eb) => eb.fn.max<number | null>('reminder_days').as('most'))
      .executeTakeFirstOrThrow();
    const longest = Math.max(defaultDays, Number(most ?? 0));
    if (longest === 0) return [];
    const within = (days: number) => new Date(at.getTime() + days * DAY_MS).toISOString();
    return db
      .selectFrom('invites')
      .innerJoin('targets', (join) => join.onRef('targets.type', '=', 'invites.target_type').onRef('targets.id', '=', 'invites.target_id'))
      .select(['invites.id', 'invites.target_type', 'invites.target_id'])
      .where(liveInvite(at))
      .where('invites.reminded_at', 'is', null)
      .where('invites.expires_at', '<=', within(longest))
      .where((eb) => eb.or([eb('invites.remind_after', 'is', null), eb('invites.remind_after', '<=', iso)]))
      .where((eb) =>
        eb.or(
          Array.from({ length: longest }, (_, i) => i + 1).map((days) =>
            eb.and([
              days === defaultDays
                ? eb.or([eb('targets.reminder_days', '=', days), eb('targets.reminder_days', 'is', null)])
                : eb('targets.reminder_days', '=', days),
              eb('invites.expires_at', '<=', within(days)),
            ]),
          ),
        ),
      )
      .orderBy('invites.expires_at')
      .orderBy('invites.id')
      .limit(batchSize)
      .execute();
  }

  /** One invite's reminder, checked again under its target's lock and claimed with its mail, or not at all. */
  function remind(ref: TargetRef, id: string, at: Date): Promise<Outcome> {
    const iso = at.toISOString();
    return writeTransaction(db, async (trx) => {
      // The lock every write that changes this target's invites takes (resend, accept, import).
      const target = await lockTarget(trx, ref);
      const invite = await trx.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
      const days = target.reminder_days ?? defaultDays;
      // Accepted, revoked, resent (a new expiry) or reminded by another worker since it was listed.
      if (!invite || !isLive(invite, at) || invite.reminded_at !== null || days === 0) return 'gone';
      if ((invite.remind_after ?? '') > iso) return 'gone';
      const windowStart = new Date(Date.parse(invite.expires_at) - days * DAY_MS).toISOString();
      if (windowStart > iso) return 'gone';

      const claim = async (tokenHash?: string) => {
        const claimed = await trx
          .updateTable('invites')
          .set({ reminded_at: iso, remind_after: null, ...(tokenHash ? { token_hash: tokenHash } : {}) })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where('reminded_at', 'is', null)
          .executeTakeFirst();
        return Number(claimed.numUpdatedRows) === 1;
      };
      const last = await lastMailAt(trx, id);
      if (last && last >= windowStart) return (await claim()) ? 'unneeded' : 'gone';

      try {
        await checkResend(trx, mailLimits, invite, at);
        await checkMailBudget(trx, mailLimits, ref, invite.inviter_id, 1, at);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'mail_limit') throw err;
        const after = new Date(at.getTime() + (err.retryAfterSeconds ?? 3600) * 1000).toISOString();
        await trx.updateTable('invites').set({ remind_after: after }).where('id', '=', id).where('reminded_at', 'is', null).execute();
        return 'postponed';
      }
      const { token, hash } = newInviteToken();
      if (!(await claim(hash))) return 'gone';
      await queueInviteMail(trx, { invite, target, token, acceptUrl: options.acceptUrl(), now: at, kind: 'reminder' });
      await recordAudit(trx, { action: 'remind', actor: invite.inviter_id, target: ref, subject: id, count: 1, at });
      // Last: it holds the event sequence until commit (webhooks/events.ts).
      await recordEvent(trx, inviteEvent('invite.reminded', invite, at, { expiresAt: invite.expires_at }));
      return 'reminded';
    });
  }

  async function pass(): Promise<{ run: ReminderRun; full: boolean }> {
    const at = now();
    const invites = await due(at);
    const run: ReminderRun = { reminded: 0, postponed: 0, unneeded: 0 };
    for (const i of invites) {
      // Rows hold only target types the contract allows (targets are created through it).
      const outcome = await remind({ type: i.target_type as TargetType, id: i.target_id }, i.id, at);
      if (outcome !== 'gone') run[outcome]++;
    }
    if (run.reminded || run.postponed || run.unneeded) logger.info('reminders', { ...run });
    return { run, full: invites.length === batchSize };
  }

  const loop = repeat(async () => (await pass()).full, logger, 'reminder run failed');
  return { runOnce: async () => (await pass()).run, start: loop.start, stop: loop.stop };
}
