/**
 * A loopback BambooHR for connector tests, built from BambooHR's own documentation:
 * - https://documentation.bamboohr.com/docs/getting-started (API key as the Basic user, any password,
 *   "x" by convention; the base URL `https://{companyDomain}.bamboohr.com/api/v1/`)
 * - https://documentation.bamboohr.com/reference/get-employees-directory (JSON by Accept header;
 *   `{ fields, employees }`, the columns the company chose to share; Active employees only; hidden
 *   people silently absent; BambooHR recommends against it for bulk data; 403 without directory
 *   or org-chart sharing; 404 when the directory is empty)
 * - https://documentation.bamboohr.com/reference/get-employees-directory-1 (sample answer: no
 *   `workEmail` column, numeric ids, absent values as null)
 * - https://documentation.bamboohr.com/reference/request-custom-report (`POST …/reports/custom?format=JSON`,
 *   case-insensitive format, Content-Type exactly application/json or the body is read as XML and
 *   refused with 400 "Malformed XML", all employees whatever their status, unknown or unreadable
 *   fields silently omitted, at most 400 fields, absent values as "")
 * - https://documentation.bamboohr.com/reference/get-changed-employee-ids (`GET …/employees/changed`:
 *   `since` required, in one of five ISO 8601 forms without fractions of a second, else 400;
 *   optional `type` inserted, updated or deleted; `{ latest, employees: { "<id>": { id, action,
 *   lastChanged } } }`, ids as strings, `latest` the newest change listed) and the custom
 *   report's `filters.lastChanged` (`{ includeNull, value }`: only employees changed since then;
 *   `includeNull: "no"` leaves out records never stamped). What `latest` is when nothing changed
 *   is not documented: this fake sends null.
 * - https://documentation.bamboohr.com/docs/planned-changes-to-the-api (rate limiting: 503 until
 *   2026-09-16, 429 with Retry-After since)
 * The 401 carries an empty body and BambooHR's `X-BambooHR-Error-Message` header, as its clients report.
 * The company is the host's first label: a loopback server cannot be reached by that name, so a
 * test reaching it through a company host says which in `X-Forwarded-Host`, as a proxy would.
 */
import { basicOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

/** An employee as BambooHR stores them, by API field alias (values as the test wants them sent). */
export type BambooEmployee = Record<string, unknown> & {
  id: string | number;
  status?: 'Active' | 'Inactive';
  inDirectory?: boolean;
  /** When the record last changed (ISO 8601), and whether that change created it; unstamped records predate change tracking. */
  lastChanged?: string;
  inserted?: boolean;
};

/** `since` as BambooHR's reference lists it: yyyy-mm-ddThh:mm:ss, then Z or an offset ±hh:mm / ±hhmm. */
const SINCE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:?\d\d)$/;

export interface BambooOptions {
  companyDomain?: string;
  apiKey?: string;
  employees: BambooEmployee[];
  /** `shared`: the company directory is published; `disabled`: neither directory nor org chart is. */
  directory?: 'shared' | 'disabled';
  /** The columns the company shares in its directory (BambooHR's sample ones, without `workEmail`, by default). */
  directoryFields?: readonly string[];
  /** How to answer the next requests, one entry each (null: normally), before serving normally. */
  failures?: (Failure | null)[];
  /** Before 2026-09-16 BambooHR signalled throttling with 503. */
  throttleStatus?: 429 | 503;
  retryAfterSeconds?: number;
  /** Employees deleted from BambooHR, and when. */
  deleted?: { id: string | number; lastChanged: string }[];
}

/** Every column a company may share in its directory, with BambooHR's type and name. */
const DIRECTORY_COLUMNS: Record<string, readonly [type: string, name: string]> = {
  displayName: ['text', 'Display name'],
  firstName: ['text', 'First name'],
  lastName: ['text', 'Last name'],
  preferredName: ['text', 'Preferred name'],
  jobTitle: ['list', 'Job title'],
  workPhone: ['text', 'Work Phone'],
  mobilePhone: ['text', 'Mobile Phone'],
  workEmail: ['email', 'Work Email'],
  department: ['list', 'Department'],
  location: ['list', 'Location'],
  division: ['list', 'Division'],
  linkedIn: ['text', 'LinkedIn URL'],
  workPhoneExtension: ['text', 'Work Ext.'],
  supervisor: ['employee', 'Supervisor'],
  photoUploaded: ['bool', 'Employee photo exists'],
  photoUrl: ['url', 'Employee photo url'],
};

/** The columns of BambooHR's sample directory: no work email. */
export const SAMPLE_DIRECTORY_FIELDS = [
  'displayName',
  'firstName',
  'lastName',
  'preferredName',
  'jobTitle',
  'workPhone',
  'mobilePhone',
  'department',
  'location',
  'division',
  'linkedIn',
  'workPhoneExtension',
  'supervisor',
  'photoUploaded',
  'photoUrl',
];
/** A directory whose company also shares the work email. */
export const DIRECTORY_WITH_EMAIL = [...SAMPLE_DIRECTORY_FIELDS, 'workEmail'];

/** Field aliases this fake knows; others requested in a report are omitted, as BambooHR does. */
const KNOWN_FIELDS = new Set([
  ...Object.keys(DIRECTORY_COLUMNS),
  'homeEmail',
  'supervisorEId',
  'status',
  'employmentHistoryStatus',
  'hireDate',
  'terminationDate',
]);

