/** Host backends keep the BFF's view of their targets and members current (API key). */
import { z } from 'zod';
import { count, emailAddress, externalId, role, roleId, seats, targetType, text } from './common.js';
import { answer, request } from './registry.js';

const reminderDays = z.number().int().min(0).max(30);

export const targetUpsert = request(
  'TargetUpsert',
  z
    .object({
      name: text(200),
      seatLimit: z.number().int().min(0).max(1_000_000),
      organizationId: externalId.nullish(),
      roles: z.array(role).min(1).max(20).optional(),
      defaultRole: roleId.optional(),
      reminderDaysBeforeExpiry: reminderDays
        .nullish()
        .describe(
          "Days before an invite expires that its invitee gets one reminder mail; 0: no reminders; null: the deployment's default (2 unless configured). Left out: unchanged.",
        ),
    })
    .strict()
    .refine((t) => !t.roles || !t.defaultRole || t.roles.some((r) => r.id === t.defaultRole), {
      message: 'defaultRole must be one of roles',
      path: ['defaultRole'],
    }),
);
export type TargetUpsert = z.input<typeof targetUpsert>;

export const memberSync = request(
  'MemberSync',
  z
    .object({
      members: z.array(z.object({ id: externalId, email: emailAddress, name: text(200).nullish(), role: roleId.optional() }).strict()).max(100_000),
    })
    .strict(),
);
export type MemberSync = z.input<typeof memberSync>;

export const target = answer(
  'Target',
  z
    .object({
      type: targetType,
      id: z.string(),
      name: z.string(),
      organizationId: z.string().nullable(),
      seatLimit: count,
      roles: z.array(role),
      defaultRole: z.string(),
      reminderDaysBeforeExpiry: reminderDays.nullable().describe("The target's own reminder days (0: none); null when it follows the deployment's default."),
      seats,
    })
    .strict(),
);
export type Target = z.infer<typeof target>;

export const memberSyncResult = answer('MemberSyncResult', z.object({ members: count, seats }).strict(), 'How many members the target now has, and its seats');
export type MemberSyncResult = z.infer<typeof memberSyncResult>;
