import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from '../../test/harness.js';
import { startBambooHRServer } from '../../test/fakes/bamboohr-server.js';
import { startMergeFake } from '../../test/fakes/merge-server.js';
import { loadProvidersFile } from '../providers/file.js';
import { PROVIDER_CATALOG } from '../providers/catalog.js';
import { sampleProvider, type ProviderEntry } from '../providers/registry.js';
import { jsonLogger } from '../logger.js';
import { upsertTarget } from '../services/targets.js';
import type { ContactPage, ProviderInfo } from '../../contract/index.js';

const API_KEY = 'bamboo-org-secret-7f3a9c';
const EMPLOYEES = [
  {
    id: '1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    displayName: 'Ada Lovelace',
    workEmail: 'ada@acme.test',
    department: 'Engineering',
    status: 'Active' as const,
  },
  {
    id: '2',
    firstName: 'Grace',
    lastName: 'Hopper',
    displayName: 'Grace Hopper',
    workEmail: 'grace@acme.test',
    department: 'Engineering',
    status: 'Active' as const,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'hr-import-connections-'));
let n = 0;
function providersFile(providers: unknown[], env: NodeJS.ProcessEnv = {}): ProviderEntry[] {
  const path = join(dir, `providers-${++n}.json`);
  writeFileSync(path, JSON.stringify({ providers }));
  return loadProvidersFile(path, env, PROVIDER_CATALOG);
}

let h: Harness;
let fake: Awaited<ReturnType<typeof startBambooHRServer>>;
let logLines: string[];
/** Every body the BFF answered in a test, to prove no secret ever leaves it. */
let bodies: string[];
let acme: string;

async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await h.request(method, path, { token, body });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const connect = (token: string, credentials: Record<string, string>, provider = 'bamboo') =>
  call('PUT', `/api/providers/${provider}/connection`, token, { credentials });

async function providerState(token: string, id = 'bamboo'): Promise<ProviderInfo> {
  const { json } = await call('GET', '/api/providers', token);
  return (json.items as ProviderInfo[]).find((p) => p.id === id)!;
}

beforeEach(async () => {
  fake = await startBambooHRServer({ companyDomain: 'acme', apiKey: API_KEY, employees: EMPLOYEES });
  logLines = [];
  bodies = [];
  const entries = [sampleProvider(), ...providersFile([{ id: 'bamboo', type: 'bamboohr', baseUrl: fake.url }])];
  h = await createHarness({ providers: entries, logger: jsonLogger((line) => logLines.push(line)) });
  await h.target('organization', 'acme', 10);
  await h.target('organization', 'globex', 10);
  acme = await h.session({ type: 'organization', id: 'acme' });
});
afterEach(async () => {
  await h.close();
  await fake.close();
});

describe('GET /api/providers for a provider each organization connects', () => {
  it('asks for the credential fields until the organization has connected it', async () => {
    expect(await providerState(acme)).toEqual({
      id: 'bamboo',
      type: 'bamboohr',
      name: 'BambooHR',
      connection: 'needs_credentials',
      fields: [
        { name: 'companyDomain', label: 'Company domain', secret: false, required: true },
        { name: 'apiKey', label: 'API key', secret: true, required: true },
      ],
    });
    expect(await providerState(acme, 'sample')).toEqual({
      id: 'sample',
      type: 'sample',
      name: 'Sample directory',
      names: { de: 'Beispielverzeichnis', fr: 'Annuaire d’exemple', es: 'Directorio de ejemplo' },
      connection: 'ready',
    });
  });
});

