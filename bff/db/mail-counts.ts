/**
 * The `mail_counts` table: the mails a target and an inviter sent per UTC hour, kept in the
 * transaction that writes their audit row (services/audit.ts), so the daily budgets
 * (services/mail-limits.ts) add up at most 25 rows instead of every audit row of the day.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Whose budget a mail counts against. */
export type MailScope = { target: { type: string; id: string } } | { inviterId: string };

const mailScopeKey = (scope: MailScope): string => ('target' in scope ? `target:${scope.target.type}/${scope.target.id}` : `inviter:${scope.inviterId}`);

/** The hour an ISO timestamp falls in, as mail_counts keys it: `2026-12-03T14`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

/** Adds `count` mails sent at `at` to each scope's hour, in one statement (an import's transaction runs it under the target's lock). */
export async function countMail(trx: Db, scopes: MailScope[], at: string, count: number): Promise<void> {
  if (!scopes.length) return;
  const hour = hourOf(at);
  await trx
    .insertInto('mail_counts')
    .values(scopes.map((scope) => ({ scope: mailScopeKey(scope), hour, count })))
    .onConflict((oc) => oc.columns(['scope', 'hour']).doUpdateSet((eb) => ({ count: eb('mail_counts.count', '+', eb.ref('excluded.count')) })))
    .execute();
}

/** The scope's mails in the hours after `hour` (not counting it): a query of one sum, for the caller to read with its own. */
export function mailAfterHour(db: Db, scope: MailScope, hour: string) {
  return db
    .selectFrom('mail_counts')
    .select((eb) => eb.fn.sum<number | string | null>('count').as('sent'))
    .where('scope', '=', mailScopeKey(scope))
    .where('hour', '>', hour);
}

/** Drops the hours before `hour`: no budget looks back that far. */
export async function forgetMailBefore(db: Db, hour: string): Promise<void> {
  await db.deleteFrom('mail_counts').where('hour', '<', hour).execute();
}
