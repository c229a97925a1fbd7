/**
 * Events for the host's backend: the body each signed webhook delivers, and `GET /api/events`
 * (API key) for backends that poll. Written here once; bff/webhooks/ records and delivers them.
 */
import { z } from 'zod';
import { targetType, timestamp } from './common.js';
import { answer } from './registry.js';

export const EVENT_TYPES = ['import.completed', 'invite.sent', 'invite.delivery_failed', 'invite.accepted', 'invite.expired', 'invite.revoked', 'invite.reminded'] as const;
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

/** What a webhook delivers (its `webhook-id` header is the event's id): `data` is `ImportEventData` for `import.completed`, else `InviteEventData`. */
export const eventBody = z.object({ type: eventType, timestamp, data: z.union([importEventData, inviteEventData]) }).strict();
export type EventBody = z.infer<typeof eventBody>;

export const event = answer('Event', eventBody.extend({ id: z.string() }).strict(), 'An event as a webhook delivers it, with its id');
export type Event = z.infer<typeof event>;

export const eventListQuery = z
  .object({
    after: z.string().regex(/^evt_[A-Za-z0-9_-]{10,40}$/, 'must be an event id').optional(),
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
