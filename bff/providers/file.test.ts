import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialLabel, loadProvidersFile } from './file.js';
import { PROVIDER_CATALOG } from './catalog.js';
import { ConfigError } from '../config.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { startBambooHRServer } from '../../test/fakes/bamboohr-server.js';
import type { ContactPage, ProviderInfo } from '../../contract/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-import-providers-'));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `providers-${++n}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(content: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    loadProvidersFile(file(content), env, PROVIDER_CATALOG);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

describe('the providers file', () => {
  it('gives the sample directory alone when there is no file', () => {
    const entries = loadProvidersFile(join(dir, 'missing.json'), {}, PROVIDER_CATALOG);
    expect(entries.map((e) => [e.id, e.type])).toEqual([['sample', 'sample']]);
  });

  it('reads a csv provider: each organization uploads its own file', () => {
    const [csv, named] = loadProvidersFile(
      file({
        providers: [
          { id: 'csv', type: 'csv' },
          { id: 'sheet', type: 'csv', name: 'Spreadsheet' },
        ],
      }),
      {},
      PROVIDER_CATALOG,
    );
    expect([csv!.id, csv!.type, csv!.name, csv!.configuredBy]).toEqual(['csv', 'csv', 'CSV file', 'upload']);
    expect([named!.id, named!.name]).toEqual(['sheet', 'Spreadsheet']);
  });

  it("takes a provider's logo from the file as an https or image data URL, nothing else", () => {
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}`;
    const [hosted, inline, plain] = loadProvidersFile(
      file({
        providers: [
          { id: 'hr', type: 'csv', logoUrl: 'https://cdn.example.com/hr.svg' },
          { id: 'sample', type: 'sample', logoUrl: svg },
          { id: 'csv', type: 'csv' },
        ],
      }),
      {},
      PROVIDER_CATALOG,
    );
    expect(hosted!.logoUrl).toBe('https://cdn.example.com/hr.svg');
    expect(inline!.logoUrl).toBe(svg);
    expect(plain!.logoUrl).toBeUndefined();
    for (const logoUrl of [
      'http://cdn.example.com/hr.svg',
      'javascript:alert(1)',
      'data:text/html;base64,PGI+',
      'data:image/svg+xml,<svg onload=alert(1)>',
      '//cdn.example.com/hr.svg',
    ]) {
      expect(configError({ providers: [{ id: 'x', type: 'csv', logoUrl }] })).toMatch(/providers\[0\]\.logoUrl/);
    }
  });

  it("names providers in the widget's languages: the file's names, else the built-in ones of a provider it does not rename", () => {
    const [csv, sheet, translated, sample, renamedSample] = loadProvidersFile(
      file({
        providers: [
          { id: 'csv', type: 'csv' },
          { id: 'sheet', type: 'csv', name: 'Spreadsheet' },
          { id: 'hr', type: 'csv', name: 'HR export', names: { de: 'HR-Export', fr: 'Export RH' } },
          { id: 'sample', type: 'sample' },
          { id: 'demo', type: 'sample', name: 'Demo people' },
        ],
      }),
      {},
      PROVIDER_CATALOG,
    );
    expect(csv!.names).toEqual({ de: 'CSV-Datei', fr: 'Fichier CSV', es: 'Archivo CSV' });
    // Renamed without translations: the built-in German would name something else.
    expect(sheet!.names).toBeUndefined();
    expect(translated!.names).toEqual({ de: 'HR-Export', fr: 'Export RH' });
    expect(sample!.names).toEqual({ de: 'Beispielverzeichnis', fr: 'Annuaire d’exemple', es: 'Directorio de ejemplo' });
    expect(renamedSample!.names).toBeUndefined();
    expect(configError({ providers: [{ id: 'x', type: 'csv', names: { it: 'Esportazione' } }] })).toMatch(/providers\[0\]\.names/);
  });

  it('stops with one line naming the field for every kind of mistake', () => {
    expect(configError('{ not json')).toMatch(/not JSON/);
    expect(configError({ providers: [{ id: 'x', type: 'oracle' }] })).toMatch(
      /^invalid providers file: providers\[0\]\.type: unknown type "oracle"; one of: sample, csv, scim, bamboohr/,
    );
    expect(configError({ providers: [{ id: 'c', type: 'csv', credentials: { apiKey: 'x' } }] })).toMatch(
      /^invalid providers file: providers\[0\]\.credentials: a csv provider takes no API settings/,
    );
    expect(configError({ providers: [{ id: 'b', type: 'bamboohr', credentials: { companyDomain: 'acme', apiKey: 'sk_live_123' } }] })).toBe(
      'invalid providers file: providers[0].credentials.apiKey: is a secret: write { "env": "VARIABLE" } and set the variable, never the value itself',
    );
    expect(configError({ providers: [{ id: 'b', type: 'bamboohr', credentials: { companyDomain: 'acme', apiKey: { env: 'BAMBOO_KEY' } } }] })).toMatch(
      /providers\[0\]\.credentials\.apiKey: environment variable BAMBOO_KEY is not set/,
    );
    expect(configError({ providers: [{ id: 'b', type: 'bamboohr', credentials: { domain: 'acme' } }] })).toMatch(
      /credentials\.domain: not a credential of bamboohr/,
    );
    expect(configError({ providers: [{ id: 'w', type: 'workday' }] })).toMatch(/providers\[0\]\.baseUrl: is required for workday/);
    expect(configError({ providers: [{ id: 'b', type: 'bamboohr', baseUrl: 'http://evil.example' }] })).toMatch(
      /providers\[0\]\.baseUrl: must be an https:\/\/ URL/,
    );
    expect(
      configError({
        providers: [
          { id: 'a', type: 'sample' },
          { id: 'a', type: 'sample' },
        ],
      }),
    ).toMatch(/providers\[1\]\.id: "a" is listed twice/);
    expect(configError({ providers: [{ id: 'Bad Id', type: 'sample' }] })).toMatch(/providers\[0\]\.id: must be lowercase/);
    expect(configError({ providers: [], extra: 1 })).toMatch(/^invalid providers file: /);
  });

  it('leaves a provider without its credentials to each organization, asking only what the file does not set', () => {
    const [bob, merge] = loadProvidersFile(
      file({
        providers: [
          { id: 'bob', type: 'hibob' },
          { id: 'merge', type: 'merge', credentials: { apiKey: { env: 'MERGE_KEY' } } },
        ],
      }),
      { MERGE_KEY: 'deployment-merge-key' },
      PROVIDER_CATALOG,
    );
    expect(bob).toMatchObject({ id: 'bob', type: 'hibob', name: 'HiBob', configuredBy: 'organization' });
    expect(bob!.configuredBy === 'organization' && bob!.fields).toEqual([
      { name: 'serviceUserId', label: 'Service user ID', secret: false, required: true },
      { name: 'token', label: 'Token', secret: true, required: true },
    ]);
    expect(merge!.configuredBy === 'organization' && merge!.fields).toEqual([{ name: 'accountToken', label: 'Account token', secret: true, required: true }]);
  });

  it('reads how many directory pages to fetch at once, from 1 to 16', () => {
    const [four, one] = loadProvidersFile(
      file({
        providers: [
          { id: 'p', type: 'personio', concurrency: 4 },
          { id: 'u', type: 'unified', concurrency: 1 },
        ],
      }),
      {},
      PROVIDER_CATALOG,
    );
    expect([four!.concurrency, one!.concurrency]).toEqual([4, 1]);
    expect(configError({ providers: [{ id: 'p', type: 'personio', concurrency: 0 }] })).toMatch(/^invalid providers file: providers\[0\]\.concurrency: /);
    expect(configError({ providers: [{ id: 'p', type: 'personio', concurrency: 64 }] })).toMatch(/providers\[0\]\.concurrency: /);
  });

  it('labels credential fields in words an admin recognizes', () => {
    expect(['companyDomain', 'apiKey', 'tenantId', 'clientSecret', 'serviceAccountKey', 'subject'].map(credentialLabel)).toEqual([
      'Company domain',
      'API key',
      'Tenant ID',
      'Client secret',
      'Service account key (JSON)',
      'Admin email to impersonate',
    ]);
  });

  it('serves a configured provider end to end, secrets from the environment and never in an answer', async () => {
    const fake = await startBambooHRServer({
      companyDomain: 'acme',
      apiKey: 'bamboo-secret-key',
      employees: [
        {
          id: '1',
          firstName: 'Ada',
          lastName: 'Lovelace',
          displayName: 'Ada Lovelace',
          workEmail: 'ada@acme.test',
          jobTitle: 'CTO',
          department: 'Engineering',
          location: 'London',
          status: 'Active',
        },
        {
          id: '2',
          firstName: 'Grace',
          lastName: 'Hopper',
          displayName: 'Grace Hopper',
          workEmail: '',
          jobTitle: 'Engineer',
          department: 'Engineering',
          location: '',
          status: 'Active',
        },
      ],
    });
    cleanup.push(fake.close);
    const entries = loadProvidersFile(
      file({
        providers: [
          { id: 'sample', type: 'sample' },
          {
            id: 'bamboo',
            type: 'bamboohr',
            name: 'Acme BambooHR',
            logoUrl: 'https://cdn.acme.test/bamboohr.svg',
            baseUrl: fake.url,
            credentials: { companyDomain: 'acme', apiKey: { env: 'BAMBOO_KEY' } },
          },
        ],
      }),
      { BAMBOO_KEY: 'bamboo-secret-key' },
      PROVIDER_CATALOG,
    );
    const h: Harness = await createHarness({ providers: entries });
    cleanup.push(h.close);
    await h.target('organization', 'acme', 10);
    const token = await h.session({ type: 'organization', id: 'acme' });

    const providers = await h.request('GET', '/api/providers', { token });
    const text = await providers.text();
    expect((JSON.parse(text) as { items: ProviderInfo[] }).items).toEqual([
      {
        id: 'sample',
        type: 'sample',
        name: 'Sample directory',
        names: { de: 'Beispielverzeichnis', fr: 'Annuaire d’exemple', es: 'Directorio de ejemplo' },
        connection: 'ready',
      },
      { id: 'bamboo', type: 'bamboohr', name: 'Acme BambooHR', logoUrl: 'https://cdn.acme.test/bamboohr.svg', connection: 'ready' },
    ]);
    expect(text).not.toContain('bamboo-secret-key');

    const res = await h.request('GET', '/api/providers/bamboo/contacts', { token });
    const page = (await res.json()) as ContactPage;
    expect(page.items.map((c) => [c.displayName, c.email, c.location])).toEqual([
      ['Ada Lovelace', 'ada@acme.test', 'London'],
      ['Grace Hopper', null, null],
    ]);
    expect(page.selectable).toBe(1);
    expect(fake.requests.some((r) => r.headers.authorization === `Basic ${Buffer.from('bamboo-secret-key:x').toString('base64')}`)).toBe(true);
  });

  it('answers a provider failure with a gateway error the widget can act on', async () => {
    const fake = await startBambooHRServer({ companyDomain: 'acme', apiKey: 'the-right-key', employees: [] });
    cleanup.push(fake.close);
    const entries = loadProvidersFile(
      file({ providers: [{ id: 'bamboo', type: 'bamboohr', baseUrl: fake.url, credentials: { companyDomain: 'acme', apiKey: { env: 'BAMBOO_KEY' } } }] }),
      { BAMBOO_KEY: 'a-revoked-key' },
      PROVIDER_CATALOG,
    );
    const h = await createHarness({ providers: entries });
    cleanup.push(h.close);
    await h.target('organization', 'acme', 10);
    const res = await h.request('GET', '/api/providers/bamboo/contacts', { token: await h.session({ type: 'organization', id: 'acme' }) });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('provider_auth');
    expect(body.error.message).toMatch(/BambooHR/);
    expect(body.error.message).not.toContain('a-revoked-key');
  });
});
