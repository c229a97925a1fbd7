/** Targets (organization, lab, challenge), their roles, members and seats. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Target } from '../db/schema.js';
import type { InviteLocale, MemberSyncResult, Role, Seats, TargetType } from '../../contract/index.js';
import { AppError } from '../errors.js';
import { dialectOf, writeTransaction } from '../db/connect.js';
import { normalizeEmail } from '../text.js';
import { pendingInvites } from '../db/invites.js';
import { seatsChanged } from '../db/answer-generations.js';

type Q = Kysely<Database> | Transaction<Database>;

/** Roles a target offers when the host has not configured its own. */
export const DEFAULT_ROLES: Record<TargetType, { roles: Role[]; defaultRole: string }> = {
  organization: {
    roles: [
      { id: 'admin', label: 'Admin', labels: { de: 'Admin', fr: 'Administrateur', es: 'Administrador' } },
      { id: 'user', label: 'User', labels: { de: 'Benutzer', fr: 'Utilisateur', es: 'Usuario' } },
    ],
    defaultRole: 'user',
  },
  lab: {
    roles: [
      { id: 'manager', label: 'Lab manager', labels: { de: 'Lab-Leitung', fr: 'Responsable du lab', es: 'Responsable del laboratorio' } },
      { id: 'user', label: 'User', labels: { de: 'Benutzer', fr: 'Utilisateur', es: 'Usuario' } },
    ],
    defaultRole: 'user',
  },
  challenge: {
    roles: [
      { id: 'judge', label: 'Judge', labels: { de: 'Jury', fr: 'Juré', es: 'Jurado' } },
      { id: 'user', label: 'User', labels: { de: 'Benutzer', fr: 'Utilisateur', es: 'Usuario' } },
    ],
    defaultRole: 'user',
  },
};

export interface TargetRef {
  type: TargetType;
  id: string;
}

export const getTarget = (db: Q, ref: TargetRef): Promise<Target> => readTarget(db, ref, false);

/** The target's row, locked to the end of the transaction on PostgreSQL when asked (`lockTarget`). */
async function readTarget(db: Q, ref: TargetRef, lock: boolean): Promise<Target> {
  let query = db.selectFrom('targets').selectAll().where('type', '=', ref.type).where('id', '=', ref.id);
  if (lock && dialectOf(db) === 'postgres') query = query.forUpdate();
  const target = await query.executeTakeFirst();
  if (!target) throw targetNotFound(ref);
  return target;
}

export const targetNotFound = (ref: TargetRef) =>
  new AppError(404, 'target_not_found', `No ${ref.type} with id ${ref.id}; create it with PUT /api/targets/${ref.type}/${ref.id}.`);

export function targetRoles(target: Target): Role[] {
  return JSON.parse(target.roles) as Role[];
}

/**
 * A role as the target names it to people, in their language when the host gave that label; its
 * id when the host has since removed the role.
 */
export function roleLabel(target: Target, roleId: string, locale?: InviteLocale): string {
  return roleLabels(target, locale)(roleId);
}

/** roleLabel for many invites of one target and language: the target's roles read once. */
export function roleLabels(target: Target, locale?: InviteLocale): (roleId: string) => string {
  const labels = new Map(targetRoles(target).map((r) => [r.id, (locale && r.labels?.[locale]) || r.label]));
  return (roleId) => labels.get(roleId) ?? roleId;
}

export async function upsertTarget(
  db: Kysely<Database>,
  ref: TargetRef,
  input: {
    name: string;
    seatLimit: number;
    organizationId?: string | null | undefined;
    roles?: Role[] | undefined;
    defaultRole?: string | undefined;
    reminderDaysBeforeExpiry?: number | null | undefined;
  },
  now: Date,
): Promise<{ target: Target; created: boolean }> {
  // A write transaction, so the read below cannot go stale before the write: SQLite takes its
  // write lock first, PostgreSQL locks the row (and a concurrent first creation becomes an update).
  return writeTransaction(db, async (trx) => {
    let read = trx.selectFrom('targets').selectAll().where('type', '=', ref.type).where('id', '=', ref.id);
    if (dialectOf(trx) === 'postgres') read = read.forUpdate();
    const existing = await read.executeTakeFirst();
    const roles = input.roles ?? (existing ? targetRoles(existing) : DEFAULT_ROLES[ref.type].roles);
    const defaultRole =
      input.defaultRole ??
      (roles.some((r) => r.id === existing?.default_role) ? existing!.default_role : undefined) ??
      (roles.some((r) => r.id === DEFAULT_ROLES[ref.type].defaultRole) ? DEFAULT_ROLES[ref.type].defaultRole : roles[0]!.id);
    const row = {
      name: input.name,
      seat_limit: input.seatLimit,
      organization_id: input.organizationId ?? (ref.type === 'organization' ? ref.id : (existing?.organization_id ?? null)),
      roles: JSON.stringify(roles),
      default_role: defaultRole,
      // Left out: kept as it was; null: back to the deployment's default.
      reminder_days: input.reminderDaysBeforeExpiry === undefined ? (existing?.reminder_days ?? null) : input.reminderDaysBeforeExpiry,
      updated_at: now.toISOString(),
    };
    if (existing) {
      await trx.updateTable('targets').set(row).where('type', '=', ref.type).where('id', '=', ref.id).execute();
    } else {
      await trx
        .insertInto('targets')
        .values({ ...row, type: ref.type, id: ref.id, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['type', 'id']).doUpdateSet(row))
        .execute();
    }
    return { target: await getTarget(trx, ref), created: !existing };
  });
}

