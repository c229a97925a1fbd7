/**
 * Events for the host's backend: what happened after an import (mail sent or failed, invite
 * accepted, reminded, expired, revoked). Each is written by `recordEvents` inside the transaction of the
 * change it describes, so an event exists if and only if its change committed; a crash after
 * the commit loses nothing, because delivery (bff/webhooks/worker.ts) and the poll
 * (GET /api/events) both read this table.
 *
 * Delivery rows are not written here: the webhook worker derives them from `events` for the
 * endpoints configured where it runs. The services that change invites then need to know
 * nothing of webhook settings, and an endpoint added, removed or given a new secret takes effect
 * with the worker's configuration alone.
 *
 * `seq` comes from the one `event_sequence` row, updated as the last statement of the writing
 * transaction. Its row lock (PostgreSQL; on SQLite the database's write lock) is held until
 * commit, so transactions that record events commit in `seq` order and a rolled-back one gives
 * its numbers back: a reader that has seen `seq` n has seen every event before it, which is what
 * `after=` paging and the worker's per-endpoint cursor rely on. The price is that such
 * transactions serialize for the moment of their commit; taking the row last keeps it short.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Invite } from '../db/schema.js';
import { dialectOf, writeTransaction } from '../db/connect.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { lapsedInvite } from '../db/invites.js';
import type { TargetType } from '../../contract/common.js';
import {
  IMPORT_EVENT_INVITES,
  type Event,
  type EventBody,
  type EventTarget,
  type EventType,
  type ImportEventData,
  type InviteEventData,
  type InviteEventType,
  type MemberEventData,
  type SyncEventData,
} from '../../contract/events.js';

export {
  EVENT_TYPES,
  IMPORT_EVENT_INVITES,
  type Event,
  type EventBody,
  type EventTarget,
  type EventType,
  type ImportEventData,
  type InviteEventData,
} from '../../contract/events.js';

export interface NewEvent {
  type: EventType;
  target: EventTarget;
  data: InviteEventData | ImportEventData | SyncEventData | MemberEventData;
  at: Date;
}

type Q = Kysely<Database> | Transaction<Database>;

/**
 * Writes events in the caller's transaction; call it as the transaction's last statement (see
 * above: the sequence row is locked from here to the commit). Returns their ids.
 */
export async function recordEvents(trx: Q, events: NewEvent[]): Promise<string[]> {
  if (!events.length) return [];
  const rows = events.map((e) => ({
    id: newId('evt'),
    type: e.type,
    target_type: e.target.type,
    target_id: e.target.id,
    payload: JSON.stringify({ type: e.type, timestamp: e.at.toISOString(), data: e.data } satisfies EventBody),
    created_at: e.at.toISOString(),
  }));
  if (dialectOf(trx) === 'postgres') await insertAtOnce(trx, rows);
  else {
    const { value: last } = await trx
      .updateTable('event_sequence')
      .set((eb) => ({ value: eb('value', '+', rows.length) }))
      .where('name', '=', 'events')
      .returning('value')
      .executeTakeFirstOrThrow();
    const first = Number(last) - rows.length + 1;
    // 7 columns a row: 1,000 rows stay well under SQLite's parameter limit.
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .insertInto('events')
        .values(rows.slice(i, i + 1000).map((r, j) => ({ ...r, seq: first + i + j })))
        .execute();
  }
  return rows.map((r) => r.id);
}

/** An event's row before the sequence numbers it. */
type EventRow = Omit<Database['events'], 'seq'>;

/**
 * PostgreSQL: the sequence taken and the events written in one statement. The sequence's row lock
 * is held from that statement to the commit, and every event-writing transaction of every target
 * waits for it: with the update and the insert apart, it was held across two round trips to a
 * busy Node process, and imports by 64 admins to 64 targets queued there (`pg_stat_activity`:
 * waiting on `update event_sequence`), no faster than imports to one target.
 */
async function insertAtOnce(trx: Q, rows: EventRow[]): Promise<void> {
  const column = (name: keyof EventRow) => rows.map((r) => r[name]);
  await sql`with taken as (update event_sequence set value = value + ${rows.length} where name = 'events' returning value)
    insert into events (id, seq, type, target_type, target_id, payload, created_at)
    select e.id, taken.value - ${rows.length} + e.ord, e.type, e.target_type, e.target_id, e.payload, e.created_at
    from taken, unnest(${column('id')}::text[], ${column('type')}::text[], ${column('target_type')}::text[], ${column('target_id')}::text[],
      ${column('payload')}::text[], ${column('created_at')}::text[]) with ordinality as e(id, type, target_type, target_id, payload, created_at, ord)`.execute(
    trx,
  );
}

export async function recordEvent(trx: Q, event: NewEvent): Promise<string> {
  const [id] = await recordEvents(trx, [event]);
  return id!;
}

type InviteFacts = Pick<Invite, 'id' | 'target_type' | 'target_id' | 'email' | 'role' | 'import_id'>;

