/**
 * POST /api/imports: turns a selection into invites in one transaction. Within it the seats are
 * counted again, so an import either fits the plan's user limit whole or writes nothing.
 */
import type { Kysely } from 'kysely';
import type { Database, NewInvite, Target } from '../db/schema.js';
import type { ImportRequest, ImportResult, InviteLocale, Seats, SkipReason, TargetType } from '../../contract/index.js';
import { IMPORT_RESULT_INVITES } from '../../contract/index.js';
import type { Session } from '../auth/session-token.js';
import { writeTransaction } from '../db/connect.js';
import { insertRows } from '../db/insert-rows.js';
import { AppError } from '../errors.js';
import { countSeats, lockTarget, roleLabels, seatsHeldAmong, seatsOf, targetRoles } from './targets.js';
import { inviteExpiry } from '../db/invites.js';
import { enqueueInviteMail, type InviteMail } from '../db/outbox.js';
import { completeKey, requestHash, withIdempotencyKey, type Claim, type KeyedResponse, type KeyScope } from './idempotency.js';
import { resolveSelection, type SelectedContact } from './directory/queries.js';
import { recordAudit } from './audit.js';
import { checkMailBudget, type MailLimits } from './mail-limits.js';
import { queuedInvite } from './message.js';
import { firstNameOf } from '../../widget/src/model/message.js';
import { isValidEmail } from '../text.js';
import { IMPORT_EVENT_INVITES, importCompletedEvent, recordEvent, type NewEvent } from '../webhooks/events.js';
import { acceptLink, newId, newInviteToken } from '../ids.js';
import { seatsChanged, seatsScope } from '../db/answer-generations.js';
import { keepSeatsInUse, seatsInUse } from '../db/seat-counts.js';

// Rows per INSERT: 1,000 invites × 18 columns = 18,000 parameters, under SQLite's 32,766 and
// PostgreSQL's 65,535; bigger batches mean fewer statements to prepare (measured in bench/).
const BATCH = 1000;

export interface ImportDeps {
  db: Kysely<Database>;
  now: () => Date;
  acceptUrl: string;
  inviteTtlDays: number;
  /** The cache key of the directory the selection is resolved from: the connection the admin browsed. */
  cacheKey: string;
  mailLimits: MailLimits;
}

/** A person an import (or a sync rule's run) is about to invite, with their role. */
export interface Invitee {
  contact: SelectedContact;
  email: string;
  role: string;
}

/**
 * Who of `contacts` gets an invite and who is skipped, and why: the one set of skip reasons an
 * import and a sync rule share. Call it under the target's lock (lockTarget), so what it finds
 * already invited stays true until the invites are written.
 */
export async function sortInvitees(
  trx: Kysely<Database>,
  target: Target,
  contacts: SelectedContact[],
  roleOf: (c: SelectedContact) => string,
  now: Date,
): Promise<{ toInvite: Invitee[]; skipped: { contact: SelectedContact; reason: SkipReason }[] }> {
  const candidateEmails = [...new Set(contacts.flatMap((c) => (c.email_normalized ? [c.email_normalized] : [])))];
  const existing = await seatsHeldAmong(trx, target, candidateEmails, now);
  const skipped: { contact: SelectedContact; reason: SkipReason }[] = [];
  const toInvite: Invitee[] = [];
  const seen = new Set<string>();
  for (const c of contacts) {
    const email = c.email_normalized;
    if (!email) skipped.push({ contact: c, reason: 'no_email' });
    else if (!isValidEmail(email)) skipped.push({ contact: c, reason: 'invalid_email' });
    else if (seen.has(email)) skipped.push({ contact: c, reason: 'duplicate' });
    else if (existing.get(email) === 'member') skipped.push({ contact: c, reason: 'already_member' });
    else if (existing.get(email) === 'invited') skipped.push({ contact: c, reason: 'already_invited' });
    else {
      seen.add(email);
      toInvite.push({ contact: c, email, role: roleOf(c) });
    }
  }
  return { toInvite, skipped };
}

export interface Inviter {
  id: string;
  name: string;
  email: string;
}

/** What an import row records besides its invites. */
export interface InviteBatch {
  target: Target;
  inviter: Inviter;
  provider: string;
  /** The import's role (each invite may have its own). */
  role: string;
  message: { subject: string; body: string };
  /** The language of the mail, the accept page's default, the reminder's and any resend's. */
  locale: InviteLocale;
  people: Invitee[];
  skippedCount: number;
  /** The import's idempotency key; a sync rule's run uses its own ids. */
  key: string;
}

