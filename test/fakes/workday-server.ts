/**
 * A loopback Workday tenant host for connector tests. Workday's own references sit behind the
 * customer login of community.workday.com; this follows the public excerpts of them:
 * - the Workday REST API v1 reference for workers (as mirrored at vvmc.github.io,
 *   mydoc_rest_api_reference_workers): `GET /ccx/api/v1/{tenant}/workers`, `limit` 20 by default
 *   and at most 100, zero-based `offset`, answers `{ total, data }`; the workerSummary view
 *   (descriptor, id, href, primarySupervisoryOrganization, businessTitle, primaryWorkEmail,
 *   isManager, primaryWorkPhone) leaves out empty pairs; location is in the workerProfile view only
 * - API clients for integrations with non-expiring refresh tokens ("Register API Client for
 *   Integrations", "Manage Refresh Tokens for Integrations", as documented by SailPoint and Nango):
 *   token endpoint `https://{host}/ccx/oauth2/{tenant}/token`, `grant_type=refresh_token`, client
 *   id and secret over HTTP Basic; RFC 6749 errors (invalid_client 401, invalid_grant 400); an
 *   expired access token refused with 401 `invalid_token`
 * - Report-as-a-Service (doc.workday.com admin guide, "Report-as-a-Service (RaaS)"):
 *   `GET /ccx/service/customreport2/{tenant}/{owner}/{report}?format=json` → `{ Report_Entry: [...] }`,
 *   every row at once, columns keyed by their XML alias
 * - throttling: 429 with Retry-After, as Workday customers report it
 */
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface WorkdayWorker {
  id: string;
  descriptor: string;
  primaryWorkEmail?: string;
  businessTitle?: string;
  supervisoryOrganization?: string;
  location?: string;
  primaryWorkPhone?: string;
  isManager?: boolean;
}

export interface WorkdayOptions {
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  workers?: WorkdayWorker[];
  /** RaaS reports by "owner/report": their rows as the report's columns produce them. */
  reports?: Record<string, Record<string, unknown>[]>;
  /** Access tokens stop working after this many API answers (their lifetime ran out). */
  expireAfter?: number;
  /** How to answer the next API requests (not token requests), one entry each (null: normally). */
  failures?: (Failure | null)[];
  retryAfterSeconds?: number;
}

export function startWorkdayServer(options: WorkdayOptions) {
  const tenant = options.tenant ?? 'acme_impl';
  const client = `Basic ${Buffer.from(`${options.clientId ?? 'wd-client'}:${options.clientSecret ?? 'wd-secret'}`).toString('base64')}`;
  const failures = [...(options.failures ?? [])];
  const live = new Set<string>();
  let served = 0;
  function summary(w: WorkdayWorker, view: string | null, origin: string) {
    const href = (kind: string, id: string) => `${origin}/ccx/api/v1/${tenant}/${kind}/${id}`;
    const org = w.supervisoryOrganization;
    const pairs: [string, unknown][] = [
      ['descriptor', w.descriptor],
      ['id', w.id],
      ['href', href('workers', w.id)],
      [
        'primarySupervisoryOrganization',
        org ? { descriptor: org, id: `org-${org.length}`, href: href('supervisoryOrganizations', `org-${org.length}`) } : undefined,
      ],
      ['businessTitle', w.businessTitle],
      ['primaryWorkEmail', w.primaryWorkEmail],
      ['isManager', w.isManager ?? false],
      ['primaryWorkPhone', w.primaryWorkPhone],
      ['location', view === 'workerProfile' && w.location ? { descriptor: w.location, id: `loc-${w.location.length}` } : undefined],
    ];
    return Object.fromEntries(pairs.filter(([, v]) => v !== undefined && v !== ''));
  }

  return startLoopback((req: RecordedRequest, send: Reply) => {
    const { path, query, body } = req;

    if (req.method === 'POST' && path === `/ccx/oauth2/${tenant}/token`) {
      if (req.headers.authorization !== client) return send(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'refresh_token') return send(400, { error: 'unsupported_grant_type' });
      if (form.get('refresh_token') !== (options.refreshToken ?? 'wd-refresh'))
        return send(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      const token = `wd-access-${live.size + 1}-${Math.random().toString(36).slice(2)}`;
      live.add(token);
      return send(200, { access_token: token, token_type: 'Bearer', refresh_token: options.refreshToken ?? 'wd-refresh' });
    }

    const api = `/ccx/api/v1/${tenant}/workers`;
    const raas = `/ccx/service/customreport2/${tenant}/`;
    if (req.method !== 'GET' || (path !== api && !path.startsWith(raas))) return send(404, { error: 'Resource not found' });
    if (!live.has(bearerOf(req) ?? '')) {
      return send(401, { error: 'invalid_token', error_description: 'The access token is invalid or has expired' });
    }
    // This answer is the token's last.
    if (options.expireAfter !== undefined && ++served >= options.expireAfter) live.clear();
    const failure = failures.shift();
    if (failure === 'throttle') return send(429, { error: 'Too many requests' }, { 'Retry-After': String(options.retryAfterSeconds ?? 2) });
    if (failure === '5xx') return send(503, '<html>Service Unavailable</html>', { 'Content-Type': 'text/html' });
    if (failure === 'malformed') return send(200, '{"total": 3, "data": [{"descriptor": "Ada');

    if (path === api) {
      const limit = Number(query.get('limit') ?? 20);
      const offset = Number(query.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        return send(400, { error: 'Invalid request', errors: [{ error: 'The limit must be between 1 and 100.', field: 'limit' }] });
      if (!Number.isInteger(offset) || offset < 0)
        return send(400, { error: 'Invalid request', errors: [{ error: 'The offset must not be negative.', field: 'offset' }] });
      const workers = options.workers ?? [];
      return send(200, { total: workers.length, data: workers.slice(offset, offset + limit).map((w) => summary(w, query.get('view'), req.origin)) });
    }

    const report = decodeURIComponent(path.slice(raas.length));
    const rows = options.reports?.[report];
    if (!rows) return send(404, { error: `The report ${report} does not exist or is not shared with you.` });
    if (query.get('format') !== 'json') return send(200, '<wd:Report_Data/>', { 'Content-Type': 'application/xml' });
    return send(200, { Report_Entry: rows });
  });
}
