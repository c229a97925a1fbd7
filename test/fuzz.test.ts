/**
 * Thousands of generated requests at every route: whatever arrives, the BFF answers with JSON
 * and never a 5xx, and a refused request leaves the database as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { API_KEY, createHarness, INVITER, type Harness } from './harness.js';
import { openApiDocument } from '../bff/openapi.js';
import { csvProvider, sampleProvider } from '../bff/providers/registry.js';

let h: Harness;
let session: string;
const TABLES = ['targets', 'members', 'invites', 'imports', 'outbox', 'provider_connections', 'audit_events', 'csv_uploads'] as const; // not the directory cache: a refresh started by an earlier request may still be filling it

beforeAll(async () => {
  h = await createHarness({ providers: [sampleProvider(), csvProvider()] });
  await h.target('organization', 'acme', 5);
  session = await h.session({ type: 'organization', id: 'acme' });
  // Fill the directory cache so imports have something to resolve.
  await h.request('GET', '/api/providers/sample/contacts?limit=1', { token: session });
});
afterAll(() => h.close());

/** The row counts of the tables a refused request must leave alone, in one round trip (3,000 requests take two each). */
const COUNTS = sql.raw(`select ${TABLES.map((t) => `(select count(*) from ${t})`).join(` || ',' || `)} as counts`);

async function snapshot(): Promise<string> {
  const { rows } = await COUNTS.execute(h.db.kysely);
  return String((rows[0] as { counts: string }).counts);
}

/** Every route of the contract, from the OpenAPI document, so a new route is fuzzed the day it is documented. */
const DOCUMENT = openApiDocument() as { servers: { url: string }[]; paths: Record<string, object> };
const ROUTES: { method: string; path: string }[] = Object.entries(DOCUMENT.paths).flatMap(([path, ops]) =>
  Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: DOCUMENT.servers[0]!.url + path })),
);

/** Strings that break naive code: control characters, lone surrogates, huge numbers, paths. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '../../etc/passwd',
    '%00',
    '%2e%2e%2f',
    '1e309',
    '-1',
    '9'.repeat(40),
    'null',
    '__proto__',
    'constructor',
    '<script>alert(1)</script>',
    'organization',
    'sample',
    'inv_AAAAAAAAAAAAAAAAAAAA',
  ),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        nasty,
        fc.constantFrom(
          'provider',
          'selection',
          'ids',
          'all',
          'role',
          'roles',
          'message',
          'subject',
          'body',
          'inviter',
          'target',
          'name',
          'seatLimit',
          'members',
          'token',
          'email',
          'id',
          'type',
        ),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

/** Near-valid bodies: the shapes the routes expect, with one field off. */
const nearImport = fc.record({
  provider: fc.oneof(fc.constant('sample'), nasty),
  selection: fc.oneof(
    fc.record({ ids: fc.array(fc.oneof(fc.constantFrom('emp-0001', 'emp-0002'), nasty), { maxLength: 5 }) }),
    fc.record({ all: fc.oneof(fc.constant(true), json), except: fc.array(nasty, { maxLength: 3 }) }),
    json,
  ),
  role: fc.oneof(fc.constantFrom('user', 'admin'), nasty),
  message: fc.oneof(fc.record({ subject: nasty, body: nasty }), json),
});
const nearSession = fc.record({
  inviter: fc.oneof(fc.constant(INVITER), json),
  target: fc.oneof(fc.record({ type: fc.constantFrom('organization', 'lab', 'team'), id: nasty }), json),
});

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  params: fc.record({
    type: fc.oneof(fc.constantFrom('organization', 'lab', 'challenge'), nasty),
    id: nasty,
    provider: fc.oneof(fc.constantFrom('sample', 'csv'), nasty),
  }),
  query: fc.dictionary(fc.constantFrom('search', 'limit', 'cursor', 'status', 'department', 'location', 'x'), nasty, { maxKeys: 3 }),
  auth: fc.constantFrom('session', 'key', 'none', 'garbage'),
  body: fc.oneof(json, nearImport, nearSession, fc.constant(undefined)),
  raw: fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '[]', '{"a":', '\u0000')), { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'),
  idempotencyKey: fc.option(fc.oneof(nasty, fc.constant('fuzz-key-123456')), { nil: undefined }),
});

/** A lone surrogate cannot be percent-encoded; send the invalid UTF-8 a hostile client would. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

describe('generated requests', () => {
  it('never get a 5xx, always get a JSON error body, and refused ones change nothing', async () => {
    let statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = r.route.path
          .replace('{type}', encodeSegment(r.params.type))
          .replace(/\{(id|upload)\}/, encodeSegment(r.params.id))
          .replace('{provider}', encodeSegment(r.params.provider));
        const query = new URLSearchParams(r.query).toString();
        const token = r.auth === 'session' ? session : r.auth === 'key' ? API_KEY : r.auth === 'garbage' ? 'x.y.z' : undefined;
        const headers: Record<string, string> = { 'Content-Type': r.contentType };
        if (r.idempotencyKey !== undefined) headers['Idempotency-Key'] = r.idempotencyKey.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '');
        const hasBody = r.route.method !== 'GET' && r.route.method !== 'DELETE';
        const before = await snapshot();
        const res = await h.request(r.route.method, `${path}${query ? `?${query}` : ''}`, {
          token,
          headers,
          rawBody: hasBody ? (r.raw ?? (r.body === undefined ? undefined : JSON.stringify(r.body))) : undefined,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        expect(res.status, `${r.route.method} ${path} → ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          // The OAuth callback is a page the popup shows, so its refusals are HTML; every other answer is JSON.
          if (r.route.path === '/api/oauth/callback') expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
          // SCIM clients (Okta, Entra) read RFC 7644's error body, not ours.
          else if (r.route.path.startsWith('/api/scim/'))
            expect(JSON.parse(text) as unknown).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(res.status) });
          else expect(typeof (JSON.parse(text) as { error: { code: string } }).error.code).toBe('string');
          expect(await snapshot()).toBe(before);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
    );
    // The property is only worth something if requests reach past validation sometimes.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    statuses = new Map();
  }, 120_000);
});