describe('PUT /api/providers/:provider/connection', () => {
  it('stores the credentials for the whole organization: its labs and challenges share them, other organizations do not', async () => {
    expect(await connect(acme, { companyDomain: 'acme', apiKey: `  ${API_KEY}\n` })).toEqual({ status: 200, json: { connection: 'ready' } });
    await upsertTarget(h.db.kysely, { type: 'lab', id: 'robotics' }, { name: 'Robotics', seatLimit: 5, organizationId: 'acme' }, h.clock.now);
    await h.target('challenge', 'solo', 5);
    const lab = await h.session({ type: 'lab', id: 'robotics' });
    const solo = await h.session({ type: 'challenge', id: 'solo' });
    const globex = await h.session({ type: 'organization', id: 'globex' });

    expect((await providerState(acme)).connection).toBe('ready');
    expect((await providerState(lab)).connection).toBe('ready');
    expect((await providerState(globex)).connection).toBe('needs_credentials');
    expect((await providerState(solo)).connection).toBe('needs_credentials');

    const page = await call('GET', '/api/providers/bamboo/contacts', lab);
    expect((page.json as ContactPage).items.map((c) => c.displayName)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    const facets = await call('GET', '/api/providers/bamboo/contacts/facets', acme);
    expect(facets.json.departments).toEqual([{ value: 'Engineering', count: 2 }]);
    // One directory for the organization, fetched once, whichever of its targets asked first.
    const syncs = await h.db.kysely.selectFrom('directory_syncs').select('connection').execute();
    expect(syncs.map((s) => s.connection)).toEqual(['bamboo:organization:acme']);
    expect(fake.requests.filter((r) => r.path.includes('/employees/directory'))).toHaveLength(1);

    const other = await call('GET', '/api/providers/bamboo/contacts', globex);
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('provider_not_connected');
  });

  it('refuses unknown and missing fields, naming them and never a value', async () => {
    const unknown = await connect(acme, { companyDomain: 'acme', apiKey: API_KEY, password: 'hunter2-secret' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details.fields).toEqual([
      { path: 'credentials.password', message: 'not a credential BambooHR asks for; expected: companyDomain, apiKey' },
    ]);
    const missing = await connect(acme, { companyDomain: 'acme', apiKey: '   ' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toBe('Invalid credentials: credentials.apiKey: API key is required');
    expect((await call('PUT', '/api/providers/bamboo/connection', acme, { credentials: { apiKey: 42 } })).status).toBe(400);
    expect((await call('PUT', '/api/providers/bamboo/connection', acme, { credentials: {}, extra: true })).status).toBe(400);
    expect(JSON.stringify(bodies)).not.toContain('hunter2-secret');
    expect(await h.db.kysely.selectFrom('provider_connections').selectAll().execute()).toEqual([]);
  });

  it('answers 409 for a provider the deployment configures, and 404 for an unknown one', async () => {
    const sample = await connect(acme, {}, 'sample');
    expect(sample.status).toBe(409);
    expect(sample.json.error.code).toBe('configured_by_deployment');
    expect((await call('DELETE', '/api/providers/sample/connection', acme)).json.error.code).toBe('configured_by_deployment');
    expect((await connect(acme, {}, 'nope')).status).toBe(404);
    expect((await h.request('PUT', '/api/providers/bamboo/connection', { body: { credentials: {} } })).status).toBe(401);
  });

  it('forgets the directory fetched with the old credentials', async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    await call('GET', '/api/providers/bamboo/contacts', acme);
    await connect(acme, { companyDomain: 'acme', apiKey: 'a-wrong-key-now' });
    expect(await h.db.kysely.selectFrom('directory_contacts').select('contact_id').execute()).toEqual([]);
    const res = await call('GET', '/api/providers/bamboo/contacts', acme);
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('provider_auth');
  });
});

describe('POST /api/providers/:provider/connection/test', () => {
  it('reads one page with the stored credentials', async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    expect(await call('POST', '/api/providers/bamboo/connection/test', acme)).toEqual({ status: 200, json: { ok: true, sample: 2 } });
  });

  it("answers the provider's refusal as it answers it everywhere, without the key", async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: 'revoked-key-1234567' });
    const res = await call('POST', '/api/providers/bamboo/connection/test', acme);
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('provider_auth');
    expect(res.json.error.message).toMatch(/BambooHR/);
    expect(res.json.error.message).not.toContain('revoked-key-1234567');
  });

  it('answers 409 while nothing is stored', async () => {
    const res = await call('POST', '/api/providers/bamboo/connection/test', acme);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('provider_not_connected');
  });
});

