/**
 * POST /api/imports: turns a selection into invites in one transaction. Within it the seats are
 * counted again, so an import either fits the plan's user limit whole or writes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, NewInvite, Target } from '../db/schema.js';
import type { ImportRequest, ImportResult, Seats, SkipReason, TargetType } from '../contract.js';
import type { Session } from '../auth/session-token.js';
import { writeTransaction } from '../db/connect.js';
import { AppError } from '../errors.js';
import { countSeats, lockTarget, targetRoles } from './targets.js';
import { completeKey, requestHash, withIdempotencyKey, type Claim, type KeyedResponse, type KeyScope } from './idempotency.js';
import { resolveSelection, type SelectedContact } from './directory.js';
import { recordAudit } from './audit.js';
import { checkMailBudget, type MailLimits } from './mail-limits.js';
import { renderInvite } from './message.js';
import { isValidEmail } from './text.js';
import { IMPORT_EVENT_INVITES, importCompletedEvent, recordEvent } from '../webhooks/events.js';

// Rows per INSERT: 1,000 invites × 18 columns = 18,000 parameters, under SQLite's 32,766 and
// PostgreSQL's 65,535; bigger batches mean fewer statements to prepare (measured in bench/).
const BATCH = 1000;
const LOOKUP_CHUNK = 5000;

/**
 * Bytes from the OS CSPRNG, drawn 64 KiB at a time: an import of 10,000 people needs 30,000
 * ids and tokens, and one system call per value was a fifth of its time. Each byte is handed
 * out once (as crypto.randomUUID's own cache does).
 */
