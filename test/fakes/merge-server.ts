/**
 * A loopback Merge HRIS (unified API) for connector tests, built from Merge's documentation:
 * - docs.merge.dev/hris (Base API URL `https://api.merge.dev/api/hris/v1`, EU
 *   `https://api-eu.merge.dev/api/hris/v1`; merge-api/merge-python-client src/merge/environment.py
 *   at 312e696e names those two and `https://api-sandbox.merge.dev`, no other region; headers
 *   `Authorization: Bearer <API key>` and
 *   `X-Account-Token: <Linked Account token>`).
 * - docs.merge.dev/merge-unified/hris/common-models/employees/list: `GET /employees` with
 *   `page_size`, `cursor`, `expand` (relation names comma-separated without spaces:
 *   employments, groups, team, work_location, manager, …), `include_deleted_data`,
 *   `modified_after` (objects whose `modified_at` is after it); the Employee
 *   object (first_name, last_name, display_full_name, work_email, personal_email,
 *   employment_status ACTIVE | PENDING | INACTIVE, termination_date, manager, team,
 *   work_location, groups, employments, avatar, remote_was_deleted), related objects as ids
 *   unless expanded.
 * - docs.merge.dev/basics/pagination: `{next, previous, results}`, next null on the last page;
 *   page_size at most 100 (larger values are served as 100 here).
 * - docs.merge.dev/basics/rate-limits: limits per Linked Account; over it, 429 in Django REST
 *   framework's shape `{"detail": "Request was throttled. Expected available in N seconds."}`
 *   with Retry-After.
 * - merge-api/merge-python-client#5: a request without X-Account-Token is 401 `{"detail":
 *   "Account Token must be passed in as an X-Account-Token header."}`. The bodies for a wrong
 *   API key or account token are not documented; DRF's `{"detail": "Invalid token."}` is assumed.
 */
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface MergeFakeOptions {
  /** Employees with related objects written out in full; the fake collapses them to ids unless expanded. */
  employees: Record<string, unknown>[];
  apiKey: string;
  accountToken: string;
  pageLimit?: number;
  failures?: Failure[];
  retryAfterSeconds?: number;
}

const RELATIONS = ['employments', 'groups', 'team', 'work_location', 'home_location', 'manager', 'company', 'pay_group'];
const idOf = (v: unknown) => (typeof v === 'object' && v !== null && 'id' in v ? (v as { id: unknown }).id : v);

export async function startMergeFake(options: MergeFakeOptions) {
  function employees(req: RecordedRequest, reply: Reply) {
    const bearer = bearerOf(req);
    if (!bearer) return reply(401, { detail: 'Authentication credentials were not provided.' });
    if (bearer !== options.apiKey) return reply(401, { detail: 'Invalid token.' });
    const account = req.headers['x-account-token'];
    if (!account) return reply(401, { detail: 'Account Token must be passed in as an X-Account-Token header.' });
    if (account !== options.accountToken) return reply(401, { detail: 'Invalid token.' });
    const failure = options.failures?.shift();
    if (failure === 'throttle') {
      const wait = options.retryAfterSeconds ?? 2;
      return reply(429, { detail: `Request was throttled. Expected available in ${wait} seconds.` }, { 'Retry-After': String(wait) });
    }
    if (failure === '5xx') return reply(502, '<html><body>502 Bad Gateway</body></html>', { 'Content-Type': 'text/html' });
    if (failure === 'malformed') return reply(200, { next: null, previous: null, results: { count: 3 } });
    const expand = new Set((req.query.get('expand') ?? '').split(',').filter(Boolean));
    const unknown = [...expand].find((e) => !RELATIONS.includes(e));
    if (unknown) return reply(400, { expand: [`"${unknown}" is not a valid choice.`] });
    const size = Math.min(Number(req.query.get('page_size') ?? 100), 100, options.pageLimit ?? 100);
    const offset = req.query.get('cursor') ? Number(/^p=(\d+)$/.exec(Buffer.from(req.query.get('cursor')!, 'base64').toString())?.[1]) : 0;
    if (!Number.isInteger(offset)) return reply(404, { detail: 'Invalid cursor' });
    const cursorAt = (n: number) => Buffer.from(`p=${n}`).toString('base64');
    // Merge leaves out people deleted in the HR system unless asked for them.
    // `modified_after`: only objects Merge changed after that time (by their `modified_at`).
    const modifiedAfter = req.query.get('modified_after');
    const after = modifiedAfter === null ? null : Date.parse(modifiedAfter);
    if (after !== null && Number.isNaN(after)) return reply(400, { modified_after: ['Enter a valid date/time.'] });
    const visible = options.employees.filter(
      (e) =>
        (req.query.get('include_deleted_data') === 'true' || e.remote_was_deleted !== true) &&
        (after === null || (typeof e.modified_at === 'string' && Date.parse(e.modified_at) > after)),
    );
    const results = visible.slice(offset, offset + size).map((e) => {
      const out = { ...e };
      for (const relation of RELATIONS) {
        if (expand.has(relation) || !(relation in out)) continue;
        out[relation] = Array.isArray(out[relation]) ? (out[relation] as unknown[]).map(idOf) : idOf(out[relation]);
      }
      return out;
    });
    reply(200, {
      next: offset + size < visible.length ? cursorAt(offset + size) : null,
      previous: offset > 0 ? cursorAt(Math.max(0, offset - size)) : null,
      results,
    });
  }

  const loopback = await startLoopback((req, reply) => {
    if (req.method === 'GET' && req.path === '/api/hris/v1/employees') return employees(req, reply);
    reply(404, { detail: 'Not found.' });
  });
  return loopback;
}
