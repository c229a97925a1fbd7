/** What a rule's run found and reports, and what the parts of one evaluation share. */
import type { Kysely } from 'kysely';
import type { Database, SyncRuleRow, SyncRunRow, Target } from '../../db/schema.js';
import type { SyncRun } from '../../../contract/index.js';
import type { NewEvent } from '../../webhooks/events.js';
import type { ContactQuery } from '../directory/queries.js';
import type { RuleDefinition, SyncDeps } from './rule.js';

type Q = Kysely<Database>;

export interface Outcome {
  status: 'completed' | 'held' | 'failed';
  directorySize: number | null;
  matched: number;
  invited: number;
  joiners: number;
  leavers: number;
  roleChanges: number;
  revoked: number;
  skipped: SyncRun['skipped'];
  skippedCount: number;
  error: { code: string; message: string } | null;
  events: NewEvent[];
}

export const EMPTY_OUTCOME: Outcome = {
  status: 'completed',
  directorySize: null,
  matched: 0,
  invited: 0,
  joiners: 0,
  leavers: 0,
  roleChanges: 0,
  revoked: 0,
  skipped: [],
  skippedCount: 0,
  error: null,
  events: [],
};

/** One evaluation's context, shared by its parts (joiners.ts, linked.ts); `events` and `skip` collect what they find. */
export interface Evaluation {
  trx: Q;
  deps: SyncDeps;
  rule: SyncRuleRow;
  run: SyncRunRow;
  target: Target;
  def: RuleDefinition;
  now: Date;
  iso: string;
  /** The rule's directory cache: its cache key. */
  connection: string;
  /** The active people in the rule's scope. */
  active: () => ContactQuery;
  events: NewEvent[];
  skip: (s: SyncRun['skipped'][number]) => void;
}
