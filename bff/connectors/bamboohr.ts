/**
 * BambooHR: the whole company in one answer, so one page and a null cursor. The API lives on the
 * company's own host, `https://{companyDomain}.bamboohr.com/api/v1/` (the documented base URL;
 * the older `api.bamboohr.com/api/gateway.php/{companyDomain}` is no longer it), so the
 * configured `baseUrl` may name `{companyDomain}`, filled in from the credential.
 *
 * The company directory (`GET …/v1/employees/directory`) comes first: it is what the company
 * chose to publish. Its columns are chosen by each company (BambooHR's own sample has no
 * `workEmail`), it lists active employees only, may hide people (often contractors), names the
 * supervisor rather than giving an id, and a company can switch it off: then it answers 403 (no
 * directory or org-chart sharing) or 404 (empty). In all of these cases, and whenever the
 * directory's columns lack `workEmail` (people no one could invite), we run an ad-hoc custom
 * report instead (`POST …/v1/reports/custom`), which covers everyone the API key may see,
 * inactive people included, with the supervisor's employee id. BambooHR marks the custom report
 * deprecated in favour of Datasets, whose field names differ; the report still answers and takes
 * the field aliases the directory uses. Auth is the API key as the HTTP Basic user with the
 * password `x`. Throttling was a 503 with Retry-After until 2026-09-16 and is a 429 with
 * Retry-After since; the shared client retries both and honours the header.
 *
 * Incremental refresh: "Get Changed Employee IDs" (`GET …/v1/employees/changed?since=…`,
 * documentation.bamboohr.com/reference/get-changed-employee-ids) lists every employee whose record
 * changed since a time, as `{ latest, employees: { "<id>": { id, action, lastChanged } } }` with
 * action Inserted, Updated or Deleted; `latest` is the newest change it lists, by BambooHR's
 * clock, and is the next watermark. The deleted are the `deleted` ids. The others are read where
 * the full refresh reads them, in one request whatever their number: the custom report with the
 * `lastChanged` filter it documents (request-custom-report: "the report will only include those
 * employees whose records have changed since that time", `includeNull: "no"` leaving out records
 * never stamped), rather than a `GET …/employees/{id}` per person, which would cost a thousand
 * requests at 1% of a 100,000-person company. A company whose full refresh reads its directory
 * (one answer for everyone) has it read again and kept to the changed people, so both refreshes
 * list the same people: someone changed who is no longer in the directory (made inactive,
 * hidden) is gone, as a full refresh would find.
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
import { readTimeWatermark, timeWatermark } from './paging.js';
import { ProviderError, type Connector, type ConnectorFactory, type ConnectorSettings } from './types.js';

/** The documented base: each company's own host, `{companyDomain}` filled in from the credential. */
export const BAMBOOHR_BASE_URL = 'https://{companyDomain}.bamboohr.com';
export const BAMBOOHR_CREDENTIALS = ['companyDomain', 'apiKey'] as const;

const PROVIDER = 'BambooHR';
const DIRECTORY = 'the company directory';
const REPORT = 'the custom report';
const CHANGES = 'the changed employees';

/**
 * A time as BambooHR reads it: `yyyy-mm-ddThh:mm:ssZ`, one of the formats its changed-employees
 * reference lists (none has fractions of a second).
 */
const bambooTime = (at: Date): string => at.toISOString().replace(/\.\d+Z$/, 'Z');

/** Field aliases for the report; ones the key may not read are silently left out by BambooHR. */
const REPORT_FIELDS = [
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'workEmail',
  'homeEmail',
  'jobTitle',
  'department',
  'location',
  'supervisorEId',
  'status',
  'employmentHistoryStatus',
  'photoUploaded',
  'photoUrl',
];

/**
 * Report fields left out when the deployment turns theirs off: the custom report answers only
 * the `fields` it is asked for (documentation.bamboohr.com/reference/request-custom-report). The
 * directory's columns are the company's choice and cannot be chosen per request: what it sends
 * of a turned-off field is dropped on arrival (minimize.ts).
 */
const REPORT_SOURCES: Partial<Record<OptionalField, string[]>> = {
  title: ['jobTitle'],
  location: ['location'],
  managerId: ['supervisorEId'],
  personalEmail: ['homeEmail'],
  avatarUrl: ['photoUploaded', 'photoUrl'],
};

type Employee = Record<string, unknown>;

/** A company domain is a host label: anything else would steer the API key to another host. */
const COMPANY_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Whether the directory can be used: it must carry the work email, or its people could not be
 * invited. The `fields` list names the company's chosen columns; without one, a column no
 * employee has is taken as missing.
 */
function hasWorkEmail(body: Record<string, unknown>, employees: Record<string, unknown>[]): boolean {
  if (Array.isArray(body.fields)) return recordsOf(body.fields).some((f) => f.id === 'workEmail');
  return employees.some((e) => 'workEmail' in e);
}

