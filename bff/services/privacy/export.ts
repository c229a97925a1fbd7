/**
 * One person's right of access (GDPR art. 15), asked for by the host's backend with an email
 * address: everything held about them, as it is stored, recorded in the audit trail by count.
 */
import { sql } from 'kysely';
import type { PrivacyExport } from '../../../contract/privacy.js';
import type { TargetType } from '../../../contract/common.js';
import { recordAudit } from '../audit.js';
import { newId } from '../../ids.js';
import {
  auditTarget,
  connectionScope,
  csvUploads,
  directoryRows,
  eventRows,
  inTargets,
  PAGE,
  scopeOf,
  scrubJson,
  syncNotes,
  type PersonRef,
  type Q,
  type Ref,
} from './person.js';
import { queuedMessage } from '../../mail/outbox.js';

/** `POST /api/privacy/export`: everything held about the person, as it is stored. */
export async function exportPerson(db: Q, person: PersonRef, now: Date): Promise<PrivacyExport> {
  const scope = await scopeOf(db, person);
  const inScope = inTargets(scope);
  const ref = (r: { target_type: string; target_id: string }): Ref => ({ type: r.target_type as TargetType, id: r.target_id });

  const directoryContacts = (await directoryRows(db, scope))
    // Staging rows are a refresh in progress: the same person, about to replace the row above.
    .filter((c) => !c.connection.startsWith('~staging:'))
    .map((c) => ({
      provider: c.connection.slice(0, c.connection.indexOf(':')),
      connection: connectionScope(c.connection),
      contactId: c.contact_id,
      firstName: c.first_name,
      lastName: c.last_name,
      displayName: c.display_name,
      email: c.email,
      personalEmail: c.personal_email,
      title: c.title,
      department: c.department,
      location: c.location,
      employmentType: c.employment_type,
      managerId: c.manager_id,
      status: c.status,
      avatarUrl: c.avatar_url,
    }));
  const csvUploadsHeld = (await csvUploads(db, scope))
    .filter((u) => u.hit.some(Boolean))
    .map((u) => ({ uploadId: u.id, provider: u.provider_id, columns: JSON.parse(u.columns) as string[], rows: u.data.filter((_, i) => u.hit[i]) }));
  const inviteRows = (
    await db.selectFrom('invites').selectAll().where('email_normalized', '=', scope.email).orderBy('created_at').limit(100_000).execute()
  ).filter(inScope);
  const invites = inviteRows.map((i) => ({
    id: i.id,
    target: ref(i),
    email: i.email,
    name: i.name,
    role: i.role,
    status: i.status,
    provider: i.provider,
    importId: i.import_id,
    createdAt: i.created_at,
    expiresAt: i.expires_at,
    acceptedAt: i.accepted_at,
    revokedAt: i.revoked_at,
  }));
  const memberships = (await db.selectFrom('members').selectAll().where('email', '=', scope.email).limit(100_000).execute())
    .filter(inScope)
    .map((m) => ({ target: ref(m), email: m.email, name: m.name, role: m.role, createdAt: m.created_at }));
  const ids = inviteRows.map((i) => i.id);
  const mail = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'invite_id', 'status', 'payload', 'created_at', 'sent_at'])
      .where('invite_id', 'in', ids.slice(i, i + PAGE))
      .orderBy('created_at')
      .execute();
    for (const m of rows) {
      const subject = queuedMessage(m.payload)?.subject ?? null;
      mail.push({
        id: m.id,
        inviteId: m.invite_id,
        status: m.status,
        subject,
        createdAt: m.created_at,
        sentAt: m.sent_at,
      });
    }
  }
  const events = [];
  for await (const e of eventRows(db, scope.email)) {
    if (inScope(e) && scrubJson(e.text, scope.email, null) !== null) events.push({ id: e.id, type: e.type, createdAt: e.created_at });
  }
  const importsSent = (
    await db
      .selectFrom('imports')
      .select(['id', 'target_type', 'target_id', 'inviter_name', 'inviter_email', 'invited_count', 'created_at'])
      .where(sql<boolean>`lower(inviter_email) = ${scope.email}`)
      .orderBy('created_at')
      .limit(100_000)
      .execute()
  )
    .filter(inScope)
    .map((i) => ({
      id: i.id,
      target: ref(i),
      inviterName: i.inviter_name,
      inviterEmail: i.inviter_email,
      invited: Number(i.invited_count),
      createdAt: i.created_at,
    }));

  const noted = await syncNotes(db, scope);
  const syncUpdates = noted.updates.map((u) => ({
    id: u.id,
    ruleId: u.rule_id,
    target: ref(u),
    kind: u.kind,
    contactId: u.contact_id,
    email: u.email,
    name: u.name,
    title: u.title,
    department: u.department,
    membership: u.membership,
    role: u.role,
    currentRole: u.held_role,
    reason: u.reason,
    status: u.status,
    detectedAt: u.detected_at,
    doneAt: u.done_at,
  }));
  const syncLinks = noted.links.map((l) => ({ ruleId: l.rule_id, target: ref(l), contactId: l.contact_id, facts: l.facts }));

  const result: PrivacyExport = {
    email: scope.email,
    exportedAt: now.toISOString(),
    directoryContacts,
    csvUploads: csvUploadsHeld,
    invites,
    memberships,
    mail,
    events,
    importsSent,
    syncUpdates,
    syncLinks,
  };
  const total = Object.values(result).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  await recordAudit(db, { action: 'export', actor: 'api', target: auditTarget(person), subject: newId('exp'), count: total, at: now });
  return result;
}
