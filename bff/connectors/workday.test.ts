import { afterEach, describe, expect, it } from 'vitest';
import { createWorkdayConnector, WORKDAY_CREDENTIALS } from './workday.js';
import type { ConnectorFactory } from './types.js';
import { startWorkdayServer, type WorkdayOptions, type WorkdayWorker } from '../../test/fakes/workday-server.js';
import { closeFakes, expectProviderError as failure, listAll, setupConnector, track } from '../../test/connector-kit.js';

const CREDENTIALS = { tenant: 'acme_impl', clientId: 'wd-client', clientSecret: 'wd-secret', refreshToken: 'wd-refresh' };
const ADA: WorkdayWorker = {
  id: '6dcb8106e8',
  descriptor: 'Ada Lovelace',
  primaryWorkEmail: 'ada@acme.test',
  businessTitle: 'CTO',
  supervisoryOrganization: 'Engineering',
  location: 'London',
  isManager: true,
  primaryWorkPhone: '+44 20 7946 0000',
};
const workers = (n: number): WorkdayWorker[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `w${i}`,
    descriptor: `Worker ${i}`,
    primaryWorkEmail: `w${i}@acme.test`,
    businessTitle: 'Engineer',
    supervisoryOrganization: 'Engineering',
  }));

const REPORT_ROWS = [
  {
    Employee_ID: '21001',
    Worker: 'Ada Lovelace',
    Preferred_First_Name: 'Ada',
    Last_Name: 'Lovelace',
    Work_Email: 'ada@acme.test',
    Home_Email: 'ada@home.test',
    Business_Title: 'CTO',
    Supervisory_Organization: 'Engineering',
    Location: 'London',
    Worker_Type: { descriptor: 'Employee' },
    Time_Type: 'Full time',
    Manager_ID: '',
    Active_Status: '1',
    Photo_URL: 'https://acme.test/ada.png',
  },
  {
    Employee_ID: '21002',
    Worker: { descriptor: 'Grace Hopper', id: 'abc' },
    First_Name: 'Grace',
    Last_Name: 'Hopper',
    Work_Email: 'grace@acme.test',
    Business_Title: 'Engineer',
    Supervisory_Organization: { descriptor: 'Engineering' },
    Location: 'New York',
    Employment_Type: 'Contingent Worker',
    Manager_ID: '21001',
    Active_Status: '1',
  },
  { Employee_ID: '21003', Worker: 'Alan Turing', Work_Email: 'alan@acme.test', Active_Status: '0' },
  { Employee_ID: '21004', Worker: 'Katherine Johnson', Work_Email: 'kate@acme.test', Worker_Status: 'Terminated' },
];

afterEach(closeFakes);

const setup = (options: Partial<WorkdayOptions> = {}, credentials: Record<string, string> = CREDENTIALS, tokenUrl?: (base: string) => string) =>
  setupConnector(
    startWorkdayServer,
    createWorkdayConnector,
    { workers: [ADA], reports: { 'ISU_hr_import/HR_Import_Contacts': REPORT_ROWS }, ...options },
    credentials,
    tokenUrl,
  );

