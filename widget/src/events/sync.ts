/**
 * Events between the parts that keep a target in sync (the rule editor and the Updates view) and
 * `<hr-import>`. Like events/internal.ts they bubble but are not composed. In a file of their own
 * so that they load with those parts, not with the first steps.
 */
import type { RoleRule, Seats, SyncRule, SyncScope } from '../api/types.js';
import { INTERNAL } from './internal.js';

type ReportsTo = NonNullable<SyncScope['reportsTo']>;

/** A rule was saved (created or edited). */
export class HrSyncRuleSavedEvent extends Event {
  static readonly eventName = 'hr-sync-rule-saved';
  readonly rule: SyncRule;
  constructor(rule: SyncRule) {
    super(HrSyncRuleSavedEvent.eventName, INTERNAL);
    this.rule = rule;
  }
}

/** The admin left the rule editor (Back, Escape) without saving. */
export class HrSyncCloseEvent extends Event {
  static readonly eventName = 'hr-sync-close';
  constructor() {
    super(HrSyncCloseEvent.eventName, INTERNAL);
  }
}

/** The admin asked for the Updates view (after saving a rule). */
export class HrSyncShowUpdatesEvent extends Event {
  static readonly eventName = 'hr-sync-show-updates';
  constructor() {
    super(HrSyncShowUpdatesEvent.eventName, INTERNAL);
  }
}

/** The admin asked to edit a rule. */
export class HrSyncRuleEditEvent extends Event {
  static readonly eventName = 'hr-sync-rule-edit';
  readonly rule: SyncRule;
  constructor(rule: SyncRule) {
    super(HrSyncRuleEditEvent.eventName, INTERNAL);
    this.rule = rule;
  }
}

/** Something the admin did (an approval, a resend, a run) changed the seats. */
export class HrSeatsChangeEvent extends Event {
  static readonly eventName = 'hr-seats-change';
  readonly seats: Seats;
  constructor(seats: Seats) {
    super(HrSeatsChangeEvent.eventName, INTERNAL);
    this.seats = seats;
  }
}

/** Rules, runs or updates changed: the other parts of the view read theirs again. */
export class HrSyncChangeEvent extends Event {
  static readonly eventName = 'hr-sync-change';
  constructor() {
    super(HrSyncChangeEvent.eventName, INTERNAL);
  }
}

/** The role rules were edited: rows with an empty value included (the editor says they are incomplete). */
export class HrRoleRulesChangeEvent extends Event {
  static readonly eventName = 'hr-role-rules-change';
  readonly rules: readonly RoleRule[];
  constructor(rules: readonly RoleRule[]) {
    super(HrRoleRulesChangeEvent.eventName, INTERNAL);
    this.rules = rules;
  }
}

/** The admin chose, removed or widened the manager a rule's scope keeps to. */
export class HrReportsToChangeEvent extends Event {
  static readonly eventName = 'hr-reports-to-change';
  /** The manager and whether everyone below them counts; null: no manager, everyone in scope. */
  readonly reportsTo: ReportsTo | null;
  /** The manager's name as the directory gives it, for the scope sentence. */
  readonly managerName: string;
  constructor(reportsTo: ReportsTo | null, managerName: string) {
    super(HrReportsToChangeEvent.eventName, INTERNAL);
    this.reportsTo = reportsTo;
    this.managerName = managerName;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-sync-rule-saved': HrSyncRuleSavedEvent;
    'hr-sync-close': HrSyncCloseEvent;
    'hr-sync-show-updates': HrSyncShowUpdatesEvent;
    'hr-sync-rule-edit': HrSyncRuleEditEvent;
    'hr-seats-change': HrSeatsChangeEvent;
    'hr-sync-change': HrSyncChangeEvent;
    'hr-role-rules-change': HrRoleRulesChangeEvent;
    'hr-reports-to-change': HrReportsToChangeEvent;
  }
}
