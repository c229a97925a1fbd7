/**
 * An admin's answers to what runs found: a held run approved, updates approved (joiners invited,
 * leavers reported, roles changed) or dismissed, each under the target's lock.
 */
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncUpdateRow } from '../../db/schema.js';
import type { SyncRun, SyncUpdateResult } from '../../../contract/index.js';
import { writeTransaction } from '../../db/connect.js';
import { AppError } from '../../errors.js';
import { memberEvent, recordEvents, type NewEvent } from '../../webhooks/events.js';
import { resolveSelection } from '../directory/queries.js';
import { sortInvitees, type Invitee, type Inviter } from '../imports.js';
import { newId } from '../../ids.js';
import { checkMailBudget, mailLimitsOf } from '../mail-limits.js';
import { countSeats, lockTarget, type TargetRef } from '../targets.js';
import { liveInvite } from '../../db/invites.js';
import { definitionOf, type SyncDeps } from './rule.js';
import { inviteAs, reportLeavers, reportLeaversByRule } from './apply.js';
import { getRule, runSummary } from './queries.js';

type Q = Kysely<Database>;

/**
 * Confirms a run the safeguard held: its leavers are handled as the rule says (waiting in
 * Updates, or reported with their invites revoked), and the run counts as completed.
 */
export async function approveRun(deps: SyncDeps, target: TargetRef, ruleId: string, runId: string, actor: string): Promise<SyncRun> {
  return writeTransaction(deps.db, async (trx) => {
    const t = await lockTarget(trx, target);
    const rule = await getRule(trx, target, ruleId);
    const run = await trx.selectFrom('sync_runs').selectAll().where('id', '=', runId).where('rule_id', '=', ruleId).executeTakeFirst();
    if (!run) throw new AppError(404, 'sync_run_not_found', 'No such run of this rule.');
    if (run.status !== 'held') throw new AppError(409, 'sync_run_not_held', `The run is ${run.status}; only a held run is approved.`);
    const now = deps.now();
    const held = await trx.selectFrom('sync_updates').selectAll().where('run_id', '=', runId).where('status', '=', 'held').execute();
    const def = definitionOf(rule);
    let revoked = 0;
    const events: NewEvent[] = [];
    if (def.leavers === 'report') {
      const reported = await reportLeavers(trx, t, rule.id, held, now, actor);
      revoked = reported.revoked;
      events.push(...reported.events);
    }
    await trx
      .updateTable('sync_updates')
      .set(def.leavers === 'report' ? { status: 'done', done_at: now.toISOString() } : { status: 'open' })
      .where('run_id', '=', runId)
      .where('status', '=', 'held')
      .execute();
    await trx
      .updateTable('sync_runs')
      .set({ status: 'completed', revoked: Number(run.revoked) + revoked, error_code: null, error_message: null })
      .where('id', '=', runId)
      .execute();
    await recordEvents(trx, events);
    return runSummary({ ...run, status: 'completed', revoked: Number(run.revoked) + revoked, error_code: null, error_message: null });
  });
}

/** The target's updates these ids name, and the ids that name none of them. */
async function pickUpdates(trx: Q, target: TargetRef, ids: string[]) {
  const wanted = [...new Set(ids)];
  const rows: SyncUpdateRow[] = [];
  for (let i = 0; i < wanted.length; i += 500) {
    rows.push(
      ...(await trx
        .selectFrom('sync_updates')
        .selectAll()
        .where('target_type', '=', target.type)
        .where('target_id', '=', target.id)
        .where('id', 'in', wanted.slice(i, i + 500))
        .execute()),
    );
  }
  const found = new Set(rows.map((r) => r.id));
  return { rows, missing: wanted.filter((id) => !found.has(id)) };
}

export async function dismissUpdates(db: Q, target: TargetRef, ids: string[], now: Date): Promise<SyncUpdateResult> {
  return writeTransaction(db, async (trx) => {
    const t = await lockTarget(trx, target);
    const { rows, missing } = await pickUpdates(trx, target, ids);
    const skipped = missing.map((id) => ({ id, reason: 'not_found' }));
    const open = rows.filter((r) => r.status === 'open' || r.status === 'held');
    for (const r of rows) if (!open.includes(r)) skipped.push({ id: r.id, reason: 'not_open' });
    for (let i = 0; i < open.length; i += 500) {
      await trx
        .updateTable('sync_updates')
        .set({ status: 'dismissed', done_at: now.toISOString() })
        .where(
          'id',
          'in',
          open.slice(i, i + 500).map((r) => r.id),
        )
        .execute();
    }
    return { done: open.length, invited: 0, revoked: 0, roleChanges: 0, skipped, seats: await countSeats(trx, t, now) };
  });
}

/**
 * Approves updates. Joiners are an import: under the target's lock, each person once (an update
 * done is not open any more, so a second click finds nothing to do), within the seats, within
 * the mail budget (or the whole request is refused, as an import is). Leavers are reported and
 * their pending invites revoked; role changes are applied to the member or the pending invite.
 */
