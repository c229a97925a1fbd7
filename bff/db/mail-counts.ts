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

/** Adds `count` mails sent at `at` to each scope's hour. */
export async function countMail(trx: Db, scopes: MailScope[], at: string, count: number): Promise<void> {
  const hour = hourOf(at);
  for (const scope of scopes) {
    await trx
      .insertInto('mail_counts')
      .values({ scope: mailScopeKey(scope), hour, count })
      .onConflict((oc) => oc.columns(['scope', 'hour']).doUpdateSet((eb) => ({ count: eb('mail_counts.count', '+', count) })))
      .execute();
  }
}

/** Mails of the scope in the hours after `hour` (not counting it). */
export async function mailAfterHour(db: Db, scope: MailScope, hour: string): Promise<number> {
  const row = await db
    .selectFrom('mail_counts')
    .select((eb) => eb.fn.sum<number | string | null>('count').as('sent'))
    .where('scope', '=', mailScopeKey(scope))
    .where('hour', '>', hour)
    .executeTakeFirstOrThrow();
  return Number(row.sent ?? 0);
}

/** Drops the hours before `hour`: no budget looks back that far. */
export async function forgetMailBefore(db: Db, hour: string): Promise<void> {
  await db.deleteFrom('mail_counts').where('hour', '<', hour).execute();
}
