/**
 * Workday: each customer lives on its own data-centre host (e.g. wd2-impl-services1.workday.com)
 * under a tenant name, so there is no default host: `baseUrl` is required.
 *
 * Auth is an API Client for Integrations with a non-expiring refresh token for the integration
 * system user: `POST {tokenUrl or baseUrl}/ccx/oauth2/{tenant}/token` with
 * `grant_type=refresh_token` and the client id and secret over HTTP Basic buys a bearer token,
 * fetched again once when Workday refuses it mid-listing.
 *
 * Two ways to read people, chosen by the optional `report` credential:
 * - without it, the REST worker collection `GET /ccx/api/v1/{tenant}/workers?limit=100&offset=N`
 *   (`{ total, data }`, at most 100 a page). Its summary view carries the name (`descriptor`),
 *   work email, business title and supervisory organization; no first/last name, manager,
 *   worker type or employment status, so every worker there is active;
 * - with it (`owner/report`, or the report's full URL on the same host), a custom report exposed
 *   as a web service (RaaS): `GET /ccx/service/customreport2/{tenant}/{owner}/{report}?format=json`
 *   answers `{ Report_Entry: [...] }` at once, with whatever columns the customer built. We read
 *   the columns by the XML aliases in REPORT_COLUMNS, which is what to name them in the report.
 * Neither way chooses fields per request: the summary view is fixed and a report's columns are
 * the customer's, so a field turned off is dropped on arrival (and may be left out of the report).
 * Workday publishes its throttling only to customers; its 429s carry Retry-After, which the shared
 * client honours, and 5xx are retried.
 */
