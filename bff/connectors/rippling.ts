/**
 * Rippling, through its Platform REST API (`https://rest.ripplingapis.com`; OpenAPI "Rippling
 * Platform API", operation list-workers): `GET /workers?expand=user,department,employment_type`, a page of
 * `results` and, while there are more, `next_link`, the URL of the next page (cursor paging; the
 * server picks the page size, list-workers takes no `limit`). Auth is a bearer API token created
 * by a Rippling admin (or a partner app's OAuth access token) with the scopes workers.read,
 * users.read and departments.read.
 *
 * A worker is one employment; its `user` (expanded) carries the name, the display name and the
 * photos, its `department` (expanded) the department's name, its `employment_type` (expanded) the
 * company's label for the kind of employment. Fields the token may not read are
 * left out and named in `__meta.redacted_fields`: every value is optional. `status` is HIRED,
 * ACCEPTED, ACTIVE or TERMINATED; only TERMINATED is a leaver (hired and accepted people are
 * starting). The work location is only `{ type: REMOTE | WORK }` without a name, so no location.
 *
 * Rippling documents status codes only (400, 401 revoked token, 403 missing permission, 429,
 * 500, 504), not error bodies or rate-limit numbers: the shared client retries 429 and 5xx and
 * honours Retry-After when one comes.
 */
import {
  blankToNull,
  connectorHttp,
  isRecord,
  pageCursor,
  pageLabel,
  readCursor,
  recordsOf,
  requireCredentials,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import type { Verdict } from './http.js';
import type { Connector, ConnectorFactory, ConnectorSettings } from './types.js';

export const RIPPLING_API_URL = 'https://rest.ripplingapis.com';
export const RIPPLING_CREDENTIALS = ['apiToken'] as const;
export const RIPPLING_SCOPES = ['workers.read', 'users.read', 'departments.read'] as const;

const PROVIDER = 'Rippling';
const WORKERS_PATH = '/workers';

function emailOfType(user: Record<string, unknown>, type: string): unknown {
  return recordsOf(user.emails).find((e) => blankToNull(e.type)?.toUpperCase() === type)?.value;
}

function read(worker: Record<string, unknown>): RawContact {
  const user = isRecord(worker.user) ? worker.user : {};
  const name = isRecord(user.name) ? user.name : {};
  const displayName = blankToNull(user.display_name);
  return {
    id: worker.id,
    // Rippling's preferred given name is a first name (not a whole name), the one a greeting should use.
    firstName: blankToNull(name.preferred_given_name) ?? name.given_name,
    lastName: blankToNull(name.preferred_family_name) ?? name.family_name,
    // Rippling falls back to the username for display_name: a login is not a name to show.
    displayName: displayName && displayName !== blankToNull(user.username) ? displayName : null,
    email: blankToNull(worker.work_email) ?? emailOfType(user, 'WORK'),
    personalEmail: blankToNull(worker.personal_email) ?? emailOfType(user, 'HOME'),
    title: worker.title,
    department: isRecord(worker.department) ? worker.department.name : null,
    location: null,
    // EmploymentType.label, the company's own name for it; redacted (absent) without employment_types.read.
    employmentType: isRecord(worker.employment_type) ? worker.employment_type.label : null,
    managerId: worker.manager_id,
    avatarUrl: recordsOf(user.photos)[0]?.value,
    inactive: blankToNull(worker.status)?.toUpperCase() === 'TERMINATED',
  };
}

function classify(status: number): Verdict | undefined {
  if (status === 403) return { retry: false, kind: 'permission', message: `Forbidden: the API token needs the scopes ${RIPPLING_SCOPES.join(', ')}` };
  if (status === 401)
    return { retry: false, kind: 'auth', message: 'Unauthorized: the API token is wrong, expired or revoked (tokens die when the admin who made them leaves)' };
  return undefined;
}

export function createRipplingConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { apiToken } = requireCredentials(PROVIDER, settings.credentials, RIPPLING_CREDENTIALS);
  const http = connectorHttp(PROVIDER, settings, options);
  const api = new URL(urlOr(settings.baseUrl, RIPPLING_API_URL));

  function pageUrl(state: string | null, page: number): URL {
    if (state === null) {
      const url = new URL(`${api.origin}${WORKERS_PATH}`);
      // list-workers has no field selection (cursor, expand, filter, order_by): the user is expanded
      // for the names, the manager is a plain `manager_id` that no expansion adds, and the location
      // is never read, so there is nothing a turned-off field could leave out of this request.
      url.search = new URLSearchParams({ expand: 'user,department,employment_type' }).toString();
      return url;
    }
    const url = URL.canParse(state) ? new URL(state) : null;
    // The token rides on the request: only ever the workers listing on the configured host.
    if (!url || url.origin !== api.origin || url.pathname !== WORKERS_PATH)
      throw unreadable(PROVIDER, pageLabel(page), 'the next_link leaves the workers listing');
    return url;
  }

  return {
    async listContacts({ cursor, signal }) {
      const { page, state } = readCursor(PROVIDER, cursor);
      const label = pageLabel(page);
      const body = await http.json<unknown>(pageUrl(state, page), { signal, page: label, classify, headers: { Authorization: `Bearer ${apiToken}` } });
      if (!isRecord(body) || !Array.isArray(body.results)) throw unreadable(PROVIDER, label, 'no "results" list');
      const next = blankToNull(body.next_link);
      // next_link may be relative to the API host; an empty page ends the listing whatever it says.
      const nextCursor = next && body.results.length > 0 ? pageCursor(page + 1, new URL(next, api.origin).href) : null;
      return { contacts: toContacts(recordsOf(body.results), read), nextCursor };
    },
  };
}

createRipplingConnector satisfies ConnectorFactory;
