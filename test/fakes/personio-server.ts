/**
 * A loopback Personio (v1 API) for connector tests, built from Personio's developer documentation:
 * - https://developer.personio.de/v1.0/reference/post_auth and https://developer.personio.de/reference/auth
 *   (`POST /v1/auth` with client_id and client_secret as JSON, a form or query parameters →
 *   `{ success, data: { token } }`; `papi-` tokens stable for 24 hours and handed back in the
 *   `authorization` header of every successful answer; formerly single-use, the next one in that
 *   header — `rotate: true` reproduces that)
 * - https://developer.personio.de/reference/get_company-employees and the Personnel Data OpenAPI
 *   (github.com/personio/api-docs, personio-personnel-data-api.yaml): attributes wrapped as
 *   `{ label, value, type }`, department and office as `{ type, attributes: { name } }`, the
 *   supervisor as an Employee whose attributes are wrapped again; `preferred_name` a whole name
 *   ("Alexander Bergmann" beside first name "Alexander", last name "Bergmann"); errors as
 *   `{ success: false, error: { code, message } }`
 * - https://developer.personio.de/docs/pagination-adoption-guide-for-v1-get-employees-endpoint
 *   (`limit` at most 100, 50 by default, `offset` counts records; `metadata.total_elements`,
 *   `current_page`, `total_pages`, plus `offset` and `limit` in the answer)
 * - https://developer.personio.de/changelog/rate-limits-on-get-employees-endpoint-may-6-2024
 *   (429 past the limit, no delay given; retry after at least a second)
 * - personio-personnel-data-api-oa3.yaml, `attributes[]`: a projection (only the attributes named,
 *   `id` always), and with `updated_since` a filter too (only employees who had one of them updated)
 * Only the attributes whitelisted for the API credential are present (`readable`).
 */
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

/** An employee by Personio attribute key; `department`/`office` by name, `supervisor` by employee id. */
export type PersonioEmployee = Record<string, unknown> & { id: number };

export interface PersonioOptions {
  clientId?: string;
  clientSecret?: string;
  employees: PersonioEmployee[];
  /** Attribute keys the API credential may read (all by default); `id` is always there. */
  readable?: string[];
  /** Single-use tokens, as before Personio made them stable. */
  rotate?: boolean;
  /** The token stops working after this many employee answers (expired or revoked). */
  revokeAfter?: number;
  /** How to answer the next employee requests, one entry each (null: normally). */
  failures?: (Failure | null)[];
}

const LABELS: Record<string, string> = {
  id: 'id',
  first_name: 'First name',
  last_name: 'Last name',
  preferred_name: 'Preferred name',
  email: 'Email',
  position: 'Position',
  status: 'Status',
  department: 'Department',
  office: 'Office',
  supervisor: 'Supervisor',
  employment_type: 'Employment type',
  profile_picture: 'Profile Picture',
};

