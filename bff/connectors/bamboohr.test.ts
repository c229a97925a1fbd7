import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBambooHRConnector, readEmployee, BAMBOOHR_BASE_URL, BAMBOOHR_CREDENTIALS } from './bamboohr.js';
import { toContact } from './normalize.js';
import type { ConnectorFactory } from './types.js';
import type { OptionalField } from './minimize.js';
import { startLoopback } from '../../test/fakes/loopback.js';
import { DIRECTORY_WITH_EMAIL, startBambooHRServer, type BambooOptions } from '../../test/fakes/bamboohr-server.js';
import { closeFakes, expectProviderError as failure, firstPage, listChangesAll, recordingSleep, setupConnector, track } from '../../test/connector-kit.js';

const ADA = {
  id: '1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  preferredName: '',
  displayName: 'Ada Lovelace',
  workEmail: 'ada@acme.test',
  homeEmail: 'ada@home.test',
  jobTitle: 'CTO',
  department: 'Engineering',
  location: 'London',
  supervisorEId: '',
  status: 'Active',
  employmentHistoryStatus: 'Full-Time',
  photoUploaded: true,
  photoUrl: 'https://images.bamboohr.test/1.jpg',
  workPhone: '',
} as const;
const GRACE = {
  id: '2',
  firstName: 'Grace',
  lastName: 'Hopper',
  preferredName: 'Amazing',
  displayName: 'Amazing Hopper',
  workEmail: 'grace@acme.test',
  homeEmail: '',
  jobTitle: 'Engineer',
  department: 'Engineering',
  location: 'New York',
  supervisorEId: '1',
  status: 'Active',
  employmentHistoryStatus: 'Full-Time',
  photoUploaded: false,
  photoUrl: 'https://images.bamboohr.test/placeholder.png',
} as const;
const ALAN = {
  id: '3',
  firstName: 'Alan',
  lastName: 'Turing',
  displayName: 'Alan Turing',
  workEmail: 'alan@acme.test',
  jobTitle: 'Researcher',
  department: 'Research',
  location: 'Manchester',
  supervisorEId: '1',
  status: 'Inactive',
  employmentHistoryStatus: 'Terminated',
} as const;
const KATE = {
  id: '4',
  firstName: 'Katherine',
  lastName: 'Johnson',
  displayName: 'Katherine Johnson',
  workEmail: 'kate@acme.test',
  status: 'Active',
  employmentHistoryStatus: 'Terminated',
  inDirectory: false,
} as const;

afterEach(closeFakes);

// A company that shares the work email in its directory; BambooHR's own sample directory does not.
const setup = (
  options: Partial<BambooOptions> = {},
  credentials: Record<string, string> = { companyDomain: 'acme', apiKey: 'bamboo-key' },
  omit?: OptionalField[],
) =>
  setupConnector(
    startBambooHRServer,
    createBambooHRConnector,
    { employees: [ADA, GRACE, ALAN, KATE], directoryFields: DIRECTORY_WITH_EMAIL, ...options },
    credentials,
    undefined,
    omit,
  );

/**
 * A connector on BambooHR's documented base URL, its calls to `https://{company}.bamboohr.com`
 * carried to the fake with the host they asked for (a loopback server has no such name).
 */
async function onCompanyHost(options: Partial<BambooOptions>, companyDomain: string) {
  const fake = track(await startBambooHRServer({ employees: [ADA, GRACE, ALAN, KATE], ...options }));
  const asked: string[] = [];
  const viaHost: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(url.href);
    const headers = new Headers(init?.headers);
    headers.set('X-Forwarded-Host', url.host);
    return fetch(new URL(`${url.pathname}${url.search}`, fake.url), { ...init, headers });
  };
  const connector = createBambooHRConnector(
    { baseUrl: BAMBOOHR_BASE_URL, credentials: { companyDomain, apiKey: 'bamboo-key' }, fetch: viaHost },
    { sleep: recordingSleep().sleep },
  );
  return { fake, asked, connector };
}

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

