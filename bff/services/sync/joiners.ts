/**
 * A run's joiners: people in the rule's scope who are neither members nor invited, waiting as
 * updates (`review`) or invited at once within the seats and the mail budget (`auto`).
 */
import { sql, type SqlBool } from 'kysely';
import type { TargetType } from '../../../contract/index.js';
import { SYNC_SKIP_REASONS } from '../../../contract/sync.js';
import { AppError } from '../../errors.js';
import type { SelectedContact } from '../directory/queries.js';
import { sortInvitees, type Invitee } from '../imports.js';
import { checkMailBudget, mailLimitsOf } from '../mail-limits.js';
import { countSeats } from '../targets.js';
import { openInvite } from '../../db/invites.js';
import { factsOf, roleFor } from './rule.js';
import type { Evaluation } from './outcome.js';
import { creatorOf, inviteAs, saveUpdates, type NewUpdate } from './apply.js';

const skippedOf = (c: SelectedContact, reason: (typeof SYNC_SKIP_REASONS)[number]) => ({ contactId: c.contact_id, name: c.display_name, reason });

/** Finds the joiners and invites them or records them as updates, as the rule says. */
export async function inviteJoiners(e: Evaluation): Promise<{ invited: number; joiners: number }> {
  const { trx, deps, rule, run, target, def, now, iso, active, events, skip } = e;
  const ref = { type: target.type as TargetType, id: target.id };
  // Joiners: in scope, active, with an address, neither member nor invited (an expired invite
  // still pending is for Resend, not a second invite), and not already waiting, done or dismissed
  // for the same HR fields.
  const email = sql.ref('directory_contacts.email_normalized');
  const joinerRows = await active()
    .where('directory_contacts.email_normalized', 'is not', null)
    .where(
      sql<SqlBool>`not exists (select 1 from members where members.target_type = ${target.type} and members.target_id = ${target.id} and members.email = ${email})`,
    )
    .where(
      sql<SqlBool>`not exists (select 1 from invites where invites.target_type = ${target.type} and invites.target_id = ${target.id} and ${openInvite()} and invites.email_normalized = ${email})`,
    )
    .where(
      sql<SqlBool>`not exists (select 1 from sync_updates u where u.rule_id = ${rule.id} and u.kind = 'joiner' and u.email_normalized = ${email} and (u.status in ('open', 'held') or u.fingerprint = ${factsOf('directory_contacts')}))`,
    )
    .select([
      'directory_contacts.contact_id',
      'directory_contacts.display_name',
      'directory_contacts.first_name',
      'directory_contacts.email',
      'directory_contacts.email_normalized',
    ])
    .select(['directory_contacts.title', 'directory_contacts.department', 'directory_contacts.location', 'directory_contacts.employment_type'])
    .select(factsOf('directory_contacts').as('facts'))
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .execute();
  // Joiners waiting from earlier runs who are no longer joiners (invited meanwhile, or out of scope) are not news any more.
  await trx
    .deleteFrom('sync_updates')
    .where('rule_id', '=', rule.id)
    .where('kind', '=', 'joiner')
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb(
          'email_normalized',
          'in',
          eb.selectFrom('members').select('members.email').where('members.target_type', '=', target.type).where('members.target_id', '=', target.id),
        ),
        eb(
          'email_normalized',
          'in',
          eb
            .selectFrom('invites')
            .select('invites.email_normalized')
            .where('invites.target_type', '=', target.type)
            .where('invites.target_id', '=', target.id)
            .where(openInvite()),
        ),
        eb(
          'email_normalized',
          'not in',
          active()
            .where('directory_contacts.email_normalized', 'is not', null)
            .select('directory_contacts.email_normalized')
            .$castTo<{ email_normalized: string }>(),
        ),
      ]),
    )
    .execute();

  const byContact = new Map(joinerRows.map((r) => [r.contact_id, r]));
  const sorted = await sortInvitees(trx, target, joinerRows, (c) => roleFor(def, byContact.get(c.contact_id)!), now);
  for (const s of sorted.skipped) {
    if (s.reason === 'no_email' || s.reason === 'invalid_email' || s.reason === 'duplicate') skip(skippedOf(s.contact, s.reason));
  }
  const joinerUpdate = (j: Invitee, status: 'open' | 'done'): NewUpdate => {
    const row = byContact.get(j.contact.contact_id)!;
    return {
      rule_id: rule.id,
      run_id: run.id,
      target_type: target.type,
      target_id: target.id,
      kind: 'joiner',
      contact_id: row.contact_id,
      email: row.email!.trim(),
      email_normalized: j.email,
      name: row.display_name,
      title: row.title,
      department: row.department,
      membership: null,
      role: j.role,
      held_role: null,
      reason: null,
      status,
      fingerprint: row.facts,
      detected_at: iso,
      done_at: status === 'done' ? iso : null,
    };
  };
  let invited = 0;
  let joiners = 0;
  if (def.joiners === 'review') {
    await saveUpdates(
      trx,
      sorted.toInvite.map((j) => joinerUpdate(j, 'open')),
    );
    joiners = sorted.toInvite.length;
  } else if (sorted.toInvite.length > 0) {
    // Within the seats: whoever does not fit is left out, named in the report, and tried again next run.
    const seats = await countSeats(trx, target, now);
    let fit = sorted.toInvite.slice(0, seats.remaining);
    for (const j of sorted.toInvite.slice(seats.remaining)) skip(skippedOf(j.contact, 'seat_limit'));
    try {
      await checkMailBudget(trx, mailLimitsOf(deps.config.mailLimits), ref, rule.created_by_id, fit.length, now);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'mail_limit')) throw err;
      for (const j of fit) skip(skippedOf(j.contact, 'mail_limit'));
      fit = [];
    }
    joiners = sorted.toInvite.length - fit.length;
    if (fit.length > 0) {
      const written = await inviteAs(trx, deps, target, creatorOf(rule), rule, def, fit, `sync:${run.id}`, true);
      events.push(...written);
      await saveUpdates(
        trx,
        fit.map((j) => joinerUpdate(j, 'done')),
      );
      invited = fit.length;
    }
  }
  return { invited, joiners };
}
