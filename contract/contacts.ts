/** `GET /providers/:provider/contacts` and its facets: the directory cache, searched and paged. */
import { z } from 'zod';
import { count, text } from './common.js';
import { answer, request } from './registry.js';

export const CONTACT_STATUSES = ['active', 'inactive'] as const;
export const contactStatus = z.enum(CONTACT_STATUSES);
export type ContactStatus = z.infer<typeof contactStatus>;

export const contactFilters = request(
  'ContactFilters',
  z
    .object({
      department: text(200).optional(),
      location: text(200).optional(),
      employmentType: text(200).optional().describe('As the HR system words it: `full_time`, `Contractor`, `Werkstudent`…'),
      status: z.enum(['active', 'inactive', 'all']).optional().describe('`active` by default: terminated people are hidden unless asked for.'),
    })
    .strict(),
);
export type ContactFilters = z.input<typeof contactFilters>;

export const contactsQueryFields = z
  .object({
    search: z.string().max(200).optional(),
    ...contactFilters.shape,
    cursor: z.string().max(100).optional(),
    // Random access for a virtualized list (jump to the last of 100,000 rows); keyset stays the default.
    offset: z.coerce
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .optional()
      .describe("Position of the page's first row, for jumps where no cursor leads; instead of `cursor`."),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    flagged: z
      .enum(['true'])
      .optional()
      .describe(
        '`true`: only the people an import warns of, who have left the company (listed with `status=all` or `inactive`) or share their address with another person of the directory (`sharedEmail`). The review of a Select All reads them to leave them out.',
      ),
  })
  .strict();

export const contactsQuery = contactsQueryFields.refine((q) => q.cursor === undefined || q.offset === undefined, {
  message: 'give cursor or offset, not both',
  path: ['offset'],
});

/** The facets of a search: each filter's counts narrowed by the other filters, not by itself. */
export const contactsFacetsQuery = contactsQueryFields.pick({ search: true, status: true, department: true, location: true });

/** Whether the person already belongs to the target (a member) or holds a pending invite. */
export const membership = z.enum(['member', 'invited']).nullable();
export type Membership = z.infer<typeof membership>;

/** A person as the directory holds them, before the target's view of them is added. */
export const directoryContact = z
  .object({
    id: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    displayName: z.string(),
    email: z.string().nullable(),
    personalEmail: z.string().nullable(),
    title: z.string().nullable(),
    department: z.string().nullable(),
    location: z.string().nullable(),
    employmentType: z.string().nullable().describe("Full-time, part-time, contractor… in the HR system's own words."),
    managerId: z.string().nullable(),
    status: contactStatus,
    avatarUrl: z.string().nullable(),
  })
  .strict();

export const contact = answer(
  'Contact',
  directoryContact
    .extend({
      membership,
      sharedEmail: z
        .boolean()
        .describe(
          'Another person of the same directory has this `email` too: an invite to it may reach someone else (an import invites the address once). False without an email.',
        ),
    })
    .strict(),
);
export type Contact = z.infer<typeof contact>;

export const contactPage = answer(
  'ContactPage',
  z
    .object({
      items: z.array(contact),
      nextCursor: z.string().nullable(),
      total: count.describe('Contacts matching the query.'),
      selectable: count.describe('Of those, how many can be invited (not a member, not invited, with an email).'),
    })
    .strict(),
);
export type ContactPage = z.infer<typeof contactPage>;

export const facet = answer('Facet', z.object({ value: z.string(), count }).strict());
export type Facet = z.infer<typeof facet>;

export const contactFacets = answer('ContactFacets', z.object({ departments: z.array(facet), locations: z.array(facet) }).strict());
export type ContactFacets = z.infer<typeof contactFacets>;
