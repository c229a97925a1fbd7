/**
 * The BFF contract (DESIGN.md: BFF surface): request schemas checked at the edge, and the
 * response shapes the widget and host backends rely on. The widget imports only types from
 * here (`import type`), so none of zod reaches the browser bundle.
 */
import { z } from 'zod';

export const TARGET_TYPES = ['organization', 'lab', 'challenge'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Printable text without control characters: names and ids come from other systems. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'must not contain control characters');

export const externalId = text(200);
export const roleId = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _');
export const emailAddress = z.string().trim().max(254).email();

export const targetParams = z.object({ type: z.enum(TARGET_TYPES), id: externalId }).strict();

export const roleSchema = z.object({ id: roleId, label: text(60) }).strict();
export type Role = z.infer<typeof roleSchema>;

export const sessionRequest = z
  .object({
    inviter: z.object({ id: externalId, name: text(200), email: emailAddress }).strict(),
    target: targetParams,
    /** Lifetime in seconds; short by default because the token sits in a browser. */
    ttlSeconds: z.number().int().min(60).max(3600).optional(),
  })
  .strict();

export const targetUpsert = z
  .object({
    name: text(200),
    seatLimit: z.number().int().min(0).max(1_000_000),
    organizationId: externalId.nullish(),
    roles: z.array(roleSchema).min(1).max(20).optional(),
    defaultRole: roleId.optional(),
  })
  .strict()
  .refine((t) => !t.roles || !t.defaultRole || t.roles.some((r) => r.id === t.defaultRole), {
    message: 'defaultRole must be one of roles',
    path: ['defaultRole'],
  });

export const memberSync = z
  .object({
    members: z
      .array(z.object({ id: externalId, email: emailAddress, name: text(200).nullish(), role: roleId.optional() }).strict())
      .max(100_000),
  })
  .strict();

export const CONTACT_STATUSES = ['active', 'inactive'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const contactFilters = z
  .object({
    department: text(200).optional(),
    location: text(200).optional(),
    /** `active` by default: terminated people are hidden unless asked for. */
    status: z.enum(['active', 'inactive', 'all']).optional(),
  })
  .strict();
export type ContactFilters = z.infer<typeof contactFilters>;

export const contactsQueryFields = z
  .object({
    search: z.string().max(200).optional(),
    department: text(200).optional(),
    location: text(200).optional(),
    status: z.enum(['active', 'inactive', 'all']).optional(),
    cursor: z.string().max(100).optional(),
    // Random access for a virtualized list (jump to the last of 100,000 rows); keyset stays the default.
    offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const contactsQuery = contactsQueryFields.refine((q) => q.cursor === undefined || q.offset === undefined, {
  message: 'give cursor or offset, not both',
  path: ['offset'],
});

export const contactsFacetsQuery = contactsQueryFields.pick({ search: true, status: true });

export const providerParams = z.object({ provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/) }).strict();

/**
 * An organization's credentials for a provider, entered in the widget. Which fields a provider
 * takes is checked against its type; values are bounded (a Google key file is about 2.4 KB).
 */
export const connectionRequest = z
  .object({
    credentials: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a credential field name'), z.string().max(16_384))
      .refine((c) => Object.keys(c).length <= 20, 'too many fields'),
  })
  .strict();
export type ConnectionRequest = z.infer<typeof connectionRequest>;

const contactIds = z.array(externalId).max(100_000);

export const importRequest = z
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
  })
  .strict()
  .refine((r) => !r.roles || Object.keys(r.roles).length <= 100_000, { message: 'too many roles', path: ['roles'] });
export type ImportRequest = z.infer<typeof importRequest>;

// ---- CSV upload (routes/uploads.ts) -----------------------------------------------------

/** Contact fields a CSV column can be mapped to (bff/connectors/csv.ts CSV_FIELDS). */
export const CSV_CONTACT_FIELDS = ['email', 'firstName', 'lastName', 'displayName', 'title', 'department', 'location', 'manager', 'status', 'id'] as const;
export type CsvContactField = (typeof CSV_CONTACT_FIELDS)[number];

const columnName = z.string().min(1).max(300);
const optionalColumn = columnName.nullish();

/** Which column (by its header name) holds each field; email is required, the rest optional or null. */
export const csvMappingRequest = z
  .object({
    mapping: z
      .object({
        email: columnName,
        firstName: optionalColumn,
        lastName: optionalColumn,
        displayName: optionalColumn,
        title: optionalColumn,
        department: optionalColumn,
        location: optionalColumn,
        manager: optionalColumn,
        status: optionalColumn,
        id: optionalColumn,
      } satisfies Record<CsvContactField, z.ZodType>)
      .strict(),
  })
  .strict();
export type CsvMappingRequest = z.infer<typeof csvMappingRequest>;

export const uploadParams = providerParams.extend({ upload: z.string().regex(/^up_[A-Za-z0-9_-]{20,40}$/, 'must be an upload id') }).strict();

