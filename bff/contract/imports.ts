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

export const importResult = answer(
  'ImportResult',
  z
    .object({
      id: z.string(),
      invited: count,
      skipped: z.array(z.object({ contactId: z.string(), email: z.string().nullable(), reason: skipReason }).strict()),
      seats,
    })
    .strict(),
);
export type ImportResult = z.infer<typeof importResult>;
