/**
 * The outbox worker: sends the invite mail that imports and resends queue in the `outbox` table,
 * in the same transaction as the invites, so "invited" and "mail queued" never disagree.
 *
 * A row moves queued → sending → sent, or back to queued with a backoff, or to failed (a
 * permanent SMTP rejection, or `maxAttempts` used up); revoke and resend move unsent rows to
 * cancelled. The worker keeps no state of its own: any number of workers (processes, replicas)
 * can run against one database, because a row is claimed by a guarded UPDATE that only one of
 * them can win, and a claim is a lease (`next_attempt_at` of a `sending` row) so the rows of a
 * worker that died mid-send are picked up again once the lease runs out.
 *
 * Delivery is at-least-once at the SMTP boundary, not exactly-once. Accepting a message (the
 * server's 250 after DATA) happens on the SMTP server and marking the row sent happens in our
 * database; no transaction spans both, so a crash, a lost connection or a database error between
 * the two leaves a message that was accepted but not recorded, and the only safe recovery is to
 * send it again (losing an invite is worse than a second copy). What makes a duplicate unlikely:
 * the row is marked sent the moment the server accepts, the lease (5 min) is longer than the
 * longest send (the SMTP transport aborts after 60 s), so a slow send is never taken over by
 * another worker, and each message carries a Message-ID derived from the outbox row id, so a
 * copy sent twice carries the same id and mail systems and readers can recognise it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/connect.js';
import type { OutboxPayload } from '../db/outbox.js';
import { isLapsed } from '../db/invites.js';
import { claimLeased, type LeasedQueue } from '../db/lease.js';
import type { Logger } from '../logger.js';
import { writeTransaction } from '../db/connect.js';
import { INVITE_EVENT_COLUMNS, inviteEvent, recordEvent } from '../webhooks/events.js';
import { MailSendError, type MailMessage, type MailTransport } from './transport.js';
import { inviteHtml } from './invite-html.js';
import { renderInvite } from '../services/message.js';
import { plainText } from '../text.js';

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  transport: MailTransport;
  /** The From: of every message, e.g. `hr-import <no-reply@example.com>`. */
  from: string;
  now?: () => Date;
  logger: Logger;
  /**
   * Rows claimed, and sent in parallel, per run; in the background loop, the most sends at once.
   * Each send holds its slot only until its own deadline (the transport's), never the others'.
   */
  batchSize?: number;
  /** How long a claim holds; must exceed the transport's longest send. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Jitter source, [0, 1). */
  random?: () => number;
}

export interface OutboxWorker {
  /** Claims the rows due now and sends them; `failed` counts failed sends, retried or not. */
  runOnce(): Promise<{ sent: number; failed: number }>;
  start(intervalMs: number): void;
  /** Stops the loop and waits for the sends in flight. */
  stop(): Promise<void>;
}

interface Claimed {
  id: string;
  invite_id: string;
  attempts: number;
  payload: string | null;
}

/** Queued rows wait for `next_attempt_at`; a claimed row is `sending` until its lease runs out. */
const OUTBOX_QUEUE: LeasedQueue<Claimed> = {
  table: 'outbox',
  key: ['id'],
  waiting: 'queued',
  leased: 'sending',
  returning: ['id', 'invite_id', 'attempts', 'payload'],
};

const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * 30 s × 2^(attempts−1), capped at 1 h, then "equal jitter" (between half and all of it): rows
 * failed together by one outage do not all come back in the same second.
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The Message-ID of an outbox row: the same for every attempt to send it. */
export function messageIdFor(outboxId: string): string {
  return `<${outboxId}@hr-import>`;
}

/**
 * A 5xx answer to the recipient or to the message itself will be the same next time (unknown
 * mailbox, content refused). A 5xx to AUTH, MAIL FROM or the greeting is about our account or
 * our sender, fixed by the operator rather than by the message, so it is retried like an outage.
 */
function isPermanent(err: unknown): boolean {
  if (!(err instanceof MailSendError) || err.responseCode === undefined) return false;
  if (err.responseCode < 500 || err.responseCode > 599) return false;
  return err.command === undefined || err.command === 'RCPT TO' || err.command === 'DATA';
}

/**
 * The reason stored in `last_error`: short, and without addresses or URLs (a server's reply
 * often quotes the recipient; a connection error can quote the SMTP URL with its password).
 */
function describe(err: unknown): string {
  const e = err instanceof MailSendError ? err : null;
  const head = e ? [e.responseCode ?? e.code, e.command && `at ${e.command}`].filter(Boolean).join(' ') : (errorFields(err).code ?? errorFields(err).error);
  return `${head}: ${redact(err instanceof Error ? err.message : String(err))}`.slice(0, 200);
}

