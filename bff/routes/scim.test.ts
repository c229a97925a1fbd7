import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { API_KEY, createHarness, SECRET, type Harness } from '../../test/harness.js';
import { sampleProvider, scimProvider, type ProviderEntry } from '../providers/registry.js';
import { inlineProviders } from '../providers/file.js';
import { PROVIDER_CATALOG } from '../providers/catalog.js';
import type { AppConfig } from '../deps.js';
import { createRetentionWorker } from '../services/retention.js';
import { parseSettings } from '../config.js';
import { silentLogger } from '../logger.js';
import type { ContactPage, ImportResult, ProviderInfo, RefreshStatus } from '../../contract/index.js';

interface Step {
  section: string;
  method: string;
  path: string;
  body?: unknown;
  repeat?: string;
  status: number;
}
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/scim/${name}.json`, import.meta.url), 'utf8')) as { requests: Step[] };

const SCIM = '/api/scim/v2';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let h: Harness;
let acme: string;

async function setUp(config: Partial<AppConfig> = {}, scim: ProviderEntry = scimProvider()) {
  h = await createHarness({ providers: [sampleProvider(), scim], config });
  await h.target('organization', 'acme', 10);
  await h.target('organization', 'globex', 10);
  acme = await createToken('acme');
}

async function createToken(org: string): Promise<string> {
  const res = await h.request('POST', `/api/organizations/${org}/scim-token`, { token: API_KEY });
  expect(res.status).toBe(201);
  const json = (await res.json()) as { token: string; baseUrl: string };
  return json.token;
}

/** A SCIM request as an identity provider sends it: `application/scim+json`, the organization's token. */
async function scim(method: string, path: string, body?: unknown, token: string | null = acme, contentType = 'application/scim+json; charset=utf-8') {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await h.request(method, `${SCIM}${path}`, {
    headers,
    rawBody: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

/** The widget's view: the session of an admin of the organization. */
async function widget(path: string, org = 'acme') {
  const token = await h.session({ type: 'organization', id: org });
  const res = await h.request('GET', `/api${path}`, { token });
  return { status: res.status, json: await res.json() };
}
const contacts = async (query = '', org = 'acme') => (await widget(`/providers/scim/contacts?limit=100${query}`, org)).json as ContactPage;

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});

/** Replays a documented sequence; `{id}` is the user the sequence created. */
async function replay(steps: Step[]) {
  let id = '';
  const answers: Record<string, { status: number; json: any; headers: Headers }> = {};
  for (const step of steps) {
    const fill = (s: string) => s.replaceAll('{id}', id);
    const source = step.repeat ? steps.find((s) => s.section === step.repeat)! : step;
    const body = source.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(source.body)));
    const [path, query] = fill(step.path).split('?');
    // An HTTP client encodes what the documentation writes unencoded; encoded text is left as is.
    const encoded =
      query === undefined
        ? ''
        : `?${query
            .split('&')
            .map((p) => {
              const [k, v = ''] = p.split('=');
              return `${k}=${encodeURIComponent(decodeURIComponent(v))}`;
            })
            .join('&')}`;
    const answer = await scim(step.method, `${path}${encoded}`, body);
    expect(answer.status, `${step.section}: ${JSON.stringify(answer.json)}`).toBe(step.status);
    if (answer.status !== 204) expect(answer.headers.get('Content-Type')).toMatch(/^application\/scim\+json/);
    if (step.method === 'POST' && answer.status === 201) id = answer.json.id;
    answers[step.section] = answer;
  }
  return answers;
}

afterEach(() => h.close());

describe("the request sequence of Microsoft Entra ID's SCIM tutorial", () => {
  beforeEach(() => setUp());

  it('creates, reads, finds, updates, disables and deletes a user as documented', async () => {
    const a = await replay(fixture('entra').requests);
    const created = a['Create User']!.json;
    expect(created).toMatchObject({
      schemas: expect.arrayContaining([USER_SCHEMA]),
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      emails: [{ value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(created.meta.location).toBe(`http://localhost${SCIM}/Users/${created.id}`);
    expect(a['Create User']!.headers.get('Location')).toBe(created.meta.location);
    expect(a['Get User']!.json).toEqual(created);
    expect(a['Get User (User not found)']!.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    expect(a['Get User by query']!.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(a['Get User by query']!.json.Resources[0].id).toBe(created.id);
    expect(a['Get User by query - Zero results']!.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    expect(a['Update User [Multi-valued properties]']!.json).toMatchObject({
      name: { familyName: 'updatedFamilyName', givenName: 'givenName' },
      emails: [{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }],
      meta: { version: 'W/"2"' },
    });
    expect(a['Update User [Single-valued properties]']!.json.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
    expect(a['Disable User']!.json.active).toBe(false);
    // Deleted: gone from SCIM and from the directory.
    expect((await scim('GET', `/Users/${created.id}`)).status).toBe(404);
    expect((await contacts('&status=all')).items).toEqual([]);
  });

  it("shows each step in the organization's directory: the update, then the person inactive", async () => {
    const steps = fixture('entra').requests;
    const upTo = (section: string) => steps.slice(0, steps.findIndex((s) => s.section === section) + 1);
    await replay(upTo('Update User [Multi-valued properties]'));
    expect((await contacts()).items).toMatchObject([
      { displayName: 'givenName familyName', firstName: 'givenName', lastName: 'updatedFamilyName', email: 'updatedEmail@microsoft.com', status: 'active' },
    ]);
    await h.close();
    await setUp();
    await replay(upTo('Disable User'));
    // A leaver for the sync rules: listed only among the inactive.
    expect((await contacts()).items).toEqual([]);
    expect((await contacts('&status=inactive')).items).toMatchObject([{ email: 'updatedEmail@microsoft.com', status: 'inactive' }]);
  });
});