describe('Workday connector', () => {
  it('signs in with the refresh token and maps a worker of the REST collection', async () => {
    const { fake, list } = await setup();
    const page = await list();
    expect(page).toMatchObject({ nextCursor: null, total: 1 });
    // The summary view has no first/last name, manager, status or location.
    expect(page.contacts).toEqual([
      {
        id: '6dcb8106e8',
        firstName: null,
        lastName: null,
        displayName: 'Ada Lovelace',
        email: 'ada@acme.test',
        personalEmail: null,
        title: 'CTO',
        department: 'Engineering',
        location: null,
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
    ]);

    const [token, workersRequest] = fake.requests;
    expect(token).toMatchObject({ method: 'POST', path: '/ccx/oauth2/acme_impl/token' });
    expect(token!.headers.authorization).toBe(`Basic ${Buffer.from('wd-client:wd-secret').toString('base64')}`);
    expect(token!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({ grant_type: 'refresh_token', refresh_token: 'wd-refresh' });
    expect(workersRequest).toMatchObject({ method: 'GET', path: '/ccx/api/v1/acme_impl/workers' });
    expect(workersRequest!.headers.authorization).toMatch(/^Bearer wd-access-/);
  });

  it('pages the worker collection 100 at a time', async () => {
    const { fake, connector } = await setup({ workers: workers(230) });
    const { contacts, cursors } = await listAll(connector);
    expect(contacts).toHaveLength(230);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(230);
    expect(cursors).toEqual(['2:100', '3:200', null]);
    const pages = fake.requests.filter((r) => r.method === 'GET');
    expect(pages.map((r) => [r.query.get('limit'), r.query.get('offset')])).toEqual([
      ['100', '0'],
      ['100', '100'],
      ['100', '200'],
    ]);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('reads a custom report instead when one is configured, leavers included', async () => {
    const { fake, list } = await setup({}, { ...CREDENTIALS, report: 'ISU_hr_import/HR_Import_Contacts' });
    const page = await list();
    expect(page).toMatchObject({ nextCursor: null, total: 4 });
    expect(page.contacts[0]).toEqual({
      id: '21001',
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada Lovelace',
      email: 'ada@acme.test',
      personalEmail: 'ada@home.test',
      title: 'CTO',
      department: 'Engineering',
      location: 'London',
      employmentType: 'Employee',
      managerId: null,
      status: 'active',
      avatarUrl: 'https://acme.test/ada.png',
    });
    // Ada's Worker_Type is read before her Time_Type; Grace's column is named Employment_Type.
    expect(page.contacts[1]).toMatchObject({
      id: '21002',
      displayName: 'Grace Hopper',
      department: 'Engineering',
      employmentType: 'Contingent Worker',
      managerId: '21001',
      status: 'active',
    });
    expect(page.contacts.slice(2).map((c) => c.status)).toEqual(['inactive', 'inactive']);
    const report = fake.requests.find((r) => r.method === 'GET')!;
    expect(report.path).toBe('/ccx/service/customreport2/acme_impl/ISU_hr_import/HR_Import_Contacts');
    expect(report.query.get('format')).toBe('json');
    expect(report.headers.authorization).toMatch(/^Bearer /);
  });

  it('takes the report as a URL on the tenant host, and no other', async () => {
    const fake = track(await startWorkdayServer({ reports: { 'ISU_hr_import/HR_Import_Contacts': REPORT_ROWS } }));
    const onHost = createWorkdayConnector({
      baseUrl: fake.url,
      credentials: { ...CREDENTIALS, report: `${fake.url}/ccx/service/customreport2/acme_impl/ISU_hr_import/HR_Import_Contacts?format=csv` },
    });
    expect((await onHost.listContacts({ cursor: null, signal: new AbortController().signal })).contacts).toHaveLength(4);
    expect(() =>
      createWorkdayConnector({
        baseUrl: fake.url,
        credentials: { ...CREDENTIALS, report: 'https://elsewhere.example/ccx/service/customreport2/acme_impl/x/y' },
      }),
    ).toThrowError(expect.objectContaining({ kind: 'config' }));
    expect(() => createWorkdayConnector({ baseUrl: fake.url, credentials: { ...CREDENTIALS, report: 'just-a-name' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"report"') }),
    );
  });

  it('accepts the token endpoint as View API Clients shows it', async () => {
    const { list } = await setup({}, CREDENTIALS, (base) => `${base}/ccx/oauth2/acme_impl/token`);
    expect((await list()).contacts).toHaveLength(1);
  });

  it('fetches a new access token once when Workday refuses the old one mid-listing', async () => {
    const { fake, connector } = await setup({ workers: workers(150), expireAfter: 1 });
    expect((await listAll(connector)).contacts).toHaveLength(150);
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'POST', 'GET']);
  });

  it('waits as Retry-After says on a 429', async () => {
    const { slept, list } = await setup({ failures: ['throttle'], retryAfterSeconds: 4 });
    expect((await list()).contacts).toHaveLength(1);
    expect(slept).toEqual([4000]);
  });

  it('retries a server error', async () => {
    const { slept, list } = await setup({ failures: ['5xx', '5xx'] });
    expect((await list()).contacts).toHaveLength(1);
    expect(slept).toHaveLength(2);
  });

  it('reports a revoked refresh token or wrong client as auth, without retrying', async () => {
    const revoked = await setup({}, { ...CREDENTIALS, refreshToken: 'revoked' });
    const err = await failure(revoked.list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 400 } });
    expect(err.message).toContain('Invalid refresh token');
    expect(revoked.fake.requests).toHaveLength(1);
    await closeFakes();
    const wrongClient = await setup({}, { ...CREDENTIALS, clientSecret: 'nope' });
    expect(await failure(wrongClient.list())).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(wrongClient.slept).toEqual([]);
  });

  it('names the page Workday garbled', async () => {
    const { connector } = await setup({ workers: workers(150), failures: [null, 'malformed'] });
    const first = await connector.listContacts({ cursor: null, signal: new AbortController().signal });
    const err = await failure(connector.listContacts({ cursor: first.nextCursor, signal: new AbortController().signal }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
    await closeFakes();
    const report = await setup({ failures: ['malformed'] }, { ...CREDENTIALS, report: 'ISU_hr_import/HR_Import_Contacts' });
    expect(await failure(report.list())).toMatchObject({ kind: 'bad_response', details: { page: 'the custom report' } });
  });

  it('normalizes messy report rows instead of failing on them', async () => {
    const { list } = await setup(
      {
        reports: {
          'o/r': [
            { Employee_ID: 77, Worker: '  ', First_Name: '', Last_Name: ' ', Work_Email: ' Odd.Case@ACME.test ', Location: { descriptor: '' } },
            { Worker: 'No id at all' },
            { WID: 'abc123' },
          ],
        },
      },
      { ...CREDENTIALS, report: 'o/r' },
    );
    expect((await list()).contacts).toEqual([
      {
        id: '77',
        firstName: null,
        lastName: null,
        displayName: 'Odd.Case@ACME.test',
        email: 'Odd.Case@ACME.test',
        personalEmail: null,
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
      expect.objectContaining({ id: 'abc123', displayName: 'abc123' }),
    ]);
  });

  it('is a connector factory that needs the tenant host and every credential', () => {
    const factory: ConnectorFactory = createWorkdayConnector;
    expect(WORKDAY_CREDENTIALS).toEqual(['tenant', 'clientId', 'clientSecret', 'refreshToken']);
    expect(() => factory({ baseUrl: '', credentials: CREDENTIALS })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('baseUrl') }),
    );
    expect(() => factory({ baseUrl: 'not a url', credentials: CREDENTIALS })).toThrowError(expect.objectContaining({ kind: 'config' }));
    const { refreshToken: _omitted, ...partial } = CREDENTIALS;
    expect(() => factory({ baseUrl: 'https://wd2-impl-services1.workday.com', credentials: partial })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"refreshToken"') }),
    );
  });
});
