/**
 * Invite mail in the `outbox` table, as imports, resends, reminders, revokes and erasures write
 * it: queued in the caller's transaction (so "invited" and "mail queued" never disagree), and
 * cancelled there while unsent. The worker that sends it is mail/outbox.ts.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { newId } from '../ids.js';
import { insertRows } from './insert-rows.js';
import type { InviteMail as InviteMessage } from '../services/message.js';

/**
 * What `outbox.payload` holds until the mail is sent: the recipient and what the mail is made of
 * (services/message.ts's `queuedInvite`; the footer's address is `to`); the worker renders the
 * subject, text and HTML when it sends (mail/outbox.ts). Rows queued by earlier versions hold the
 * rendered `subject` and `text` with the HTML part whole (`html`) or as the template's `slots`,
 * and are sent as stored.
 */
export interface OutboxPayload {
  to: string;
  toName: string | null;
  replyTo?: string;
  mail: Omit<InviteMessage, 'email'>;
}

/** One invite's mail to queue. */
export interface InviteMail {
  inviteId: string;
  payload: OutboxPayload;
}

/** Queues the mails in the caller's transaction, due now; the payload is the only place the accept token exists until sent. */
export async function enqueueInviteMail(trx: Kysely<Database>, mails: InviteMail[], now: Date): Promise<void> {
  if (!mails.length) return;
  const at = now.toISOString();
  const rows = mails.map((m) => ({
    id: newId('msg'),
    invite_id: m.inviteId,
    status: 'queued',
    attempts: 0,
    next_attempt_at: at,
    payload: JSON.stringify(m.payload),
    last_error: null,
    created_at: at,
    sent_at: null,
  }));
  // 9 columns a row: 1,000 rows a statement stay under both databases' parameter limits.
  await insertRows(trx, 'outbox', Object.keys(rows[0]!) as (keyof (typeof rows)[number])[], rows, { perStatement: 1000 });
}

/**
 * Cancels the invites' mail not yet sent (queued, or failed and waiting for a resend) and drops
 * its payload, whose link no longer works once the invite is revoked or has a new token.
 * `claimed` also cancels a row a worker is sending: the worker checks the invite before it
 * sends and finds it gone. Returns the rows cancelled.
 */
export async function cancelUnsentMail(trx: Kysely<Database>, inviteIds: string | string[], options: { claimed?: boolean } = {}): Promise<number> {
  const ids = typeof inviteIds === 'string' ? [inviteIds] : inviteIds;
  if (!ids.length) return 0;
  const cancelled = await trx
    .updateTable('outbox')
    .set({ status: 'cancelled', payload: null })
    .where('invite_id', 'in', ids)
    .where('status', 'in', options.claimed ? ['queued', 'sending', 'failed'] : ['queued', 'failed'])
    .executeTakeFirst();
  return Number(cancelled.numUpdatedRows);
}

/** When the invite's latest mail was queued, or undefined if it never had one. */
export async function lastMailAt(db: Kysely<Database>, inviteId: string): Promise<string | undefined> {
  const last = await db.selectFrom('outbox').select('created_at').where('invite_id', '=', inviteId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return last?.created_at;
}
