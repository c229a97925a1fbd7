/**
 * A loopback Unified.to HRIS for connector tests, built from Unified.to's documentation:
 * - docs.unified.to/hris/employee/List_all_employees: `GET /hris/{connection_id}/employee` with
 *   `limit` (default 100), `offset` (default 0), `updated_gte` (records updated at or after that
 *   time, by their `updated_at`), `sort`, `order`, `query`, `fields` (comma-delimited: only those fields of each
 *   employee); the answer is a bare JSON array of HrisEmployee.
 * - docs.unified.to/reference/pagination: at most 100 records a page on most endpoints (larger
 *   limits are served as 100 here); "there aren't any more records when the number of returned
 *   results is less than your requested limit"; offset is zero-based.
 * - docs.unified.to/reference/rate_limits: over a limit (Unified.to's or the underlying HR
 *   system's) the answer is 429; no Retry-After is documented, so none is sent by default.
 * - The HrisEmployee model (unified-to/unified-typescript-sdk docs/sdk/models/shared/hrisemployee.md):
 *   id, name, first_name, last_name, emails [{email, type: WORK | HOME | OTHER}], title,
 *   manager_id, employment_status (ACTIVE | INACTIVE), employment_type (FULL_TIME | PART_TIME |
 *   CONTRACTOR | INTERN | CONSULTANT | VOLUNTEER | CASUAL | SEASONAL | FREELANCE | OTHER), terminated_at, image_url (a link that
 *   expires after one hour), groups [{id,
 *   name, type}], locations, address, department and location (older flat fields).
 * - The data regions' hosts (unified-to/unified-typescript-sdk README, "Server Selection"):
 *   api.unified.to (North America), api-eu.unified.to (Europe), api-au.unified.to (Australia).
 * Authorization is `Bearer <workspace API key>`. The error bodies are not documented; a
 * `{statusCode, message}` JSON body is assumed.
 */
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface UnifiedFakeOptions {
  employees: Record<string, unknown>[];
  apiKey: string;
  connectionId: string;
  failures?: Failure[];
  retryAfterSeconds?: number;
  /** Added to every answer, so a benchmark can model a provider's round trip. */
  latencyMs?: number;
}

export async function startUnifiedFake(options: UnifiedFakeOptions) {
  let filtered: { since: number; from: Record<string, unknown>[]; employees: Record<string, unknown>[] } | null = null;
  async function employees(req: RecordedRequest, reply: Reply, connection: string) {
    if (options.latencyMs) await new Promise((ok) => setTimeout(ok, options.latencyMs));
    if (bearerOf(req) !== options.apiKey) return reply(401, { statusCode: 401, message: 'Unauthorized' });
    if (connection !== options.connectionId) return reply(404, { statusCode: 404, message: `Connection ${connection} not found` });
    const failure = options.failures?.shift();
    if (failure === 'throttle') {
      return reply(
        429,
        { statusCode: 429, message: 'Too Many Requests' },
        options.retryAfterSeconds ? { 'Retry-After': String(options.retryAfterSeconds) } : {},
      );
    }
    if (failure === '5xx') return reply(500, { statusCode: 500, message: 'Internal Server Error' });
    if (failure === 'malformed') return reply(200, { data: [], message: 'not the documented array' });
    const limit = Math.min(Number(req.query.get('limit') ?? 100), 100);
    const offset = Number(req.query.get('offset') ?? 0);
    // `updated_gte`: employees whose `updated_at` is at or after it; a value that is not a date is refused.
    const updatedGte = req.query.get('updated_gte');
    let employees = options.employees;
    if (updatedGte !== null) {
      const since = Date.parse(updatedGte);
      if (Number.isNaN(since)) return reply(400, { statusCode: 400, message: 'updated_gte must be a date' });
      // Kept per value, so paging a 100,000-person benchmark does not filter it again each page.
      if (filtered?.since !== since || filtered.from !== options.employees) {
        filtered = {
          since,
          from: options.employees,
          employees: options.employees.filter((e) => typeof e.updated_at === 'string' && Date.parse(e.updated_at) >= since),
        };
      }
      employees = filtered.employees;
    }
    // `fields`: only the named fields of each employee.
    const fields = req.query.get('fields')?.split(',');
    const page = employees.slice(offset, offset + limit);
    reply(200, fields ? page.map((e) => Object.fromEntries(fields.filter((f) => f in e).map((f) => [f, e[f]]))) : page);
  }

  return startLoopback((req, reply) => {
    const path = /^\/hris\/([^/]+)\/employee$/.exec(req.path);
    if (req.method === 'GET' && path) return employees(req, reply, decodeURIComponent(path[1]!));
    reply(404, { statusCode: 404, message: 'Not Found' });
  });
}
