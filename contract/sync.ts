/**
 * Keeping a target in sync with HR (issue 17): a sync rule is what an import selected, saved as a
 * rule instead of a list (who is in scope, which role each gets, the message, what happens to
 * joiners and leavers); each scheduled or on-demand run of a rule records a report, and what a
 * run leaves for an admin waits as updates (joiners, leavers, role changes) to approve or dismiss.
 */
import { z } from 'zod';
import { count, externalId, inviteLocale, roleId, seats, targetType, text, timestamp } from './common.js';
import { contactFilters } from './contacts.js';
import { providerParams } from './providers.js';
import { answer, request } from './registry.js';

export const syncRuleId = z.string().regex(/^rule_[A-Za-z0-9_-]{10,40}$/, 'must be a rule id');
export const syncRunId = z.string().regex(/^run_[A-Za-z0-9_-]{10,40}$/, 'must be a run id');
export const syncUpdateId = z.string().regex(/^upd_[A-Za-z0-9_-]{10,40}$/, 'must be an update id');

/** Who the rule covers: the contacts query of the flow, plus "reports to" a person. */
export const syncScope = request(
  'SyncScope',
  z
    .object({
      search: z.string().max(200).optional(),
      filters: contactFilters.optional(),
      reportsTo: z
        .object({
          contactId: externalId.describe('The manager, as the directory names them.'),
          indirect: z.boolean().describe('Also the reports of their reports, at any depth (up to 50 levels).'),
        })
        .strict()
        .optional(),
    })
    .strict(),
);
export type SyncScope = z.input<typeof syncScope>;

/** HR fields a role rule can look at. */
export const SYNC_FIELDS = ['department', 'title', 'location', 'employmentType'] as const;
export const syncField = z.enum(SYNC_FIELDS);
export type SyncField = z.infer<typeof syncField>;

export const syncCondition = request(
  'SyncCondition',
  z
    .object({
      field: syncField,
      operator: z.enum(['is', 'contains']).describe('`is`: the whole value, `contains`: a part of it; both ignore case and accents.'),
      value: text(200),
    })
    .strict(),
);
export type SyncCondition = z.infer<typeof syncCondition>;

/** The first role rule whose conditions all hold gives the role; none: the rule's default role. */
export const roleRule = request('RoleRule', z.object({ conditions: z.array(syncCondition).min(1).max(10), role: roleId }).strict());
export type RoleRule = z.infer<typeof roleRule>;

export const JOINER_MODES = ['review', 'auto'] as const;
export const LEAVER_MODES = ['review', 'report'] as const;

export const syncRuleInput = request(
  'SyncRuleInput',
  z
    .object({
      provider: providerParams.shape.provider,
      scope: syncScope,
      roleRules: z.array(roleRule).max(50).default([]),
      defaultRole: roleId,
      message: z.object({ subject: text(200), body: z.string().trim().min(1).max(5000) }).strict(),
      locale: inviteLocale
        .optional()
        .describe("The language of the invite mail the rule's runs and approvals send; `en` when left out. The widget sends its own."),
      joiners: z.enum(JOINER_MODES).describe('`review`: joiners wait in Updates; `auto`: each run invites them within the seat limit.'),
      leavers: z
        .enum(LEAVER_MODES)
        .describe(
          '`review`: leavers wait in Updates; `report`: each run tells the host (`member.left_hr`) and revokes their pending invites, unless the safeguard holds the run.',
        ),
      intervalHours: z.number().int().min(1).max(168).default(24).describe('Hours between scheduled runs: 1 (hourly) to 168 (weekly).'),
      leaverThresholdPercent: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(20)
        .describe("A run that would mark more than this share of the target's HR-linked members and invitees as leavers is held for an admin."),
      paused: z.boolean().default(false),
    })
    .strict(),
);
export type SyncRuleInput = z.input<typeof syncRuleInput>;

export const syncRuleParams = z.object({ id: syncRuleId }).strict();
export const syncRunParams = z.object({ id: syncRuleId, run: syncRunId }).strict();

export const RUN_STATUSES = ['running', 'completed', 'held', 'failed', 'interrupted'] as const;
export const SYNC_SKIP_REASONS = ['seat_limit', 'mail_limit', 'no_email', 'invalid_email', 'duplicate'] as const;

export const syncRunSummary = answer(
  'SyncRun',
  z
    .object({
      id: z.string(),
      ruleId: z.string(),
      trigger: z.enum(['schedule', 'manual', 'approval']),
      status: z.enum(RUN_STATUSES),
      startedAt: timestamp,
      finishedAt: timestamp.nullable(),
      matched: count.describe('People in scope.'),
      invited: count.describe('Joiners this run invited (`auto`).'),
      joiners: count.describe('Joiners waiting in Updates (`review`), or left out.'),
      leavers: count,
      roleChanges: count,
      revoked: count.describe('Pending invites of leavers revoked.'),
      skipped: z
        .array(z.object({ contactId: z.string(), name: z.string(), reason: z.enum(SYNC_SKIP_REASONS) }).strict())
        .max(100)
        .describe('Who was left out and why; the first 100.'),
      skippedCount: count,
      error: z.object({ code: z.string(), message: z.string() }).strict().nullable().describe('`failed`: why; `held`: what the admin is asked to confirm.'),
    })
    .strict(),
);
export type SyncRun = z.infer<typeof syncRunSummary>;

