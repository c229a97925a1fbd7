/**
 * HiBob (Bob): `POST /v1/people/search` answers every person the service user may see in one
 * response (no paging), so one page and a null cursor. The service user's id and token go over
 * HTTP Basic. The search allows 50 requests a minute and answers 429 with X-RateLimit-* headers
 * past that; one listing is one request, and the shared client waits for the reset.
 *
 * Fields the service user's permission group cannot read are silently left out of the answer, so
 * every value is optional. We ask for `humanReadable: APPEND`: machine values (ids of people and
 * of list items) stay where they are and a `humanReadable` twin carries the names of departments,
 * sites and titles, which are list fields. Bob has answered a field nested (`work.department`),
 * with root fields at the top level, or flat (`"/work/department": { value }`); both are read.
 */
import {
  basicAuth,
  blankToNull,
  connectorHttp,
  isRecord,
  recordsOf,
  requireCredentials,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
import type { Connector, ConnectorFactory, ConnectorSettings } from './types.js';

export const HIBOB_BASE_URL = 'https://api.hibob.com';
export const HIBOB_CREDENTIALS = ['serviceUserId', 'token'] as const;

const PROVIDER = 'HiBob';
const PAGE = 'the people search';

const FIELDS = [
  'root.id',
  'root.firstName',
  'root.surname',
  'root.displayName',
  'root.email',
  'home.privateEmail',
  'work.title',
  'work.department',
  'work.site',
  'work.manager',
  'work.reportsTo',
  'payroll.employment.type',
  'internal.lifecycleStatus',
  'internal.status',
  'about.avatar',
];

/**
 * Fields left out of the search when the deployment turns theirs off: the search answers only the
 * `fields` it is asked for (apidocs.hibob.com/reference/post_people-search: "the request body
 * selects `fields`"), so Bob never sends them.
 */
const SOURCES: Partial<Record<OptionalField, string[]>> = {
  title: ['work.title'],
  location: ['work.site'],
  managerId: ['work.manager', 'work.reportsTo'],
  personalEmail: ['home.privateEmail'],
  avatarUrl: ['about.avatar'],
};

type Person = Record<string, unknown>;

function at(value: unknown, path: readonly string[]): unknown {
  let here = value;
  for (const key of path) here = isRecord(here) ? here[key] : undefined;
  return here;
}

/** A field by its id, wherever this answer put it; `named` prefers the human-readable twin. */
function field(person: Person, id: string, named = false): unknown {
  const path = id.split('.');
  const find = (from: unknown) => at(from, path) ?? (path[0] === 'root' ? at(from, path.slice(1)) : undefined);
  const human = named ? find(person.humanReadable) : undefined;
  if (human !== undefined && human !== null) return human;
  const nested = find(person);
  if (nested !== undefined && nested !== null) return nested;
  const flat = person[`/${path.join('/')}`];
  return isRecord(flat) ? flat.value : flat;
}

function read(p: Person): RawContact {
  const reportsTo = field(p, 'work.reportsTo');
  const lifecycle = blankToNull(field(p, 'internal.lifecycleStatus'))?.toLowerCase();
  const access = blankToNull(field(p, 'internal.status'))?.toLowerCase();
  return {
    id: field(p, 'root.id'),
    firstName: field(p, 'root.firstName'),
    lastName: field(p, 'root.surname'),
    displayName: field(p, 'root.displayName'),
    email: field(p, 'root.email'),
    personalEmail: field(p, 'home.privateEmail'),
    title: field(p, 'work.title', true),
    department: field(p, 'work.department', true),
    location: field(p, 'work.site', true),
    // A list field (the company's own "Employment type" list), so its human-readable name.
    employmentType: field(p, 'payroll.employment.type', true),
    managerId: blankToNull(field(p, 'work.manager')) ?? (isRecord(reportsTo) ? reportsTo.id : null),
    avatarUrl: field(p, 'about.avatar'),
    // Lifecycle says terminated or not; the access status alone also calls future hires inactive.
    inactive: lifecycle ? lifecycle === 'terminated' : access === 'inactive',
  };
}

export function createHiBobConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { serviceUserId, token } = requireCredentials(PROVIDER, settings.credentials, HIBOB_CREDENTIALS);
  const client = connectorHttp(PROVIDER, settings, options);
  const url = `${urlOr(settings.baseUrl, HIBOB_BASE_URL)}/v1/people/search`;
  const auth = basicAuth(serviceUserId, token);
  const fields = fieldsToRequest(FIELDS, SOURCES, settings.omit);

  return {
    async listContacts({ signal }) {
      const body = await client.json<unknown>(url, {
        method: 'POST',
        signal,
        page: PAGE,
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        // No `filters` at all: Bob's reference says an empty array or object can be answered 400.
        body: JSON.stringify({ fields, showInactive: true, humanReadable: 'APPEND' }),
      });
      const employees = isRecord(body) ? body.employees : undefined;
      if (!Array.isArray(employees)) throw unreadable(PROVIDER, PAGE, 'no "employees" list');
      const contacts = toContacts(recordsOf(employees), read);
      return { contacts, nextCursor: null, total: contacts.length };
    },
  };
}

createHiBobConnector satisfies ConnectorFactory;