export type InviteDeps = Pick<ImportDeps, 'now' | 'acceptUrl' | 'inviteTtlDays'>;

/**
 * Writes an import: its row, the audit entry, each invite and its mail in the outbox. Seats and
 * the mail budget are the caller's to check first, under the target's lock. Returns the events to
 * record as the transaction's last statement (`import.completed`), the invites written, when they
 * expire, and the target's seats generation the write raised.
 */
export async function writeInvites(
  trx: Kysely<Database>,
  deps: InviteDeps,
  batch: InviteBatch,
): Promise<{
  importId: string;
  invites: { id: string; email: string; role: string; contactId: string | null }[];
  expiresAt: string;
  seatsGeneration: number;
  event: NewEvent;
}> {
  const { target, inviter } = batch;
  const now = deps.now();
  const importId = newId('imp');
  const ref = { type: target.type as TargetType, id: target.id };
  await trx
    .insertInto('imports')
    .values({
      id: importId,
      target_type: target.type,
      target_id: target.id,
      inviter_id: inviter.id,
      inviter_name: inviter.name,
      inviter_email: inviter.email,
      provider: batch.provider,
      role: batch.role,
      subject: batch.message.subject,
      body: batch.message.body,
      invited_count: batch.people.length,
      skipped_count: batch.skippedCount,
      idempotency_key: batch.key,
      created_at: now.toISOString(),
    })
    .execute();
  await recordAudit(trx, { action: 'import', actor: inviter.id, target: ref, subject: importId, count: batch.people.length, at: now });

  const expiresAt = inviteExpiry(now, deps.inviteTtlDays);
  const labelOf = roleLabels(target, batch.locale);
  const written: { id: string; email: string; role: string; contactId: string | null }[] = [];
  for (let i = 0; i < batch.people.length; i += BATCH) {
    const invites: NewInvite[] = [];
    const mails: InviteMail[] = [];
    for (const { contact, email, role } of batch.people.slice(i, i + BATCH)) {
      const id = newId('inv');
      const { token, hash: tokenHash } = newInviteToken();
      const firstName = firstNameOf(contact.first_name, contact.display_name);
      invites.push({
        id,
        target_type: target.type,
        target_id: target.id,
        import_id: importId,
        provider: batch.provider,
        contact_id: contact.contact_id,
        email: contact.email!.trim(),
        email_normalized: email,
        name: contact.display_name,
        first_name: contact.first_name,
        role,
        status: 'pending',
        token_hash: tokenHash,
        inviter_id: inviter.id,
        expires_at: expiresAt,
        created_at: now.toISOString(),
        accepted_at: null,
        revoked_at: null,
        locale: batch.locale,
      });
      const mail = queuedInvite(
        { to: contact.email!.trim(), toName: contact.display_name, replyTo: inviter.email },
        {
          kind: 'invite',
          locale: batch.locale,
          subject: batch.message.subject,
          body: batch.message.body,
          values: { firstName, targetName: target.name, inviterName: inviter.name, acceptUrl: acceptLink(deps.acceptUrl, token) },
          inviterName: inviter.name,
          targetType: target.type as TargetType,
          roleLabel: labelOf(role),
          expiresAt,
        },
      );
      // The outbox row is the only place the token exists until the mail is sent.
      mails.push({ inviteId: id, payload: mail });
    }
    await insertRows(trx, 'invites', Object.keys(invites[0]!) as (keyof NewInvite & string)[], invites, { perStatement: BATCH });
    await enqueueInviteMail(trx, mails, now);
    for (const i of invites) written.push({ id: i.id!, email: i.email!, role: i.role!, contactId: i.contact_id ?? null });
  }
  const generations = await seatsChanged(trx, target);
  const event = importCompletedEvent(
    { id: importId, target: ref, invited: batch.people.length, skipped: batch.skippedCount },
    written.slice(0, IMPORT_EVENT_INVITES),
    now,
  );
  return { importId, invites: written, expiresAt, seatsGeneration: generations.get(seatsScope(target))!, event };
}

/** The invited people an import's answer names: the first IMPORT_RESULT_INVITES. */
const namedInvites = (people: readonly Invitee[]): ImportResult['invites'] =>
  people
    .slice(0, IMPORT_RESULT_INVITES)
    .map(({ contact, role }) => ({ contactId: contact.contact_id, name: contact.display_name, email: contact.email!.trim(), role }));