const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function secureRandom(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n));
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${secureRandom(15).toString('base64url')}`;
}

export function newInviteToken(): { token: string; hash: string } {
  const token = secureRandom(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function acceptLink(acceptUrl: string, token: string): string {
  return `${acceptUrl}${acceptUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export interface ImportDeps {
  db: Kysely<Database>;
  now: () => Date;
  acceptUrl: string;
  inviteTtlDays: number;
  /** The directory cache the selection is resolved from: the connection the admin browsed. */
  directory: string;
  mailLimits: MailLimits;
}

async function existingEmails(
  trx: Kysely<Database>,
  target: Target,
  emails: string[],
  now: Date,
): Promise<{ members: Set<string>; invited: Set<string> }> {
  const members = new Set<string>();
  const invited = new Set<string>();
  // 5,000 emails a query: 10,000 candidates cost 4 round trips instead of 40, well inside both
  // databases' parameter limits.
  for (let i = 0; i < emails.length; i += LOOKUP_CHUNK) {
    const chunk = emails.slice(i, i + LOOKUP_CHUNK);
    const [m, inv] = await Promise.all([
      trx.selectFrom('members').select('email').where('target_type', '=', target.type).where('target_id', '=', target.id).where('email', 'in', chunk).execute(),
      trx
        .selectFrom('invites')
        .select('email_normalized')
        .where('target_type', '=', target.type)
        .where('target_id', '=', target.id)
        .where('status', '=', 'pending')
        .where('email_normalized', 'in', chunk)
        .where('expires_at', '>', now.toISOString())
        .execute(),
    ]);
    for (const r of m) members.add(r.email);
    for (const r of inv) invited.add(r.email_normalized);
  }
  return { members, invited };
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
  return withIdempotencyKey(deps.db, deps.now, scope, hash, (claim) => writeImport(deps, session, request, claim, hash));
}

async function writeImport(deps: ImportDeps, session: Session, request: ImportRequest, claim: Claim, hash: string): Promise<{ status: 201; body: ImportResult }> {
  return writeTransaction(deps.db, async (trx) => {
    // Concurrent imports to one target queue here, so the seats counted below stay true until commit.
    const target = await lockTarget(trx, session.target);

    const labels = new Map(targetRoles(target).map((r) => [r.id, r.label]));
    const roles = new Set(labels.keys());
    const badRole = [request.role, ...Object.values(request.roles ?? {})].find((r) => !roles.has(r));
    if (badRole) throw new AppError(400, 'invalid_role', `"${badRole}" is not a role of this ${target.type}; use one of: ${[...roles].join(', ')}.`);

    const now = deps.now();
    const { contacts, missing } = await resolveSelection(trx, deps.directory, request.selection);
    const candidateEmails = [...new Set(contacts.flatMap((c) => (c.email_normalized ? [c.email_normalized] : [])))];
    const existing = await existingEmails(trx, target, candidateEmails, now);

    const skipped: ImportResult['skipped'] = missing.map((contactId) => ({ contactId, email: null, reason: 'not_found' as const }));
    const toInvite: { contact: SelectedContact; email: string; role: string }[] = [];
    const seen = new Set<string>();
    const skip = (c: SelectedContact, reason: SkipReason) => skipped.push({ contactId: c.contact_id, email: c.email, reason });
    for (const c of contacts) {
      const email = c.email_normalized;
      if (!email) skip(c, 'no_email');
      else if (!isValidEmail(email)) skip(c, 'invalid_email');
      else if (seen.has(email)) skip(c, 'duplicate');
      else if (existing.members.has(email)) skip(c, 'already_member');
      else if (existing.invited.has(email)) skip(c, 'already_invited');
      else {
        seen.add(email);
        toInvite.push({ contact: c, email, role: request.roles?.[c.contact_id] ?? request.role });
      }
    }

    const seatsBefore = await countSeats(trx, target, now);
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

    const importId = newId('imp');
    const seats: Seats = { limit: seatsBefore.limit, used: seatsBefore.used + toInvite.length, remaining: seatsBefore.remaining - toInvite.length };
    const body: ImportResult = { id: importId, invited: toInvite.length, skipped, seats };
    await trx
      .insertInto('imports')
      .values({
        id: importId,
        target_type: target.type,
        target_id: target.id,
        inviter_id: session.inviter.id,
        inviter_name: session.inviter.name,
        inviter_email: session.inviter.email,
        provider: request.provider,
        role: request.role,
        subject: request.message.subject,
        body: request.message.body,
        invited_count: toInvite.length,
        skipped_count: skipped.length,
        idempotency_key: claim.scope.key,
        request_hash: hash,
        response_status: 201,
        response_body: JSON.stringify(body),
        created_at: now.toISOString(),
      })
      .execute();
    await recordAudit(trx, { action: 'import', actor: session.inviter.id, target: session.target, subject: importId, count: toInvite.length, at: now });

    const expiresAt = new Date(now.getTime() + deps.inviteTtlDays * 86_400_000).toISOString();
    const locale = request.locale ?? 'en';
    const written: { id: string; email: string; role: string }[] = [];
    for (let i = 0; i < toInvite.length; i += BATCH) {
      const invites: NewInvite[] = [];
      const outbox: { id: string; invite_id: string; status: string; attempts: number; next_attempt_at: string; payload: string; last_error: null; created_at: string; sent_at: null }[] = [];
      for (const { contact, email, role } of toInvite.slice(i, i + BATCH)) {
        const id = newId('inv');
        const { token, hash: tokenHash } = newInviteToken();
        const firstName = contact.first_name ?? contact.display_name.split(/\s+/)[0] ?? '';
        invites.push({
          id,
          target_type: target.type,
          target_id: target.id,
          import_id: importId,
          provider: request.provider,
          contact_id: contact.contact_id,
          email: contact.email!.trim(),
          email_normalized: email,
          name: contact.display_name,
          first_name: contact.first_name,
          role,
          status: 'pending',
          token_hash: tokenHash,
          inviter_id: session.inviter.id,
          expires_at: expiresAt,
          created_at: now.toISOString(),
          accepted_at: null,
          revoked_at: null,
          locale,
        });
        const message = renderInvite({
          kind: 'invite',
          locale,
          subject: request.message.subject,
          body: request.message.body,
          values: { firstName, targetName: target.name, inviterName: session.inviter.name, acceptUrl: acceptLink(deps.acceptUrl, token) },
          inviterName: session.inviter.name,
          targetType: target.type as TargetType,
          roleLabel: labels.get(role)!,
          email: contact.email!.trim(),
          expiresAt,
        });
        // The outbox row is the only place the token exists until the mail is sent.
        outbox.push({
          id: newId('msg'),
          invite_id: id,
          status: 'queued',
          attempts: 0,
          next_attempt_at: now.toISOString(),
          payload: JSON.stringify({ to: contact.email!.trim(), toName: contact.display_name, replyTo: session.inviter.email, ...message }),
          last_error: null,
          created_at: now.toISOString(),
          sent_at: null,
        });
      }
      await trx.insertInto('invites').values(invites).execute();
      await trx.insertInto('outbox').values(outbox).execute();
      for (const i of invites) if (written.length < IMPORT_EVENT_INVITES) written.push({ id: i.id!, email: i.email!, role: i.role! });
    }
    // The answer commits with the import, or neither does.
    await completeKey(trx, claim, { status: 201, body });
    // Last: it holds the event sequence until commit (webhooks/events.ts).
    await recordEvent(trx, importCompletedEvent({ id: importId, target: { type: target.type as TargetType, id: target.id }, invited: toInvite.length, skipped: skipped.length }, written, now));
    return { status: 201 as const, body };
  });
}
