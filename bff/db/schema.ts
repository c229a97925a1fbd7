/**
 * The one Kysely `Database` interface. Column types are ones SQLite and PostgreSQL share:
 * text, integer, and ISO-8601 UTC timestamps stored as text (they sort and compare the same
 * on both, and need no driver-specific date handling).
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

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

export interface ProviderConnectionTable {
  id: string;
  provider_id: string;
  /** Whose credentials these are: an organization id, or `*` for the whole deployment. */
  scope: string;
  /** AES-256-GCM ciphertext of the credentials JSON (iv.tag.data, base64url). */
  credentials: string;
  created_at: string;
  updated_at: string;
}

export interface DirectorySyncTable {
  /** `provider:scope`. */
  connection: string;
  status: string;
  fetched: number;
  total: number | null;
  started_at: string | null;
  synced_at: string | null;
  error_code: string | null;
  error_message: string | null;
  /** When a listing last read the directory (at most hourly); the retention worker purges unused ones. */
  used_at: string | null;
  /** Where the next incremental refresh starts (the connector's own format); null: next is full. */
  watermark: string | null;
  /** When the last full refresh finished (ISO): the periodic one that also finds deletions. */
  full_synced_at: string | null;
  /** Incremental refreshes since that full one. */
  incremental_refreshes: Generated<number>;
}

export interface DirectoryContactTable {
  connection: string;
  contact_id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  email: string | null;
  email_normalized: string | null;
  personal_email: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  /** As the provider words it (full-time, contractor…): sync rules scope and assign roles by it. */
  employment_type: string | null;
  manager_id: string | null;
  status: string;
  avatar_url: string | null;
  /** Lowercased, accent-folded name, email, title and department: what search matches. */
  search_text: string;
  /** Lowercased display name: the list's order. */
  sort_name: string;
}