/** How many were invited as each role, in the target's order of roles. */
function roleCounts(target: Target, people: readonly Invitee[]): ImportResult['roles'] {
  const counts = new Map<string, number>();
  for (const { role } of people) counts.set(role, (counts.get(role) ?? 0) + 1);
  return targetRoles(target).flatMap(({ id }) => (counts.has(id) ? [{ role: id, count: counts.get(id)! }] : []));
}

/** Keys are the inviter's own, per target: two admins may happen to pick the same one. */
export function importKeyScope(session: Session, idempotencyKey: string): KeyScope {
  return { targetType: session.target.type, targetId: session.target.id, inviterId: session.inviter.id, key: idempotencyKey };
}

/**
 * Runs an import once per Idempotency-Key (services/idempotency.ts): its answer, 201 or a
 * refusal, is stored with the key and replayed for the same key and body.
 */
export async function createImport(deps: ImportDeps, session: Session, request: ImportRequest, idempotencyKey: string): Promise<KeyedResponse> {
  const scope = importKeyScope(session, idempotencyKey);
  const hash = requestHash(request);
  return withIdempotencyKey(deps.db, deps.now, scope, hash, (claim) => writeImport(deps, session, request, claim));
}

async function writeImport(deps: ImportDeps, session: Session, request: ImportRequest, claim: Claim): Promise<{ status: 201; body: ImportResult }> {
  return writeTransaction(deps.db, async (trx) => {
    // The selected people are the directory's, which the target's lock does not guard: read
    // before it, so that the imports queued behind this one do not wait on that read too.
    const { contacts, missing } = await resolveSelection(trx, deps.cacheKey, request.selection);
    // Concurrent imports to one target queue here, so the seats counted below stay true until commit.
    const target = await lockTarget(trx, session.target);

    const roles = new Set(targetRoles(target).map((r) => r.id));
    const badRole = [request.role, ...Object.values(request.roles ?? {})].find((r) => !roles.has(r));
    if (badRole) throw new AppError(400, 'invalid_role', `"${badRole}" is not a role of this ${target.type}; use one of: ${[...roles].join(', ')}.`);

    const now = deps.now();
    const sorted = await sortInvitees(trx, target, contacts, (c) => request.roles?.[c.contact_id] ?? request.role, now);
    const toInvite = sorted.toInvite;
    const skipped: ImportResult['skipped'] = [
      ...missing.map((contactId) => ({ contactId, email: null, reason: 'not_found' as const })),
      ...sorted.skipped.map(({ contact, reason }) => ({ contactId: contact.contact_id, email: contact.email, reason })),
    ];

    // The count the last import kept, while it holds (db/seat-counts.ts); else counted here.
    const inUse = await seatsInUse(trx, target, now, async () => (await countSeats(trx, target, now)).used);
    const seatsBefore = seatsOf(target, inUse.used);
    if (toInvite.length > seatsBefore.remaining) {
      throw new AppError(
        409,
        'seat_limit_exceeded',
        `This import would invite ${toInvite.length} ${toInvite.length === 1 ? 'person' : 'people'} but the plan's user limit leaves ${seatsBefore.remaining} seat${seatsBefore.remaining === 1 ? '' : 's'}; nothing was imported.`,
        { seats: seatsBefore, requested: toInvite.length },
      );
    }

    // Each invitation is a mail: an import larger than the day's budget is refused whole.
    await checkMailBudget(trx, deps.mailLimits, session.target, session.inviter.id, toInvite.length, now);

    const seats: Seats = { limit: seatsBefore.limit, used: seatsBefore.used + toInvite.length, remaining: seatsBefore.remaining - toInvite.length };
    const { importId, expiresAt, seatsGeneration, event } = await writeInvites(trx, deps, {
      target,
      inviter: session.inviter,
      provider: request.provider,
      role: request.role,
      message: request.message,
      locale: request.locale ?? 'en',
      people: toInvite,
      skippedCount: skipped.length,
      key: claim.scope.key,
    });
    await keepSeatsInUse(trx, target, inUse, { used: seats.used, generation: seatsGeneration, expiresAt: toInvite.length ? expiresAt : null });
    const body: ImportResult = { id: importId, invited: toInvite.length, invites: namedInvites(toInvite), roles: roleCounts(target, toInvite), skipped, seats };
    // The answer commits with the import, or neither does.
    await completeKey(trx, claim, { status: 201, body });
    // Last: it holds the event sequence until commit (webhooks/events.ts).
    await recordEvent(trx, event);
    return { status: 201 as const, body };
  });
}