import { createTokenCache, requestToken } from './oauth.js';
import {
  basicAuth,
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
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import { offsetPages, type OffsetListing } from './paging.js';
import { ProviderError, type Connector, type ConnectorFactory, type ConnectorSettings } from './types.js';

export const WORKDAY_CREDENTIALS = ['tenant', 'clientId', 'clientSecret', 'refreshToken'] as const;
/** What a tenant host looks like; there is no default. */
export const WORKDAY_EXAMPLE_BASE_URL = 'https://wd2-impl-services1.workday.com';

const PROVIDER = 'Workday';
const PAGE_SIZE = 100;
const REPORT = 'the custom report';

/** Column aliases a RaaS report may use for each contact field, first match wins. */
export const REPORT_COLUMNS = {
  id: ['Employee_ID', 'Worker_ID', 'WID'],
  firstName: ['Preferred_First_Name', 'First_Name', 'Legal_First_Name'],
  lastName: ['Preferred_Last_Name', 'Last_Name', 'Legal_Last_Name'],
  displayName: ['Worker', 'Full_Name', 'Name'],
  email: ['Work_Email', 'Primary_Work_Email', 'Email'],
  personalEmail: ['Home_Email', 'Personal_Email'],
  title: ['Business_Title', 'Job_Title'],
  department: ['Supervisory_Organization', 'Department'],
  location: ['Location', 'Work_Location'],
  employmentType: ['Employment_Type', 'Worker_Type', 'Employee_Type', 'Time_Type'],
  managerId: ['Manager_ID', 'Manager_Employee_ID'],
  avatarUrl: ['Photo_URL'],
  active: ['Active_Status', 'Active'],
  status: ['Worker_Status', 'Employment_Status', 'Status'],
} as const;

/** A reference's display name: Workday answers `{ descriptor, id }` where a report or view links an object. */
function descriptor(value: unknown): unknown {
  return isRecord(value) ? value.descriptor : value;
}

function readWorker(w: Record<string, unknown>): RawContact {
  return {
    id: w.id,
    displayName: w.descriptor,
    email: w.primaryWorkEmail,
    title: w.businessTitle,
    department: descriptor(w.primarySupervisoryOrganization),
    location: descriptor(w.location),
  };
}

function readReportRow(row: Record<string, unknown>): RawContact {
  const column = (aliases: readonly string[]) => aliases.map((alias) => descriptor(row[alias])).find((v) => blankToNull(v) !== null);
  const active = blankToNull(column(REPORT_COLUMNS.active))?.toLowerCase();
  const status = blankToNull(column(REPORT_COLUMNS.status)) ?? '';
  return {
    id: column(REPORT_COLUMNS.id),
    firstName: column(REPORT_COLUMNS.firstName),
    lastName: column(REPORT_COLUMNS.lastName),
    displayName: column(REPORT_COLUMNS.displayName),
    email: column(REPORT_COLUMNS.email),
    personalEmail: column(REPORT_COLUMNS.personalEmail),
    title: column(REPORT_COLUMNS.title),
    department: column(REPORT_COLUMNS.department),
    location: column(REPORT_COLUMNS.location),
    employmentType: column(REPORT_COLUMNS.employmentType),
    managerId: column(REPORT_COLUMNS.managerId),
    avatarUrl: column(REPORT_COLUMNS.avatarUrl),
    // Workday reports booleans as "1"/"0".
    inactive: active === '0' || active === 'false' || active === 'no' || /terminat|inactive/i.test(status),
  };
}

function hostOf(setting: string, name: string): URL {
  try {
    const url = new URL(setting);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // reported below
  }
  throw new ProviderError('config', `${PROVIDER}: "${name}" must be your tenant's host, like ${WORKDAY_EXAMPLE_BASE_URL}.`);
}

/** The report's URL; a full URL must stay on the tenant host, since our bearer token goes with it. */
function reportUrl(host: URL, tenant: string, report: string): string {
  if (/^https?:\/\//i.test(report)) {
    const url = hostOf(report, 'report');
    if (url.origin !== host.origin) throw new ProviderError('config', `${PROVIDER}: the report URL must be on ${host.host}, the configured tenant host.`);
    url.searchParams.set('format', 'json');
    return url.toString();
  }
  const parts = report.split('/').filter(Boolean);
  if (parts.length !== 2) throw new ProviderError('config', `${PROVIDER}: the credential "report" must be "owner/report name" or the report's URL.`);
  const path = [tenant, ...parts].map(encodeURIComponent).join('/');
  return `${host.origin}/ccx/service/customreport2/${path}?format=json`;
}

export function createWorkdayConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { tenant, clientId, clientSecret, refreshToken } = requireCredentials(PROVIDER, settings.credentials, WORKDAY_CREDENTIALS);
  if (!blankToNull(settings.baseUrl))
    throw new ProviderError('config', `${PROVIDER}: "baseUrl" must be your tenant's host, like ${WORKDAY_EXAMPLE_BASE_URL}; Workday has no default.`);
  const host = hostOf(settings.baseUrl, 'baseUrl');
  const api = `${host.origin}/ccx/api/v1/${encodeURIComponent(tenant)}`;
  const report = blankToNull(settings.credentials.report);
  const raas = report ? reportUrl(host, tenant, report) : null;
  // The token endpoint as "View API Clients" shows it, or the host it lives on.
  const tokenHost = settings.tokenUrl ? hostOf(settings.tokenUrl, 'tokenUrl') : host;
  const tokenUrl = /\/token\/?$/.test(tokenHost.pathname) ? tokenHost.toString() : `${tokenHost.origin}/ccx/oauth2/${encodeURIComponent(tenant)}/token`;

  const client = connectorHttp(PROVIDER, settings, options);
  const tokens = createTokenCache((signal) =>
    requestToken(client, PROVIDER, tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal, undefined, {
      Authorization: basicAuth(clientId, clientSecret),
    }),
  );
  const get = (url: string, page: string, signal: AbortSignal) =>
    tokens.use(signal, (token) => client.json<unknown>(url, { signal, page, headers: { Authorization: `Bearer ${token.accessToken}` } }));

  const workers: OffsetListing = {
    pageSize: PAGE_SIZE,
    async fetch(offset, page, signal) {
      const body = await get(`${api}/workers?limit=${PAGE_SIZE}&offset=${offset}`, pageLabel(page), signal);
      if (!isRecord(body) || !Array.isArray(body.data)) throw unreadable(PROVIDER, pageLabel(page), 'no "data" list');
      const total = typeof body.total === 'number' ? body.total : null;
      return { contacts: toContacts(recordsOf(body.data), readWorker), received: body.data.length, total };
    },
  };
  const readReport = async (signal: AbortSignal) => {
    const body = await get(raas!, REPORT, signal);
    if (!isRecord(body) || !Array.isArray(body.Report_Entry)) throw unreadable(PROVIDER, REPORT, 'no "Report_Entry" list');
    const contacts = toContacts(recordsOf(body.Report_Entry), readReportRow);
    return { contacts, nextCursor: null, total: contacts.length };
  };

  return {
    async listContacts({ cursor, signal }) {
      if (raas) return readReport(signal);
      const { page, offset } = readOffsetCursor(PROVIDER, cursor);
      const { contacts, received, total } = await workers.fetch(offset, page, signal);
      return { contacts, nextCursor: nextOffsetCursor(page, offset, received, PAGE_SIZE, total), total };
    },
    // The worker collection's `total` plans the pages; a custom report is one answer.
    async *pages(options) {
      if (raas) yield await readReport(options.signal);
      else yield* offsetPages(workers, options);
    },
  };
}

createWorkdayConnector satisfies ConnectorFactory;
