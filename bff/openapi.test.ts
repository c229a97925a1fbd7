import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createApp } from './app.js';
import { silentLogger } from './logger.js';
import { createProviderRegistry, csvProvider, sampleProvider, scimProvider } from './providers/registry.js';
import { openApiDocument } from './openapi.js';
import { API_KEY, createHarness, TEST_CONFIG, type Harness } from '../test/harness.js';
import { awaitSyncRuns } from './services/sync/runner.js';
import { queuedMessage } from './mail/outbox.js';

type Answer = { headers?: Record<string, { $ref: string }>; content?: Record<string, { schema: object }> };
type Doc = {
  servers: { url: string }[];
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Answer> }>>;
  components: { headers: Record<string, { required?: boolean }> };
};

const doc = openApiDocument() as Doc;
const BASE = '/api';
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

/** Headers a client acts on: each one an answer carries must be documented for it. */
const TRACKED_HEADERS = ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed'];

/** `/api/invites/inv_abc/resend` → `/invites/{id}/resend`, by matching the documented templates below the base. */
function documentedPath(path: string): string | undefined {
  const bare = path.split('?')[0]!.slice(BASE.length);
  // A path written out (`/api/invites/accept`) wins over a template it also fits (`/api/invites/{id}`).
  if (doc.paths[bare]) return bare;
  return Object.keys(doc.paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
}

let h: Harness;
const checked = new Set<string>();

/** Calls the BFF and checks the answer against the document: the status is listed, the body fits. */
async function call(method: string, path: string, init: Parameters<Harness['request']>[2] = {}) {
  const res = await h.request(method, path, init);
  const text = await res.text();
  const template = documentedPath(path);
  expect(template, `${method} ${path} is documented`).toBeDefined();
  const response = doc.paths[template!]![method.toLowerCase()]?.responses[String(res.status)];
  expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
  const html = response!.content?.['text/html'];
  const schema = (response!.content?.['application/json'] ?? response!.content?.['application/scim+json'])?.schema;
  if (response!.content?.['application/scim+json']) expect(res.headers.get('Content-Type')).toMatch(/^application\/scim\+json/);
  const documentedHeaders = Object.keys(response!.headers ?? {});
  for (const name of TRACKED_HEADERS) {
    if (res.headers.has(name)) expect(documentedHeaders, `${method} ${template} ${res.status} documents the ${name} it sent`).toContain(name);
  }
  for (const name of documentedHeaders) {
    if (doc.components.headers[name]?.required) expect(res.headers.has(name), `${method} ${template} ${res.status} sends ${name}`).toBe(true);
  }
  if (html) {
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  } else if (schema) {
    const validate = ajv.compile({ ...schema, components: doc.components });
    const body = JSON.parse(text);
    expect(validate(body) ? [] : validate.errors, `${method} ${template} ${res.status} body fits its schema: ${text.slice(0, 300)}`).toEqual([]);
  } else {
    expect(text).toBe('');
  }
  checked.add(`${method} ${template} ${res.status}`);
  return { status: res.status, headers: res.headers, json: text && !html ? JSON.parse(text) : null };
}

beforeAll(async () => {
  h = await createHarness({ providers: [sampleProvider(), csvProvider(), scimProvider()] });
});
afterAll(() => h.close());

describe('the OpenAPI document', () => {
  it('documents every route of the app, and only those', () => {
    const app = createApp({ db: h.db, config: TEST_CONFIG, providers: createProviderRegistry([sampleProvider()]), logger: silentLogger });
    const routes = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.slice(BASE.length).replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('is served at /api/openapi.json', async () => {
    const { json } = await call('GET', '/api/openapi.json');
    expect(json).toMatchObject({
      openapi: '3.1.0',
      servers: [{ url: '/api' }],
      paths: { '/imports': { post: { operationId: 'createImport', summary: expect.any(String) } } },
    });
  });

  it('names the base it is mounted under as its server', () => {
    expect((openApiDocument({ basePath: '/hr/api/' }) as Doc).servers).toEqual([{ url: '/hr/api' }]);
    expect((openApiDocument({ basePath: '' }) as Doc).servers).toEqual([{ url: '/' }]);
  });

  it('gives every operation its own operationId', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('closes every answer object, so a field the BFF adds without documenting it fails the checks below', () => {
    const ajvCheck = ajv.compile({ $ref: '#/components/schemas/ContactPage', components: doc.components });
    expect(ajvCheck({ items: [], nextCursor: null, total: 0, selectable: 0 })).toBe(true);
    expect(ajvCheck({ items: [], nextCursor: null, total: 0, selectable: 0, debug: 'x' })).toBe(false);
  });

  it('describes what the BFF really answers, success and failure, on every route', async () => {
    await call('GET', '/api/health');
    await call('GET', '/api/health/ready');
    await call('GET', '/api/health/live');
    expect((await call('PUT', '/api/targets/organization/acme', { token: API_KEY, body: { name: 'Acme', seatLimit: 3 } })).status).toBe(201);
    expect((await call('PUT', '/api/targets/organization/acme', { token: API_KEY, body: { name: 'Acme', seatLimit: 3 } })).status).toBe(200);
    await call('PUT', '/api/targets/organization/acme/members', { token: API_KEY, body: { members: [{ id: 'm1', email: 'member@example.com' }] } });
    await call('PUT', '/api/targets/organization/acme', { token: API_KEY, body: { name: '', seatLimit: -1 } });
    await call('PUT', '/api/targets/organization/nope/members', { token: API_KEY, body: { members: [] } });
    await call('POST', '/api/sessions', { token: 'wrong-key-0123456789', body: {} });
    await call('POST', '/api/sessions', {
      token: API_KEY,
      body: { inviter: { id: 'u', name: 'U', email: 'u@example.com' }, target: { type: 'lab', id: 'none' } },
    });
    const { json: session } = await call('POST', '/api/sessions', {
      token: API_KEY,
      body: { inviter: { id: 'u', name: 'U', email: 'u@example.com' }, target: { type: 'organization', id: 'acme' } },
    });
    const token = session.token as string;

    await call('GET', '/api/session');
    await call('GET', '/api/session', { token });
    await call('GET', '/api/providers', { token });
    const { json: page } = await call('GET', '/api/providers/sample/contacts?limit=5&status=all', { token });
    await call('GET', '/api/providers/sample/contacts?limit=9999', { token });
    await call('GET', '/api/providers/unknown/contacts', { token });
    await call('GET', '/api/providers/sample/contacts/facets?search=a', { token });
    await call('POST', '/api/providers/sample/refresh', { token });
    await call('GET', '/api/providers/sample/refresh', { token });
    await call('GET', '/api/providers/unknown/refresh', { token });
    await call('PUT', '/api/providers/sample/connection', { token, body: { credentials: {} } });
    await call('DELETE', '/api/providers/sample/connection', { token });
    await call('POST', '/api/providers/sample/connection/test', { token });

    await call('POST', '/api/providers/sample/oauth', { token, body: { origin: 'https://host.example' } });
    await call('POST', '/api/providers/sample/oauth', { token, body: { origin: 'javascript:alert(1)' } });
    await call('GET', `/api/oauth/callback?state=${'s'.repeat(43)}&code=abc`);

    const csv = 'Employee ID,First Name,Last Name,Work Email\r\n1,Ada,Lovelace,ada@csv.test\r\n2,Grace,Hopper,\r\n';
    const { json: upload } = await call('POST', '/api/providers/csv/uploads', { token, headers: { 'Content-Type': 'text/csv' }, rawBody: csv });
    await call('POST', '/api/providers/csv/uploads', { token, headers: { 'Content-Type': 'text/csv' }, rawBody: '' });
    await call('POST', '/api/providers/sample/uploads', { token, headers: { 'Content-Type': 'text/csv' }, rawBody: csv });
    await call('POST', `/api/providers/csv/uploads/${upload.id}/preview`, { token, body: { mapping: { ...upload.mapping, firstName: null } } });
    await call('POST', `/api/providers/csv/uploads/up_${'x'.repeat(24)}/preview`, { token, body: { mapping: upload.mapping } });
    await call('POST', `/api/providers/csv/uploads/${upload.id}/confirm`, { token, body: { mapping: upload.mapping } });

    const ids = (page.items as { id: string; email: string | null; status: string }[]).filter((c) => c.email && c.status === 'active').map((c) => c.id);
    const importBody = (selection: unknown) => ({ provider: 'sample', selection, role: 'user', message: { subject: 'Join', body: 'Hi {{firstName}}' } });
    await call('POST', '/api/imports', { token, headers: { 'Idempotency-Key': 'openapi-import-1' }, body: importBody({ ids: ids.slice(0, 2) }) });
    const replay = await call('POST', '/api/imports', {
      token,
      headers: { 'Idempotency-Key': 'openapi-import-1' },
      body: importBody({ ids: ids.slice(0, 2) }),
    });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    await call('POST', '/api/imports', { token, headers: { 'Idempotency-Key': 'openapi-import-1' }, body: importBody({ ids: ids.slice(0, 1) }) });
    await call('POST', '/api/imports', { token, headers: { 'Idempotency-Key': 'openapi-import-2' }, body: importBody({ all: true }) });
    await call('POST', '/api/imports', { token, headers: { 'Idempotency-Key': 'openapi-import-3' }, rawBody: 'not json', body: undefined });

    const { json: invites } = await call('GET', '/api/invites?status=pending', { token });
    const [first, second] = invites.items as { id: string }[];
    await call('POST', `/api/invites/${first!.id}/resend`, { token });
    await call('DELETE', `/api/invites/${second!.id}`, { token });
    await call('POST', `/api/invites/${second!.id}/resend`, { token });
    await call('DELETE', '/api/invites/inv_doesnotexist000', { token });
    const payload = await h.db.kysely
      .selectFrom('outbox')
      .select('payload')
      .where('invite_id', '=', first!.id)
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    const inviteToken = /token=([A-Za-z0-9_-]+)/.exec(queuedMessage(payload.payload!)!.text)![1]!;
    await call('POST', '/api/invites/lookup', { body: { token: inviteToken } });
    await call('POST', '/api/invites/lookup', { body: { token: 'x'.repeat(43) } });
    await call('POST', '/api/invites/lookup', { body: { token: 'short' } });
    await call('POST', '/api/invites/accept', { body: { token: inviteToken } });
    await call('POST', '/api/invites/accept', { body: { token: inviteToken } });
    await call('POST', '/api/invites/accept', { body: { token: 'x'.repeat(43) } });
    expect((await call('POST', '/api/invites/resend', { token, body: { ids: [first!.id, second!.id] } })).json.skipped).toHaveLength(2);
    await call('POST', '/api/invites/resend', { token, body: { ids: [] } });

    const syncRule = {
      provider: 'sample',
      scope: { search: 'nobody-by-this-name' },
      defaultRole: 'user',
      message: { subject: 'Join', body: 'Hi {{firstName}}' },
      joiners: 'review',
      leavers: 'review',
    };
    await call('POST', '/api/sync-rules/dry-run', { token, body: syncRule });
    await call('POST', '/api/sync-rules/dry-run', { token, body: { ...syncRule, defaultRole: 'owner' } });
    await call('POST', '/api/sync-rules', { token, body: { ...syncRule, scope: {} } });
    const { json: rule } = await call('POST', '/api/sync-rules', { token, body: syncRule });
    await call('GET', '/api/sync-rules', { token });
    await call('PUT', `/api/sync-rules/${rule.id}`, { token, body: { ...syncRule, paused: true } });
    await call('PUT', '/api/sync-rules/rule_doesnotexist00', { token, body: syncRule });
    const { json: run } = await call('POST', `/api/sync-rules/${rule.id}/run`, { token });
    await call('POST', `/api/sync-rules/${rule.id}/run`, { token });
    await awaitSyncRuns(h.db.kysely);
    await call('GET', `/api/sync-rules/${rule.id}/runs`, { token });
    await call('POST', `/api/sync-rules/${rule.id}/runs/${run.id}/approve`, { token });
    await call('GET', '/api/sync/updates?kind=joiner', { token });
    await call('POST', '/api/sync/updates/approve', { token, body: { ids: ['upd_doesnotexist00'] } });
    await call('POST', '/api/sync/updates/dismiss', { token, body: { ids: ['upd_doesnotexist00'] } });
    await call('GET', '/api/targets/organization/acme/sync-rules', { token: API_KEY });
    await call('GET', `/api/targets/organization/acme/sync-rules/${rule.id}/runs`, { token: API_KEY });
    await call('GET', '/api/targets/organization/acme/sync-rules/rule_doesnotexist00/runs', { token: API_KEY });
    await call('DELETE', `/api/sync-rules/${rule.id}`, { token });

    const { json: events } = await call('GET', '/api/events?limit=2', { token: API_KEY });
    await call('GET', `/api/events?after=${events.next}`, { token: API_KEY });
    await call('GET', '/api/events?after=evt_doesnotexist00000', { token: API_KEY });
    await call('GET', '/api/events');
    await call('POST', '/api/privacy/export', { token: API_KEY, body: { email: 'ada.lovelace@example.com' } });
    await call('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'ada.lovelace@example.com' } });
    await call('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'not an address' } });

    const { json: scimToken } = await call('POST', '/api/organizations/acme/scim-token', { token: API_KEY });
    await call('POST', '/api/organizations/nobody/scim-token', { token: API_KEY });
    const scimCall = (method: string, path: string, body?: unknown) =>
      call(method, `/api/scim/v2${path}`, {
        token: scimToken.token,
        ...(body === undefined ? {} : { rawBody: JSON.stringify(body), headers: { 'Content-Type': 'application/scim+json' } }),
      });
    await call('GET', '/api/scim/v2/Users');
    await scimCall('GET', '/ServiceProviderConfig');
    await scimCall('GET', '/Schemas');
    await scimCall('GET', '/ResourceTypes');
    await scimCall('GET', '/Groups');
    const scimUser = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'scim@example.com',
      name: { givenName: 'Sky', familyName: 'Cim' },
      active: true,
    };
    const { json: pushed } = await scimCall('POST', '/Users', scimUser);
    await scimCall('POST', '/Users', scimUser);
    await scimCall('POST', '/Users', { userName: '' });
    await scimCall('GET', '/Users?filter=userName%20eq%20%22scim%40example.com%22');
    await scimCall('GET', '/Users?filter=title%20sw%20%22x%22');
    await scimCall('GET', `/Users/${pushed.id}`);
    await scimCall('GET', '/Users/nobody');
    await scimCall('PUT', `/Users/${pushed.id}`, { ...scimUser, title: 'Pilot' });
    await scimCall('PATCH', `/Users/${pushed.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    await scimCall('DELETE', `/Users/${pushed.id}`);
    await call('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY });
    await call('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY });

    // Every route was called at least once.
    const calledRoutes = new Set([...checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((r) => !calledRoutes.has(r))).toEqual([]);
  });
});