const redact = (text: string) =>
  plainText(text)
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/<?[^\s<>@]+@[^\s<>]+>?/g, '<address>');

/**
 * An error for a log line: its class, its code (`ETIMEDOUT`, `EACCES`, nodemailer's `EENVELOPE`)
 * and its message, redacted like `last_error`: an operator sees what failed, never to whom.
 */
export function errorFields(err: unknown): { error: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { error: typeof err, message: redact(String(err)).slice(0, 200) };
  const code = (err as { code?: unknown }).code;
  return { error: err.name, ...(typeof code === 'string' ? { code } : {}), message: redact(err.message).slice(0, 200) };
}

/** A queued mail as it is sent: the transport's message but for what the worker adds. */
export type QueuedMessage = Omit<MailMessage, 'messageId' | 'from'>;

/**
 * The mail an outbox row holds, rendered (null: nothing readable). A payload that cannot be read
 * fails its row; throwing instead would leave the row `sending` until the lease ran out, to be
 * claimed and thrown on again.
 */
export function queuedMessage(payload: string | null): QueuedMessage | null {
  if (!payload) return null;
  try {
    const p = JSON.parse(payload) as (Partial<OutboxPayload> & { subject?: unknown; text?: unknown; html?: unknown; slots?: unknown }) | null;
    if (!p || typeof p.to !== 'string') return null;
    const to = { to: p.to, toName: p.toName ?? null, replyTo: p.replyTo };
    if (p.mail && typeof p.mail === 'object') {
      const { subject, text, html } = renderInvite({ ...p.mail, email: p.to });
      return { ...to, subject, text, html };
    }
    // Queued by an earlier version, rendered then: its HTML part whole, or the template's slots.
    if (typeof p.subject !== 'string' || typeof p.text !== 'string') return null;
    const html = typeof p.html === 'string' ? p.html : p.slots && typeof p.slots === 'object' ? inviteHtml(p.slots as Record<string, string>) : null;
    return html === null ? null : { ...to, subject: p.subject, text: p.text, html };
  } catch {
    return null;
  }
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, dialect, transport, from, logger } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 10;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const random = options.random ?? Math.random;

  /** Due: queued and its time has come, or sending with an expired lease (its worker died). */
  function claim(limit = batchSize): Promise<Claimed[]> {
    return claimLeased(db, dialect, OUTBOX_QUEUE, { at: now(), leaseMs, limit });
  }

  /**
   * Ends a claim we still hold: the row is ours only while it is `sending` at our attempt. A
   * final failure records `invite.delivery_failed` in the same transaction, so the host hears of
   * it exactly when the row says so.
   */
  async function settle(row: Claimed, values: { status: string; next_attempt_at?: string; payload?: null; last_error: string | null; sent_at?: string }) {
    await writeTransaction(db, async (trx) => {
      const settled = await trx
        .updateTable('outbox')
        .set(values)
        .where('id', '=', row.id)
        .where('status', '=', 'sending')
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      if (values.status === 'failed' && Number(settled.numUpdatedRows) === 1) await announce(trx, row, 'invite.delivery_failed', values.last_error);
    });
  }

  /** The invite's event for this row's mail; the invite is read in the caller's transaction. */
  async function announce(trx: Kysely<Database>, row: Claimed, type: 'invite.sent' | 'invite.delivery_failed', reason: string | null) {
    const invite = await trx.selectFrom('invites').select(INVITE_EVENT_COLUMNS).where('id', '=', row.invite_id).executeTakeFirstOrThrow();
    await recordEvent(trx, inviteEvent(type, invite, now(), type === 'invite.delivery_failed' ? { reason: reason ?? 'failed' } : {}));
  }

  /** Mail for an invite revoked, accepted or expired since it was queued would carry a dead link. */
  async function deadInvites(rows: Claimed[]): Promise<Map<string, string>> {
    if (!rows.length) return new Map();
    const invites = await db
      .selectFrom('invites')
      .select(['id', 'status', 'expires_at'])
      .where(
        'id',
        'in',
        rows.map((r) => r.invite_id),
      )
      .execute();
    const at = now();
    const dead = new Map<string, string>();
    for (const i of invites) {
      if (i.status !== 'pending') dead.set(i.id, `invite ${i.status}`);
      else if (isLapsed(i, at)) dead.set(i.id, 'invite expired');
    }
    return dead;
  }

  async function deliver(row: Claimed, dead: Map<string, string>): Promise<'sent' | 'failed' | 'cancelled'> {
    const reason = dead.get(row.invite_id);
    if (reason) {
      await settle(row, { status: 'cancelled', payload: null, last_error: reason });
      return 'cancelled';
    }
    const p = queuedMessage(row.payload);
    if (row.attempts > maxAttempts || !p) {
      // A reclaimed row whose last attempt died mid-send, or a row with nothing to send.
      await settle(row, { status: 'failed', payload: null, last_error: p ? 'attempts exhausted' : 'no readable payload' });
      return 'failed';
    }
    try {
      await transport.send({
        messageId: messageIdFor(row.id),
        from,
        to: p.to,
        toName: p.toName,
        replyTo: p.replyTo,
        subject: p.subject,
        text: p.text,
        html: p.html,
      });
    } catch (err) {
      const final = isPermanent(err) || row.attempts >= maxAttempts;
      const e = err instanceof MailSendError ? err : null;
      logger.warn('outbox send failed', { id: row.id, attempts: row.attempts, ...errorFields(err), responseCode: e?.responseCode, command: e?.command, final });
      // A failed row is not retried by the worker; resend queues a new one with a new token, so
      // the payload (holding the old token) is dropped here as well.
      await settle(
        row,
        final
          ? { status: 'failed', payload: null, last_error: describe(err) }
          : { status: 'queued', next_attempt_at: new Date(now().getTime() + backoffMs(row.attempts, random)).toISOString(), last_error: describe(err) },
      );
      return 'failed';
    }
    // Recorded right after acceptance (the at-least-once window is this one short transaction).
    // Guarded by status only: if our lease ran out and another worker took the row over, the
    // message has still gone, and saying so spares a third copy. `invite.sent` commits with the
    // row, once: only the update that turns it `sent` records it.
    await writeTransaction(db, async (trx) => {
      const sent = await trx
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: now().toISOString(), payload: null, last_error: null })
        .where('id', '=', row.id)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      if (Number(sent.numUpdatedRows) === 1) await announce(trx, row, 'invite.sent', null);
    });
    return 'sent';
  }

  async function runBatch(): Promise<{ claimed: number; sent: number; failed: number }> {
    const rows = await claim();
    if (!rows.length) return { claimed: 0, sent: 0, failed: 0 };
    const dead = await deadInvites(rows);
    const outcomes = await Promise.allSettled(rows.map((row) => deliver(row, dead)));
    const count = (o: string) => outcomes.filter((r) => r.status === 'fulfilled' && r.value === o).length;
    const result = { claimed: rows.length, sent: count('sent'), failed: count('failed') };
    const errors = outcomes.filter((r) => r.status === 'rejected').length;
    // A row whose outcome could not be recorded stays `sending` until its lease runs out.
    const firstError = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (firstError) logger.error('outbox could not record outcomes', { errors, ...errorFields(firstError.reason) });
    logger.info('outbox batch', { ...result, cancelled: count('cancelled') });
    return result;
  }

  /**
   * The background loop keeps up to `batchSize` sends going and tops up free slots every tick,
   * rather than waiting for a whole batch: one hung SMTP transaction holds its own slot until its
   * deadline (the transport's per-message timeout), while mail queued meanwhile goes out at once.
   */
  const sending = new Set<Promise<void>>();
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let claiming: Promise<unknown> | null = null;

  /** Claims as many due rows as there are free slots and starts their sends; true when every slot was filled. */
  async function topUp(): Promise<boolean> {
    const free = batchSize - sending.size;
    if (free <= 0) return false;
    const rows = await claim(free);
    if (!rows.length) return false;
    const dead = await deadInvites(rows);
    for (const row of rows) {
      const send: Promise<void> = deliver(row, dead)
        .then(
          // Failures are logged where they happen (deliver); a cancelled mail is worth a line too.
          (outcome) => (outcome === 'cancelled' ? logger.info('outbox mail cancelled', { id: row.id }) : undefined),
          // A row whose outcome could not be recorded stays `sending` until its lease runs out.
          (err: unknown) => logger.error('outbox could not record an outcome', { id: row.id, ...errorFields(err) }),
        )
        .finally(() => sending.delete(send));
      sending.add(send);
    }
    return rows.length === free;
  }

  return {
    async runOnce() {
      const { sent, failed } = await runBatch();
      return { sent, failed };
    },
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      const tick = async () => {
        let full = false;
        const run = topUp().then(
          (r) => (full = r),
          (err: unknown) => logger.error('outbox run failed', errorFields(err)),
        );
        claiming = run;
        await run;
        claiming = null;
        // Every free slot filled means more are likely due: go on as soon as a slot frees up (a
        // look at the pool costs no query while it is full) rather than a whole tick later.
        if (!stopped) timer = setTimeout(tick, full ? (sending.size < batchSize ? 0 : Math.min(50, intervalMs)) : intervalMs).unref();
      };
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await claiming;
      await Promise.allSettled([...sending]);
    },
  };
}