describe('BambooHR connector: incremental refresh (changed employees)', () => {
  const since = '2026-11-24T11:00:00.000Z';
  const before = '2026-11-01T09:00:00+00:00';
  const changed = '2026-11-24T11:30:00+00:00';
  const LIN = {
    id: '5',
    firstName: 'Lin',
    lastName: 'Wei',
    displayName: 'Lin Wei',
    workEmail: 'lin@acme.test',
    status: 'Active',
    lastChanged: '2026-11-24T11:45:00+00:00',
    inserted: true,
  } as const;

  it('asks who changed since the watermark, reads only them through one filtered report, and names the deleted', async () => {
    const employees = [{ ...ADA, lastChanged: before }, { ...GRACE, jobTitle: 'Staff Engineer', lastChanged: changed }, { ...ALAN, lastChanged: before }, LIN];
    const { fake, connector } = await setup({ employees, directoryFields: undefined, deleted: [{ id: 9, lastChanged: changed }] });
    const changes = await listChangesAll(connector, since);
    expect(changes.contacts.map((c) => [c.id, c.title ?? c.email])).toEqual([
      ['2', 'Staff Engineer'],
      ['5', 'lin@acme.test'],
    ]);
    expect(changes.deleted).toEqual(['9']);
    // BambooHR's `latest`: the newest change it listed, by its own clock.
    expect(changes.watermark).toBe('2026-11-24T11:45:00+00:00');
    const [list, directory, report] = fake.requests;
    // The reference's form, without fractions of a second.
    expect(list).toMatchObject({ method: 'GET', path: '/api/v1/employees/changed' });
    expect(list!.query.get('since')).toBe('2026-11-24T11:00:00Z');
    expect(directory).toMatchObject({ path: '/api/v1/employees/directory' });
    expect(JSON.parse(report!.body).filters).toEqual({ lastChanged: { includeNull: 'no', value: '2026-11-24T11:00:00Z' } });
    expect(fake.requests).toHaveLength(3);
  });

  it('asks nothing more when nobody changed, and starts there again next time', async () => {
    const { fake, connector } = await setup({ employees: [{ ...ADA, lastChanged: before }] });
    expect(await listChangesAll(connector, since)).toEqual({ contacts: [], deleted: [], watermark: since, pages: 1 });
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps to the directory when the company shares it: a changed person no longer there is gone, as a full refresh would find', async () => {
    const employees = [
      { ...ADA, lastChanged: changed },
      { ...GRACE, lastChanged: before },
      { ...ALAN, lastChanged: changed },
      { ...KATE, lastChanged: changed },
    ];
    const { fake, connector } = await setup({ employees });
    const changes = await listChangesAll(connector, since);
    expect(changes.contacts.map((c) => c.id)).toEqual(['1']);
    // Alan turned inactive and Kate is hidden: neither is in the directory.
    expect(changes.deleted.sort()).toEqual(['3', '4']);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/employees/changed', '/api/v1/employees/directory']);
  });

  it('refuses a stored watermark that is not a time, before asking BambooHR', async () => {
    const { fake, connector } = await setup();
    expect(await failure(listChangesAll(connector, 'https://acme.bamboohr.com/'))).toMatchObject({ kind: 'bad_response' });
    expect(fake.requests).toHaveLength(0);
  });

  it('has a stand-in as strict as the reference: since required, in one of its five forms', async () => {
    const { fake } = await setup();
    const ask = async (query: string) =>
      (
        await fetch(`${fake.url}/api/v1/employees/changed${query}`, {
          headers: { Authorization: `Basic ${Buffer.from('bamboo-key:x').toString('base64')}`, Accept: 'application/json' },
        })
      ).status;
    expect(await ask('')).toBe(400);
    expect(await ask('?since=2026-11-24')).toBe(400);
    expect(await ask('?since=2026-11-24T11:00:00.000Z')).toBe(400);
    expect(await ask('?since=2026-11-24T11:00:00Z&type=moved')).toBe(400);
    for (const form of ['2026-11-24T11:00:00Z', '2026-11-24T11:00:00%2B01:00', '2026-11-24T11:00:00-0700']) expect(await ask(`?since=${form}`)).toBe(200);
  });

  it("replays BambooHR's own sample answer: the deleted by id, the others read, `latest` as the next watermark", async () => {
    const sample = readFileSync(new URL('../../test/fixtures/providers/bamboohr/get-changed-employee-ids-sample.json', import.meta.url), 'utf8');
    const asked: { url: string; body: string }[] = [];
    const connector = createBambooHRConnector({
      baseUrl: 'https://acme.bamboohr.com',
      credentials: { companyDomain: 'acme', apiKey: 'bamboo-key' },
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        asked.push({ url, body: String(init?.body ?? '') });
        if (url.includes('/employees/changed')) return new Response(sample, { status: 200, headers: { 'Content-Type': 'application/json' } });
        if (url.endsWith('/employees/directory')) return new Response('', { status: 403 });
        // The report's answer is not published: people 3, 4 and 10 as the stand-in would write them.
        return Response.json({
          title: 'hr-import contacts',
          fields: [],
          employees: [
            { id: 3, firstName: 'Ann', workEmail: 'ann@acme.test' },
            { id: 4, firstName: 'Bo' },
            { id: 10, firstName: 'Cy' },
          ],
        });
      },
    });
    const changes = await listChangesAll(connector, '2011-05-01T00:00:00Z');
    expect(changes.deleted).toEqual(['5']);
    expect(changes.contacts.map((c) => [c.id, c.firstName])).toEqual([
      ['3', 'Ann'],
      ['4', 'Bo'],
      ['10', 'Cy'],
    ]);
    expect(changes.watermark).toBe('2011-06-02T19:26:23+00:00');
    expect(asked[0]!.url).toBe('https://acme.bamboohr.com/api/v1/employees/changed?since=2011-05-01T00%3A00%3A00Z');
    // The next `since` carries an offset: its `+` goes as %2B, as the reference asks.
    await listChangesAll(connector, changes.watermark!);
    expect(asked.at(-3)!.url).toBe('https://acme.bamboohr.com/api/v1/employees/changed?since=2011-06-02T19%3A26%3A23Z');
  });
});