export function startPersonioServer(options: PersonioOptions) {
  const id = options.clientId ?? 'personio-client';
  const secret = options.clientSecret ?? 'personio-secret';
  const failures = [...(options.failures ?? [])];
  const valid = new Set<string>();
  let issued = 0;
  let answered = 0;
  const error = (send: Reply, code: number, message: string) => send(code, { success: false, error: { code, message } });
  const mint = () => {
    const token = `papi-${++issued}-${Math.random().toString(36).slice(2)}`;
    valid.add(token);
    return token;
  };
  let stable: string | null = null;

  const wrap = (key: string, value: unknown) => ({ label: LABELS[key] ?? key, value: value ?? null, type: 'standard', universal_id: key });
  /** An employee's attributes: those the credential may read, and of them only the ones asked for (`attributes[]`), if any. */
  function attributes(e: PersonioEmployee, origin: string, asked: string[]) {
    const out: Record<string, unknown> = { id: wrap('id', e.id) };
    const readable = options.readable ?? [...Object.keys(e).filter((k) => k !== 'changed_attributes'), 'profile_picture'];
    for (const key of readable) {
      if (key === 'id' || (asked.length && !asked.includes(key))) continue;
      if (key === 'department' || key === 'office') {
        const name = e[key];
        out[key] = wrap(key, typeof name === 'string' ? { type: key === 'department' ? 'Department' : 'Office', attributes: { id: name.length, name } } : null);
      } else if (key === 'supervisor') {
        const boss = options.employees.find((b) => b.id === e.supervisor);
        out[key] = wrap(
          key,
          boss
            ? {
                type: 'Employee',
                attributes: {
                  id: wrap('id', boss.id),
                  first_name: wrap('first_name', boss.first_name),
                  last_name: wrap('last_name', boss.last_name),
                  email: wrap('email', boss.email),
                },
              }
            : null,
        );
      } else if (key === 'profile_picture') {
        out[key] = wrap(key, `${origin}/v1/company/employees/${e.id}/profile-picture`);
      } else if (key in e) {
        out[key] = wrap(key, e[key]);
      }
    }
    return { type: 'Employee', attributes: out };
  }

  return startLoopback((req: RecordedRequest, send: Reply) => {
    const { path, query, body } = req;

    if (req.method === 'POST' && path === '/v1/auth') {
      let given: Record<string, unknown> = Object.fromEntries(query);
      if (req.headers['content-type']?.startsWith('application/json')) given = { ...given, ...(JSON.parse(body || '{}') as Record<string, unknown>) };
      else if (body) given = { ...given, ...Object.fromEntries(new URLSearchParams(body)) };
      if (given.client_id !== id || given.client_secret !== secret) return error(send, 401, 'Wrong credentials');
      const token = options.rotate ? mint() : stable && valid.has(stable) ? stable : (stable = mint());
      return send(200, { success: true, data: { token } });
    }

    if (req.method === 'GET' && path === '/v1/company/employees') {
      const asked = query.getAll('attributes[]');
      const token = bearerOf(req) ?? '';
      if (!valid.has(token)) return error(send, 401, 'Sorry, you could not be authenticated with those credentials.');
      const failure = failures.shift();
      if (failure === 'throttle') return error(send, 429, 'Too Many Requests');
      if (failure === '5xx') return error(send, 500, 'Internal Server Error');
      // `updated_since`: an ISO 8601 date-time without a zone; with it, limit and offset are ignored
      // and every employee updated since (by `last_modified_at`, read here as UTC) comes at once.
      const updatedSince = query.get('updated_since');
      if (updatedSince !== null) {
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(updatedSince))
          return error(send, 400, 'The updated_since filter must be a date-time like 2022-12-24T08:15:30.');
        const since = Date.parse(`${updatedSince}Z`);
        // With attributes[], only those who had one of them updated (`changed_attributes`, when the test says which).
        const changed = options.employees.filter(
          (e) =>
            typeof e.last_modified_at === 'string' &&
            Date.parse(e.last_modified_at) >= since &&
            (!asked.length || !Array.isArray(e.changed_attributes) || e.changed_attributes.some((a) => asked.includes(String(a)))),
        );
        return send(200, {
          success: true,
          metadata: { total_elements: changed.length, current_page: 0, total_pages: 1 },
          offset: 0,
          limit: changed.length,
          data: changed.map((e) => attributes(e, req.origin, asked)),
        });
      }
      const limit = Number(query.get('limit') ?? 50);
      const offset = Number(query.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(send, 400, 'The limit must be between 1 and 100.');
      if (!Number.isInteger(offset) || offset < 0) return error(send, 400, 'The offset must not be negative.');

      let next = token;
      if (options.rotate) {
        valid.delete(token);
        next = mint();
      }
      if (options.revokeAfter !== undefined && ++answered >= options.revokeAfter) {
        valid.clear();
        stable = null;
      }
      const headers = { authorization: `Bearer ${next}` };
      if (failure === 'malformed') return send(200, '{"success":true,"data":[{"type":"Employee","attributes":', headers);
      const total = options.employees.length;
      return send(
        200,
        {
          success: true,
          metadata: { total_elements: total, current_page: Math.floor(offset / limit), total_pages: Math.ceil(total / limit) },
          offset,
          limit,
          data: options.employees.slice(offset, offset + limit).map((e) => attributes(e, req.origin, asked)),
        },
        headers,
      );
    }
    return error(send, 404, 'Not found');
  });
}