export const syncRule = answer(
  'SyncRule',
  z
    .object({
      id: z.string(),
      target: z.object({ type: targetType, id: z.string() }).strict(),
      provider: z.string(),
      scope: syncScope,
      reportsToName: z
        .string()
        .nullable()
        .describe("`scope.reportsTo`'s manager as the directory names them; null without one, or when the directory no longer holds them."),
      roleRules: z.array(roleRule),
      defaultRole: z.string(),
      message: z.object({ subject: z.string(), body: z.string() }).strict(),
      joiners: z.enum(JOINER_MODES),
      leavers: z.enum(LEAVER_MODES),
      intervalHours: z.number().int(),
      leaverThresholdPercent: z.number().int(),
      paused: z.boolean(),
      createdBy: z.object({ id: z.string(), name: z.string() }).strict(),
      createdAt: timestamp,
      updatedAt: timestamp,
      nextRunAt: timestamp.nullable().describe('Null while paused.'),
      lastRun: syncRunSummary.nullable(),
    })
    .strict(),
);
export type SyncRule = z.infer<typeof syncRule>;

export const syncRuleList = answer('SyncRuleList', z.object({ items: z.array(syncRule) }).strict(), "The target's rules, oldest first");
export type SyncRuleList = z.infer<typeof syncRuleList>;

export const syncRunList = answer('SyncRunList', z.object({ items: z.array(syncRunSummary) }).strict(), 'The last 20 runs, newest first');
export type SyncRunList = z.infer<typeof syncRunList>;

/** What saving the rule would do now, before it is saved. */
export const syncDryRun = answer(
  'SyncDryRun',
  z
    .object({
      matched: count.describe('People the scope matches (active, with the filters).'),
      alreadyIn: count.describe('Of those, members or holding a pending invite.'),
      toInvite: count.describe('Of those, who a run would invite now (`auto`) or list as joiners (`review`).'),
      roles: z.array(z.object({ role: z.string(), count }).strict()).describe('How many of `toInvite` get each role.'),
      noEmail: count,
      seatsNeeded: count.describe('Seats `toInvite` takes.'),
      seats,
      fits: z.boolean().describe('`seatsNeeded` ≤ `seats.remaining`; a rule that does not fit is refused with `seat_limit_exceeded`.'),
    })
    .strict(),
);
export type SyncDryRun = z.infer<typeof syncDryRun>;

export const UPDATE_KINDS = ['joiner', 'leaver', 'role_change'] as const;
export const LEAVER_REASONS = ['terminated', 'deleted', 'out_of_scope'] as const;

export const syncUpdate = answer(
  'SyncUpdate',
  z
    .object({
      id: z.string(),
      ruleId: z.string(),
      kind: z.enum(UPDATE_KINDS),
      contactId: z.string().nullable(),
      email: z.string(),
      name: z.string().nullable(),
      title: z.string().nullable(),
      department: z.string().nullable(),
      membership: z.enum(['member', 'invited']).nullable().describe('Leavers and role changes: what they hold in the target.'),
      role: z.string().nullable().describe('Joiners: the role the rule gives; role changes: the new role.'),
      currentRole: z.string().nullable().describe('Role changes and leavers: the role held now.'),
      reason: z.enum(LEAVER_REASONS).nullable().describe('Leavers: why.'),
      status: z.enum(['open', 'held', 'done', 'dismissed']).describe('`held`: a leaver from a run the safeguard stopped.'),
      detectedAt: timestamp,
    })
    .strict(),
);
export type SyncUpdate = z.infer<typeof syncUpdate>;

export const syncUpdatesQuery = z
  .object({
    kind: z.enum(UPDATE_KINDS).optional(),
    status: z.enum(['open', 'held', 'done', 'dismissed']).optional().describe('`open` by default.'),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const syncUpdateList = answer(
  'SyncUpdateList',
  z
    .object({
      items: z.array(syncUpdate),
      nextCursor: z.string().nullable(),
      counts: z.object({ joiner: count, leaver: count, role_change: count }).strict().describe('Open updates of each kind.'),
      seats,
    })
    .strict(),
);
export type SyncUpdateList = z.infer<typeof syncUpdateList>;

export const syncUpdateAction = request('SyncUpdateAction', z.object({ ids: z.array(syncUpdateId).min(1).max(1000) }).strict());
export type SyncUpdateAction = z.infer<typeof syncUpdateAction>;

export const syncUpdateResult = answer(
  'SyncUpdateResult',
  z
    .object({
      done: count.describe('Updates approved or dismissed.'),
      invited: count.describe('Joiners invited.'),
      revoked: count.describe("Leavers' pending invites revoked."),
      roleChanges: count,
      skipped: z
        .array(z.object({ id: z.string(), reason: z.string() }).strict())
        .describe('Updates left as they were and why (`seat_limit`, `not_open`, `mail_limit`…).'),
      seats,
    })
    .strict(),
);
export type SyncUpdateResult = z.infer<typeof syncUpdateResult>;