/**
 * The target, read inside a write transaction with its row locked on PostgreSQL. Every write
 * that changes a target's seats (import, resend, accept, member sync) takes this lock first, so
 * they run one at a time per target and the seats each counts cannot change before it commits.
 * On SQLite writeTransaction already holds the database's one write lock.
 */
export const lockTarget = (trx: Q, ref: TargetRef): Promise<Target> => readTarget(trx, ref, true);

/**
 * Replaces the target's members with the host's list (the host is the source of truth for
 * membership). Pending invites of people who are now members are marked accepted, so they stop
 * counting twice against the seats.
 */
export async function syncMembers(
  db: Kysely<Database>,
  ref: TargetRef,
  members: { id: string; email: string; name?: string | null | undefined; role?: string | undefined }[],
  now: Date,
): Promise<Omit<MemberSyncResult, 'seats'>> {
  return writeTransaction(db, async (trx) => {
    const target = await lockTarget(trx, ref);
    const byEmail = new Map<string, (typeof members)[number]>();
    for (const m of members) byEmail.set(normalizeEmail(m.email)!, m);
    await trx.deleteFrom('members').where('target_type', '=', ref.type).where('target_id', '=', ref.id).execute();
    const rows = [...byEmail].map(([email, m]) => ({
      target_type: ref.type,
      target_id: ref.id,
      email,
      external_id: m.id,
      name: m.name ?? null,
      role: m.role ?? target.default_role,
      created_at: now.toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('members')
        .values(rows.slice(i, i + 500))
        .execute();
    await trx
      .updateTable('invites')
      .set({ status: 'accepted', accepted_at: now.toISOString() })
      .where('target_type', '=', ref.type)
      .where('target_id', '=', ref.id)
      .where('status', '=', 'pending')
      .where('email_normalized', 'in', trx.selectFrom('members').select('email').where('target_type', '=', ref.type).where('target_id', '=', ref.id))
      .execute();
    await seatsChanged(trx, ref);
    return { members: rows.length };
  });
}

/**
 * The addresses that hold a seat of the target: its members and its pending, unexpired invites,
 * each address once (a member with a stale pending invite is one person).
 */
export function seatHolders(db: Q, target: Target, now: Date) {
  return db
    .selectFrom('members')
    .select('email')
    .where('target_type', '=', target.type)
    .where('target_id', '=', target.id)
    .union(pendingInvites(db, target, now).select('invites.email_normalized as email'));
}

/** Addresses a statement of `seatsHeldAmong` asks about: 10,000 cost 2 round trips, well inside both databases' parameter limits. */
const LOOKUP_CHUNK = 5000;

/**
 * The seat each of `emails` (normalized) holds in the target, if any: a member, or the holder of
 * a pending, unexpired invite; a member who also holds an invite is a member. One read of each
 * table through its `(target, email)` index per 5,000 addresses, in one statement (an import
 * runs it under the target's lock), so the cost follows the addresses, never the target's size.
 */
export async function seatsHeldAmong(db: Q, target: Target, emails: readonly string[], now: Date): Promise<Map<string, 'member' | 'invited'>> {
  const held = new Map<string, 'member' | 'invited'>();
  for (let i = 0; i < emails.length; i += LOOKUP_CHUNK) {
    const chunk = emails.slice(i, i + LOOKUP_CHUNK);
    const rows = await db
      .selectFrom('members')
      .select(['members.email as email', sql<string>`'member'`.as('seat')])
      .where('members.target_type', '=', target.type)
      .where('members.target_id', '=', target.id)
      .where('members.email', 'in', chunk)
      .unionAll(
        pendingInvites(db, target, now)
          .select(['invites.email_normalized as email', sql<string>`'invited'`.as('seat')])
          .where('invites.email_normalized', 'in', chunk),
      )
      .execute();
    for (const r of rows) if (held.get(r.email) !== 'member') held.set(r.email, r.seat === 'member' ? 'member' : 'invited');
  }
  return held;
}

/**
 * Seats used = members + pending, unexpired invites, each person counted once (a member with a
 * stale pending invite is one person).
 */
export async function countSeats(db: Q, target: Target, now: Date): Promise<Seats> {
  const row = await db
    .selectFrom(seatHolders(db, target, now).as('people'))
    .select(sql<number>`count(*)`.as('used'))
    .executeTakeFirstOrThrow();
  return seatsOf(target, Number(row.used));
}

/** The target's seats with `used` of them in use. */
export function seatsOf(target: Target, used: number): Seats {
  return { limit: target.seat_limit, used, remaining: Math.max(0, target.seat_limit - used) };
}
