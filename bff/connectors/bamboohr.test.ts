/**
 * The BambooHR connector's full listing, against a stand-in for BambooHR and BambooHR's own
 * published example. Incremental refresh: bamboohr-delta.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBambooHRConnector, readEmployee, BAMBOOHR_BASE_URL, BAMBOOHR_CREDENTIALS } from './bamboohr.js';
import { toContact } from './normalize.js';
import type { ConnectorFactory } from './types.js';
import type { OptionalField } from './minimize.js';
import { startLoopback } from '../../test/fakes/loopback.js';
import { DIRECTORY_WITH_EMAIL } from '../../test/fakes/bamboohr-server.js';
import { ALAN, onCompanyHost, setupBambooHR as setup } from '../../test/fakes/bamboohr-connector.js';
import { closeFakes, expectProviderError as failure, firstPage, recordingSleep, track } from '../../test/connector-kit.js';

afterEach(closeFakes);

describe('BambooHR connector', () => {
  it('reads the published directory in one answer and maps every field', async () => {
    const { fake, list } = await setup();
    const page = await list();
    expect(page.nextCursor).toBeNull();
    expect(page.total).toBe(2);
    // The directory lists active, published people only and names supervisors without ids.
    expect(page.contacts).toEqual([
      {
        id: '1',
        firstName: 'Ada',
        lastName: 'Lovelace',
        displayName: 'Ada Lovelace',
        email: 'ada@acme.test',
        personalEmail: null,
        title: 'CTO',
        department: 'Engineering',
        location: 'London',
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: 'https://images.bamboohr.test/1.jpg',
      },
      {
        id: '2',
        firstName: 'Amazing',
        lastName: 'Hopper',
        displayName: 'Amazing Hopper',
        email: 'grace@acme.test',
        personalEmail: null,
        title: 'Engineer',
        department: 'Engineering',
        location: 'New York',
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
    ]);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'GET', path: '/api/v1/employees/directory' });
    expect(req!.headers.accept).toBe('application/json');
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from('bamboo-key:x').toString('base64')}`);
  });

  it('runs a custom report when the company does not share its directory, inactive people included', async () => {
    const { fake, list } = await setup({ directory: 'disabled' });
    const page = await list();
    // employmentHistoryStatus is the company's own list of employment statuses, "Terminated" among them.
    expect(page.contacts.map((c) => [c.id, c.status, c.managerId, c.personalEmail, c.employmentType])).toEqual([
      ['1', 'active', null, 'ada@home.test', 'Full-Time'],
      ['2', 'active', '1', null, 'Full-Time'],
      ['3', 'inactive', '1', null, 'Terminated'],
      ['4', 'inactive', null, null, 'Terminated'],
    ]);
    const report = fake.requests[1]!;
    expect(report).toMatchObject({ method: 'POST', path: '/api/v1/reports/custom' });
    expect(report.query.get('format')).toBe('JSON');
    expect(report.headers['content-type']).toBe('application/json');
    expect(JSON.parse(report.body).fields).toEqual(expect.arrayContaining(['workEmail', 'status', 'employmentHistoryStatus', 'supervisorEId']));
  });

  it('leaves turned-off fields out of the report, so BambooHR never sends them, and asks for them when on', async () => {
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({ directory: 'disabled' }, undefined, omit);
      const page = await list();
      return { fields: (JSON.parse(fake.requests[1]!.body) as { fields: string[] }).fields, grace: page.contacts[1]! };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    for (const id of ['jobTitle', 'location', 'supervisorEId', 'homeEmail', 'photoUploaded', 'photoUrl']) expect(off.fields).not.toContain(id);
    expect(off.fields).toEqual(expect.arrayContaining(['workEmail', 'department', 'status', 'employmentHistoryStatus']));
    expect(off.grace).toMatchObject({ department: 'Engineering', title: null, location: null, managerId: null });
    const on = await asked([]);
    expect(on.fields).toEqual(expect.arrayContaining(['jobTitle', 'location', 'supervisorEId', 'homeEmail', 'photoUploaded', 'photoUrl']));
    expect(on.grace).toMatchObject({ title: 'Engineer', location: 'New York', managerId: '1' });
  });

  it("runs the report when the directory does not share the work email, as in BambooHR's own sample", async () => {
    const { fake, list } = await setup({ directoryFields: undefined });
    const page = await list();
    // Everyone the key may see, each with the address an invitation needs.
    expect(page.contacts.map((c) => [c.id, c.email, c.status])).toEqual([
      ['1', 'ada@acme.test', 'active'],
      ['2', 'grace@acme.test', 'active'],
      ['3', 'alan@acme.test', 'inactive'],
      ['4', 'kate@acme.test', 'inactive'],
    ]);
    // The report writes "" for what is missing and numeric ids: both read as the contact expects.
    expect(page.contacts[0]).toMatchObject({ managerId: null, personalEmail: 'ada@home.test', firstName: 'Ada' });
    expect(page.contacts[3]).toMatchObject({ title: null, department: null, location: null, avatarUrl: null });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/employees/directory', 'POST /api/v1/reports/custom']);
  });

  it("calls the company's own host, the documented base URL, and refuses a company domain that is not a host name", async () => {
    const { asked, connector } = await onCompanyHost({ directoryFields: DIRECTORY_WITH_EMAIL }, 'acme');
    expect((await firstPage(connector)).contacts.map((c) => c.email)).toEqual(['ada@acme.test', 'grace@acme.test']);
    expect(asked).toEqual(['https://acme.bamboohr.com/api/v1/employees/directory']);
    await closeFakes();
    const other = await onCompanyHost({}, 'globex');
    expect((await failure(firstPage(other.connector))).kind).toBe('config');
    for (const companyDomain of ['evil.example/x', 'acme.bamboohr.com@evil', '-acme']) {
      expect(() => createBambooHRConnector({ baseUrl: BAMBOOHR_BASE_URL, credentials: { companyDomain, apiKey: 'k' } })).toThrowError(
        expect.objectContaining({ kind: 'config', message: expect.stringContaining('"companyDomain"') }),
      );
    }
  });

  it('runs the report when the directory is empty (BambooHR answers 404 then)', async () => {
    const { fake, list } = await setup({ employees: [ALAN] });
    expect((await list()).contacts.map((c) => c.id)).toEqual(['3']);
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('waits as Retry-After says on a 429, and on the 503 BambooHR used before', async () => {
    for (const throttleStatus of [429, 503] as const) {
      const { fake, slept, list } = await setup({ failures: ['throttle', 'throttle'], throttleStatus, retryAfterSeconds: 3 });
      expect((await list()).contacts).toHaveLength(2);
      expect(slept).toEqual([3000, 3000]);
      expect(fake.requests).toHaveLength(3);
      await closeFakes();
    }
  });

  it('retries a server error', async () => {
    const { slept, list } = await setup({ failures: ['5xx'] });
    expect((await list()).contacts).toHaveLength(2);
    expect(slept).toHaveLength(1);
  });

  it('reports a wrong API key as auth, without retrying', async () => {
    const wrongKey = await setup({}, { companyDomain: 'acme', apiKey: 'nope' });
    const err = await failure(wrongKey.list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 401 } });
    // BambooHR's reason rides in a header (the body is empty): the admin sees its words.
    expect(err.message).toContain('It said: Invalid API key');
    expect(wrongKey.fake.requests).toHaveLength(1);
    expect(wrongKey.slept).toEqual([]);
  });

  it('names the page BambooHR garbled', async () => {
    const directory = await setup({ failures: ['malformed'] });
    expect(await failure(directory.list())).toMatchObject({ kind: 'bad_response', details: { page: 'the company directory' } });
    await closeFakes();
    const report = await setup({ directory: 'disabled', failures: [null, 'malformed'] });
    expect(await failure(report.list())).toMatchObject({ kind: 'bad_response', details: { page: 'the custom report' } });
  });

  it('refuses an answer that is JSON but not a list of employees', async () => {
    const connector = createBambooHRConnector({
      baseUrl: 'https://bamboohr.invalid',
      credentials: { companyDomain: 'acme', apiKey: 'bamboo-key' },
      fetch: async () => new Response('{"fields": [], "employees": "none"}', { status: 200 }),
    });
    const err = await failure(connector.listContacts({ cursor: null, signal: new AbortController().signal }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'the company directory' } });
  });

  it('normalizes messy records instead of failing on them', async () => {
    const { list } = await setup({
      directory: 'disabled',
      employees: [
        { id: 7, firstName: '  ', lastName: '', displayName: '', workEmail: '  Mixed.Case@Acme.TEST ', jobTitle: null, department: '   ', status: 'Active' },
        { id: 8, firstName: 'Solo', status: 'Active' },
        { id: 9, status: 'Active' },
        { id: '', firstName: 'No id', status: 'Active' },
      ],
    });
    const page = await list();
    expect(page.contacts).toEqual([
      {
        id: '7',
        firstName: null,
        lastName: null,
        displayName: 'Mixed.Case@Acme.TEST',
        email: 'Mixed.Case@Acme.TEST',
        personalEmail: null,
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
      expect.objectContaining({ id: '8', firstName: 'Solo', lastName: null, displayName: 'Solo', email: null }),
      expect.objectContaining({ id: '9', displayName: '9', email: null }),
    ]);
  });

  it('is a connector factory that refuses to start without a credential, naming it', () => {
    const factory: ConnectorFactory = createBambooHRConnector;
    expect(BAMBOOHR_CREDENTIALS).toEqual(['companyDomain', 'apiKey']);
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: { apiKey: 'k' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"companyDomain"') }),
    );
    expect(() => createBambooHRConnector({ baseUrl: 'http://127.0.0.1:9', credentials: { companyDomain: 'acme', apiKey: ' ' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"apiKey"') }),
    );
  });
});

describe('BambooHR connector: BambooHR’s own published example (the "Get Employee Directory" sample)', () => {
  const SAMPLE = readFileSync(new URL('../../test/fixtures/providers/bamboohr/directory-sample.json', import.meta.url), 'utf8');

  /** A loopback answering the directory with the sample, verbatim, and the custom report with `report`. */
  async function replay(report: { status: number; body: unknown }) {
    const fake = track(
      await startLoopback((req, send) => {
        if (req.path === '/api/v1/employees/directory') return send(200, JSON.parse(SAMPLE));
        send(report.status, report.body);
      }),
    );
    const connector = createBambooHRConnector(
      { baseUrl: fake.url, credentials: { companyDomain: 'acme', apiKey: 'bamboo-key' } },
      { sleep: recordingSleep().sleep },
    );
    return { fake, connector };
  }

  it('takes the sample directory, which has no workEmail column, as unusable and asks the custom report instead', async () => {
    const { fake, connector } = await replay({ status: 403, body: '' });
    expect(await failure(firstPage(connector))).toMatchObject({ kind: 'permission', details: { status: 403, page: 'the custom report' } });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/employees/directory', 'POST /api/v1/reports/custom']);
    expect(JSON.parse(fake.requests[1]!.body).fields).toEqual(expect.arrayContaining(['workEmail', 'employmentHistoryStatus']));
  });

  it('maps the sample employee: a numeric id, names and the job title; nothing the sample leaves out', () => {
    const [john] = (JSON.parse(SAMPLE) as { employees: Record<string, unknown>[] }).employees;
    expect(toContact(readEmployee(john!))).toEqual({
      id: '123',
      firstName: 'John',
      lastName: 'Doe',
      displayName: 'John Doe',
      email: null,
      personalEmail: null,
      title: 'Customer Service Representative',
      department: null,
      location: null,
      employmentType: null,
      managerId: null,
      status: 'active',
      avatarUrl: null,
    });
  });
});
