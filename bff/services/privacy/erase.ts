/**
 * One person's right of erasure (GDPR art. 17), asked for by the host's backend with an email
 * address (the right of access is export.ts). Erasure removes the person from every directory
 * cache and unconfirmed CSV upload, replaces their invites' and memberships' personal fields with a
 * tombstone (the rows, their ids and every count stay, so seats, imports' counts and the audit
 * trail still add up), cancels their unsent mail, and scrubs their address from the events the
 * host polls or receives and from stored import answers. It runs in one transaction and records
 * itself in the audit trail by id and count, never by address. The SQLite file zeroes what it
 * deletes (`secure_delete`, bff/db/connect.ts), so erased bytes do not linger in free pages.
 *
 * What erasure cannot reach: a provider's next refresh copies the person again if the HR system
 * still lists them (the HR system is the source), and a mail already handed to the mail server.
 */
import { sql } from 'kysely';
import type { PrivacyErasure } from '../../../contract/privacy.js';
import { writeTransaction } from '../../db/connect.js';
import { cancelUnsentMail } from '../../db/outbox.js';
import { recordAudit } from '../audit.js';
import { newId } from '../../ids.js';
import {
  auditTarget,
  csvUploads,
  directoryRows,
  ERASED_DOMAIN,
  eventRows,
  inDirectories,
  inTargets,
  matches,
  PAGE,
  scanJson,
  scopeOf,
  scrubJson,
  syncNotes,
  tombstoneEmail,
  type PersonRef,
  type Q,
} from './person.js';
import { directoryChanged, seatsChanged } from '../../db/answer-generations.js';