export const inviteListQuery = z
  .object({
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']).optional(),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const inviteParams = z.object({ id: z.string().regex(/^inv_[A-Za-z0-9_-]{10,40}$/) }).strict();

export const acceptRequest = z.object({ token: z.string().min(20).max(200) }).strict();

// ---- Responses -----------------------------------------------------------------------

export interface Seats {
  limit: number;
  used: number;
  remaining: number;
}

export interface SessionInfo {
  inviter: { id: string; name: string; email: string };
  target: { type: TargetType; id: string; name: string; roles: Role[]; defaultRole: string };
  seats: Seats;
  expiresAt: string;
}

export type ConnectionState = 'ready' | 'needs_credentials' | 'error';

/** One credential an organization enters to connect a provider. */
export interface CredentialField {
  name: string;
  label: string;
  /** Shown as a password field; never sent back by the BFF. */
  secret: boolean;
  required: boolean;
}

export interface ProviderInfo {
  id: string;
  type: string;
  name: string;
  connection: ConnectionState;
  /**
   * Present only for providers each organization connects itself (the providers file leaves
   * their credentials out): what the connect form asks. Absent when the deployment configures it.
   */
  fields?: CredentialField[];
  /** True when the organization connects by signing in to the provider (OAuth popup) instead of a form. */
  oauth?: boolean;
  /**
   * The directory cached for this provider, when one is: the widget lists a fresh one at once,
   * without first asking for its refresh state. Absent when nothing is cached yet.
   */
  directory?: DirectorySummary;
}

export interface DirectorySummary {
  /** When the cached directory was fetched. */
  syncedAt: string;
  /** Seconds from this answer until it is too old to be listed without a refresh; 0 when it already is. */
  freshFor: number;
}

/** `POST /api/providers/:provider/oauth`: the host page's origin, where the popup reports back. */
export const oauthStartRequest = z.object({ origin: z.string().max(200).regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://app.example.com') }).strict();

export interface OAuthStart {
  /** Open this in the popup. */
  authorizeUrl: string;
  /** The origin the popup's message comes from (the BFF's public origin); accept no other. */
  callbackOrigin: string;
}

/** What the callback page posts to the host page (its `origin` exactly). */
export interface OAuthResultMessage {
  type: 'hr-import-oauth';
  provider: string;
  ok: boolean;
  error?: string;
  message?: string;
}

/** Answer of `PUT` and `DELETE /api/providers/:provider/connection`. */
export interface ConnectionInfo {
  connection: ConnectionState;
}

/** Answer of `POST /api/providers/:provider/connection/test`: people on the provider's first page. */
export interface ConnectionTest {
  ok: true;
  sample: number;
}

export type Membership = 'member' | 'invited' | null;

export interface Contact {
  id: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  email: string | null;
  personalEmail: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  managerId: string | null;
  status: ContactStatus;
  avatarUrl: string | null;
  membership: Membership;
}

export interface ContactPage {
  items: Contact[];
  nextCursor: string | null;
  /** Contacts matching the query. */
  total: number;
  /** Of those, how many can be invited (not a member, not invited, with an email). */
  selectable: number;
}

/**
 * `GET|POST /api/providers/:provider/refresh`: the directory cache's refresh. `idle` before the
 * first one; `syncing` while pages are fetched (`fetched` so far, `total` when the provider tells
 * it); `ready` once the contacts can be listed; `error` with the provider's own message.
 */
export interface RefreshStatus {
  status: 'idle' | 'syncing' | 'ready' | 'error';
  fetched: number;
  total: number | null;
  /** When the directory now served was fetched; null before the first refresh ended. */
  syncedAt: string | null;
  /** True when the directory served is older than the provider's cache lifetime, or missing. */
  stale: boolean;
  error?: { code: string; message: string };
}

export interface Facet {
  value: string;
  count: number;
}

export interface ContactFacets {
  departments: Facet[];
  locations: Facet[];
}

export type SkipReason = 'already_member' | 'already_invited' | 'no_email' | 'invalid_email' | 'duplicate' | 'not_found';

export interface ImportResult {
  id: string;
  invited: number;
  skipped: { contactId: string; email: string | null; reason: SkipReason }[];
  seats: Seats;
}

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InviteSummary {
  id: string;
  email: string;
  name: string | null;
  role: string;
  status: InviteStatus;
  delivery: 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
  /** Why the mail could not be delivered, when `delivery` is `failed`. */
  deliveryError: string | null;
  expiresAt: string;
  createdAt: string;
  importId: string | null;
}

export type CsvColumnMapping = Record<CsvContactField, string | null>;

/** One of the first rows of an upload as the mapping reads it. */
export interface CsvPreviewRow {
  /** The file line the row starts on (the header is line 1). */
  line: number;
  contact: Omit<Contact, 'membership'>;
}

export interface CsvCounts {
  /** Data rows in the file. */
  rows: number;
  /** Contacts they make (rows repeating an id or email are one contact). */
  contacts: number;
  /** Rows without a usable email: listed, but cannot be invited. */
  withoutEmail: number;
  /** Rows repeating an earlier row's email or id. */
  duplicates: number;
  /** Rows with more or fewer cells than the header. */
  ragged: number;
}

/** Answer of the upload and of its preview: the file's columns, a mapping, the first rows under it. */
export interface CsvUploadPreview {
  id: string;
  expiresAt: string;
  delimiter: ',' | ';' | '\t';
  columns: string[];
  /** On upload, the guess from the header (email null when no column looks like one). */
  mapping: CsvColumnMapping;
  preview: CsvPreviewRow[];
  counts: CsvCounts;
  /** The first ragged rows, by line. */
  ragged: { line: number; cells: number }[];
}

/** Answer of the confirmation: the mapped rows are now the organization's directory. */
export interface CsvUploadConfirmation {
  connection: 'ready';
  counts: CsvCounts;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}
