/**
 * SCIM 2.0 (RFC 7643/7644): what an identity provider sends to `<basePath>/scim/v2` and what it is
 * answered, and the API-key route where the host's backend creates an organization's token.
 * SCIM routes answer SCIM's own error body (`urn:ietf:params:scim:api:messages:2.0:Error`), not
 * the BFF's `{ error }`.
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS, externalId, timestamp } from './common.js';
import { answer, request } from './registry.js';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Where the host's backend names the organization whose token it manages. */
export const scimTokenParams = z
  .object({ id: externalId.describe("The organization's id: a target's `organizationId`, or an organization target's id") })
  .strict();

export const scimToken = answer(
  'ScimToken',
  z
    .object({
      token: z.string().describe("The bearer token to paste into the identity provider's provisioning settings. Shown this once: only a digest is stored."),
      baseUrl: z.string().describe('The SCIM base URL (Okta\'s "SCIM connector base URL", Entra\'s "Tenant URL").'),
      createdAt: timestamp,
    })
    .strict(),
  "An organization's SCIM token, shown once",
);
export type ScimToken = z.infer<typeof scimToken>;

/** Printable text without control characters; empty allowed (Okta sends `"middleName": ""`). */
const scimText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters');

/** A SCIM boolean; Microsoft Entra sends some as the strings "True" and "False". */
const scimBoolean = z
  .union([z.boolean(), z.enum(['True', 'False', 'true', 'false'])])
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'));

const TEXT = 256;
/** Multi-valued attributes (emails, phone numbers, addresses) a person has. */
const MAX_VALUES = 20;

const multiValued = z.looseObject({
  value: scimText(TEXT).nullish(),
  type: scimText(64).nullish(),
  primary: scimBoolean.nullish(),
  display: scimText(TEXT).nullish(),
});

const address = z.looseObject({
  formatted: scimText(1024).nullish(),
  streetAddress: scimText(TEXT).nullish(),
  locality: scimText(TEXT).nullish(),
  region: scimText(TEXT).nullish(),
  postalCode: scimText(64).nullish(),
  country: scimText(64).nullish(),
  type: scimText(64).nullish(),
  primary: scimBoolean.nullish(),
});

const enterpriseUser = z.looseObject({
  employeeNumber: scimText(TEXT).nullish(),
  costCenter: scimText(TEXT).nullish(),
  organization: scimText(TEXT).nullish(),
  division: scimText(TEXT).nullish(),
  department: scimText(TEXT).nullish(),
  // Entra sends the manager's id as a string; the RFC's shape is `{ value, $ref, displayName }`.
  manager: z
    .union([scimText(TEXT), z.looseObject({ value: scimText(TEXT).nullish(), $ref: scimText(1024).nullish(), displayName: scimText(TEXT).nullish() })])
    .nullish(),
});

/**
 * A User as an identity provider sends it (POST, PUT, and what a PATCH leaves): the attributes
 * hr-import maps are checked here; others (locale, phoneNumbers, …) are kept as sent, bounded
 * by size (services/scim.ts). `id`, `meta`, `groups` and `password` are never taken from it.
 */
export const scimUser = request(
  'ScimUser',
  z.looseObject({
    schemas: z.array(scimText(TEXT)).max(10).optional(),
    userName: scimText(TEXT).trim().min(1, 'userName is required'),
    externalId: scimText(TEXT).nullish(),
    active: scimBoolean.nullish(),
    displayName: scimText(TEXT).nullish(),
    nickName: scimText(TEXT).nullish(),
    title: scimText(TEXT).nullish(),
    userType: scimText(TEXT).nullish(),
    preferredLanguage: scimText(64).nullish(),
    locale: scimText(64).nullish(),
    timezone: scimText(64).nullish(),
    name: z
      .looseObject({
        formatted: scimText(TEXT).nullish(),
        familyName: scimText(TEXT).nullish(),
        givenName: scimText(TEXT).nullish(),
        middleName: scimText(TEXT).nullish(),
        honorificPrefix: scimText(64).nullish(),
        honorificSuffix: scimText(64).nullish(),
      })
      .nullish(),
    emails: z
      .array(multiValued.extend({ value: scimText(254).nullish() }))
      .max(MAX_VALUES)
      .nullish(),
    phoneNumbers: z.array(multiValued).max(MAX_VALUES).nullish(),
    addresses: z.array(address).max(MAX_VALUES).nullish(),
    [SCIM_ENTERPRISE_SCHEMA]: enterpriseUser.nullish(),
  }),
  'A SCIM User (RFC 7643 §4.1) with the enterprise extension (§4.3)',
);
export type ScimUserInput = z.input<typeof scimUser>;
export type ScimUser = z.output<typeof scimUser>;

