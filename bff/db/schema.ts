/**
 * The one Kysely `Database` interface, over the tables in ./tables/. Column types are ones SQLite and PostgreSQL share:
 * text, integer, and ISO-8601 UTC timestamps stored as text (they sort and compare the same
 * on both, and need no driver-specific date handling).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { IdempotencyKeyTable, ImportTable, InviteTable, MemberTable, SeatCountTable, TargetTable } from './tables/invites.js';
import type {
  AnswerGenerationTable,
  CsvUploadTable,
  DirectoryContactTable,
  DirectorySyncTable,
  OAuthStateTable,
  ProviderConnectionTable,
  ScimTokenTable,
  ScimUserTable,
} from './tables/directory.js';
import type {
  AuditEventTable,
  MailCountTable,
  EventSequenceTable,
  EventTable,
  HealthProbeTable,
  OutboxTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
} from './tables/events.js';
import type { SyncLinkTable, SyncRuleTable, SyncRunTable, SyncUpdateTable } from './tables/sync.js';

export interface Database {
  targets: TargetTable;
  members: MemberTable;
  invites: InviteTable;
  imports: ImportTable;
  idempotency_keys: IdempotencyKeyTable;
  provider_connections: ProviderConnectionTable;
  directory_syncs: DirectorySyncTable;
  directory_contacts: DirectoryContactTable;
  answer_generations: AnswerGenerationTable;
  seat_counts: SeatCountTable;
  outbox: OutboxTable;
  audit_events: AuditEventTable;
  mail_counts: MailCountTable;
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