describe('GET /api/providers: the cached directory', () => {
  it("is each organization's own, and not described once its credentials stop opening", async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    expect((await providerState(acme)).directory).toBeUndefined();
    expect((await call('GET', '/api/providers/bamboo/contacts', acme)).status).toBe(200);
    expect((await providerState(acme)).directory).toEqual({ syncedAt: h.clock.now.toISOString(), freshFor: 3600 });
    const globex = await h.session({ type: 'organization', id: 'globex' });
    await connect(globex, { companyDomain: 'acme', apiKey: API_KEY });
    expect((await providerState(globex)).directory).toBeUndefined();
    // Credentials that no longer open: the directory is not served, so it is not offered either.
    await h.db.kysely.updateTable('provider_connections').set({ credentials: 'v1.forged' }).where('scope', '=', 'organization:acme').execute();
    expect(await providerState(acme)).toMatchObject({ connection: 'error' });
    expect((await providerState(acme)).directory).toBeUndefined();
  });
});

describe('DELETE /api/providers/:provider/connection', () => {
  it('removes the credentials and the cached directory', async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    await call('GET', '/api/providers/bamboo/contacts', acme);
    expect(await call('DELETE', '/api/providers/bamboo/connection', acme)).toEqual({ status: 200, json: { connection: 'needs_credentials' } });
    expect(await h.db.kysely.selectFrom('provider_connections').selectAll().execute()).toEqual([]);
    expect(await h.db.kysely.selectFrom('directory_contacts').selectAll().execute()).toEqual([]);
    expect(await h.db.kysely.selectFrom('directory_syncs').selectAll().execute()).toEqual([]);
    expect((await providerState(acme)).connection).toBe('needs_credentials');
    expect((await call('GET', '/api/providers/bamboo/contacts', acme)).status).toBe(409);
    // Removing what is not there is not an error.
    expect((await call('DELETE', '/api/providers/bamboo/connection', acme)).status).toBe(200);
  });
});

describe('credentials at rest', () => {
  it('never appear in the column, in an answer or in a log line', async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    await call('POST', '/api/providers/bamboo/connection/test', acme);
    await call('GET', '/api/providers/bamboo/contacts', acme);
    await call('GET', '/api/providers', acme);
    const [row] = await h.db.kysely.selectFrom('provider_connections').selectAll().execute();
    expect(row).toMatchObject({ provider_id: 'bamboo', scope: 'organization:acme' });
    expect(row!.credentials).toMatch(/^v1\./);
    for (const column of Object.values(row!)) expect(String(column)).not.toContain(API_KEY);
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(body).not.toContain(API_KEY);
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) expect(line).not.toContain(API_KEY);
  });

  it('reports credentials that no longer open (tampered, or the secret changed) as an error to reconnect', async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    const [row] = await h.db.kysely.selectFrom('provider_connections').select('credentials').execute();
    const parts = row!.credentials.split('.');
    parts[3] = Buffer.from('{"apiKey":"forged"}').toString('base64url');
    await h.db.kysely
      .updateTable('provider_connections')
      .set({ credentials: parts.join('.') })
      .execute();
    expect((await providerState(acme)).connection).toBe('error');
    const res = await call('GET', '/api/providers/bamboo/contacts', acme);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('connection_unreadable');
    expect((await connect(acme, { companyDomain: 'acme', apiKey: API_KEY })).json).toEqual({ connection: 'ready' });
    expect((await providerState(acme)).connection).toBe('ready');
  });

  it("refuses a row copied from another organization's connection", async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    const [row] = await h.db.kysely.selectFrom('provider_connections').selectAll().execute();
    await h.db.kysely
      .insertInto('provider_connections')
      .values({ ...row!, id: 'pc_copied', scope: 'organization:globex' })
      .execute();
    expect((await providerState(await h.session({ type: 'organization', id: 'globex' }))).connection).toBe('error');
  });
});