describe("the request sequence of Okta's SCIM 2.0 protocol reference", () => {
  beforeEach(() => setUp());

  it('checks, creates, refuses the duplicate, lists, replaces and deactivates as documented', async () => {
    const a = await replay(fixture('okta').requests);
    expect(a['Determine if the User already exists']!.json).toMatchObject({ totalResults: 0, Resources: [] });
    const created = a['Create the User']!.json;
    expect(created).toMatchObject({
      userName: 'test.user@okta.local',
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    // The password Okta sends is never kept nor answered; `groups` is Okta's, not ours.
    expect(created).not.toHaveProperty('password');
    expect(JSON.stringify(await h.db.kysely.selectFrom('scim_users').selectAll().execute())).not.toContain('1mz050nq');
    expect(a['Create the User (already exists)']!.json).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(a['Retrieve Users']!.json).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(a['Retrieve a specific User']!.json).toEqual(created);
    expect(a['Update the User (PUT)']!.json).toMatchObject({
      id: created.id,
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      meta: { version: 'W/"2"', created: created.meta.created },
    });
    expect(a['Update a specific User (PATCH): deactivate']!.json).toMatchObject({ active: false, name: { givenName: 'Another' } });
    expect(a['Retrieve Groups']!.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    // The PUT replaced every attribute, and its body has no displayName: the name is the given and family name.
    expect((await contacts('&status=all')).items).toMatchObject([
      { id: created.id, displayName: 'Another User', firstName: 'Another', email: 'test.user@okta.local', status: 'inactive' },
    ]);
  });
});

describe('PATCH', () => {
  beforeEach(() => setUp());

  it("takes Entra's capitalised ops with string booleans, and Okta's value objects", async () => {
    const { json: created } = await scim('POST', '/Users', user('ada@acme.test'));
    const off = await scim('PATCH', `/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.json.active).toBe(false);
    const on = await scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true, title: 'Engineer' } }],
    });
    expect(on.json).toMatchObject({ active: true, title: 'Engineer', meta: { version: 'W/"3"' } });
    expect((await contacts()).items).toMatchObject([{ title: 'Engineer', status: 'active' }]);
  });

  it('adds, replaces and removes enterprise attributes by their URN paths, and the directory follows', async () => {
    const { json: boss } = await scim('POST', '/Users', user('grace@acme.test', { name: { givenName: 'Grace', familyName: 'Hopper' } }));
    const { json: ada } = await scim(
      'POST',
      '/Users',
      user('ada@acme.test', { userType: 'Contractor', [ENTERPRISE]: { employeeNumber: '42', department: 'Research' } }),
    );
    const patched = await scim('PATCH', `/Users/${ada.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Engineering' },
        { op: 'Add', path: 'addresses', value: [{ type: 'work', locality: 'London', primary: true }] },
        { op: 'Remove', path: 'title' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.json[ENTERPRISE]).toEqual({ employeeNumber: '42', department: 'Engineering', manager: boss.id });
    expect(patched.json.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    const row = (await contacts()).items.find((c) => c.id === ada.id);
    expect(row).toMatchObject({ department: 'Engineering', managerId: boss.id, location: 'London', employmentType: 'Contractor' });
  });

  it('refuses what would leave an invalid user, a bad path or a changed id, and writes nothing', async () => {
    const { json: created } = await scim('POST', '/Users', user('ada@acme.test'));
    await scim('POST', '/Users', user('grace@acme.test'));
    const cases: [unknown, number, string][] = [
      [{ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'GRACE@acme.test' }] }, 409, 'uniqueness'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title', value: 'x' }] }, 400, 'invalidSyntax'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'mine' }] }, 400, 'mutability'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x'.repeat(300) }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [] }, 400, 'invalidSyntax'],
    ];
    for (const [body, status, scimType] of cases) {
      const res = await scim('PATCH', `/Users/${created.id}`, body);
      expect([res.status, res.json.scimType], JSON.stringify(body)).toEqual([status, scimType]);
    }
    expect((await scim('GET', `/Users/${created.id}`)).json).toEqual(created);
  });
});

describe('GET /Users', () => {
  beforeEach(() => setUp());

  it('filters on userName (any case), externalId and emails, as Okta and Entra query', async () => {
    const { json: ada } = await scim('POST', '/Users', user('Ada@Acme.test', { externalId: 'ext-1' }));
    await scim('POST', '/Users', user('grace@acme.test', { externalId: 'ext-2' }));
    const ids = async (filter: string) =>
      ((await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json.Resources as { id: string }[]).map((r) => r.id);
    expect(await ids('userName eq "ada@acme.test"')).toEqual([ada.id]);
    expect(await ids('externalId eq "ext-1"')).toEqual([ada.id]);
    expect(await ids('externalId eq "EXT-1"')).toEqual([]);
    expect(await ids('emails.value eq "ADA@acme.test"')).toEqual([ada.id]);
    expect(await ids('emails[type eq "work"].value eq "ada@acme.test"')).toEqual([ada.id]);
    expect(await ids('emails[type eq "home"].value eq "ada@acme.test"')).toEqual([]);
    expect(await ids('emails[type eq "work" and value eq "ada@acme.test"]')).toEqual([ada.id]);
    expect(await ids('userName eq "ada@acme.test" and externalId eq "ext-2"')).toEqual([]);
  });

  it('answers anything else with 400 invalidFilter', async () => {
    for (const filter of [
      'userName sw "ada"',
      'title eq "x"',
      'userName eq "a" or userName eq "b"',
      'not (userName eq "a")',
      'userName eq',
      'userName eq true',
      'emails[type eq "work"]',
    ]) {
      const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect([res.status, res.json.scimType], filter).toEqual([400, 'invalidFilter']);
    }
  });

  it('pages with startIndex and count, in the same order whatever the page size, at most 100 a page', async () => {
    for (let i = 0; i < 5; i++) await scim('POST', '/Users', user(`p${i}@acme.test`));
    const all = (await scim('GET', '/Users')).json;
    expect(all).toMatchObject({ totalResults: 5, itemsPerPage: 5, startIndex: 1 });
    const order = all.Resources.map((r: { id: string }) => r.id);
    const page = (await scim('GET', '/Users?startIndex=2&count=2')).json;
    expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((r: { id: string }) => r.id)).toEqual(order.slice(1, 3));
    expect((await scim('GET', '/Users?startIndex=0&count=-3')).json).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 0, Resources: [] });
    expect((await scim('GET', '/Users?count=100000')).json.itemsPerPage).toBe(5);
    expect((await scim('GET', '/Users?count=many')).json).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });
});

