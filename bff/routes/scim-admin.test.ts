/**
 * The SCIM directory around the protocol: its tokens, what the widget shows of it, personal data,
 * the providers file's storage policy, retention, and bounds and errors. The protocol itself:
 * scim.test.ts. The scene: test/scim-scene.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, SECRET } from '../../test/harness.js';
import { ENTERPRISE, PATCH_OP, SCIM, USER_SCHEMA, scimScene, user } from '../../test/scim-scene.js';
import { inlineProviders } from '../providers/file.js';
import { PROVIDER_CATALOG } from '../providers/catalog.js';
import { createRetentionWorker } from '../services/retention.js';
import { parseSettings } from '../config.js';
import { silentLogger } from '../logger.js';
import type { ImportResult, ProviderInfo, RefreshStatus } from '../../contract/index.js';

const s = scimScene();
const { setUp, createToken, scim, widget, contacts } = s;

describe('tokens', () => {
  beforeEach(() => setUp());

  it('are refused when missing, wrong, rotated away or revoked, with a SCIM 401', async () => {
    const missing = await scim('GET', '/Users', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect(missing.headers.get('Content-Type')).toMatch(/^application\/scim\+json/);
    expect(missing.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect((await scim('GET', '/Users', undefined, `${s.acme.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, API_KEY)).status).toBe(401);
    const rotated = await createToken('acme');
    expect((await scim('GET', '/Users', undefined, s.acme)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, rotated)).status).toBe(200);
    expect((await s.h.request('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY })).status).toBe(204);
    expect((await scim('GET', '/Users', undefined, rotated)).status).toBe(401);
    expect((await s.h.request('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY })).status).toBe(404);
  });

  it('are stored as digests only and answered once with the base URL', async () => {
    const res = await s.h.request('POST', '/api/organizations/globex/scim-token', { token: API_KEY });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { token, baseUrl } = (await res.json()) as { token: string; baseUrl: string };
    expect(baseUrl).toBe(`http://localhost${SCIM}`);
    const rows = JSON.stringify(await s.h.db.kysely.selectFrom('scim_tokens').selectAll().execute());
    expect(rows).not.toContain(token.split('.')[2]);
    expect((await s.h.request('POST', '/api/organizations/globex/scim-token')).status).toBe(401);
    expect((await s.h.request('POST', '/api/organizations/nobody/scim-token', { token: API_KEY })).status).toBe(404);
  });

  it('reach their own organization only', async () => {
    const { json: ada } = await scim('POST', '/Users', user('ada@acme.test'));
    const globex = await createToken('globex');
    expect((await scim('GET', `/Users/${ada.id}`, undefined, globex)).status).toBe(404);
    expect((await scim('GET', '/Users', undefined, globex)).json.totalResults).toBe(0);
    expect(
      (await scim('PATCH', `/Users/${ada.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, globex)).status,
    ).toBe(404);
    expect((await scim('DELETE', `/Users/${ada.id}`, undefined, globex)).status).toBe(404);
    // The same userName in another organization is another person.
    expect((await scim('POST', '/Users', user('ada@acme.test'), globex)).status).toBe(201);
    expect((await contacts('', 'globex')).items).toHaveLength(1);
    expect((await contacts()).items.map((c) => c.id)).toEqual([ada.id]);
  });
});

describe('the SCIM directory in the widget', () => {
  beforeEach(() => setUp());

  it('needs a token first, then lists what was pushed, refreshes to its state and imports from it', async () => {
    const globexProviders = (await widget('/providers', 'globex')).json.items as ProviderInfo[];
    expect(globexProviders.find((p) => p.id === 'scim')).toMatchObject({ type: 'scim', connection: 'needs_credentials' });
    expect((await widget('/providers/scim/contacts', 'globex')).json.error.code).toBe('scim_not_set_up');
    const acmeProviders = (await widget('/providers')).json.items as ProviderInfo[];
    expect(acmeProviders.find((p) => p.id === 'scim')).toMatchObject({ connection: 'ready', directory: { syncedAt: expect.any(String) } });
    expect((await contacts()).items).toEqual([]);

    const { json: ada } = await scim('POST', '/Users', user('ada@acme.test'));
    await scim('POST', '/Users', user('grace@acme.test', { name: { givenName: 'Grace', familyName: 'Hopper' } }));
    expect((await contacts('&search=grace')).items.map((c) => c.displayName)).toEqual(['Grace Hopper']);
    const session = await s.h.session({ type: 'organization', id: 'acme' });
    const refresh = await s.h.request('POST', '/api/providers/scim/refresh', { token: session, body: { force: true } });
    expect(refresh.status).toBe(200);
    expect((await refresh.json()) as RefreshStatus).toMatchObject({ status: 'ready', fetched: 2, total: 2, stale: false });

    const imported = await s.h.request('POST', '/api/imports', {
      token: session,
      headers: { 'Idempotency-Key': 'scim-import-1' },
      body: { provider: 'scim', selection: { ids: [ada.id] }, role: 'user', message: { subject: 'Join', body: 'Hi {{firstName}}' } },
    });
    expect(imported.status).toBe(201);
    expect(((await imported.json()) as ImportResult).invited).toBe(1);
    expect((await contacts()).items.find((c) => c.id === ada.id)?.membership).toBe('invited');
  });
});

describe('personal data', () => {
  beforeEach(() => setUp());

  it("erases a pushed person's SCIM record with their directory row", async () => {
    const { json: ada } = await scim('POST', '/Users', user('ada@acme.test', { externalId: 'ext-ada' }));
    await scim('POST', '/Users', user('grace@acme.test'));
    const erased = await s.h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'ADA@acme.test' } });
    expect(erased.status).toBe(200);
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(404);
    expect((await scim('GET', '/Users?filter=externalId%20eq%20%22ext-ada%22')).json.totalResults).toBe(0);
    expect((await contacts()).items.map((c) => c.email)).toEqual(['grace@acme.test']);
  });
});

describe("the providers file's storage policy", () => {
  // As a deployment writes it: Engineering only, no job titles.
  const [entry] = inlineProviders([{ id: 'scim', type: 'scim', scope: { departments: ['Engineering'] }, omitFields: ['title'] }], {}, PROVIDER_CATALOG);
  beforeEach(() => setUp({}, entry!));
  const engineer = (userName: string, department: string) => user(userName, { title: 'Engineer', [ENTERPRISE]: { department } });

  it('keeps a user outside the scope for SCIM only, stores no turned-off field, and follows a move in and out', async () => {
    const { json: ada } = await scim('POST', '/Users', engineer('ada@acme.test', 'Engineering'));
    const { json: bob } = await scim('POST', '/Users', engineer('bob@acme.test', 'Sales'));
    // The identity provider finds both, as sent.
    expect((await scim('GET', `/Users/${bob.id}`)).json).toMatchObject({ userName: 'bob@acme.test', title: 'Engineer' });
    expect((await scim('GET', '/Users?filter=userName%20eq%20%22bob@acme.test%22')).json.totalResults).toBe(1);
    // The directory the widget and the rules read holds Ada alone, without her title.
    expect((await contacts()).items.map((c) => [c.email, c.title])).toEqual([['ada@acme.test', null]]);
    const stored = await s.h.db.kysely.selectFrom('directory_contacts').select(['email', 'title']).where('connection', 'like', 'scim:%').execute();
    expect(stored).toEqual([{ email: 'ada@acme.test', title: null }]);

    // Bob moves to Engineering, Ada out of it.
    const move = (department: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: department }] });
    expect((await scim('PATCH', `/Users/${bob.id}`, move('Engineering'))).status).toBe(200);
    expect((await scim('PATCH', `/Users/${ada.id}`, move('Research'))).status).toBe(200);
    expect((await contacts()).items.map((c) => c.email)).toEqual(['bob@acme.test']);
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(200);

    // Erasure reaches a user the directory never held.
    const erased = await s.h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'ada@acme.test' } });
    expect(erased.status).toBe(200);
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(404);
  });
});

describe('retention', () => {
  beforeEach(() => setUp());

  it('keeps a directory its identity provider keeps pushing to, and drops one nobody touched, SCIM records with it', async () => {
    const retention = parseSettings({ apiKeys: [API_KEY], secret: SECRET }).retention;
    const run = () => createRetentionWorker({ db: s.h.db.kysely, retention, now: () => s.h.clock.now, logger: silentLogger }).runOnce();
    const day = (n: number) => new Date(s.h.clock.now.getTime() + n * 86_400_000);
    const start = s.h.clock.now;
    await scim('POST', '/Users', user('ada@acme.test'));
    await contacts(); // the widget used it once, on day 0
    s.h.clock.now = day(25);
    await scim('POST', '/Users', user('grace@acme.test'));
    s.h.clock.now = new Date(start.getTime() + 40 * 86_400_000);
    await run();
    expect((await scim('GET', '/Users')).json.totalResults).toBe(2);
    s.h.clock.now = new Date(start.getTime() + 60 * 86_400_000);
    await run();
    expect(await s.h.db.kysely.selectFrom('scim_users').selectAll().execute()).toEqual([]);
    expect(await s.h.db.kysely.selectFrom('directory_contacts').selectAll().execute()).toEqual([]);
  });
});

describe('bounds and errors', () => {
  it('refuses bad bodies with SCIM errors and writes nothing', async () => {
    await setUp();
    const cases: [string, string | object, string, number, string | undefined][] = [
      ['POST', 'not json', 'application/scim+json', 400, 'invalidSyntax'],
      ['POST', user('ada@acme.test'), 'text/plain', 415, undefined],
      ['POST', { schemas: [USER_SCHEMA] }, 'application/json', 400, 'invalidValue'],
      ['POST', user('x'.repeat(300)), 'application/scim+json', 400, 'invalidValue'],
      ['POST', user('ada@acme.test', { schemas: ['urn:example:Other'] }), 'application/scim+json', 400, 'invalidValue'],
      [
        'POST',
        user('ada@acme.test', { emails: Array.from({ length: 30 }, (_, i) => ({ value: `a${i}@acme.test` })) }),
        'application/scim+json',
        400,
        'invalidValue',
      ],
      ['POST', user('ada@acme.test', { custom: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } }), 'application/scim+json', 400, 'invalidValue'],
      ['POST', user('ada@acme.test', { note: 'x'.repeat(300 * 1024) }), 'application/scim+json', 413, undefined],
    ];
    for (const [method, body, type, status, scimType] of cases) {
      const res = await scim(method, '/Users', body, s.acme, type);
      expect([res.status, res.json?.scimType], `${type} ${JSON.stringify(body).slice(0, 80)}`).toEqual([status, scimType]);
      expect(res.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
    expect((await scim('GET', '/Users')).json.totalResults).toBe(0);
    expect((await scim('POST', '/Groups', { displayName: 'x' })).status).toBe(501);
    expect((await scim('GET', '/Nothing')).json).toMatchObject({ status: '404' });
  });

  it('takes no more users than a refresh may fetch, yet still updates the ones it holds', async () => {
    await setUp({ refreshLimits: { contacts: 1 } });
    const { json: ada } = await scim('POST', '/Users', user('ada@acme.test'));
    expect(await scim('POST', '/Users', user('grace@acme.test'))).toMatchObject({ status: 403, json: { status: '403' } });
    expect((await scim('PATCH', `/Users/${ada.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Countess' }] })).status).toBe(
      200,
    );
  });

  it('limits requests per token, not per address', async () => {
    await setUp({ rateLimits: { session: 1_000_000, address: 1_000_000, accept: 1_000_000, scim: 3 } });
    for (let i = 0; i < 3; i++) expect((await scim('GET', '/Users')).status).toBe(200);
    const limited = await scim('GET', '/Users');
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ status: '429' });
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await scim('GET', '/Users', undefined, await createToken('globex'))).status).toBe(200);
  });

  it('describes itself: ServiceProviderConfig, Schemas and ResourceTypes', async () => {
    await setUp();
    const config = (await scim('GET', '/ServiceProviderConfig')).json;
    expect(config).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 100 },
      changePassword: { supported: false },
    });
    const schemas = (await scim('GET', '/Schemas')).json;
    expect(schemas.Resources.map((s: { id: string }) => s.id)).toEqual([USER_SCHEMA, ENTERPRISE]);
    const types = (await scim('GET', '/ResourceTypes')).json;
    expect(types.Resources).toMatchObject([{ id: 'User', endpoint: '/Users', schema: USER_SCHEMA }]);
  });
});