export async function approveUpdates(deps: SyncDeps, target: TargetRef, inviter: Inviter, ids: string[]): Promise<SyncUpdateResult> {
  return writeTransaction(deps.db, async (trx) => {
    const t = await lockTarget(trx, target);
    const now = deps.now();
    const iso = now.toISOString();
    const ref = { type: target.type, id: target.id };
    const { rows, missing } = await pickUpdates(trx, target, ids);
    const skipped = missing.map((id) => ({ id, reason: 'not_found' }));
    const open = rows.filter((r) => r.status === 'open');
    for (const r of rows) if (r.status !== 'open') skipped.push({ id: r.id, reason: 'not_open' });
    const done: string[] = [];
    const events: NewEvent[] = [];

    // Joiners, rule by rule (each its own directory and message).
    const joiners = open.filter((r) => r.kind === 'joiner');
    const rules = new Map<string, SyncRuleRow>();
    for (const ruleId of new Set(joiners.map((j) => j.rule_id))) {
      const rule = await trx.selectFrom('sync_rules').selectAll().where('id', '=', ruleId).executeTakeFirst();
      if (rule) rules.set(ruleId, rule);
    }
    let seatsLeft = (await countSeats(trx, t, now)).remaining;
    const batches: { rule: SyncRuleRow; people: Invitee[] }[] = [];
    for (const [ruleId, rule] of rules) {
      const mine = joiners.filter((j) => j.rule_id === ruleId && j.contact_id);
      const updateOf = new Map(mine.map((j) => [j.contact_id!, j]));
      const { contacts, missing: gone } = await resolveSelection(trx, rule.connection, { ids: [...updateOf.keys()] });
      for (const id of gone) skipped.push({ id: updateOf.get(id)!.id, reason: 'not_found' });
      const sorted = await sortInvitees(trx, t, contacts, (c) => updateOf.get(c.contact_id)!.role ?? definitionOf(rule).defaultRole, now);
      for (const s of sorted.skipped) {
        const u = updateOf.get(s.contact.contact_id)!;
        // Already in: nothing left to do for it.
        if (s.reason === 'already_member' || s.reason === 'already_invited') done.push(u.id);
        else skipped.push({ id: u.id, reason: s.reason });
      }
      const fit = sorted.toInvite.slice(0, Math.max(0, seatsLeft));
      for (const j of sorted.toInvite.slice(fit.length)) skipped.push({ id: updateOf.get(j.contact.contact_id)!.id, reason: 'seat_limit' });
      seatsLeft -= fit.length;
      if (fit.length) batches.push({ rule, people: fit });
      for (const j of fit) done.push(updateOf.get(j.contact.contact_id)!.id);
    }
    for (const j of joiners) if (!rules.has(j.rule_id) || !j.contact_id) skipped.push({ id: j.id, reason: 'not_found' });
    const invited = batches.reduce((n, b) => n + b.people.length, 0);
    await checkMailBudget(trx, mailLimitsOf(deps.config.mailLimits), ref, inviter.id, invited, now);
    for (const b of batches)
      events.push(...(await inviteAs(trx, deps, t, inviter, b.rule, definitionOf(b.rule), b.people, `sync-approval:${newId('key')}`, false)));

    // Leavers: reported, their pending invites revoked.
    const leavers = open.filter((r) => r.kind === 'leaver');
    const reported = await reportLeaversByRule(trx, t, leavers, now, inviter.id);
    events.push(...reported.events);
    done.push(...leavers.map((l) => l.id));

    // Role changes: the member's role, or the pending invite's.
    let roleChanges = 0;
    for (const r of open.filter((u) => u.kind === 'role_change')) {
      const changed =
        r.membership === 'member'
          ? await trx
              .updateTable('members')
              .set({ role: r.role! })
              .where('target_type', '=', t.type)
              .where('target_id', '=', t.id)
              .where('email', '=', r.email_normalized)
              .executeTakeFirst()
          : await trx
              .updateTable('invites')
              .set({ role: r.role! })
              .where('target_type', '=', t.type)
              .where('target_id', '=', t.id)
              .where('email_normalized', '=', r.email_normalized)
              .where(liveInvite(now))
              .executeTakeFirst();
      done.push(r.id);
      if (Number(changed.numUpdatedRows) === 0) continue;
      roleChanges++;
      events.push(
        memberEvent(
          'member.role_changed',
          {
            ruleId: r.rule_id,
            email: r.email_normalized,
            contactId: r.contact_id,
            membership: r.membership as 'member' | 'invited',
            role: r.role!,
            previousRole: r.held_role,
            reason: null,
          },
          ref,
          now,
        ),
      );
    }
    for (let i = 0; i < done.length; i += 500) {
      await trx
        .updateTable('sync_updates')
        .set({ status: 'done', done_at: iso })
        .where('id', 'in', done.slice(i, i + 500))
        .execute();
    }
    const seats = await countSeats(trx, t, now);
    await recordEvents(trx, events);
    return { done: done.length, invited, revoked: reported.revoked, roleChanges, skipped, seats };
  });
}
