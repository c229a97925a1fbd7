/**
 * The audit trail of the writes that matter (import, accept, resend, reminder, revoke), recorded in the
 * same transaction as the write, so the trail and the data never disagree.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import { countMail } from '../db/mail-counts.js';

/** `erase` and `export` are a person's erasure or export (services/privacy/): counted, never by address. */
export type AuditAction = 'import' | 'accept' | 'resend' | 'remind' | 'revoke' | 'erase' | 'export';

/** The actions that send mail: what the daily budgets count (services/mail-limits.ts), `count` mails each. */
export const MAIL_ACTIONS: readonly AuditAction[] = ['import', 'resend', 'remind'];

export interface AuditEvent {
  action: AuditAction;
  actor: string;
  target: { type: string; id: string };
  subject: string;
  count: number;
  at: Date;
}

export async function recordAudit(db: Kysely<Database> | Transaction<Database>, e: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: newId('aud'),
      at: e.at.toISOString(),
      action: e.action,
      actor: e.actor,
      target_type: e.target.type,
      target_id: e.target.id,
      subject: e.subject,
      count: e.count,
    })
    .execute();
  if (e.count > 0 && MAIL_ACTIONS.includes(e.action)) await countMail(db, [{ target: e.target }, { inviterId: e.actor }], e.at.toISOString(), e.count);
}
