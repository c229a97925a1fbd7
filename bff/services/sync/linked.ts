/**
 * A run's members and invitees that HR knows: leavers (gone from HR, terminated or out of scope)
 * and role changes, weighed against the leaver safeguard, and the links that remember them.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, SyncUpdateRow, Target } from '../../db/schema.js';
import { dialectOf } from '../../db/connect.js';
import { liveInvite } from '../../db/invites.js';
import { factsOf, roleFor, scopeWhere, SEPARATOR, type HrFields } from './rule.js';
import type { Evaluation, Outcome } from './outcome.js';
import { reportLeavers, saveUpdates, type NewUpdate, type UpdateKind } from './apply.js';

type Q = Kysely<Database>;

/**
 * Where the target's seat holders are read from, one query each (a union of both would be
 * materialized whole before any join): its members, and its live invitees who are not members.
 */
function holderSources(
  target: Target,
  now: Date,
): { membership: 'member' | 'invited'; table: RawBuilder<unknown>; where: RawBuilder<unknown>; email: RawBuilder<unknown>; role: RawBuilder<unknown> }[] {
  const ofTarget = (table: 'members' | 'invites') =>
    sql`${sql.ref(`${table}.target_type`)} = ${target.type} and ${sql.ref(`${table}.target_id`)} = ${target.id}`;
  return [
    { membership: 'member', table: sql`members`, where: ofTarget('members'), email: sql.ref('members.email'), role: sql.ref('members.role') },
    {
      membership: 'invited',
      table: sql`invites`,
      where: sql`${ofTarget('invites')} and ${liveInvite(now)} and not exists (select 1 from members where ${ofTarget('members')} and members.email = invites.email_normalized)`,
      email: sql.ref('invites.email_normalized'),
      role: sql.ref('invites.role'),
    },
  ];
}

interface LinkedRow extends HrFields {
  email: string;
  role: string;
  membership: 'member' | 'invited';
  contact_id: string | null;
  display_name: string | null;
  d_email: string | null;
  status: string | null;
  in_scope: number | string | boolean | null;
  facts: string | null;
  link_contact: string | null;
}

/** Updates already recorded for these people, by kind and address. */
async function recordedUpdates(trx: Q, ruleId: string, kind: UpdateKind, emails: string[]): Promise<Map<string, SyncUpdateRow>> {
  const found = new Map<string, SyncUpdateRow>();
  for (let i = 0; i < emails.length; i += 500) {
    const rows = await trx
      .selectFrom('sync_updates')
      .selectAll()
      .where('rule_id', '=', ruleId)
      .where('kind', '=', kind)
      .where('email_normalized', 'in', emails.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.email_normalized, r);
  }
  return found;
}

/**
 * Whether something detected now is news: not already waiting (open, or held by the safeguard),
 * and not what was done or dismissed before for the same facts. A dismissal is remembered until
 * something about the person changes.
 */
function isNews(existing: SyncUpdateRow | undefined, fingerprint: string): boolean {
  if (!existing) return true;
  if (existing.status === 'open' || existing.status === 'held') return existing.fingerprint !== fingerprint && existing.kind === 'role_change';
  return existing.fingerprint !== fingerprint;
}