/** `POST /api/privacy/erase`. A second call for the same person finds nothing and erases nothing. */
export async function erasePerson(db: Q, person: PersonRef, now: Date): Promise<PrivacyErasure> {
  const erasureId = newId('era');
  const at = now.toISOString();
  const erased = await writeTransaction(db, async (trx) => {
    const scope = await scopeOf(trx, person);
    const inScope = inTargets(scope);

    const contacts = await directoryRows(trx, scope);
    for (const c of contacts) {
      await trx.deleteFrom('directory_contacts').where('connection', '=', c.connection).where('contact_id', '=', c.contact_id).execute();
      // A pushed person's SCIM record (services/scim.ts) is the same person: erased with its mirror.
      await trx.deleteFrom('scim_users').where('connection', '=', c.connection).where('id', '=', c.contact_id).execute();
    }
    // One the storage policy kept out of the SCIM directory has no mirror, only its SCIM record.
    const pushed = (
      await trx.selectFrom('scim_users').select(['connection', 'id']).where('email_normalized', '=', scope.email).limit(100_000).execute()
    ).filter((u) => inDirectories(scope)(u.connection));
    for (const u of pushed) await trx.deleteFrom('scim_users').where('connection', '=', u.connection).where('id', '=', u.id).execute();

    let csvRows = 0;
    for (const u of await csvUploads(trx, scope)) {
      const keep = u.hit.map((h) => !h);
      const removed = keep.filter((k) => !k).length;
      if (!removed) continue;
      csvRows += removed;
      const lines = JSON.parse(u.lines) as unknown[];
      await trx
        .updateTable('csv_uploads')
        .set({
          rows: JSON.stringify(u.data.filter((_, i) => keep[i])),
          lines: JSON.stringify(lines.filter((_, i) => keep[i])),
          row_count: keep.length - removed,
        })
        .where('id', '=', u.id)
        .execute();
    }

    const invites = (
      await trx.selectFrom('invites').select(['id', 'target_type', 'target_id', 'status']).where('email_normalized', '=', scope.email).limit(100_000).execute()
    ).filter(inScope);
    const inviteIds = invites.map((i) => i.id);
    let mail = 0;
    for (let i = 0; i < inviteIds.length; i += PAGE) {
      const ids = inviteIds.slice(i, i + PAGE);
      // Unsent mail never leaves; a claimed (`sending`) row is cancelled too, and the worker, which
      // checks the invite before sending, finds it revoked.
      mail += await cancelUnsentMail(trx, ids, { claimed: true });
      await trx.updateTable('outbox').set({ payload: null }).where('invite_id', 'in', ids).where('payload', 'is not', null).execute();
    }
    for (const invite of invites) {
      await trx
        .updateTable('invites')
        .set({
          email: tombstoneEmail(invite.id),
          email_normalized: tombstoneEmail(invite.id),
          name: null,
          first_name: null,
          contact_id: null,
          // A pending invite cannot be accepted by someone who no longer exists here.
          ...(invite.status === 'pending' ? { status: 'revoked', revoked_at: at } : {}),
        })
        .where('id', '=', invite.id)
        .execute();
    }

    const members = (
      await trx.selectFrom('members').select(['target_type', 'target_id', 'email']).where('email', '=', scope.email).limit(100_000).execute()
    ).filter(inScope);
    for (const m of members) {
      // The seat stays taken until the host's next member sync says otherwise.
      await trx
        .updateTable('members')
        .set({ email: tombstoneEmail(newId('mem')), name: null, external_id: null })
        .where('target_type', '=', m.target_type)
        .where('target_id', '=', m.target_id)
        .where('email', '=', m.email)
        .execute();
    }

    const noted = await syncNotes(trx, scope);
    for (let i = 0; i < noted.updates.length; i += 500)
      await trx
        .deleteFrom('sync_updates')
        .where(
          'id',
          'in',
          noted.updates.slice(i, i + 500).map((u) => u.id),
        )
        .execute();
    for (const l of noted.links) await trx.deleteFrom('sync_links').where('rule_id', '=', l.rule_id).where('email_normalized', '=', scope.email).execute();

    // The inviter's own address in unsent mail (Reply-To) and in the imports they sent.
    for await (const row of scanJson(
      (after, like) =>
        trx
          .selectFrom('outbox')
          .select(['id as key', sql<string>`payload`.as('text'), 'id'])
          .where('id', '>', after)
          .where('payload', 'is not', null)
          .where(sql<boolean>`lower(payload) like ${like} escape '\\'`)
          .orderBy('id')
          .limit(PAGE)
          .execute(),
      scope.email,
    )) {
      const payload = JSON.parse(row.text) as { replyTo?: string };
      if (matches(scope.email)(payload.replyTo)) {
        delete payload.replyTo;
        await trx
          .updateTable('outbox')
          .set({ payload: JSON.stringify(payload) })
          .where('id', '=', row.id)
          .execute();
      }
    }

    let events = 0;
    for await (const e of eventRows(trx, scope.email)) {
      if (!inScope(e)) continue;
      const scrubbed = scrubJson(e.text, scope.email, `erased@${ERASED_DOMAIN}`);
      if (scrubbed === null) continue;
      await trx.updateTable('events').set({ payload: scrubbed }).where('id', '=', e.id).execute();
      events++;
    }

    const imports = new Set<string>();
    const sent = (
      await trx
        .selectFrom('imports')
        .select(['id', 'target_type', 'target_id'])
        .where(sql<boolean>`lower(inviter_email) = ${scope.email}`)
        .limit(100_000)
        .execute()
    ).filter(inScope);
    for (const imp of sent) {
      await trx
        .updateTable('imports')
        .set({ inviter_email: `erased@${ERASED_DOMAIN}`, inviter_name: 'erased' })
        .where('id', '=', imp.id)
        .execute();
      imports.add(imp.id);
    }
    // An import's answer (invited people's names and addresses, skipped people's addresses), kept for 24 hours to replay it; keyed by target like imports.
    for await (const key of scanJson(
      (after, like) =>
        trx
          .selectFrom('idempotency_keys')
          .select([sql<string>`claim_id`.as('key'), sql<string>`response_body`.as('text'), 'claim_id', 'target_type', 'target_id'])
          .where('claim_id', '>', after)
          .where(sql<boolean>`lower(response_body) like ${like} escape '\\'`)
          .orderBy('claim_id')
          .limit(PAGE)
          .execute(),
      scope.email,
    )) {
      if (!inScope(key)) continue;
      // The answer's `invites[].email` is never null: an erased address stands in.
      const scrubbed = scrubJson(key.text, scope.email, `erased@${ERASED_DOMAIN}`);
      if (scrubbed !== null) await trx.updateTable('idempotency_keys').set({ response_body: scrubbed }).where('claim_id', '=', key.claim_id).execute();
    }

    const counts: PrivacyErasure['erased'] = {
      directoryContacts: contacts.length + pushed.length,
      csvRows,
      invites: invites.length,
      members: members.length,
      mail,
      events,
      imports: imports.size,
    };
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    // The searches kept of these directories and targets named, counted or offered this person.
    await directoryChanged(trx, ...contacts.map((c) => c.connection));
    await seatsChanged(
      trx,
      ...invites.map((i) => ({ type: i.target_type, id: i.target_id })),
      ...members.map((m) => ({ type: m.target_type, id: m.target_id })),
    );
    await recordAudit(trx, { action: 'erase', actor: 'api', target: auditTarget(person), subject: erasureId, count: total, at: now });
    return counts;
  });
  return { erasureId, erased };
}
