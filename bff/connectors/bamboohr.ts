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
 */
import { basicAuth, blankToNull, connectorHttp, isRecord, recordsOf, requireCredentials, toContacts, unreadable, urlOr, type ConnectorOptions, type RawContact } from './normalize.js';
import { ProviderError, type Connector, type ConnectorFactory, type ConnectorSettings } from './types.js';

/** The documented base: each company's own host, `{companyDomain}` filled in from the credential. */
export const BAMBOOHR_BASE_URL = 'https://{companyDomain}.bamboohr.com';
export const BAMBOOHR_CREDENTIALS = ['companyDomain', 'apiKey'] as const;

const PROVIDER = 'BambooHR';
const DIRECTORY = 'the company directory';
const REPORT = 'the custom report';

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
  // BambooHR answers a refused key with an empty body and says why in a header: show its words.
  const classify = (status: number, _body: string, headers: Headers) => {
    const said = headers.get('X-BambooHR-Error-Message')?.trim();
    return status === 401 && said ? ({ retry: false, kind: 'auth', message: said } as const) : undefined;
  };

  async function employees(signal: AbortSignal): Promise<{ page: string; list: unknown }> {
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
      body: JSON.stringify({ title: 'hr-import contacts', fields: REPORT_FIELDS }),
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
  };
}

createBambooHRConnector satisfies ConnectorFactory;
