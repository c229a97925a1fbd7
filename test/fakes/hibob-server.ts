/**
 * A loopback HiBob (Bob) for connector tests, built from Bob's developer documentation:
 * - https://apidocs.hibob.com/reference/post_people-search and
 *   https://apidocs.hibob.com/docs/people-read-api-contract (`POST /v1/people/search` with
 *   `fields` (at most 400), `filters`, `showInactive` (active people only unless true) and
 *   `humanReadable`; no pagination, one `employees` array; fields the service user may not read
 *   silently absent; `filters` optional, at most one filter object, invalid filter parameters
 *   answered 400, and an empty `filters` array or object not to be sent: omit the property)
 * - https://apidocs.hibob.com/docs/api-service-users (service user id and token over HTTP Basic)
 * - https://apidocs.hibob.com/docs/how-to-work-with-lists-public-api and
 *   https://apidocs.hibob.com/docs/fields-metadata (machine values: list fields hold item ids,
 *   employee references hold ids; `APPEND` adds flat `"/work/department": { value }` keys and a
 *   nested `humanReadable` node with names; human-readable values only for fields with a value)
 * - https://apidocs.hibob.com/docs/rate-limit (people search: 50 requests a minute, then 429 with
 *   X-RateLimit-Limit / -Remaining / -Reset, the reset in epoch seconds)
 * - https://apidocs.hibob.com/reference/error-handling (errors as a JSON key and error pair)
 */
import { basicOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

/** A value of a list field (department, site, title): Bob answers the item id, or its name when human-readable. */
export interface ListItem {
  itemId: string;
  name: string;
}
export const item = (itemId: string, name: string): ListItem => ({ itemId, name });
const isItem = (v: unknown): v is ListItem => typeof v === 'object' && v !== null && 'itemId' in v;

/** A person as Bob stores them, by field id (`root.id`, `work.department`, …); `work.reportsTo` is derived from `work.manager`. */
export type BobPerson = Record<string, unknown>;

export interface BobOptions {
  serviceUserId?: string;
  token?: string;
  people: BobPerson[];
  /** Field ids the service user's permission group cannot read. */
  hiddenFields?: string[];
  /** `nested` as in the reference examples, `flat` as in the lists guide, `both` as APPEND answers. */
  shape?: 'nested' | 'flat' | 'both';
  /** How to answer the next requests, one entry each (null: normally). */
  failures?: (Failure | null)[];
  resetInSeconds?: number;
}

/** Where a field id's value sits in a nested answer: root fields at the top, the others one level per dot (`payroll.employment.type`). */
function place(target: Record<string, unknown>, id: string, value: unknown) {
  const path = id.split('.');
  if (path[0] === 'root') path.shift();
  const last = path.pop()!;
  let group = target;
  for (const key of path) group = (group[key] ??= {}) as Record<string, unknown>;
  group[last] = value;
}

export function startHiBobServer(options: BobOptions) {
  const user = options.serviceUserId ?? 'SERVICE-123';
  const secret = options.token ?? 'bob-token';
  const failures = [...(options.failures ?? [])];
  const hidden = new Set(options.hiddenFields ?? []);

  function valueOf(person: BobPerson, id: string): unknown {
    if (id !== 'work.reportsTo') return person[id];
    const boss = options.people.find((p) => p['root.id'] === person['work.manager']);
    if (!boss) return null;
    return {
      id: boss['root.id'],
      displayName: boss['root.displayName'],
      email: boss['root.email'],
      firstName: boss['root.firstName'],
      surname: boss['root.surname'],
    };
  }

  function render(person: BobPerson, fields: string[], humanReadable: string) {
    const out: Record<string, unknown> = {};
    const human: Record<string, unknown> = {};
    const shape = options.shape ?? 'both';
    for (const id of fields) {
      if (hidden.has(id) || !(id in person || id === 'work.reportsTo')) continue;
      const value = valueOf(person, id);
      const machine = isItem(value) ? value.itemId : value;
      const named = isItem(value) ? value.name : id === 'work.reportsTo' && value ? (value as { displayName: unknown }).displayName : value;
      const shown = humanReadable === 'REPLACE' ? named : machine;
      if (shape !== 'flat') place(out, id, shown);
      if (shape !== 'nested') out[`/${id.replaceAll('.', '/')}`] = { value: shown };
      if (humanReadable === 'APPEND' && named !== null && named !== undefined && named !== '')
        place(human, id, typeof named === 'boolean' ? (named ? 'Yes' : 'No') : named);
    }
    if (humanReadable === 'APPEND') out.humanReadable = human;
    return out;
  }

  return startLoopback((req: RecordedRequest, send: Reply) => {
    const { body } = req;
    if (req.path !== '/v1/people/search' || req.method !== 'POST') return send(404, { key: 'NOT_FOUND', error: 'Not found' });
    const basic = basicOf(req);
    if (basic?.user !== user || basic.password !== secret) {
      return send(401, { key: 'UNAUTHORIZED', error: 'The request could not be authenticated.' });
    }
    const failure = failures.shift();
    if (failure === 'throttle') {
      const reset = Math.ceil(Date.now() / 1000) + (options.resetInSeconds ?? 2);
      return send(
        429,
        { key: 'TOO_MANY_REQUESTS', error: 'Rate limit exceeded' },
        { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) },
      );
    }
    if (failure === '5xx') return send(502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' });
    if (failure === 'malformed') return send(200, '{"employees":[{"id":"1","firstName":');

    let search: { fields?: unknown; filters?: unknown; showInactive?: unknown; humanReadable?: unknown };
    try {
      search = JSON.parse(body) as typeof search;
    } catch {
      return send(400, { key: 'BAD_REQUEST', error: 'Malformed JSON' });
    }
    const fields = search.fields;
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string'))
      return send(400, { key: 'BAD_REQUEST', error: 'fields must be a list of field ids' });
    if (fields.length > 400) return send(400, { key: 'BAD_REQUEST', error: 'At most 400 fields may be requested' });
    // Bob refuses an empty filter list or object: a search for everyone leaves `filters` out.
    if (search.filters !== undefined) {
      const filters = search.filters;
      if (!Array.isArray(filters) || filters.length !== 1)
        return send(400, { key: 'BAD_REQUEST', error: 'filters must hold exactly one filter; omit it to search everyone' });
      return send(400, { key: 'BAD_REQUEST', error: 'This stand-in serves unfiltered searches only' });
    }
    const humanReadable = search.humanReadable ?? '';
    if (typeof humanReadable !== 'string' || !['', 'APPEND', 'REPLACE'].includes(humanReadable))
      return send(400, { key: 'BAD_REQUEST', error: 'humanReadable must be APPEND or REPLACE' });

    const people = options.people.filter((p) => search.showInactive === true || p['internal.status'] !== 'Inactive');
    return send(200, { employees: people.map((p) => render(p, fields as string[], humanReadable)) });
  });
}