describe('importing from an organization connection', () => {
  it("resolves the selection from the organization's own cached directory", async () => {
    await connect(acme, { companyDomain: 'acme', apiKey: API_KEY });
    const listed = await call('GET', '/api/providers/bamboo/contacts', acme);
    expect((listed.json as ContactPage).items.map((c) => c.displayName)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    const res = await h.request('POST', '/api/imports', {
      token: acme,
      body: { provider: 'bamboo', selection: { all: true }, role: 'user', message: { subject: 'Join', body: 'Hi {{firstName}}' } },
      headers: { 'Idempotency-Key': 'org-connection-import-1' },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { invited: number }).invited).toBe(2);
    const invites = await h.db.kysely.selectFrom('invites').select(['email_normalized', 'provider']).orderBy('email_normalized').execute();
    expect(invites).toEqual([
      { email_normalized: 'ada@acme.test', provider: 'bamboo' },
      { email_normalized: 'grace@acme.test', provider: 'bamboo' },
    ]);
  });

  it('is refused while the organization has not connected the provider', async () => {
    const res = await h.request('POST', '/api/imports', {
      token: acme,
      body: { provider: 'bamboo', selection: { ids: ['1'] }, role: 'user', message: { subject: 'Join', body: 'Hi' } },
      headers: { 'Idempotency-Key': 'org-connection-import-2' },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('provider_not_connected');
    expect(await h.db.kysely.selectFrom('invites').select('id').execute()).toEqual([]);
  });
});

describe('credentials a connector cannot use', () => {
  it('are refused when saved, with what is wrong and without the value', async () => {
    const gh = await createHarness({ providers: providersFile([{ id: 'google', type: 'google' }]) });
    try {
      await gh.target('organization', 'acme', 10);
      const token = await gh.session({ type: 'organization', id: 'acme' });
      const res = await gh.request('PUT', '/api/providers/google/connection', {
        token,
        body: { credentials: { serviceAccountKey: '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv-not-json', subject: 'admin@acme.test' } },
      });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(JSON.parse(text).error.message).toBe(`Google Workspace: the credential "serviceAccountKey" is not the key file's JSON.`);
      expect(text).not.toContain('MIIEv');
    } finally {
      await gh.close();
    }
  });
});

describe('a provider whose file sets part of the credentials', () => {
  it("asks each organization only for the rest, and lists with both (Merge: the deployment's key, the customer's account token)", async () => {
    const merge = await startMergeFake({
      apiKey: 'deployment-merge-key',
      accountToken: 'acme-account-token',
      employees: [{ id: 'e1', first_name: 'Ada', last_name: 'Lovelace', work_email: 'ada@acme.test', employment_status: 'ACTIVE' }],
    });
    const mh = await createHarness({
      providers: providersFile([{ id: 'merge', type: 'merge', baseUrl: merge.url, credentials: { apiKey: { env: 'MERGE_KEY' } } }], {
        MERGE_KEY: 'deployment-merge-key',
      }),
    });
    try {
      await mh.target('organization', 'acme', 10);
      const token = await mh.session({ type: 'organization', id: 'acme' });
      const items = (await (await mh.request('GET', '/api/providers', { token })).json()) as { items: ProviderInfo[] };
      expect(items.items[0]!.fields).toEqual([{ name: 'accountToken', label: 'Account token', secret: true, required: true }]);
      const refused = await mh.request('PUT', '/api/providers/merge/connection', {
        token,
        body: { credentials: { apiKey: 'x', accountToken: 'acme-account-token' } },
      });
      expect(refused.status).toBe(400);
      expect(
        (await mh.request('PUT', '/api/providers/merge/connection', { token, body: { credentials: { accountToken: 'acme-account-token' } } })).status,
      ).toBe(200);
      const page = (await (await mh.request('GET', '/api/providers/merge/contacts', { token })).json()) as ContactPage;
      expect(page.items.map((c) => c.email)).toEqual(['ada@acme.test']);
    } finally {
      await mh.close();
      await merge.close();
    }
  });
});
