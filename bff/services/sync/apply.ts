/**
 * What runs and approvals write: updates (one per rule, kind and person), invites through the
 * import's path, and leavers reported to the host with their pending invites revoked.
 */
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncUpdateRow, Target } from '../../db/schema.js';
import type { SyncUpdate, TargetType } from '../../../contract/index.js';
import { INVITE_EVENT_COLUMNS, memberEvent, type NewEvent } from '../../webhooks/events.js';
import { writeInvites, type Invitee, type Inviter } from '../imports.js';
import { newId } from '../../ids.js';
import { revokePending } from '../invites.js';
import { pendingInvites } from '../../db/invites.js';
import type { RuleDefinition, SyncDeps } from './rule.js';

type Q = Kysely<Database>;

export type UpdateKind = SyncUpdate['kind'];
export type NewUpdate = Omit<SyncUpdateRow, 'id'>;

/** Inserts or replaces updates (one per rule, kind and person), 500 a statement. */
export async function saveUpdates(trx: Q, updates: NewUpdate[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 500) {
    const rows = updates.slice(i, i + 500).map((u) => ({ id: newId('upd'), ...u }));
    await trx
      .insertInto('sync_updates')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['rule_id', 'kind', 'email_normalized']).doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          contact_id: eb.ref('excluded.contact_id'),
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          title: eb.ref('excluded.title'),
          department: eb.ref('excluded.department'),
          membership: eb.ref('excluded.membership'),
          role: eb.ref('excluded.role'),
          held_role: eb.ref('excluded.held_role'),
          reason: eb.ref('excluded.reason'),
          status: eb.ref('excluded.status'),
          fingerprint: eb.ref('excluded.fingerprint'),
          detected_at: eb.ref('excluded.detected_at'),
          done_at: eb.ref('excluded.done_at'),
        })),
      )
      .execute();
  }
}

export const creatorOf = (rule: SyncRuleRow): Inviter => ({ id: rule.created_by_id, name: rule.created_by_name, email: rule.created_by_email });

/**
 * Invites people through the import's path (one import row, its audit entry, invites and mails,
 * `import.completed`); a run's own invites (`auto`) are also announced one by one as `invite.created`.
 */
export async function inviteAs(
  trx: Q,
  deps: SyncDeps,
  target: Target,
  inviter: Inviter,
  rule: SyncRuleRow,
  def: RuleDefinition,
  people: Invitee[],
  key: string,
  automatic: boolean,
): Promise<NewEvent[]> {
  const at = deps.now();
  const { importId, invites, event } = await writeInvites(
    trx,
    { now: deps.now, acceptUrl: deps.config.acceptUrl, inviteTtlDays: deps.config.inviteTtlDays },
    {
      target,
      inviter,
      provider: rule.provider,
      role: def.defaultRole,
      message: def.message,
      locale: def.locale ?? 'en',
      people,
      skippedCount: 0,
      key,
    },
  );
  const ref = { type: target.type as TargetType, id: target.id };
  if (!automatic) return [event];
  return [
    event,
    ...invites.map((i): NewEvent => ({
      type: 'invite.created',
      target: ref,
      at,
      data: { target: ref, inviteId: i.id, email: i.email, role: i.role, importId },
    })),
  ];
}

/** Reports leavers to the host (`member.left_hr`) and revokes their live invites of the target. */
export async function reportLeavers(
  trx: Q,
  target: Target,
  ruleId: string,
  leavers: Pick<NewUpdate, 'email_normalized' | 'contact_id' | 'membership' | 'held_role' | 'reason'>[],
  now: Date,
  actor: string,
) {
  const ref = { type: target.type as TargetType, id: target.id };
  const events: NewEvent[] = [];
  let revoked = 0;
  const emails = leavers.map((l) => l.email_normalized);
  for (let i = 0; i < emails.length; i += 500) {
    const invites = await pendingInvites(trx, target, now)
      .select(INVITE_EVENT_COLUMNS)
      .where('invites.email_normalized', 'in', emails.slice(i, i + 500))
      .execute();
    for (const invite of invites) {
      const event = await revokePending(trx, invite, now, actor);
      if (event) {
        revoked++;
        events.push(event);
      }
    }
  }
  for (const l of leavers) {
    events.push(
      memberEvent(
        'member.left_hr',
        {
          ruleId,
          email: l.email_normalized,
          contactId: l.contact_id,
          membership: l.membership as 'member' | 'invited',
          role: l.held_role ?? '',
          previousRole: null,
          reason: l.reason as 'terminated',
        },
        ref,
        now,
      ),
    );
  }
  return { revoked, events };
}

export async function reportLeaversByRule(trx: Q, target: Target, leavers: SyncUpdateRow[], now: Date, actor: string) {
  const events: NewEvent[] = [];
  let revoked = 0;
  for (const ruleId of new Set(leavers.map((l) => l.rule_id))) {
    const r = await reportLeavers(
      trx,
      target,
      ruleId,
      leavers.filter((l) => l.rule_id === ruleId),
      now,
      actor,
    );
    events.push(...r.events);
    revoked += r.revoked;
  }
  return { events, revoked };
}