describe('tokens', () => {
  beforeEach(() => setUp());

  it('are refused when missing, wrong, rotated away or revoked, with a SCIM 401', async () => {
    const missing = await scim('GET', '/Users', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect(missing.headers.get('Content-Type')).toMatch(/^application\/scim\+json/);
    expect(missing.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect((await scim('GET', '/Users', undefined, `${acme.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, API_KEY)).status).toBe(401);
    const rotated = await createToken('acme');
    expect((await scim('GET', '/Users', undefined, acme)).status).toBe(401);
    expect((await scim('GET', '/Users', undefined, rotated)).status).toBe(200);
    expect((await h.request('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY })).status).toBe(204);
    expect((await scim('GET', '/Users', undefined, rotated)).status).toBe(401);
    expect((await h.request('DELETE', '/api/organizations/acme/scim-token', { token: API_KEY })).status).toBe(404);
  });

  it('are stored as digests only and answered once with the base URL', async () => {
    const res = await h.request('POST', '/api/organizations/globex/scim-token', { token: API_KEY });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { token, baseUrl } = (await res.json()) as { token: string; baseUrl: string };
    expect(baseUrl).toBe(`http://localhost${SCIM}`);
    const rows = JSON.stringify(await h.db.kysely.selectFrom('scim_tokens').selectAll().execute());
    expect(rows).not.toContain(token.split('.')[2]);
    expect((await h.request('POST', '/api/organizations/globex/scim-token')).status).toBe(401);
    expect((await h.request('POST', '/api/organizations/nobody/scim-token', { token: API_KEY })).status).toBe(404);
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
    const session = await h.session({ type: 'organization', id: 'acme' });
    const refresh = await h.request('POST', '/api/providers/scim/refresh', { token: session, body: { force: true } });
    expect(refresh.status).toBe(200);
    expect((await refresh.json()) as RefreshStatus).toMatchObject({ status: 'ready', fetched: 2, total: 2, stale: false });

    const imported = await h.request('POST', '/api/imports', {
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
    const erased = await h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'ADA@acme.test' } });
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
    const stored = await h.db.kysely.selectFrom('directory_contacts').select(['email', 'title']).where('connection', 'like', 'scim:%').execute();
    expect(stored).toEqual([{ email: 'ada@acme.test', title: null }]);

    // Bob moves to Engineering, Ada out of it.
    const move = (department: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: department }] });
    expect((await scim('PATCH', `/Users/${bob.id}`, move('Engineering'))).status).toBe(200);
    expect((await scim('PATCH', `/Users/${ada.id}`, move('Research'))).status).toBe(200);
    expect((await contacts()).items.map((c) => c.email)).toEqual(['bob@acme.test']);
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(200);

    // Erasure reaches a user the directory never held.
    const erased = await h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'ada@acme.test' } });
    expect(erased.status).toBe(200);
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(404);
  });
});

describe('retention', () => {
  beforeEach(() => setUp());

  it('keeps a directory its identity provider keeps pushing to, and drops one nobody touched, SCIM records with it', async () => {
    const retention = parseSettings({ apiKeys: [API_KEY], secret: SECRET }).retention;
    const run = () => createRetentionWorker({ db: h.db.kysely, retention, now: () => h.clock.now, logger: silentLogger }).runOnce();
    const day = (n: number) => new Date(h.clock.now.getTime() + n * 86_400_000);
    const start = h.clock.now;
    await scim('POST', '/Users', user('ada@acme.test'));
    await contacts(); // the widget used it once, on day 0
    h.clock.now = day(25);
    await scim('POST', '/Users', user('grace@acme.test'));
    h.clock.now = new Date(start.getTime() + 40 * 86_400_000);
    await run();
    expect((await scim('GET', '/Users')).json.totalResults).toBe(2);
    h.clock.now = new Date(start.getTime() + 60 * 86_400_000);
    await run();
    expect(await h.db.kysely.selectFrom('scim_users').selectAll().execute()).toEqual([]);
    expect(await h.db.kysely.selectFrom('directory_contacts').selectAll().execute()).toEqual([]);
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
      const res = await scim(method, '/Users', body, acme, type);
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
