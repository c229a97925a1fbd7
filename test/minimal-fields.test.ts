/**
 * Personal data kept to what the flow needs (issue 20): a providers file that turns optional
 * fields off and scopes a provider to part of the company leaves the database holding only the
 * people in scope, with only the enabled fields, after a full refresh, after an incremental one in
 * which someone moved out of scope, and after a CSV upload. Checked in the raw tables, on SQLite
 * and PostgreSQL (TEST_PG_URL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';
import { inlineProviders } from '../bff/providers/file.js';
import { PROVIDER_CATALOG } from '../bff/providers/catalog.js';
import { sampleDirectory } from '../bff/connectors/sample.js';
import { admit, minimized, type StoragePolicy } from '../bff/connectors/minimize.js';
import type { Connector, DirectoryChanges, DirectoryContact } from '../bff/connectors/types.js';
import { refreshDirectory } from '../bff/services/directory/refresh.js';
import { startMicrosoftFake } from './fakes/microsoft-server.js';

const OMIT = ['title', 'location', 'managerId', 'personalEmail', 'avatarUrl'] as const;
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function stored(connection: string) {
  return h!.db.kysely.selectFrom('directory_contacts').selectAll().where('connection', '=', connection).execute();
}

describe('a provider scoped and with optional fields off', () => {
  it('stores only active people of the listed departments, without the fields turned off', async () => {
    const providers = inlineProviders(
      [{ id: 'hr', type: 'sample', omitFields: [...OMIT], scope: { departments: ['engineering', 'PEOPLE'], activeOnly: true } }],
      {},
      PROVIDER_CATALOG,
    );
    h = await createHarness({ providers });
    await h.target('organization', 'acme', 1000);
    const token = await h.session({ type: 'organization', id: 'acme' });
    const res = await h.request('GET', '/api/providers/hr/contacts?limit=500&status=all', { token });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: DirectoryContact[]; total: number };

    const everyone = sampleDirectory();
    const inScope = everyone.filter((p) => p.status === 'active' && ['Engineering', 'People'].includes(p.department ?? ''));
    expect(inScope.length).toBeGreaterThan(10);
    expect(inScope.length).toBeLessThan(everyone.length / 2);
    const rows = await stored('hr:*');
    expect(rows.map((r) => r.contact_id).sort()).toEqual(inScope.map((p) => p.id).sort());
    for (const r of rows) {
      expect([r.title, r.location, r.manager_id, r.personal_email, r.avatar_url]).toEqual([null, null, null, null, null]);
      // The search text is built from what is stored, so a turned-off title is not searchable either.
      const person = everyone.find((p) => p.id === r.contact_id)!;
      if (person.title && !person.displayName.toLowerCase().includes(person.title.toLowerCase()))
        expect(r.search_text).not.toContain(person.title.toLowerCase());
    }
    expect(page.total).toBe(inScope.length);
    expect(page.items.every((c) => c.title === null && c.location === null)).toBe(true);
  });

  it('removes, in an incremental refresh, someone who moved out of scope', async () => {
    h = await createHarness();
    const policy: StoragePolicy = { omit: [], scope: { departments: ['Engineering'] } };
    const ada: DirectoryContact = { ...sampleDirectory()[0]!, id: 'ada', department: 'Engineering', status: 'active' };
    const bob: DirectoryContact = { ...ada, id: 'bob', email: 'bob@example.com' };
    let changes: DirectoryChanges = { contacts: [], deleted: [], watermark: 'w1' };
    const provider: Connector = {
      listContacts: async () => ({ contacts: [ada, bob, { ...ada, id: 'carol', department: 'Sales' }], nextCursor: null }),
      listChanges: async function* () {
        yield changes;
      },
      changeWatermark: async () => 'w0',
    };
    const connector = minimized(provider, policy);
    const source = { cacheKey: 'hr:*', connector: () => connector };
    await refreshDirectory(h.db.kysely, source, () => h!.clock.now);
    expect((await stored('hr:*')).map((r) => r.contact_id).sort()).toEqual(['ada', 'bob']);

    changes = { contacts: [{ ...bob, department: 'Sales' }], deleted: [], watermark: 'w2' };
    h.clock.now = new Date(h.clock.now.getTime() + 3_600_000);
    await refreshDirectory(h.db.kysely, source, () => h!.clock.now);
    const sync = await h.db.kysely.selectFrom('directory_syncs').select(['status', 'watermark']).where('connection', '=', 'hr:*').executeTakeFirstOrThrow();
    expect(sync).toEqual({ status: 'ready', watermark: 'w2' });
    expect((await stored('hr:*')).map((r) => r.contact_id)).toEqual(['ada']);
  });

  it('leaves turned-off fields out of the provider request itself, but fetches a location the scope reads', async () => {
    h = await createHarness();
    const londoner = {
      id: 'ada',
      givenName: 'Ada',
      surname: 'Lovelace',
      displayName: 'Ada Lovelace',
      mail: 'ada@contoso.com',
      accountEnabled: true,
      jobTitle: 'Chief Scientist',
      department: 'Research',
      officeLocation: 'London',
      managerId: 'bob',
    };
    const users = [londoner, { ...londoner, id: 'bob', mail: 'bob@contoso.com', displayName: 'Bob', officeLocation: 'Paris' }];
    const credentials = { tenantId: 'contoso', clientId: 'app', clientSecret: 'secret' };
    const fake = await startMicrosoftFake({ users, ...credentials });
    try {
      const entra = (omitFields: (typeof OMIT)[number][]) => {
        const [entry] = inlineProviders(
          [{ id: 'entra', type: 'microsoft', baseUrl: fake.url, tokenUrl: fake.url, credentials, omitFields, scope: { locations: ['London'] } }],
          {},
          PROVIDER_CATALOG,
        );
        return { cacheKey: 'entra:*', connector: () => (entry as { connector: Connector }).connector };
      };
      const selected = () => fake.dataRequests().flatMap((r) => r.query.get('$select')?.split(',') ?? []);
      await refreshDirectory(h.db.kysely, entra(['title', 'location', 'managerId']), () => h!.clock.now);
      expect(selected()).not.toContain('jobTitle');
      expect(selected()).not.toContain('manager');
      expect(selected()).toContain('officeLocation');
      expect(await stored('entra:*')).toEqual([
        expect.objectContaining({ contact_id: 'ada', title: null, location: null, manager_id: null, department: 'Research' }),
      ]);

      // Titles turned on again: the stored delta link was made without them, so the next refresh is a full one that asks for them.
      fake.requests.length = 0;
      h.clock.now = new Date(h.clock.now.getTime() + 3_600_000);
      await refreshDirectory(h.db.kysely, entra(['location', 'managerId']), () => h!.clock.now);
      expect(selected()).toContain('jobTitle');
      expect(await stored('entra:*')).toEqual([expect.objectContaining({ contact_id: 'ada', title: 'Chief Scientist', location: null, manager_id: null })]);
    } finally {
      await fake.close();
    }
  });

  it('applies to a CSV upload: people outside the scope are not written', async () => {
    const providers = inlineProviders([{ id: 'csv', type: 'csv', omitFields: ['title'], scope: { locations: ['Berlin'] } }], {}, PROVIDER_CATALOG);
    h = await createHarness({ providers });
    await h.target('organization', 'acme', 100);
    const token = await h.session({ type: 'organization', id: 'acme' });
    const file = 'Email,Name,Title,Office\nada@acme.test,Ada Lovelace,Engineer,Berlin\nbob@acme.test,Bob Smith,Manager,Paris\n';
    const up = await h.request('POST', '/api/providers/csv/uploads', { token, rawBody: file, headers: { 'Content-Type': 'text/csv' } });
    expect(up.status).toBe(201);
    const { id, mapping } = (await up.json()) as { id: string; mapping: Record<string, string | null> };
    const confirm = await h.request('POST', `/api/providers/csv/uploads/${id}/confirm`, { token, body: { mapping } });
    expect(confirm.status).toBe(200);
    const rows = await h.db.kysely.selectFrom('directory_contacts').select(['email', 'title', 'location']).where('connection', 'like', 'csv:%').execute();
    expect(rows).toEqual([{ email: 'ada@acme.test', title: null, location: 'Berlin' }]);
  });

  it('refuses a field that is not optional, naming the setting', () => {
    expect(() => inlineProviders([{ id: 'hr', type: 'sample', omitFields: ['email'] }], {}, PROVIDER_CATALOG)).toThrow(/providers\[0\]\.omitFields\[0\]/);
    expect(() => inlineProviders([{ id: 'hr', type: 'sample', scope: { departments: [] } }], {}, PROVIDER_CATALOG)).toThrow(/scope\.departments/);
  });

  it('keeps someone whose value differs only in case or accents', () => {
    const person = { ...sampleDirectory()[0]!, location: 'São Paulo', status: 'active' as const };
    expect(admit({ omit: [], scope: { locations: ['sao paulo'] } }, person)).not.toBeNull();
    expect(admit({ omit: [], scope: { locations: ['Sao'] } }, person)).toBeNull();
    expect(admit({ omit: [], scope: { employmentTypes: ['Full-time'] } }, { ...person, employmentType: null })).toBeNull();
  });
});