/** One BambooHR employee record (directory or report row, by field alias) as the contact it becomes. */
export function readEmployee(e: Employee): RawContact {
  const employment = typeof e.employmentHistoryStatus === 'string' ? e.employmentHistoryStatus : '';
  return {
    id: e.id,
    // The name a person goes by is the one an invitation should greet them with.
    firstName: blankToNull(e.preferredName) ?? e.firstName,
    lastName: e.lastName,
    displayName: e.displayName,
    email: e.workEmail,
    personalEmail: e.homeEmail,
    title: e.jobTitle,
    department: e.department,
    location: e.location,
    // "The employee's CURRENT employment status", options customized by each company (Full-Time, Contractor…).
    employmentType: employment,
    managerId: e.supervisorEId,
    // Without an uploaded photo BambooHR still answers a URL: its placeholder silhouette.
    avatarUrl: e.photoUploaded === false || e.photoUploaded === 'false' ? null : e.photoUrl,
    inactive: (typeof e.status === 'string' && e.status.trim().toLowerCase() === 'inactive') || /terminat/i.test(employment),
  };
}

export function createBambooHRConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { companyDomain, apiKey } = requireCredentials(PROVIDER, settings.credentials, BAMBOOHR_CREDENTIALS);
  const client = connectorHttp(PROVIDER, settings, options);
  if (!COMPANY_DOMAIN.test(companyDomain)) {
    throw new ProviderError('config', `${PROVIDER}: the credential "companyDomain" must be the company's subdomain (acme in acme.bamboohr.com).`);
  }
  const api = `${urlOr(settings.baseUrl, BAMBOOHR_BASE_URL).replace('{companyDomain}', companyDomain.toLowerCase())}/api/v1`;
  const auth = basicAuth(apiKey, 'x');
  const reportFields = fieldsToRequest(REPORT_FIELDS, REPORT_SOURCES, settings.omit);
  // BambooHR answers a refused key with an empty body and says why in a header: show its words.
  const classify = (status: number, _body: string, headers: Headers) => {
    const said = headers.get('X-BambooHR-Error-Message')?.trim();
    return status === 401 && said ? ({ retry: false, kind: 'auth', message: said } as const) : undefined;
  };

  /** Everyone the directory or the report gives; with `changedSince`, the report keeps to records changed since then. */
  async function employees(signal: AbortSignal, changedSince?: Date): Promise<{ page: string; list: unknown }> {
    try {
      const body = await client.json<unknown>(`${api}/employees/directory`, { signal, page: DIRECTORY, classify, headers: { Authorization: auth } });
      const list = isRecord(body) ? body.employees : undefined;
      if (!isRecord(body) || !Array.isArray(list) || hasWorkEmail(body, recordsOf(list))) return { page: DIRECTORY, list };
    } catch (err) {
      if (!(err instanceof ProviderError) || (err.details.status !== 403 && err.details.status !== 404)) throw err;
    }
    const body = await client.json<unknown>(`${api}/reports/custom?format=JSON`, {
      method: 'POST',
      signal,
      page: REPORT,
      classify,
      // Exactly this value: anything else (even with a charset) is parsed as XML and refused.
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title: 'hr-import contacts',
        ...(changedSince ? { filters: { lastChanged: { includeNull: 'no', value: bambooTime(changedSince) } } } : {}),
        fields: reportFields,
      }),
    });
    return { page: REPORT, list: isRecord(body) ? body.employees : undefined };
  }

  return {
    async listContacts({ signal }) {
      const { page, list } = await employees(signal);
      if (!Array.isArray(list)) throw unreadable(PROVIDER, page, 'no "employees" list');
      const contacts = toContacts(recordsOf(list), readEmployee);
      return { contacts, nextCursor: null, total: contacts.length };
    },
    changeWatermark: async ({ startedAt }) => timeWatermark(startedAt),
    async *listChanges({ since, signal }) {
      const from = readTimeWatermark(PROVIDER, since);
      const body = await client.json<unknown>(`${api}/employees/changed?since=${encodeURIComponent(bambooTime(from))}`, {
        signal,
        page: CHANGES,
        classify,
        headers: { Authorization: auth },
      });
      // A map by id; an empty one may come as a JSON array.
      const listed = isRecord(body) ? body.employees : undefined;
      if (!isRecord(body) || !(isRecord(listed) || Array.isArray(listed))) throw unreadable(PROVIDER, CHANGES, 'no "employees" map');
      const changes = Array.isArray(listed) ? recordsOf(listed) : Object.values(listed).filter(isRecord);
      const deleted = new Set<string>();
      const changed = new Set<string>();
      for (const change of changes) {
        const id = blankToNull(change.id);
        if (id) (String(change.action).toLowerCase() === 'deleted' ? deleted : changed).add(id);
      }
      const latest = blankToNull(body.latest);
      // Nothing listed (or no readable `latest`): the next refresh starts where this one did.
      const watermark = latest && !Number.isNaN(Date.parse(latest)) ? latest : since;
      if (changed.size === 0) {
        yield { contacts: [], deleted: [...deleted], watermark };
        return;
      }
      const { page, list } = await employees(signal, from);
      if (!Array.isArray(list)) throw unreadable(PROVIDER, page, 'no "employees" list');
      const contacts = toContacts(recordsOf(list), readEmployee).filter((c) => changed.has(c.id));
      if (page === DIRECTORY) {
        const listedNow = new Set(contacts.map((c) => c.id));
        for (const id of changed) if (!listedNow.has(id)) deleted.add(id);
      }
      yield { contacts, deleted: [...deleted], watermark };
    },
  };
}

createBambooHRConnector satisfies ConnectorFactory;
