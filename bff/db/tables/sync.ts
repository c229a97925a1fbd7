/** Sync rules (issue 17): rules, their runs, the updates they find and the people they link. Column types as bff/db/schema.ts says. */
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
