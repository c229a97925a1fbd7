/**
 * A person's rights of access and erasure (GDPR arts. 15 and 17), for the host's backend (API
 * key): everything the BFF holds about one email address, as JSON, or all of it erased.
 */
import { z } from 'zod';
import { count, externalId, targetType, text, timestamp } from './common.js';
import { answer, request } from './registry.js';

export const privacyRequest = request(
  'PrivacyRequest',
  z
    .object({
      // Not checked as an address: a provider may hold one our import would refuse, and it must still be erasable.
      email: text(254).refine((e) => e.includes('@'), 'must be an email address'),
      organizationId: externalId
        .optional()
        .describe("Only this organization's directories and targets; without it, every one (the deployment's own directories too)."),
    })
    .strict(),
  'Whose data: an email address (any case), optionally within one organization',
);
export type PrivacyRequest = z.input<typeof privacyRequest>;

const erasedCounts = z
  .object({
    directoryContacts: count.describe('Rows of cached directories (staging rows included)'),
    csvRows: count.describe('Rows of CSV uploads not yet confirmed'),
    invites: count.describe('Invites whose personal fields were replaced by a tombstone; pending ones are revoked'),
    members: count.describe('Memberships whose email and name were replaced by a tombstone (the seat stays until the next member sync)'),
    mail: count.describe('Unsent mail cancelled, its message erased'),
    events: count.describe('Events whose copy of the address was replaced (pending webhook deliveries send the scrubbed copy)'),
    imports: count.describe('Imports the person sent'),
  })
  .strict();

export const privacyErasure = answer(
  'PrivacyErasure',
  z
    .object({
      erasureId: z.string().describe('The audit trail entry (action `erase`) that records this erasure, without the address'),
      erased: erasedCounts,
    })
    .strict(),
  'What was erased; a second erasure of the same person erases nothing more',
);
export type PrivacyErasure = z.infer<typeof privacyErasure>;

const ref = z.object({ type: targetType, id: z.string() }).strict();

export const privacyExport = answer(
  'PrivacyExport',
  z
    .object({
      email: z.string(),
      exportedAt: timestamp,
      directoryContacts: z.array(
        z
          .object({
            provider: z.string(),
            connection: z.string().describe('`*` for the deployment, else the organization (or target) the directory belongs to'),
            contactId: z.string(),
            firstName: z.string().nullable(),
            lastName: z.string().nullable(),
            displayName: z.string(),
            email: z.string().nullable(),
            personalEmail: z.string().nullable(),
            title: z.string().nullable(),
            department: z.string().nullable(),
            location: z.string().nullable(),
            employmentType: z.string().nullable(),
            managerId: z.string().nullable(),
            status: z.string(),
            avatarUrl: z.string().nullable(),
          })
          .strict(),
      ),
      csvUploads: z.array(z.object({ uploadId: z.string(), provider: z.string(), columns: z.array(z.string()), rows: z.array(z.array(z.string())) }).strict()),
      invites: z.array(
        z
          .object({
            id: z.string(),
            target: ref,
            email: z.string(),
            name: z.string().nullable(),
            role: z.string(),
            status: z.string(),
            provider: z.string().nullable(),
            importId: z.string().nullable(),
            createdAt: timestamp,
            expiresAt: timestamp,
            acceptedAt: timestamp.nullable(),
            revokedAt: timestamp.nullable(),
          })
          .strict(),
      ),
      memberships: z.array(z.object({ target: ref, email: z.string(), name: z.string().nullable(), role: z.string(), createdAt: timestamp }).strict()),
      mail: z.array(
        z
          .object({
            id: z.string(),
            inviteId: z.string(),
            status: z.string(),
            subject: z.string().nullable(),
            createdAt: timestamp,
            sentAt: timestamp.nullable(),
          })
          .strict(),
      ),
      events: z.array(z.object({ id: z.string(), type: z.string(), createdAt: timestamp }).strict()),
      importsSent: z.array(
        z.object({ id: z.string(), target: ref, inviterName: z.string(), inviterEmail: z.string(), invited: count, createdAt: timestamp }).strict(),
      ),
      syncUpdates: z
        .array(
          z
            .object({
              id: z.string(),
              ruleId: z.string(),
              target: ref,
              kind: z.string().describe('`joiner`, `leaver` or `role_change`'),
              contactId: z.string().nullable(),
              email: z.string(),
              name: z.string().nullable(),
              title: z.string().nullable(),
              department: z.string().nullable(),
              membership: z.string().nullable(),
              role: z.string().nullable(),
              currentRole: z.string().nullable(),
              reason: z.string().nullable(),
              status: z.string(),
              detectedAt: timestamp,
              doneAt: timestamp.nullable(),
            })
            .strict(),
        )
        .describe('What sync rules found about the person for an admin to act on (Updates), waiting, done or dismissed'),
      syncLinks: z
        .array(
          z
            .object({
              ruleId: z.string(),
              target: ref,
              contactId: z.string(),
              facts: z.string().nullable().describe('The HR fields role rules read, as the last run saw them'),
            })
            .strict(),
        )
        .describe("Sync rules' links from the person's membership or invite to their HR record"),
    })
    .strict(),
  'Everything held about the person',
);
export type PrivacyExport = z.infer<typeof privacyExport>;