/** Finds leavers and role changes among the target's HR-linked people, and acts or waits as the rule says. */
export async function reviewLinked(e: Evaluation): Promise<Pick<Outcome, 'status' | 'error' | 'revoked' | 'leavers' | 'roleChanges'>> {
  const { trx, rule, run, target, def, now, iso, connection, events } = e;
  // For a directory row joined from a member or an invite.
  const inScopeRow = scopeWhere(dialectOf(trx), connection, def.scope, 'seats');
  // The HR-linked members and invitees: those the rule linked before, and those this directory
  // names by address. Only the ones with something to say are read: no longer in HR, terminated,
  // out of scope, or HR fields changed since the last run.
  // The HR-linked people the last run knew: the share the safeguard weighs leavers against.
  const linkedBefore = Number(
    (
      await trx
        .selectFrom('sync_links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('rule_id', '=', rule.id)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const people = new Map<string, LinkedRow>();
  const facts = factsOf('directory_contacts');
  const sources = holderSources(target, now);
  for (const h of sources) {
    const from = sql`from ${h.table}
      left join directory_contacts on directory_contacts.connection = ${connection} and directory_contacts.email_normalized = ${h.email}
      left join sync_links l on l.rule_id = ${rule.id} and l.email_normalized = ${h.email}
      where ${h.where} and (directory_contacts.contact_id is not null or l.email_normalized is not null)`;
    const changed =
      await sql<LinkedRow>`select ${h.email} as email, ${h.role} as role, ${h.membership} as membership, directory_contacts.contact_id, directory_contacts.display_name,
        directory_contacts.email as d_email, directory_contacts.title, directory_contacts.department, directory_contacts.location, directory_contacts.employment_type,
        directory_contacts.status, case when ${inScopeRow} then 1 else 0 end as in_scope, ${facts} as facts, l.contact_id as link_contact
      ${from} and (directory_contacts.contact_id is null or directory_contacts.status <> 'active' or not (${inScopeRow}) or l.facts is null or l.facts <> ${facts})`.execute(
        trx,
      );
    // One row a person: their record in scope before another with the same address.
    const weight = (r: LinkedRow) => (r.status === 'active' ? 0 : 2) + (Number(r.in_scope) ? 0 : 1);
    for (const r of changed.rows) {
      const seen = people.get(r.email);
      if (!seen || weight(r) < weight(seen)) people.set(r.email, r);
    }
  }
  // A first run reads every linked person (none has a link yet): all of them are the share.
  const linkedCount = Math.max(linkedBefore, people.size);
  const leaverCandidates: NewUpdate[] = [];
  const relinked: { rule_id: string; email_normalized: string; contact_id: string; facts: string }[] = [];
  const roleCandidates: NewUpdate[] = [];
  for (const p of people.values()) {
    const reason = p.contact_id === null ? 'deleted' : p.status !== 'active' ? 'terminated' : Number(p.in_scope) ? null : 'out_of_scope';
    const base = {
      rule_id: rule.id,
      run_id: run.id,
      target_type: target.type,
      target_id: target.id,
      contact_id: p.contact_id ?? p.link_contact,
      email: p.d_email?.trim() || p.email,
      email_normalized: p.email,
      name: p.display_name,
      title: p.title,
      department: p.department,
      membership: p.membership,
      held_role: p.role,
      detected_at: iso,
      done_at: null,
    };
    if (reason) {
      leaverCandidates.push({ ...base, kind: 'leaver', role: null, reason, status: 'open', fingerprint: `${reason}${SEPARATOR}${p.facts ?? ''}` });
    } else {
      relinked.push({ rule_id: rule.id, email_normalized: p.email, contact_id: p.contact_id!, facts: p.facts ?? '' });
      const role = roleFor(def, p);
      if (role !== p.role)
        roleCandidates.push({ ...base, kind: 'role_change', role, reason: null, status: 'open', fingerprint: `${role}${SEPARATOR}${p.facts ?? ''}` });
    }
  }
  const recordedLeavers = await recordedUpdates(
    trx,
    rule.id,
    'leaver',
    leaverCandidates.map((u) => u.email_normalized),
  );
  const leavers = leaverCandidates.filter((u) => isNews(recordedLeavers.get(u.email_normalized), u.fingerprint));
  const recordedRoles = await recordedUpdates(
    trx,
    rule.id,
    'role_change',
    roleCandidates.map((u) => u.email_normalized),
  );
  const roleChanges = roleCandidates.filter((u) => isNews(recordedRoles.get(u.email_normalized), u.fingerprint));
  await saveUpdates(trx, roleChanges);

  // The safeguard: more leavers at once than the rule's share of the HR-linked people waits for an admin.
  let status: Outcome['status'] = 'completed';
  let error: Outcome['error'] = null;
  let revoked = 0;
  const threshold = Number(rule.leaver_threshold);
  if (leavers.length > 0 && leavers.length * 100 > threshold * linkedCount) {
    status = 'held';
    error = {
      code: 'leaver_threshold',
      message: `This run would mark ${leavers.length} of ${linkedCount} HR-linked people as leavers, more than the rule's ${threshold}%; approve the run to go on.`,
    };
    await saveUpdates(
      trx,
      leavers.map((u) => ({ ...u, status: 'held' })),
    );
  } else if (def.leavers === 'review') {
    await saveUpdates(trx, leavers);
  } else {
    const reported = await reportLeavers(trx, target, rule.id, leavers, now, rule.created_by_id);
    revoked = reported.revoked;
    events.push(...reported.events);
    await saveUpdates(
      trx,
      leavers.map((u) => ({ ...u, status: 'done', done_at: iso })),
    );
  }

  // Who the rule links from now on: members and invitees in scope with their HR fields as now (only
  // the ones read above: for everyone else the link already says so), so that only a change makes
  // their role worked out again; and the linked ones that still hold a seat (a leaver deleted from
  // HR stays known until they no longer do).
  for (let i = 0; i < relinked.length; i += 500) {
    await trx
      .insertInto('sync_links')
      .values(relinked.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['rule_id', 'email_normalized']).doUpdateSet((eb) => ({ contact_id: eb.ref('excluded.contact_id'), facts: eb.ref('excluded.facts') })),
      )
      .execute();
  }
  await sql`delete from sync_links where rule_id = ${rule.id}
    and not exists (select 1 from members where members.target_type = ${target.type} and members.target_id = ${target.id} and members.email = sync_links.email_normalized)
    and not exists (select 1 from invites where invites.target_type = ${target.type} and invites.target_id = ${target.id} and ${liveInvite(now)} and invites.email_normalized = sync_links.email_normalized)`.execute(
    trx,
  );
  return { status, error, revoked, leavers: leavers.length, roleChanges: roleChanges.length };
}
