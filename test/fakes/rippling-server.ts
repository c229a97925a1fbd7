/**
 * A loopback Rippling Platform API for connector tests, built from Rippling's OpenAPI document
 * for `https://rest.ripplingapis.com` (developer.rippling.com; mirrored in
 * KittyCAD/third-party-api-clients specs/rippling.yaml) and its errors page:
 * - list-workers, `GET /workers`: query parameters `filter`, `expand`, `order_by`, `cursor`, each
 *   `allowEmptyValue: false`; expandable fields user, manager, legal_entity, employment_type,
 *   compensation, department, teams, level, custom_fields; sortable id, created_at, updated_at;
 *   answers `{ __meta: { redacted_fields: [{ name, reason }] }, results: [Worker], next_link }`
 *   (`next_link` "A link to the next page of responses"); security a bearer token, or OAuth with
 *   `workers.read` (expanded users need `users.read`, departments `departments.read`).
 * - Worker: id, created_at, updated_at, user_id, user, manager_id, work_email, personal_email,
 *   status (HIRED, ACCEPTED, ACTIVE, TERMINATED), title, department_id, department, location
 *   `{ type: REMOTE | WORK }`; User: id, active, username, name (given_name, family_name,
 *   preferred_given_name, preferred_family_name, formatted), display_name, emails [{ value, type
 *   HOME|WORK|OTHER }], photos [{ value, type }].
 * - Rippling/OpenAPIDocs docs/Getting-Started/i-Errors.md: 400 bad request, 401 token expired or
 *   revoked (when the admin who made it leaves), 403 missing permission, 500, 504. No error body
 *   is documented, so the bodies here are this stand-in's own and the connector must not need them.
 * Strictness (the documented surface only): any other query parameter, an empty value, an
 * unknown expandable field or a cursor this server did not issue is a 400. The page size is the
 * server's (list-workers takes no `limit`).
 */
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export type RipplingWorker = Record<string, unknown> & { id: string };

export interface RipplingFakeOptions {
  workers: RipplingWorker[];
  /** Bearer tokens accepted, each with its scopes. */
  tokens: Record<string, string[]>;
  /** Workers per page (the server's choice). */
  pageSize?: number;
  failures?: (Failure | null)[];
  retryAfterSeconds?: number;
}

const PARAMS = new Set(['filter', 'expand', 'order_by', 'cursor']);
const EXPANDABLE = new Set(['user', 'manager', 'legal_entity', 'employment_type', 'compensation', 'department', 'teams', 'level', 'custom_fields']);
/** What each expanded field needs beyond workers.read. */
const EXPAND_SCOPE: Record<string, string> = { user: 'users.read', department: 'departments.read', employment_type: 'employment_types.read' };

export function startRipplingFake(options: RipplingFakeOptions) {
  const cursors = new Map<string, number>();
  let issued = 0;

  function list(req: RecordedRequest, send: Reply) {
    const scopes = options.tokens[bearerOf(req) ?? ''];
    if (!scopes) return send(401, { detail: 'Invalid token.' });
    if (!scopes.includes('workers.read')) return send(403, { detail: 'You do not have permission to perform this action.' });
    const failure = options.failures?.shift();
    if (failure === 'throttle') return send(429, { detail: 'Request was throttled.' }, { 'Retry-After': String(options.retryAfterSeconds ?? 2) });
    if (failure === '5xx') return send(503, '<html>Service Unavailable</html>', { 'Content-Type': 'text/html' });
    if (failure === 'malformed') return send(200, '{"results":[{"id":"');

    for (const [key, value] of req.query) {
      if (!PARAMS.has(key)) return send(400, { detail: `Unknown query parameter: ${key}` });
      if (value === '') return send(400, { detail: `${key} may not be empty` });
    }
    const expand = (req.query.get('expand') ?? '').split(',').filter(Boolean);
    const unknown = expand.find((e) => !EXPANDABLE.has(e));
    if (unknown) return send(400, { detail: `${unknown} is not an expandable field` });
    const cursor = req.query.get('cursor');
    const start = cursor === null ? 0 : cursors.get(cursor);
    if (start === undefined) return send(400, { detail: 'Invalid cursor' });

    const size = options.pageSize ?? 50;
    const redacted: { name: string; reason: string }[] = [];
    const shown = (worker: RipplingWorker) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(worker)) if (!EXPANDABLE.has(k)) out[k] = v;
      for (const field of expand) {
        const needs = EXPAND_SCOPE[field];
        if (needs && !scopes.includes(needs)) {
          if (!redacted.some((r) => r.name === field)) redacted.push({ name: field, reason: 'Insufficient entitlements' });
          continue;
        }
        if (worker[field] !== undefined) out[field] = worker[field];
      }
      return out;
    };
    const results = options.workers.slice(start, start + size).map(shown);
    let next_link: string | undefined;
    if (start + size < options.workers.length) {
      const token = Buffer.from(`page-${++issued}`).toString('base64url');
      cursors.set(token, start + size);
      const q = new URLSearchParams(req.query);
      q.set('cursor', token);
      next_link = `${req.origin}/workers?${q.toString()}`;
    }
    return send(200, { __meta: { redacted_fields: redacted }, results, ...(next_link ? { next_link } : {}) });
  }

  return startLoopback((req, send) => {
    if (req.method === 'GET' && req.path === '/workers') return list(req, send);
    return send(404, { detail: 'Not found.' });
  });
}
