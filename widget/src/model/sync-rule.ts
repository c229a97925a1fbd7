/**
 * A sync rule in the admin's words, and the rule the import flow makes: shared by the editor and
 * the Updates view. Labels are functions (or getters) so each read is in the current locale.
 */
import { msg, str } from '@lit/localize';
import type { Role, SyncField, SyncRule, SyncRuleInput, SyncScope } from '../api/types.js';
import { SKIP_REASONS } from '../components/import-summary/import-summary.js';
import { mailLocale } from '../locales/localize.js';
import { roleLabel } from '../locales/labels.js';

/** The HR fields a role rule can look at, as the admin reads them. */
export const FIELD_LABELS: Readonly<Record<SyncField, string>> = {
  get department() {
    return msg('Department');
  },
  get title() {
    return msg('Title');
  },
  get location() {
    return msg('Location');
  },
  get employmentType() {
    return msg('Employment type');
  },
};

/** The schedules offered, as `intervalHours`. */
export const SCHEDULES: readonly { hours: number; label: () => string }[] = [
  { hours: 1, label: () => msg('Hourly') },
  { hours: 6, label: () => msg('Every 6 hours') },
  { hours: 24, label: () => msg('Daily') },
  { hours: 168, label: () => msg('Weekly') },
];

export function scheduleLabel(hours: number): string {
  return SCHEDULES.find((s) => s.hours === hours)?.label() ?? msg(str`Every ${hours} hours`);
}

/** What a new rule starts from: the import flow's provider, search and filters, role and message. */
export type SyncDraft = Pick<SyncRuleInput, 'provider' | 'scope' | 'defaultRole' | 'message'> & Partial<SyncRuleInput>;

/** A whole rule from a draft; joiners and leavers wait for the admin until told otherwise. */
export function ruleInput(draft: SyncDraft): SyncRuleInput {
  return { roleRules: [], joiners: 'review', leavers: 'review', intervalHours: 24, leaverThresholdPercent: 20, paused: false, ...withMailLocale(), ...draft };
}

/** The invite mail of the rule's runs in the admin's language, as an import's is. */
const withMailLocale = (): Pick<SyncRuleInput, 'locale'> => {
  const locale = mailLocale();
  return locale ? { locale } : {};
};

/** A saved rule's settings, as `PUT /sync-rules/{id}` takes them back. */
export function inputOf(rule: SyncRule): SyncRuleInput {
  const { provider, scope, roleRules, defaultRole, message, joiners, leavers, intervalHours, leaverThresholdPercent, paused } = rule;
  return { provider, scope, roleRules, defaultRole, message, joiners, leavers, intervalHours, leaverThresholdPercent, paused, ...withMailLocale() };
}

/**
 * "Everyone in Engineering, Berlin, matching “ada”, reporting to Ada Lovelace (directly)" (names
 * from HR stay text: callers render it as such). `managerName` names `reportsTo`; without it the
 * manager's id stands in.
 */
export function describeScope(scope: SyncScope, managerName = ''): string {
  const f = scope.filters ?? {};
  const places = [f.department, f.location, f.employmentType].filter((v): v is string => !!v).join(', ');
  const search = scope.search?.trim() ?? '';
  let words: string;
  if (places && search) words = msg(str`Everyone in ${places}, matching “${search}”`);
  else if (places) words = msg(str`Everyone in ${places}`);
  else if (search) words = msg(str`Everyone matching “${search}”`);
  else words = msg('Everyone in the directory');
  const manager = scope.reportsTo;
  if (manager) {
    const name = managerName || manager.contactId;
    words += ', ' + (manager.indirect ? msg(str`reporting to ${name} (at any level)`) : msg(str`reporting to ${name} (directly)`));
  }
  return f.status === 'all' || f.status === 'inactive' ? `${words} ${msg('(people who left included)')}` : words;
}

/** The rule in one sentence: who, how often, and what happens to joiners and leavers. */
export function describeRule(rule: SyncRuleInput, roles: readonly Role[], managerName = ''): string {
  const role = roleLabel(roles, rule.defaultRole);
  const joiners = rule.joiners === 'auto' ? msg(str`new people are invited as ${role} automatically`) : msg(str`new people wait for you (as ${role})`);
  const leavers = rule.leavers === 'report' ? msg('leavers are reported to the workspace') : msg('leavers wait for you');
  return `${describeScope(rule.scope, managerName)} · ${scheduleLabel(rule.intervalHours)} · ${joiners}; ${leavers}.`;
}

/** What only keeping in sync leaves people out for; the rest are an import's reasons. */
const SYNC_SKIP_REASONS: Readonly<Record<string, () => string>> = {
  seat_limit: () => msg('No seat left'),
  seat_limit_exceeded: () => msg('No seat left'),
  mail_limit: () => msg('Past the daily mail limit'),
  not_open: () => msg('Already handled'),
  invite_not_found: () => msg('No longer exists'),
  not_resendable: () => msg('Accepted or revoked meanwhile'),
};

/** Why a run, an approval or a resend left someone out, in the admin's words (the code itself when unknown). */
export function skipReason(code: string): string {
  return SYNC_SKIP_REASONS[code]?.() ?? (SKIP_REASONS as Readonly<Record<string, string>>)[code] ?? code;
}