export function startBambooHRServer(options: BambooOptions) {
  const domain = options.companyDomain ?? 'acme';
  const key = options.apiKey ?? 'bamboo-key';
  const failures = [...(options.failures ?? [])];

  const directoryFields = (options.directoryFields ?? SAMPLE_DIRECTORY_FIELDS).filter((f) => f in DIRECTORY_COLUMNS);

  /** A field's value; `absent` is what BambooHR writes for a missing one (null in the directory, "" in reports). */
  function value(e: BambooEmployee, field: string, absent: null | ''): unknown {
    if (field === 'supervisor' && !(field in e)) {
      const boss = options.employees.find((b) => String(b.id) === String(e.supervisorEId));
      return boss ? `${boss.firstName} ${boss.lastName}` : absent;
    }
    return field in e && e[field] !== null && e[field] !== undefined ? e[field] : absent;
  }
  // Ids are numbers in BambooHR's answers.
  const idOf = (e: BambooEmployee) => (/^\d+$/.test(String(e.id)) ? Number(e.id) : e.id);

  return startLoopback((req: RecordedRequest, send: Reply) => {
    const { path, query, body } = req;

    const base = '/api/v1';
    if (!path.startsWith(`${base}/`)) return send(404, '');
    const host = req.headers['x-forwarded-host'];
    if (typeof host === 'string' && host.split('.')[0]!.toLowerCase() !== domain) return send(404, '', { 'X-BambooHR-Error-Message': 'Company not found' });
    // Any password is accepted; the key is the user.
    if (basicOf(req)?.user !== key) {
      return send(401, '', { 'WWW-Authenticate': 'Basic realm="BambooHR API"', 'X-BambooHR-Error-Message': 'Invalid API key' });
    }

    const failure = failures.shift();
    if (failure === 'throttle') {
      return send(options.throttleStatus ?? 429, '', { 'Retry-After': String(options.retryAfterSeconds ?? 2) });
    }
    if (failure === '5xx') return send(500, '', { 'X-BambooHR-Error-Message': 'Internal error' });

    if (req.method === 'GET' && path === `${base}/employees/directory`) {
      if (!/json/i.test(req.headers.accept ?? '')) return send(200, '<directory/>', { 'Content-Type': 'text/xml' });
      if (options.directory === 'disabled') return send(403, '', { 'X-BambooHR-Error-Message': 'Directory is not shared' });
      const listed = options.employees.filter((e) => (e.status ?? 'Active') === 'Active' && e.inDirectory !== false);
      if (listed.length === 0) return send(404, '');
      if (failure === 'malformed') return send(200, '{"fields":[],"employees":[{"id":"1",');
      return send(200, {
        fields: directoryFields.map((id) => ({ id, type: DIRECTORY_COLUMNS[id]![0], name: DIRECTORY_COLUMNS[id]![1] })),
        employees: listed.map((e) => Object.fromEntries([['id', idOf(e)], ...directoryFields.map((f) => [f, value(e, f, null)])])),
      });
    }

    if (req.method === 'GET' && path === `${base}/employees/changed`) {
      const since = query.get('since');
      const type = query.get('type')?.toLowerCase();
      if (!since || !SINCE.test(since) || Number.isNaN(Date.parse(since)) || (type !== undefined && !['inserted', 'updated', 'deleted'].includes(type))) {
        return send(400, '', { 'X-BambooHR-Error-Message': 'The since parameter is missing, is not a valid ISO 8601 date, or the type parameter is invalid.' });
      }
      if (failure === 'malformed') return send(200, '{"latest":"2026-');
      const after = Date.parse(since);
      const changes = [
        ...options.employees
          .filter((e) => e.lastChanged)
          .map((e) => ({ id: String(e.id), action: e.inserted ? 'Inserted' : 'Updated', lastChanged: e.lastChanged! })),
        ...(options.deleted ?? []).map((d) => ({ id: String(d.id), action: 'Deleted', lastChanged: d.lastChanged })),
      ].filter((c) => Date.parse(c.lastChanged) >= after && (!type || c.action.toLowerCase() === type));
      const latest = changes.map((c) => c.lastChanged).sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;
      return send(200, { latest, employees: Object.fromEntries(changes.map((c) => [c.id, c])) });
    }

    if (req.method === 'POST' && path === `${base}/reports/custom`) {
      if (query.get('format')?.toLowerCase() !== 'json') return send(404, '');
      if (req.headers['content-type'] !== 'application/json') return send(400, '', { 'X-BambooHR-Error-Message': 'Malformed XML' });
      let fields: unknown;
      let filters: { lastChanged?: { includeNull?: string; value?: string } } | undefined;
      try {
        ({ fields, filters } = JSON.parse(body) as { fields?: unknown; filters?: typeof filters });
      } catch {
        return send(400, '', { 'X-BambooHR-Error-Message': 'Malformed JSON' });
      }
      const changedSince = filters?.lastChanged?.value;
      if (changedSince !== undefined && Number.isNaN(Date.parse(changedSince)))
        return send(400, '', { 'X-BambooHR-Error-Message': 'Invalid lastChanged filter' });
      const reported = options.employees.filter((e) =>
        changedSince === undefined ? true : e.lastChanged ? Date.parse(e.lastChanged) >= Date.parse(changedSince) : filters?.lastChanged?.includeNull !== 'no',
      );
      if (!Array.isArray(fields) || fields.length === 0 || fields.length > 400) return send(400, '', { 'X-BambooHR-Error-Message': 'Invalid field list' });
      if (failure === 'malformed') return send(200, '{"title":"x","employees":[{');
      const known = fields.filter((f): f is string => typeof f === 'string' && KNOWN_FIELDS.has(f));
      return send(200, {
        title: 'hr-import contacts',
        fields: known.map((id) => ({ id, type: 'text', name: id })),
        employees: reported.map((e) => Object.fromEntries([['id', idOf(e)], ...known.map((f) => [f, value(e, f, '')])])),
      });
    }
    return send(404, '');
  });
}
