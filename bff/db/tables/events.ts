/** What the BFF sends and records: invite mail, the audit log, events for the host and their webhooks, the readiness probe. Column types as bff/db/schema.ts says. */
export interface OutboxTable {
  id: string;
  invite_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** The mail as db/outbox.ts's OutboxPayload says (recipient and what it is made of); cleared once sent. */
  payload: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** One import, accept, resend or revoke: ids and counts only. */
export interface AuditEventTable {
  id: string;
  at: string;
  /** `import`, `accept`, `resend`, `remind` or `revoke` (and a person's `erase` or `export`). */
  action: string;
  /** The inviter's id (a reminder's too: it is their invitation), or `invitee` for an accept. */
  actor: string;
  target_type: string;
  target_id: string;
  /** The import's or the invite's id. */
  subject: string;
  /** People the action touched. */
  count: number;
}

/** Mails (invitations, resends, reminders) a target or an inviter sent in one UTC hour: the daily budgets' sums (services/mail-limits.ts). */
export interface MailCountTable {
  /** `target:<type>/<id>` or `inviter:<id>`. */
  scope: string;
  /** The hour as the first 13 characters of an ISO timestamp: `2026-12-03T14`. */
  hour: string;
  count: number;
}

/** One row, rewritten by the readiness check (`GET /api/health`) to prove the database takes writes. */
export interface HealthProbeTable {
  id: string;
  checked_at: string;
}

/** An event for the host's backend (bff/webhooks/events.ts), written with the change it describes. */
export interface EventTable {
  /** `evt_…`, sent as `webhook-id`. */
  id: string;
  /** Commit order, without gaps: `after=` paging and per-target delivery order follow it. */
  seq: number;
  type: string;
  target_type: string;
  target_id: string;
  /** The JSON body `{ type, timestamp, data }`, sent as is. */
  payload: string;
  created_at: string;
}

/** One row, `events`: the last `seq` handed out. */
export interface EventSequenceTable {
  name: string;
  value: number;
}

/** A configured webhook endpoint, by a digest of its URL: events after `cursor` have no delivery row yet. */
export interface WebhookEndpointTable {
  endpoint: string;
  cursor: number;
  created_at: string;
}

/** One event to one endpoint: pending → delivering (a leased claim) → delivered, or failed after 3 days. */
export interface WebhookDeliveryTable {
  endpoint: string;
  event_id: string;
  seq: number;
  target_type: string;
  target_id: string;
  status: 'pending' | 'delivering' | 'delivered' | 'failed';
  attempts: number;
  /** When `pending`: the next attempt; when `delivering`: the end of the claim's lease. */
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}
