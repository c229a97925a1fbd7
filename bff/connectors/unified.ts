/**
 * Unified.to HRIS (a unified API in front of the customer's HR system):
 * `GET /hris/{connection_id}/employee?limit=100&offset=N`, 100 a page (Unified.to's maximum). The
 * answer is a bare array; a page shorter than the limit is the last one. The workspace API key
 * goes as a bearer token; the connection id names the customer's HR system. Each data region has
 * its own host (North America, Europe, Australia), chosen by `baseUrl`: a workspace is registered
 * in one region and its key works only there.
 *
 * The work email is the WORK entry of `emails`, the personal one the HOME entry. Departments are
 * groups of type DEPARTMENT (older connections fill a flat `department`), locations the first of
 * `locations` (or the address's city). INACTIVE or a passed `terminated_at` make a person
 * inactive. Throttling is 429, honouring Retry-After when present and backing off otherwise.
 * `image_url` is left out: it expires an hour after it is handed out, no longer than a directory
 * is cached, so a cached copy would show broken pictures for most of its life.
 */
import {
  blankToNull,
  connectorHttp,
  isPast,
  isRecord,
  nextOffsetCursor,
  pageLabel,
  readOffsetCursor,
  recordsOf,
  requireCredentials,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import { changedPages, offsetPages, readTimeWatermark, timeWatermark, type OffsetListing } from './paging.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
import type { Connector, ConnectorFactory, ConnectorSettings } from './types.js';

export const UNIFIED_API_URL = 'https://api.unified.to';
export const UNIFIED_EU_API_URL = 'https://api-eu.unified.to';
export const UNIFIED_AU_API_URL = 'https://api-au.unified.to';
export const UNIFIED_CREDENTIALS = ['apiKey', 'connectionId'] as const;

const PROVIDER = 'Unified.to';
const PAGE_SIZE = 100;

/**
 * What `read` uses of an employee, asked for with `fields` ("Comma-delimited fields to return",
 * Unified.to's OpenAPI for listHrisEmployees): a home address, salary or date of birth never
 * leaves Unified.to, and the fields behind a turned-off title, location or manager neither. The
 * personal email shares `emails` with the work email, so it still arrives and is dropped on arrival.
 */
const FIELDS = [
  'id',
  'first_name',
  'last_name',
  'name',
  'emails',
  'title',
  'groups',
  'department',
  'locations',
  'address',
  'location',
  'employment_type',
  'manager_id',
  'employment_status',
  'terminated_at',
];
const SOURCES: Partial<Record<OptionalField, string[]>> = { title: ['title'], location: ['locations', 'address', 'location'], managerId: ['manager_id'] };

function read(e: Record<string, unknown>): RawContact {
  const emails = recordsOf(e.emails);
  const withEmail = emails.filter((m) => blankToNull(m.email));
  const work = withEmail.find((m) => m.type === 'WORK') ?? withEmail.find((m) => m.type !== 'HOME');
  const department = recordsOf(e.groups).find((g) => g.type === 'DEPARTMENT');
  const place = recordsOf(e.locations)[0];
  return {
    id: e.id,
    firstName: e.first_name,
    lastName: e.last_name,
    displayName: e.name,
    email: work?.email,
    personalEmail: withEmail.find((m) => m.type === 'HOME')?.email,
    title: e.title,
    department: blankToNull(department?.name) ?? e.department,
    location: blankToNull(place?.name) ?? blankToNull(isRecord(e.address) ? e.address.city : null) ?? e.location,
    // FULL_TIME, PART_TIME, CONTRACTOR, INTERN, CONSULTANT, VOLUNTEER, CASUAL, SEASONAL, FREELANCE or OTHER.
    employmentType: e.employment_type,
    managerId: e.manager_id,
    // Expires within the hour; the directory is cached at least that long.
    avatarUrl: null,
    inactive: e.employment_status === 'INACTIVE' || isPast(e.terminated_at),
  };
}

export function createUnifiedConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { apiKey, connectionId } = requireCredentials(PROVIDER, settings.credentials, UNIFIED_CREDENTIALS);
  const http = connectorHttp(PROVIDER, settings, options);
  const endpoint = `${urlOr(settings.baseUrl, UNIFIED_API_URL)}/hris/${encodeURIComponent(connectionId)}/employee`;
  const fields = fieldsToRequest(FIELDS, SOURCES, settings.omit).join(',');

  // `updated_gte` (docs.unified.to/hris/employee/List_all_employees): only employees updated at
  // or after that time, paged like the whole listing. Unified.to names no deleted employees.
  const listingOf = (updatedGte: Date | null): OffsetListing => ({
    pageSize: PAGE_SIZE,
    async fetch(offset, page, signal) {
      const url = new URL(endpoint);
      url.search = new URLSearchParams({
        limit: String(PAGE_SIZE),
        offset: String(offset),
        fields,
        ...(updatedGte ? { updated_gte: updatedGte.toISOString() } : {}),
      }).toString();
      const body = await http.json<unknown>(url, { signal, page: pageLabel(page), headers: { Authorization: `Bearer ${apiKey}` } });
      if (!Array.isArray(body)) throw unreadable(PROVIDER, pageLabel(page), 'not a list of employees');
      return { contacts: toContacts(recordsOf(body), read), received: body.length, total: null };
    },
  });
  const listing = listingOf(null);

  return {
    async listContacts({ cursor, signal }) {
      const { page, offset } = readOffsetCursor(PROVIDER, cursor);
      const { contacts, received } = await listing.fetch(offset, page, signal);
      return { contacts, nextCursor: nextOffsetCursor(page, offset, received, PAGE_SIZE, null) };
    },
    // No total is given, so pages ahead are asked for speculatively until one comes back short.
    pages: (options) => offsetPages(listing, options),
    changeWatermark: async ({ startedAt }) => timeWatermark(startedAt),
    listChanges: ({ since, startedAt, signal }) =>
      changedPages(offsetPages(listingOf(readTimeWatermark(PROVIDER, since)), { signal, concurrency: 1 }), startedAt),
  };
}

createUnifiedConnector satisfies ConnectorFactory;
