/**
 * Every migration, in order. Listed here rather than read from the folder so that the same
 * list works under tsx, compiled to JavaScript, and bundled into a host's server.
 */
import type { Migration } from 'kysely';
import * as createCoreTables from './2026_11_24_190000_create_core_tables.js';
import * as createIdempotencyKeys from './2026_11_24_210000_create_idempotency_keys.js';
import * as createAuditEvents from './2026_11_24_220000_create_audit_events.js';
import * as createRateLimits from './2026_11_24_230000_create_rate_limits.js';
import * as createCsvUploads from './2026_11_24_233000_create_csv_uploads.js';
import * as createOAuthStates from './2026_11_24_235000_create_oauth_states.js';
import * as createEvents from './2026_12_02_100000_create_events.js';
import * as dropRateLimits from './2026_12_02_110000_drop_rate_limits.js';
import * as createHealthProbes from './2026_12_02_110100_create_health_probes.js';
import * as indexMailCounts from './2026_12_02_120000_index_mail_counts.js';
import * as createDirectorySearchIndexes from './2026_12_02_130000_create_directory_search_indexes.js';
import * as addDirectoryUsedAt from './2026_12_02_140000_add_directory_used_at.js';
import * as addDirectoryWatermarks from './2026_12_02_150000_add_directory_watermarks.js';
import * as addDirectoryEmploymentType from './2026_12_02_160000_add_directory_employment_type.js';
import * as createSyncRules from './2026_12_02_170000_create_sync_rules.js';
import * as addInviteReminders from './2026_12_02_180000_add_invite_reminders.js';
import * as createScim from './2026_12_02_190000_create_scim.js';
import * as addInviteLocale from './2026_12_02_210000_add_invite_locale.js';
import * as dropImportReplayColumns from './2026_12_02_220000_drop_import_replay_columns.js';
import * as createAnswerGenerations from './2026_12_03_100000_create_answer_generations.js';
import * as createSeatCounts from './2026_12_03_200000_create_seat_counts.js';
import * as coverMailCounts from './2026_12_03_210000_cover_mail_counts.js';
import * as coverDirectoryCounts from './2026_12_03_220000_cover_directory_counts.js';
import * as createMailCounts from './2026_12_03_230000_create_mail_counts.js';
import * as orderDirectoryColumns from './2026_12_03_235000_order_directory_columns.js';
import * as indexDirectorySearchWithoutStaging from './2026_12_04_100000_index_directory_search_without_staging.js';
import * as scanDirectoryInOneProcess from './2026_12_04_110000_scan_directory_in_one_process.js';

export const migrations: Record<string, Migration> = {
  '2026_11_24_190000_create_core_tables': createCoreTables,
  '2026_11_24_210000_create_idempotency_keys': createIdempotencyKeys,
  '2026_11_24_220000_create_audit_events': createAuditEvents,
  '2026_11_24_230000_create_rate_limits': createRateLimits,
  '2026_11_24_233000_create_csv_uploads': createCsvUploads,
  '2026_11_24_235000_create_oauth_states': createOAuthStates,
  '2026_12_02_100000_create_events': createEvents,
  '2026_12_02_110000_drop_rate_limits': dropRateLimits,
  '2026_12_02_110100_create_health_probes': createHealthProbes,
  '2026_12_02_120000_index_mail_counts': indexMailCounts,
  '2026_12_02_130000_create_directory_search_indexes': createDirectorySearchIndexes,
  '2026_12_02_140000_add_directory_used_at': addDirectoryUsedAt,
  '2026_12_02_150000_add_directory_watermarks': addDirectoryWatermarks,
  '2026_12_02_160000_add_directory_employment_type': addDirectoryEmploymentType,
  '2026_12_02_170000_create_sync_rules': createSyncRules,
  '2026_12_02_180000_add_invite_reminders': addInviteReminders,
  '2026_12_02_190000_create_scim': createScim,
  '2026_12_02_210000_add_invite_locale': addInviteLocale,
  '2026_12_02_220000_drop_import_replay_columns': dropImportReplayColumns,
  '2026_12_03_100000_create_answer_generations': createAnswerGenerations,
  '2026_12_03_200000_create_seat_counts': createSeatCounts,
  '2026_12_03_210000_cover_mail_counts': coverMailCounts,
  '2026_12_03_220000_cover_directory_counts': coverDirectoryCounts,
  '2026_12_03_230000_create_mail_counts': createMailCounts,
  '2026_12_03_235000_order_directory_columns': orderDirectoryColumns,
  '2026_12_04_100000_index_directory_search_without_staging': indexDirectorySearchWithoutStaging,
  '2026_12_04_110000_scan_directory_in_one_process': scanDirectoryInOneProcess,
};
