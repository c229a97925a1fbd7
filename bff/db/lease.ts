/**
 * Claiming the due rows of a work queue under a lease: the one rule behind the mail outbox
 * (mail/outbox.ts) and the webhook deliveries (webhooks/worker.ts).
 *
 * A queue row waits in one status until its `next_attempt_at`; a claim moves it to the leased
 * status, counts the attempt and sets `next_attempt_at` to the end of the lease. A row is due
 * when it waits and its time has come, or when it is leased and the lease has run out (its
 * worker died mid-send), so no worker keeps state of its own and any number of them can share
 * a database: each row is taken by a statement only one of them can win.
 */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './connect.js';

/** What a claim reads and writes of a queue row; the other columns are the queue's own. */
interface LeaseColumns {
  status: string;
  attempts: number;
  next_attempt_at: string;
}

/**
 * The queues seen through the columns they share. The queue's own columns (its key, the extra
 * conditions of `alsoDue`) are named by the caller, so here they are any column of any table.
 */
type QueueRow = LeaseColumns & Record<string, string | number | null>;
type QueueDatabase = Record<string, QueueRow>;

/** The tables that are queues: those with a status, an attempt count and a next attempt. */
type QueueTable = { [T in keyof Database]: Database[T] extends LeaseColumns ? T : never }[keyof Database];

export interface LeasedQueue<Row> {
  table: QueueTable;
  /** The columns that name one row. */
  key: readonly (keyof Row & string)[];
  /** The status a row waits in for its `next_attempt_at`. */
  waiting: string;
  /** The status of a row a claim holds; its `next_attempt_at` is then the end of the lease. */
  leased: string;
  /** The columns a claim returns: the key and what the worker needs to do the work. */
  returning: readonly (keyof Row & string)[];
  /** More conditions a due row (aliased `d`) must meet, e.g. the webhooks' per-target order. */
  alsoDue?: (eb: ExpressionBuilder<QueueDatabase, 'd'>) => Expression<SqlBool>;
  /** Breaks ties among rows due at the same time (after `next_attempt_at`, oldest first). */
  thenBy?: string;
}

/**
 * Claims up to `limit` due rows of `queue` for `leaseMs` from `at`, oldest due first, and returns
 * them with their attempt counted. Rows another worker claimed meanwhile are left to it.
 */
export async function claimLeased<Row>(
  db: Kysely<Database>,
  dialect: Dialect,
  queue: LeasedQueue<Row>,
  claim: { at: Date; leaseMs: number; limit: number },
): Promise<Row[]> {
  // The queues share only the lease's columns, which Kysely cannot see through a table name
  // chosen at run time: this module reads the database through QueueDatabase.
  const q = db as unknown as Kysely<QueueDatabase>;
  const { table, waiting, leased } = queue;
  const key: readonly string[] = queue.key;
  const nowIso = claim.at.toISOString();
  const leaseUntil = new Date(claim.at.getTime() + claim.leaseMs).toISOString();
  let due = q.selectFrom(`${table} as d`).where('d.status', 'in', [waiting, leased]).where('d.next_attempt_at', '<=', nowIso).orderBy('d.next_attempt_at');
  if (queue.alsoDue) due = due.where(queue.alsoDue);
  if (queue.thenBy) due = due.orderBy(`d.${queue.thenBy}`);
  due = due.limit(claim.limit);
  const take = { status: leased, next_attempt_at: leaseUntil };

  if (dialect === 'postgres') {
    // One statement: the CTE locks up to `limit` due rows, skipping rows another worker has
    // locked, and the UPDATE takes them. The lock is re-checked against the row's latest
    // version, so a row claimed and committed by another worker meanwhile is not due any more.
    let update = q
      .with('due', () =>
        due
          .select(key.map((k) => `d.${k}` as const))
          .forUpdate()
          .skipLocked(),
      )
      .updateTable(table)
      .from('due')
      .set((eb) => ({ ...take, attempts: eb(`${table}.attempts`, '+', 1) }));
    for (const k of key) update = update.whereRef(`${table}.${k}`, '=', `due.${k}`);
    const rows = await update.returning(queue.returning.map((c) => `${table}.${c}` as const)).execute();
    return rows as Row[];
  }
  // SQLite: one writer at a time, no row locks. Each candidate is taken by an UPDATE guarded by
  // the state it was read in; another connection that got there first changed that state, so
  // this UPDATE matches nothing and the row is left to the winner.
  const candidates = (await due.select([...key.map((k) => `d.${k}` as const), 'd.status', 'd.next_attempt_at', 'd.attempts']).execute()) as QueueRow[];
  const claimed: Row[] = [];
  for (const c of candidates) {
    let update = q
      .updateTable(table)
      .set((eb) => ({ ...take, attempts: eb('attempts', '+', 1) }))
      .where('status', '=', c.status)
      .where('next_attempt_at', '=', c.next_attempt_at)
      .where('attempts', '=', c.attempts);
    for (const k of key) update = update.where(k, '=', c[k]!);
    const row = await update.returning([...queue.returning]).executeTakeFirst();
    if (row) claimed.push(row as Row);
  }
  return claimed;
}
