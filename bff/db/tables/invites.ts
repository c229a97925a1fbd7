/** Targets, their members and invites, and the imports that write them. Column types as bff/db/schema.ts says. */
import type { Generated } from 'kysely';

export interface TargetTable {
  type: string;
  id: string;
  name: string;
  organization_id: string | null;
  seat_limit: number;
  /** JSON array of `{ id, label }`. */
  roles: string;
  default_role: string;
  /** Days before an invite expires that its reminder goes (0: none); null: the deployment's `reminderDaysBeforeExpiry`. */
  reminder_days: number | null;
  created_at: string;
  updated_at: string;
}

export interface MemberTable {
  target_type: string;
  target_id: string;
  /** Normalized email: the key that says "this person is already in". */
  email: string;
  external_id: string | null;
  name: string | null;
  role: string;
  created_at: string;
}

export interface InviteTable {
  id: string;
  target_type: string;
  target_id: string;
  import_id: string | null;
  provider: string | null;
  contact_id: string | null;
  /** As the provider gave it, for the email's To: line. */
  email: string;
  email_normalized: string;
  name: string | null;
  first_name: string | null;
  role: string;
  status: string;
  /** SHA-256 of the accept token; the token itself exists only in the email. */
  token_hash: string;
  inviter_id: string;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  /** When `invite.expired` was recorded for the current `expires_at`; a resend clears it. */
  expiry_recorded_at: string | null;
  /** When the one reminder was claimed (services/reminders.ts); never cleared, so it goes at most once. */
  reminded_at: string | null;
  /** A reminder the mail budget refused waits until then. */
  remind_after: string | null;
  /** The language of its mail (an InviteLocale): the widget's at the import; `en` before there was one. */
  locale: Generated<string>;
}

export interface ImportTable {
  id: string;
  target_type: string;
  target_id: string;
  inviter_id: string;
  inviter_name: string;
  inviter_email: string;
  provider: string;
  role: string;
  subject: string;
  body: string;
  invited_count: number;
  skipped_count: number;
  /** The import's Idempotency-Key (a sync rule's run: its own id); its answer is kept in `idempotency_keys`. */
  idempotency_key: string;
  created_at: string;
}

/**
 * An `Idempotency-Key` of POST /api/imports, per inviter and target. `in_flight` is a claim
 * committed before the import's transaction, so every replica sees it; the transaction that
 * writes the import turns it `done` with the answer to replay.
 */
export interface IdempotencyKeyTable {
  target_type: string;
  target_id: string;
  inviter_id: string;
  idempotency_key: string;
  /** SHA-256 of the canonical request body, so a replay with another body is refused. */
  request_hash: string;
  status: 'in_flight' | 'done';
  /** New for every claim: only the current claim may complete or release the key. */
  claim_id: string;
  /** Who holds an `in_flight` claim (host name, process id, process instance), to tell a dead one. */
  holder_host: string | null;
  holder_pid: number | null;
  holder_instance: string | null;
  /** When an `in_flight` claim may be taken over whoever holds it. */
  lease_until: string | null;
  response_status: number | null;
  response_body: string | null;
  /** The key's first use; it expires 24 hours later. */
  created_at: string;
}

/**
 * A target's seats in use as last counted by an import (bff/db/seat-counts.ts), true while the
 * target's seats generation (`answer_generations`) is still `generation` and no live invite has
 * expired (until `valid_until`).
 */
export interface SeatCountTable {
  /** `seats:<target type>:<target id>`, as in `answer_generations`. */
  scope: string;
  generation: number;
  used: number;
  /** The earliest expiry among the live invites counted; null when none was live. */
  valid_until: string | null;
}