/** An `invite.*` event from the invite's row. */
export function inviteEvent(type: InviteEventType, invite: InviteFacts, at: Date, extra: Pick<InviteEventData, 'reason' | 'expiresAt'> = {}): NewEvent {
  // Rows hold only target types the contract allows (targets are created through it).
  const target = { type: invite.target_type as TargetType, id: invite.target_id };
  return { type, target, at, data: { target, inviteId: invite.id, email: invite.email, role: invite.role, importId: invite.import_id, ...extra } };
}

export function importCompletedEvent(
  imp: { id: string; target: EventTarget; invited: number; skipped: number },
  /** The import's invites, or at least its first IMPORT_EVENT_INVITES. */
  invites: { id: string; email: string; role: string }[],
  at: Date,
): NewEvent {
  const listed = invites.slice(0, IMPORT_EVENT_INVITES).map((i) => ({ inviteId: i.id, email: i.email, role: i.role }));
  return {
    type: 'import.completed',
    target: imp.target,
    at,
    data: { target: imp.target, importId: imp.id, invited: imp.invited, skipped: imp.skipped, invites: listed, invitesTruncated: imp.invited > listed.length },
  };
}

/** `sync.completed`: a sync rule's run as its report row records it. */
export function syncCompletedEvent(data: Omit<SyncEventData, 'target'>, target: EventTarget, at: Date): NewEvent {
  return { type: 'sync.completed', target, at, data: { target, ...data } };
}

/** `member.left_hr` or `member.role_changed`. */
export function memberEvent(type: 'member.left_hr' | 'member.role_changed', data: Omit<MemberEventData, 'target'>, target: EventTarget, at: Date): NewEvent {
  return { type, target, at, data: { target, ...data } };
}

/** Invite columns an event needs, for callers that read the row for it. */
export const INVITE_EVENT_COLUMNS = ['id', 'target_type', 'target_id', 'email', 'role', 'import_id'] as const;

/**
 * Pending invites whose expiry has passed and has not been announced: marks each and records its
 * `invite.expired`, in one transaction, at most `limit` a call. The mark is per expiry (a resend
 * clears it), so an invite expires once for each time it was sent. The status stays `pending`,
 * as it always has for an invite past its expiry (services/invites.ts `effectiveStatus`).
 */
export async function sweepExpiredInvites(db: Kysely<Database>, now: Date, limit = 500): Promise<number> {
  const iso = now.toISOString();
  // Read first: the sweep runs every second, and on SQLite a write transaction takes the
  // database's one write lock even when nothing has expired.
  const any = await db.selectFrom('invites').select('id').where(lapsedInvite(now)).where('expiry_recorded_at', 'is', null).limit(1).executeTakeFirst();
  if (!any) return 0;
  return writeTransaction(db, async (trx) => {
    const due = trx.selectFrom('invites').select('id').where(lapsedInvite(now)).where('expiry_recorded_at', 'is', null).orderBy('expires_at').limit(limit);
    // Several replicas sweep at once: each takes rows the others have not locked.
    const picked = dialectOf(trx) === 'postgres' ? due.forUpdate().skipLocked() : due;
    const expired = await trx
      .updateTable('invites')
      .set({ expiry_recorded_at: iso })
      .where('id', 'in', picked)
      // Checked again on the row itself: an accept, revoke or resend may have come first.
      .where(lapsedInvite(now))
      .where('expiry_recorded_at', 'is', null)
      .returning([...INVITE_EVENT_COLUMNS, 'expires_at'])
      .execute();
    // In expiry order, so a target's events keep the order the invites expired in.
    expired.sort((a, b) => a.expires_at.localeCompare(b.expires_at) || a.id.localeCompare(b.id));
    await recordEvents(
      trx,
      expired.map((i) => inviteEvent('invite.expired', i, now, { expiresAt: i.expires_at })),
    );
    return expired.length;
  });
}

/** An event as GET /api/events lists it: the delivered body and its `webhook-id`. */
export type EventItem = Event;

/**
 * Events after the one with id `after` (the start when absent), in sequence order, which is
 * commit order: a poller that stores `next` and asks again never misses one. `next` is the last
 * listed id, or `after` itself when nothing new has happened.
 */
export async function listEvents(db: Q, after: string | undefined, limit: number): Promise<{ items: EventItem[]; next: string | null }> {
  let from = 0;
  if (after) {
    const row = await db.selectFrom('events').select('seq').where('id', '=', after).executeTakeFirst();
    if (!row) throw new AppError(400, 'invalid_cursor', 'after must be the id of an event this server listed.');
    from = Number(row.seq);
  }
  const rows = await db.selectFrom('events').select(['id', 'payload']).where('seq', '>', from).orderBy('seq').limit(limit).execute();
  const items = rows.map((r) => ({ id: r.id, ...(JSON.parse(r.payload) as EventBody) }));
  return { items, next: items[items.length - 1]?.id ?? after ?? null };
}