export const scimMeta = z
  .object({
    resourceType: z.literal('User'),
    created: timestamp,
    lastModified: timestamp,
    version: z.string().describe('W/"<n>": one more at every change'),
    location: z.string(),
  })
  .strict();

export const scimUserResource = answer(
  'ScimUserResource',
  z.looseObject({
    schemas: z.array(z.string()),
    id: z.string(),
    userName: z.string(),
    active: z.boolean(),
    meta: scimMeta,
  }),
  'A SCIM User as stored: the attributes sent, with `id`, `active` and `meta`',
);

export const scimUserList = answer(
  'ScimUserList',
  z
    .object({
      schemas: z.array(z.literal(SCIM_LIST_SCHEMA)),
      totalResults: z.number().int().min(0),
      startIndex: z.number().int().min(1),
      itemsPerPage: z.number().int().min(0),
      Resources: z.array(scimUserResource),
    })
    .strict(),
  'A page of Users (RFC 7644 §3.4.2)',
);

export const scimPatch = request(
  'ScimPatch',
  z
    .object({
      schemas: z.array(z.string()).max(5),
      Operations: z
        .array(
          z
            .object({
              // Entra capitalises (`Replace`); the RFC's are lowercase. Any case is taken.
              op: z.string().regex(/^(add|replace|remove)$/i, 'must be add, replace or remove'),
              path: z.string().max(512).optional(),
              value: z.unknown().optional(),
            })
            .strict(),
        )
        .min(1)
        .max(100),
    })
    .strict(),
  'A PATCH request (RFC 7644 §3.5.2)',
);
export type ScimPatch = z.infer<typeof scimPatch>;

export const scimError = answer(
  'ScimError',
  z
    .object({
      schemas: z.array(z.literal(SCIM_ERROR_SCHEMA)),
      status: z.string().describe('The HTTP status, as a string (RFC 7644 §3.12)'),
      scimType: z
        .enum(['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'])
        .optional(),
      detail: z.string(),
    })
    .strict(),
  'A SCIM error (RFC 7644 §3.12)',
);
export type ScimErrorBody = z.infer<typeof scimError>;

export const scimListQuery = z
  .object({
    filter: z
      .string()
      .optional()
      .describe('`userName eq "…"`, `externalId eq "…"`, `emails.value eq "…"` (or `emails[type eq "work"].value eq "…"`), joined with `and`'),
    startIndex: z.string().optional().describe('1-based'),
    count: z.string().optional().describe('At most 100'),
    attributes: z.string().optional().describe('Accepted; every attribute is returned'),
    excludedAttributes: z.string().optional().describe('Accepted; every attribute is returned'),
  })
  .strict();

export const scimUserParams = z.object({ id: z.string() }).strict();

/** The discovery documents (RFC 7644 §4): fixed, described loosely. */
export const scimServiceProviderConfig = answer(
  'ScimServiceProviderConfig',
  z.looseObject({ schemas: z.array(z.string()), patch: z.object({ supported: z.boolean() }) }),
  'What this SCIM endpoint supports',
);
export const scimDiscoveryList = answer(
  'ScimDiscoveryList',
  z
    .object({
      schemas: z.array(z.literal(SCIM_LIST_SCHEMA)),
      totalResults: z.number().int(),
      startIndex: z.number().int(),
      itemsPerPage: z.number().int(),
      Resources: z.array(z.looseObject({ id: z.string() })),
    })
    .strict(),
  'Schemas or resource types (RFC 7644 §4)',
);
export const scimEmptyList = answer(
  'ScimEmptyList',
  z
    .object({
      schemas: z.array(z.literal(SCIM_LIST_SCHEMA)),
      totalResults: z.literal(0),
      startIndex: z.number().int(),
      itemsPerPage: z.literal(0),
      Resources: z.array(z.never()),
    })
    .strict(),
  'No Groups: hr-import keeps users only',
);
