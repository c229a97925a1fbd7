/** Building blocks every resource uses: checked text, ids, targets, roles, seats, timestamps. */
import { z } from 'zod';
import { answer } from './registry.js';

export const TARGET_TYPES = ['organization', 'lab', 'challenge'] as const;
export const targetType = z.enum(TARGET_TYPES);
export type TargetType = z.infer<typeof targetType>;

/**
 * The control characters no name or id holds: all but tab, line feed and carriage return.
 * PostgreSQL text cannot hold one of them (NUL) at all.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Printable text without control characters: names and ids come from other systems. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters');

/**
 * The languages the invite mail and the accept page speak. An import names the widget's
 * language; its invites keep it for every mail they get (invite, reminder, resend).
 */
export const INVITE_LOCALES = ['en', 'de', 'fr', 'es'] as const;
export const inviteLocale = z.enum(INVITE_LOCALES);
export type InviteLocale = z.infer<typeof inviteLocale>;

export const externalId = text(200);
export const roleId = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _');
export const emailAddress = z.string().trim().max(254).email();

/** A moment as the BFF writes it (`Date#toISOString`). */
export const timestamp = z.iso.datetime();
export const count = z.number().int().min(0);

export const targetParams = z.object({ type: targetType, id: externalId }).strict();

/** A role a target offers; the same shape in a target's definition and in the answers. */
/** A text in some of the widget's (and the mail's) languages, by locale. */
export const inLocales = (max: number) =>
  z
    .object({ en: text(max).optional(), de: text(max).optional(), fr: text(max).optional(), es: text(max).optional() } satisfies Record<InviteLocale, unknown>)
    .strict();

export const role = answer(
  'Role',
  z
    .object({
      id: roleId,
      label: text(60),
      labels: inLocales(60)
        .optional()
        .describe('The label in other languages, by locale: the widget, the invite mail and the accept page use the one of their language, else `label`.'),
    })
    .strict(),
);
export type Role = z.infer<typeof role>;

/** The plan's user limit: `used` counts members and pending invites, each person once. */
export const seats = answer('Seats', z.object({ limit: count, used: count, remaining: count }).strict());
export type Seats = z.infer<typeof seats>;