export interface OutboxTable {
  id: string;
  invite_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** The rendered message (to, subject, text, html); cleared once sent. */
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

/** One row, rewritten by the readiness check (`GET /api/health`) to prove the database takes writes. */
export interface HealthProbeTable {
  id: string;
  checked_at: string;
}

/** A CSV file uploaded for one organization's CSV provider, parsed, waiting for its mapping. */
export interface CsvUploadTable {
  id: string;
  provider_id: string;
  /** The organization scope of the session that uploaded it (services/connections.ts). */
  scope: string;
  inviter_id: string;
  delimiter: string;
  /** JSON: the column names, the data rows (string[][]), each row's file line, the ragged rows. */
  columns: string;
  rows: string;
  lines: string;
  ragged: string;
  row_count: number;
  created_at: string;
  expires_at: string;
}

/** A sign-in in flight (OAuth popup): consumed once by the callback. */
export interface OAuthStateTable {
  /** SHA-256 (hex) of the `state` sent to the provider; the value itself is never stored. */
  state_hash: string;
  provider_id: string;
  /** The organization scope the sign-in connects (services/connections.ts). */
  scope: string;
  /** The host page's origin, the only one the callback page posts its result to. */
  origin: string;
  /** The PKCE verifier, sealed (bff/crypto.ts). */
  code_verifier: string;
  expires_at: string;
  created_at: string;
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

/** An organization's SCIM bearer token (services/scim-tokens.ts): its secret only as a digest. */
export interface ScimTokenTable {
  /** The token's public part, `hrscim.<id>.<secret>`. */
  id: string;
  /** The organization scope it writes to (services/connections.ts); one token each. */
  scope: string;
  /** SHA-256 (hex) of the secret part. */
  secret_hash: string;
  created_at: string;
}

/** A user an identity provider pushed over SCIM, mirrored into directory_contacts (services/scim.ts). */
export interface ScimUserTable {
  /** `provider:scope`, the same key as the mirrored directory. */
  connection: string;
  id: string;
  user_name: string;
  user_name_normalized: string;
  external_id: string | null;
  email_normalized: string | null;
  /** 1 or 0. */
  active: number;
  /** The resource as sent (JSON), without id, meta and password. */
  resource: string;
  version: number;
  created_at: string;
  updated_at: string;
}

/** A saved sync rule (issue 17): bff/services/sync/rules.ts. */
export interface SyncRuleTable {
  id: string;
  target_type: string;
  target_id: string;
  provider: string;
  /** The directory cache it reads: `cacheKeyOf(provider, scope)`. */
  connection: string;
  /** JSON: scope, roleRules, defaultRole, message, joiners, leavers. */
  definition: string;
  interval_hours: number;
  paused: number;
  leaver_threshold: number;
  created_by_id: string;
  created_by_name: string;
  created_by_email: string;
  created_at: string;
  updated_at: string;
  next_run_at: string | null;
  lease_until: string | null;
  lease_holder: string | null;
}

export interface SyncRunTable {
  id: string;
  rule_id: string;
  target_type: string;
  target_id: string;
  trigger: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  directory_size: number | null;
  matched: number;
  invited: number;
  joiners: number;
  leavers: number;
  role_changes: number;
  revoked: number;
  /** JSON: `[{ contactId, name, reason }]`, the first 100. */
  skipped: string;
  skipped_count: number;
  error_code: string | null;
  error_message: string | null;
}

export interface SyncUpdateTable {
  id: string;
  rule_id: string;
  run_id: string | null;
  target_type: string;
  target_id: string;
  kind: string;
  contact_id: string | null;
  email: string;
  email_normalized: string;
  name: string | null;
  title: string | null;
  department: string | null;
  membership: string | null;
  role: string | null;
  /** The role held now (the contract's `currentRole`). */
  held_role: string | null;
  reason: string | null;
  status: string;
  fingerprint: string;
  detected_at: string;
  done_at: string | null;
}

export interface SyncLinkTable {
  rule_id: string;
  email_normalized: string;
  contact_id: string;
  /** The HR fields a role rule reads, as the last run saw them; null: work the role out again. */
  facts: string | null;
}

export interface Database {
  targets: TargetTable;
  members: MemberTable;
  invites: InviteTable;
  imports: ImportTable;
  idempotency_keys: IdempotencyKeyTable;
  provider_connections: ProviderConnectionTable;
  directory_syncs: DirectorySyncTable;
  directory_contacts: DirectoryContactTable;
  outbox: OutboxTable;
  audit_events: AuditEventTable;
  health_probes: HealthProbeTable;
  csv_uploads: CsvUploadTable;
  oauth_states: OAuthStateTable;
  events: EventTable;
  event_sequence: EventSequenceTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  scim_tokens: ScimTokenTable;
  scim_users: ScimUserTable;
  sync_rules: SyncRuleTable;
  sync_runs: SyncRunTable;
  sync_updates: SyncUpdateTable;
  sync_links: SyncLinkTable;
}

export type Target = Selectable<TargetTable>;
export type NewTarget = Insertable<TargetTable>;
export type TargetUpdate = Updateable<TargetTable>;
export type Member = Selectable<MemberTable>;
export type Invite = Selectable<InviteTable>;
export type NewInvite = Insertable<InviteTable>;
export type ImportRow = Selectable<ImportTable>;
export type IdempotencyKey = Selectable<IdempotencyKeyTable>;
export type DirectoryContactRow = Selectable<DirectoryContactTable>;
export type NewDirectoryContact = Insertable<DirectoryContactTable>;
export type EventRow = Selectable<EventTable>;
export type WebhookDelivery = Selectable<WebhookDeliveryTable>;
export type ScimUserRow = Selectable<ScimUserTable>;
export type SyncRuleRow = Selectable<SyncRuleTable>;
export type SyncRunRow = Selectable<SyncRunTable>;
export type SyncUpdateRow = Selectable<SyncUpdateTable>;
