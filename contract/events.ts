/**
 * Events for the host's backend: the body each signed webhook delivers, and `GET /api/events`
 * (API key) for backends that poll. Written here once; bff/webhooks/ records and delivers them.
 */
import { z } from 'zod';
import { targetType, timestamp } from './common.js';
import { answer } from './registry.js';

export const EVENT_TYPES = [
  'import.completed',
  'invite.created',
  'invite.sent',
  'invite.delivery_failed',
  'invite.accepted',
  'invite.expired',
  'invite.revoked',
  'invite.reminded',
  'sync.completed',
  'member.left_hr',
  'member.role_changed',
] as const;
export const eventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventType>;

const eventTarget = z.object({ type: targetType, id: z.string() }).strict();
export type EventTarget = z.infer<typeof eventTarget>;

/** How many invites an `import.completed` event lists; the rest arrive as `invite.sent`. */
export const IMPORT_EVENT_INVITES = 100;

export const inviteEventData = answer(
  'InviteEventData',
  z
    .object({
      target: eventTarget,
      inviteId: z.string(),
      email: z.string(),
      role: z.string(),
      importId: z.string().nullable(),
      reason: z.string().optional().describe('`invite.delivery_failed` only: why, without addresses.'),
      expiresAt: timestamp.optional().describe('`invite.expired` and `invite.reminded` only: when the invite expires (expired).'),
    })
    .strict(),
  'What every `invite.*` event carries',
);
export type InviteEventData = z.infer<typeof inviteEventData>;

export const importEventData = answer(
  'ImportEventData',
  z
    .object({
      target: eventTarget,
      importId: z.string(),
      invited: z.number().int().min(0),
      skipped: z.number().int().min(0),
      invites: z.array(z.object({ inviteId: z.string(), email: z.string(), role: z.string() }).strict()).max(IMPORT_EVENT_INVITES),
      invitesTruncated: z.boolean(),
    })
    .strict(),
  '`import.completed`: the import and its first 100 invites',
);
export type ImportEventData = z.infer<typeof importEventData>;

/** The `invite.*` events: one invite's. `invite.created` is an invite a sync rule's run sent on its own (`auto`). */
export type InviteEventType = Extract<EventType, `invite.${string}`>;

export const syncEventData = answer(
  'SyncEventData',
  z
    .object({
      target: eventTarget,
      ruleId: z.string(),
      runId: z.string(),
      status: z.enum(['completed', 'held', 'failed']),
      matched: z.number().int().min(0),
      invited: z.number().int().min(0),
      joiners: z.number().int().min(0),
      leavers: z.number().int().min(0),
      roleChanges: z.number().int().min(0),
      revoked: z.number().int().min(0),
      skipped: z.number().int().min(0),
      error: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
    })
    .strict(),
  "`sync.completed`: a sync rule's run and its counts (the run's report: GET /targets/{type}/{id}/sync-rules/{rule}/runs)",
);
export type SyncEventData = z.infer<typeof syncEventData>;

export const memberEventData = answer(
  'MemberEventData',
  z
    .object({
      target: eventTarget,
      ruleId: z.string(),
      email: z.string(),
      contactId: z.string().nullable(),
      membership: z.enum(['member', 'invited']),
      role: z.string().describe('`member.role_changed`: the new role; `member.left_hr`: the role held.'),
      previousRole: z.string().nullable().describe('`member.role_changed` only.'),
      reason: z
        .enum(['terminated', 'deleted', 'out_of_scope'])
        .nullable()
        .describe("`member.left_hr` only: the HR record was terminated, deleted, or left the rule's scope."),
    })
    .strict(),
  '`member.left_hr` and `member.role_changed`: a person of the target, as a sync rule found them in HR',
);
export type MemberEventData = z.infer<typeof memberEventData>;

/** What a webhook delivers (its `webhook-id` header is the event's id): `data` by `type` (`import.completed`: ImportEventData, `invite.*`: InviteEventData, `sync.completed`: SyncEventData, `member.*`: MemberEventData). */
export const eventBody = z.object({ type: eventType, timestamp, data: z.union([importEventData, inviteEventData, syncEventData, memberEventData]) }).strict();
export type EventBody = z.infer<typeof eventBody>;

export const event = answer('Event', eventBody.extend({ id: z.string() }).strict(), 'An event as a webhook delivers it, with its id');
export type Event = z.infer<typeof event>;

export const eventListQuery = z
  .object({
    after: z
      .string()
      .regex(/^evt_[A-Za-z0-9_-]{10,40}$/, 'must be an event id')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const eventList = answer(
  'EventList',
  z
    .object({
      items: z.array(event),
      next: z.string().nullable().describe('Pass as `after` to go on: the last listed id, or `after` itself when nothing is new.'),
    })
    .strict(),
  'Events in the order they committed',
);
export type EventList = z.infer<typeof eventList>;
