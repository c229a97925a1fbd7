/** `POST /imports`: the "Import Contacts" button. */
import { z } from 'zod';
import { count, externalId, inviteLocale, roleId, seats, text } from './common.js';
import { contactFilters } from './contacts.js';
import { providerParams } from './providers.js';
import { answer, request } from './registry.js';

const contactIds = z.array(externalId).max(100_000);

export const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,200}$/, 'must be 8–200 letters, digits or _.:-');
export const importHeaders = z.object({ 'idempotency-key': idempotencyKey }).passthrough();

export const importRequest = request(
  'ImportRequest',
  z
    .object({
      provider: providerParams.shape.provider,
      selection: z.union([
        z.object({ ids: contactIds.min(1) }).strict(),
        z
          .object({
            all: z.literal(true),
            search: z.string().max(200).optional(),
            filters: contactFilters.optional(),
            except: contactIds.optional(),
            include: contactIds.optional().describe('Contacts ticked one by one besides the rule: imported too, whether the rule holds them or not.'),
          })
          .strict(),
      ]),
      role: roleId,
      roles: z.record(externalId, roleId).optional(),
      message: z
        .object({
          subject: text(200),
          body: z.string().trim().min(1).max(5000),
        })
        .strict(),
      locale: inviteLocale
        .optional()
        .describe(
          'The language of the invite mail (its fixed texts: button, role, expiry, footer) and of its reminders; `en` when left out. The widget sends its own.',
        ),
    })
    .strict()
    .refine((r) => !r.roles || Object.keys(r.roles).length <= 100_000, { message: 'too many roles', path: ['roles'] }),
);
export type ImportRequest = z.input<typeof importRequest>;

export const SKIP_REASONS = ['already_member', 'already_invited', 'no_email', 'invalid_email', 'duplicate', 'not_found'] as const;
export const skipReason = answer('SkipReason', z.enum(SKIP_REASONS));
export type SkipReason = z.infer<typeof skipReason>;

/** How many of an import's invited people its answer names (`invited` counts them all). */
export const IMPORT_RESULT_INVITES = 500;

export const importResult = answer(
  'ImportResult',
  z
    .object({
      id: z.string(),
      invited: count.describe('How many people were invited: 0 when every contact was skipped, and then no mail was sent.'),
      invites: z
        .array(z.object({ contactId: z.string(), name: z.string(), email: z.string(), role: roleId }).strict())
        .max(IMPORT_RESULT_INVITES)
        .describe(`Who was invited with which role, in the order of the import: the first ${IMPORT_RESULT_INVITES}.`),
      roles: z
        .array(z.object({ role: roleId, count }).strict())
        .describe('How many were invited as each role, in the order of the roles of the target; roles no one got are left out.'),
      skipped: z.array(z.object({ contactId: z.string(), email: z.string().nullable(), reason: skipReason }).strict()),
      seats,
    })
    .strict(),
);
export type ImportResult = z.infer<typeof importResult>;
