/**
 * Personio, through its v1 API, which is all a directory listing needs (v2's `/v2/persons`
 * pages by a cursor in `_meta.links.next.href` and could replace it without changing the contacts).
 *
 * The client id and secret buy a bearer token at `POST /v1/auth` (`{ success, data: { token } }`).
 * Tokens are `papi-…` and stable for 24 hours (they were single-use once, the next one handed back
 * in each answer's `authorization` header; Personio's docs still show both): we keep the token
 * until Personio refuses it, then fetch one more, which serves either behaviour.
 *
 * Employees come from `GET /v1/company/employees?limit=100&offset=N`: at most 100 a page since
 * pagination was enforced; each attribute is wrapped as `{ label, value, type }` and only the
 * attributes the API credential whitelists are present. The listing allows 300 requests a minute
 * (15 a second) and answers 429 past that with no delay given; Personio asks for at least a second.
 */
import { retryAfterMs, type Verdict } from './http.js';
import { createTokenCache } from './oauth.js';
import {
  blankToNull,
  connectorHttp,
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
import { offsetPages, readTimeWatermark, timeWatermark, type OffsetListing } from './paging.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
import type { Connector, ConnectorFactory, ConnectorSettings } from './types.js';

export const PERSONIO_BASE_URL = 'https://api.personio.de';
export const PERSONIO_CREDENTIALS = ['clientId', 'clientSecret'] as const;

const PROVIDER = 'Personio';
const PAGE_SIZE = 100;
/** The auth endpoint's cool-down once its 60 requests a minute are spent. */
const AUTH_COOL_DOWN_MS = 60_000;

/**
 * The attributes asked for (`attributes[]`, personio-personnel-data-api-oa3.yaml: "a list of
 * attributes that will be returned for the employees, ie. a projection"; `id` always comes): only
 * what `read` uses, so salaries, IBANs and the like never leave Personio even where the credential
 * may read them, and the ones behind a field the deployment turned off neither.
 */
const ATTRIBUTES = ['first_name', 'last_name', 'preferred_name', 'email', 'position', 'department', 'office', 'employment_type', 'supervisor', 'status'];
const SOURCES: Partial<Record<OptionalField, string[]>> = { title: ['position'], location: ['office'], managerId: ['supervisor'] };

type Attributes = Record<string, unknown>;

/** An attribute's value, unwrapping `{ label, value }` (supervisor attributes nest another level). */
function value(attributes: unknown, key: string): unknown {
  const wrapped = isRecord(attributes) ? attributes[key] : undefined;
  return isRecord(wrapped) && 'value' in wrapped ? wrapped.value : wrapped;
}

/** Departments and offices are objects `{ type, attributes: { name } }`. */
function nameOf(v: unknown): unknown {
  return isRecord(v) && isRecord(v.attributes) ? v.attributes.name : v;
}

function read(employee: Attributes): RawContact {
  const a = employee.attributes;
  const supervisor = value(a, 'supervisor');
  return {
    id: value(a, 'id'),
    firstName: value(a, 'first_name'),
    lastName: value(a, 'last_name'),
    // `preferred_name` is a whole name (Personio's own example: "Alexander Bergmann" beside first
    // name "Alexander"), not a given name: it is how the person is shown, never a first name.
    displayName: value(a, 'preferred_name'),
    email: value(a, 'email'),
    title: value(a, 'position'),
    department: nameOf(value(a, 'department')),
    location: nameOf(value(a, 'office')),
    // `internal` or `external` in Personio's own example.
    employmentType: value(a, 'employment_type'),
    managerId: isRecord(supervisor) ? value(supervisor.attributes, 'id') : null,
    // `profile_picture` is an API URL that needs our bearer token: the widget could not show it.
    avatarUrl: null,
    inactive: blankToNull(value(a, 'status'))?.toLowerCase() === 'inactive',
  };
}

/** Personio's 429s give no delay: wait `ms` (a second for listings, the cool-down for tokens). */
const throttled =
  (ms: number) =>
  (status: number, _body: string, headers: Headers): Verdict | undefined =>
    status === 429 ? { retry: true, kind: 'rate_limited', afterMs: retryAfterMs(headers) ?? ms } : undefined;

export function createPersonioConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { clientId, clientSecret } = requireCredentials(PROVIDER, settings.credentials, PERSONIO_CREDENTIALS);
  const client = connectorHttp(PROVIDER, settings, options);
  const api = urlOr(settings.baseUrl, PERSONIO_BASE_URL);
  const authUrl = `${urlOr(settings.tokenUrl, api)}/v1/auth`;
  const projection = fieldsToRequest(ATTRIBUTES, SOURCES, settings.omit)
    .map((a) => `attributes[]=${a}`)
    .join('&');
  const tokens = createTokenCache(async (signal) => {
    const page = 'token request';
    const response = await client.json<unknown>(authUrl, {
      method: 'POST',
      signal,
      page,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
      classify: throttled(AUTH_COOL_DOWN_MS),
    });
    const accessToken = isRecord(response) && isRecord(response.data) ? blankToNull(response.data.token) : null;
    if (!isRecord(response) || !accessToken) throw unreadable(PROVIDER, page, 'no token');
    return { accessToken, expiresInSeconds: null, response };
  });

  const listing: OffsetListing = {
    pageSize: PAGE_SIZE,
    async fetch(offset, page, signal) {
      const body = await tokens.use(signal, (token) =>
        client.json<unknown>(`${api}/v1/company/employees?limit=${PAGE_SIZE}&offset=${offset}&${projection}`, {
          signal,
          page: pageLabel(page),
          headers: { Authorization: `Bearer ${token.accessToken}` },
          classify: throttled(1000),
        }),
      );
      if (!isRecord(body) || !Array.isArray(body.data)) throw unreadable(PROVIDER, pageLabel(page), 'no "data" list');
      const total = isRecord(body.metadata) && typeof body.metadata.total_elements === 'number' ? body.metadata.total_elements : null;
      return { contacts: toContacts(recordsOf(body.data), read), received: body.data.length, total };
    },
  };

  return {
    async listContacts({ cursor, signal }) {
      const { page, offset } = readOffsetCursor(PROVIDER, cursor);
      const { contacts, received, total } = await listing.fetch(offset, page, signal);
      return { contacts, nextCursor: nextOffsetCursor(page, offset, received, PAGE_SIZE, total), total };
    },
    // `metadata.total_elements` on the first page plans the rest (15 requests a second are allowed).
    pages: (options) => offsetPages(listing, options),
    changeWatermark: async ({ startedAt }) => timeWatermark(startedAt),
    /**
     * `updated_since` (developer.personio.de/reference/get_company-employees): the employees
     * updated since an ISO 8601 date-time written without a zone ("2022-12-24T08:15:30"); with it
     * Personio ignores `limit` and `offset` and answers every match at once. It is applied only
     * to the attributes asked for (`attributes[]`: "the employees that have had any of the provided
     * attributes[] updated"), so a change to anything else lists no one. The zone it is
     * read in is not documented: we send UTC, which for a company east of UTC (Personio's are)
     * only reaches further back. Personio names no deleted employees; terminated ones come back
     * `inactive`, and the periodic full refresh finds the deleted.
     */
    async *listChanges({ since, startedAt, signal }) {
      const from = readTimeWatermark(PROVIDER, since).toISOString().slice(0, 19);
      const page = 'changes';
      const body = await tokens.use(signal, (token) =>
        client.json<unknown>(`${api}/v1/company/employees?updated_since=${encodeURIComponent(from)}&${projection}`, {
          signal,
          page,
          headers: { Authorization: `Bearer ${token.accessToken}` },
          classify: throttled(1000),
        }),
      );
      if (!isRecord(body) || !Array.isArray(body.data)) throw unreadable(PROVIDER, page, 'no "data" list');
      yield { contacts: toContacts(recordsOf(body.data), read), deleted: [], watermark: timeWatermark(startedAt) };
    },
  };
}

createPersonioConnector satisfies ConnectorFactory;
