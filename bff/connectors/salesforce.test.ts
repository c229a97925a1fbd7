import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesforceConnector, trustedInstance } from './salesforce.js';
import type { OptionalField } from './minimize.js';
import { startSalesforceFake, type SalesforceFakeOptions } from '../../test/fakes/salesforce-server.js';
import { startLoopback, type Failure } from '../../test/fakes/loopback.js';
import {
  closeFakes,
  expectProviderError as failure,
  firstPage as first,
  listAll,
  listChangesAll,
  recordingSleep,
  setupConnector,
  signal,
  track,
} from '../../test/connector-kit.js';

const CREDENTIALS = { clientId: '3MVG9fakeConsumerKey', clientSecret: 'fake-consumer-secret' };

afterEach(closeFakes);

const user = (n: number): Record<string, unknown> => ({
  Id: `005xx00000${String(n).padStart(5, '0')}AAA`,
  FirstName: `U${n}`,
  LastName: 'User',
  Name: `U${n} User`,
  Email: `u${n}@acme.example`,
  IsActive: true,
  UserType: 'Standard',
});
const contact = (n: number): Record<string, unknown> => ({
  Id: `003xx00000${String(n).padStart(5, '0')}AAA`,
  FirstName: `C${n}`,
  LastName: 'Contact',
  Name: `C${n} Contact`,
  Email: `c${n}@customer.example`,
});

const setup = (overrides: Partial<SalesforceFakeOptions> = {}, credentials: Record<string, string> = {}, omit?: OptionalField[]) =>
  setupConnector(
    startSalesforceFake,
    createSalesforceConnector,
    { contacts: [], users: [], ...CREDENTIALS, ...overrides },
    { ...CREDENTIALS, ...credentials },
    undefined,
    omit,
  );

describe('Salesforce connector', () => {
  it('lists Users then Contacts over several batches and maps every field', async () => {
    const ada = {
      Id: '005xx000001Sv6eAAC',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Name: 'Ada Lovelace',
      Email: 'ada@acme.example',
      Title: 'Chief Scientist',
      Department: 'Research',
      City: 'London',
      ManagerId: '005xx000001Sv6fAAC',
      IsActive: true,
      SmallPhotoUrl: 'https://acme.file.force.com/profilephoto/729xx0000004CAm/T',
      UserType: 'Standard',
    };
    const grace = {
      Id: '003xx000004TmiQAAS',
      FirstName: 'Grace',
      LastName: 'Hopper',
      Name: 'Grace Hopper',
      Email: 'grace@customer.example',
      Title: 'CTO',
      Department: 'Engineering',
      MailingCity: 'Arlington',
      ReportsToId: '003xx000004TmiRAAS',
    };
    const users = [
      ada,
      user(1),
      user(2),
      { ...user(3), IsActive: false, SmallPhotoUrl: 'https://acme.file.force.com/profilephoto/005/T' },
      { ...user(4), UserType: 'CsnOnly' },
    ];
    const contacts = [grace, contact(1), contact(2)];
    const { fake, connector } = await setup({ users, contacts, batchLimit: 2 });
    const result = await listAll(connector);
    expect(result.contacts.map((c) => c.id)).toEqual([ada.Id, user(1).Id, user(2).Id, user(3).Id, grace.Id, contact(1).Id, contact(2).Id]);
    // Two batches of users, two of contacts; the total is exact once the last object is sized.
    expect(result.totals).toEqual([null, null, 7, 7]);
    expect(result.contacts[0]).toEqual({
      id: ada.Id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada Lovelace',
      email: 'ada@acme.example',
      personalEmail: null,
      title: 'Chief Scientist',
      department: 'Research',
      location: 'London',
      employmentType: null,
      managerId: '005xx000001Sv6fAAC',
      status: 'active',
      avatarUrl: 'https://acme.file.force.com/profilephoto/729xx0000004CAm/T',
    });
    expect(result.contacts[3]).toMatchObject({ status: 'inactive', avatarUrl: null });
    expect(result.contacts[4]).toEqual({
      id: grace.Id,
      firstName: 'Grace',
      lastName: 'Hopper',
      displayName: 'Grace Hopper',
      email: 'grace@customer.example',
      personalEmail: null,
      title: 'CTO',
      department: 'Engineering',
      location: 'Arlington',
      employmentType: null,
      managerId: '003xx000004TmiRAAS',
      status: 'active',
      avatarUrl: null,
    });
    const data = fake.dataRequests();
    expect(data).toHaveLength(4);
    expect(data.every((r) => r.headers['sforce-query-options'] === 'batchSize=2000')).toBe(true);
    expect(data[0]!.query.get('q')).toContain("FROM User WHERE UserType = 'Standard'");
    expect(data[1]!.path).toMatch(/^\/services\/data\/v62\.0\/query\/01g/);
    expect(data[2]!.query.get('q')).toContain('FROM Contact');
  });

  it('leaves turned-off fields out of the SOQL SELECT lists, so Salesforce never sends them, and asks for them when on', async () => {
    const ada = {
      ...user(1),
      Title: 'Chief Scientist',
      City: 'London',
      ManagerId: user(2).Id,
      SmallPhotoUrl: 'https://acme.file.force.com/profilephoto/729/T',
    };
    const grace = { ...contact(1), Title: 'CTO', MailingCity: 'Arlington', ReportsToId: contact(2).Id };
    const asked = async (omit: OptionalField[]) => {
      const { fake, connector } = await setup({ users: [ada], contacts: [grace] }, {}, omit);
      const { contacts } = await listAll(connector);
      const [users, others] = fake.dataRequests().map((r) => /^SELECT (.+) FROM/.exec(r.query.get('q')!)![1]!.split(', '));
      return { users: users!, contacts: others!, people: contacts };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    expect(off.users).toEqual(['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Department', 'IsActive']);
    expect(off.contacts).toEqual(['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Department']);
    expect(off.people.map((p) => [p.title, p.location, p.managerId, p.avatarUrl])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
    const on = await asked([]);
    expect(on.users).toEqual(expect.arrayContaining(['Title', 'City', 'ManagerId', 'SmallPhotoUrl']));
    expect(on.contacts).toEqual(expect.arrayContaining(['Title', 'MailingCity', 'ReportsToId']));
    expect(on.people.map((p) => [p.title, p.location])).toEqual([
      ['Chief Scientist', 'London'],
      ['CTO', 'Arlington'],
    ]);
  });

  it('lists only the objects the credential names', async () => {
    const { connector, fake } = await setup({ users: [user(1)], contacts: [contact(1)] }, { objects: 'contacts' });
    const { contacts, totals } = await listAll(connector);
    expect(contacts.map((c) => c.id)).toEqual([contact(1).Id]);
    expect(totals).toEqual([1]);
    expect(fake.dataRequests()).toHaveLength(1);
    expect(() => createSalesforceConnector({ baseUrl: fake.url, credentials: { ...CREDENTIALS, objects: 'Leads' } })).toThrow(/"objects"/);
  });

  it('gets a client-credentials token on the My Domain and reuses it as a bearer', async () => {
    const { fake, connector } = await setup({ users: [user(1), user(2)], contacts: [contact(1)], batchLimit: 1 });
    await listAll(connector);
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.tokenRequests()[0]!.path).toBe('/services/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(fake.tokenRequests()[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
    });
    expect(new Set(fake.dataRequests().map((r) => r.headers.authorization))).toEqual(new Set(['Bearer 00Dxx0000001gPL!AR8AQ.fake1']));
  });

  it('renews an expired session once, then reports auth', async () => {
    const { fake, connector } = await setup({ users: [user(1), user(2), user(3)], batchLimit: 1, sessionQueries: 2 }, { objects: 'User' });
    const { contacts } = await listAll(connector);
    expect(contacts).toHaveLength(3);
    expect(fake.tokenRequests()).toHaveLength(2);

    const dead = await setup({ users: [user(1)], sessionQueries: 0 });
    const err = await failure(first(dead.connector));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Session expired or invalid');
    expect(dead.fake.tokenRequests()).toHaveLength(2);
  });

  it('retries the concurrent-request limit but not a spent daily allocation', async () => {
    const busy = await setup({ users: [user(1)], failures: ['concurrent', 'throttle'] });
    expect((await first(busy.connector)).contacts).toHaveLength(1);
    expect(busy.slept).toHaveLength(2);

    const spent = await setup({ users: [user(1)], failures: ['quota'] });
    const err = await failure(first(spent.connector));
    expect(err.kind).toBe('quota_exceeded');
    expect(err.message).toContain('retrying now will not help');
    expect(err.message).toMatch(/api-usage=\d+\/\d+/);
    expect(spent.slept).toEqual([]);
    expect(spent.fake.dataRequests()).toHaveLength(1);
  });

  it('retries a 5xx', async () => {
    const { connector, slept } = await setup({ users: [user(1)], failures: ['5xx'] });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toHaveLength(1);
  });

  it('reports wrong credentials as auth without retrying', async () => {
    for (const wrong of [{ clientSecret: 'nope' }, { clientId: 'unknown' }] as Record<string, string>[]) {
      const { connector, fake, slept } = await setup({ users: [user(1)] }, wrong);
      const err = await failure(first(connector));
      expect(err.kind).toBe('auth');
      expect(err.message).toMatch(/invalid client credentials|client identifier invalid/);
      expect(fake.tokenRequests()).toHaveLength(1);
      expect(slept).toEqual([]);
    }
  });

  it('queries the instance_url the token names, though it is not the configured My Domain', async () => {
    // Salesforce documents instance_url as where the API is; it need not equal the My Domain.
    const { connector, fake } = await setup({ users: [user(1)], contacts: [contact(1)], instanceUrl: (origin) => origin.replace('127.0.0.1', 'localhost') });
    const { contacts } = await listAll(connector);
    expect(contacts.map((c) => c.email)).toEqual(['u1@acme.example', 'c1@customer.example']);
    const port = new URL(fake.url).port;
    expect(fake.tokenRequests().map((r) => r.headers.host)).toEqual([`127.0.0.1:${port}`]);
    expect(new Set(fake.dataRequests().map((r) => r.headers.host))).toEqual(new Set([`localhost:${port}`]));
  });

  it('refuses an instance_url that is not https on a Salesforce host, before any query', async () => {
    for (const instanceUrl of [
      'https://other.example',
      'https://acme.my.salesforce.com.evil.example',
      'http://acme.my.salesforce.com',
      'https://evilsalesforce.com',
    ]) {
      const { connector, fake } = await setup({ users: [user(1)], instanceUrl });
      const err = await failure(first(connector));
      expect(err.kind).toBe('config');
      expect(err.message).toContain(instanceUrl);
      expect(fake.dataRequests()).toHaveLength(0);
      await closeFakes();
    }
  });

  it('trusts the hosts Salesforce serves orgs from, over https only', () => {
    const auth = 'https://login.salesforce.com/services/oauth2/token';
    for (const host of [
      'https://acme.my.salesforce.com',
      'https://na139.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://agency.my.salesforce.mil',
      'https://acme.my.site.force.com',
    ]) {
      expect(trustedInstance(host, auth)?.origin).toBe(host);
    }
    for (const host of [
      'http://acme.my.salesforce.com',
      'https://salesforce.com.evil.example',
      'https://user:pw@acme.my.salesforce.com',
      'http://127.0.0.1:8080',
      'not a url',
    ]) {
      expect(trustedInstance(host, auth)).toBeNull();
    }
    // Plain-http loopback only for a loopback token endpoint (the tests' stand-ins).
    expect(trustedInstance('http://127.0.0.1:8080', 'http://127.0.0.1:9/services/oauth2/token')?.port).toBe('8080');
  });

  it('names the batch that came back malformed', async () => {
    const failures: (Failure | 'quota')[] = [];
    const { connector } = await setup({ users: [user(1), user(2)], batchLimit: 1, failures }, { objects: 'User' });
    const page1 = await first(connector);
    failures.push('malformed');
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: signal() }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
  });

  it('normalizes messy records', async () => {
    const users = [
      { Id: '005xx0000000001AAA', FirstName: null, LastName: '  ', Name: '', Email: ' Grace.HOPPER@Acme.Example ', IsActive: true },
      { Id: '005xx0000000002AAA', FirstName: 'Linus', LastName: null, Name: null, Email: '', Title: ' ', City: null },
      { Id: '', Name: 'No id' },
    ];
    const { connector } = await setup({ users }, { objects: 'User' });
    const { contacts } = await first(connector);
    expect(contacts.map((c) => [c.id, c.displayName, c.email])).toEqual([
      ['005xx0000000001AAA', 'Grace.HOPPER@Acme.Example', 'Grace.HOPPER@Acme.Example'],
      ['005xx0000000002AAA', 'Linus', null],
    ]);
    expect(contacts[1]).toMatchObject({ title: null, location: null, managerId: null, avatarUrl: null, status: 'active' });
  });

  it('names a missing credential and requires the My Domain', () => {
    expect(() => createSalesforceConnector({ baseUrl: 'https://acme.my.salesforce.com', credentials: { clientId: 'x' } })).toThrow(/"clientSecret"/);
    expect(() => createSalesforceConnector({ baseUrl: '', credentials: CREDENTIALS })).toThrow(/My Domain/);
  });

  describe('incremental refresh', () => {
    it('asks each object for the records changed after the watermark by SystemModstamp, over several batches', async () => {
      const stamped = (r: Record<string, unknown>, at: string) => ({ ...r, SystemModstamp: at });
      const users = [
        stamped(user(1), '2026-11-01T00:00:00.000+0000'),
        ...Array.from({ length: 250 }, (_, i) => stamped(user(100 + i), '2026-11-24T11:30:00.000+0000')),
      ];
      const contacts = [stamped(contact(1), '2026-11-24T11:45:00.000+0000'), stamped(contact(2), '2026-10-01T00:00:00.000+0000')];
      const { fake, connector } = await setup({ users, contacts, batchLimit: 200 });
      const changes = await listChangesAll(connector, '2026-11-24T11:00:00.000Z');
      expect(changes.contacts).toHaveLength(251);
      expect(changes.contacts.at(-1)!.id).toBe(String(contact(1).Id));
      expect(changes.deleted).toEqual([]);
      expect(changes.watermark).toBe('2026-11-24T11:55:00.000Z');
      const queries = fake
        .dataRequests()
        .map((r) => r.query.get('q'))
        .filter(Boolean);
      expect(queries).toEqual([
        "SELECT Id, FirstName, LastName, Name, Email, Title, Department, City, ManagerId, IsActive, SmallPhotoUrl FROM User WHERE UserType = 'Standard' AND SystemModstamp > 2026-11-24T11:00:00Z",
        'SELECT Id, FirstName, LastName, Name, Email, Title, Department, MailingCity, ReportsToId FROM Contact WHERE SystemModstamp > 2026-11-24T11:00:00Z',
      ]);
    });
  });
});

describe('Salesforce connector: Salesforce’s own published example (REST API Developer Guide, "Query")', () => {
  /**
   * The example as published, its one elision line (`...`, "more records") taken out and the comma
   * before it with it: the only change, made here in code so the stored file stays verbatim.
   */
  const published = (): unknown => {
    const text = readFileSync(new URL('../../test/fixtures/providers/salesforce/query-example.json.txt', import.meta.url), 'utf8');
    return JSON.parse(text.replace(/,\n\s*\.\.\.\n/, '\n'));
  };

  /** A loopback answering the token request with a token for itself and every query with the example. */
  async function replay() {
    const fake = track(
      await startLoopback((req, send) => {
        if (req.path === '/services/oauth2/token')
          return send(200, { access_token: 'sf-token', instance_url: req.origin, token_type: 'Bearer', issued_at: '1700000000000' });
        send(200, published());
      }),
    );
    const connector = createSalesforceConnector({ baseUrl: fake.url, credentials: { ...CREDENTIALS, objects: 'Contact' } }, { sleep: recordingSleep().sleep });
    return { fake, connector };
  }

  it("lists the example's Contact, which carries only Id and Name, and follows its nextRecordsUrl", async () => {
    const { fake, connector } = await replay();
    const page = await connector.listContacts({ cursor: null, signal: signal() });
    expect(page.contacts).toEqual([
      {
        id: '003RO0000035WQgYAM',
        firstName: null,
        lastName: null,
        displayName: 'John Smith',
        email: null,
        personalEmail: null,
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
    ]);
    // done is false: the next batch is the example's query locator, on the API version it names.
    expect(page.nextCursor).not.toBeNull();
    await connector.listContacts({ cursor: page.nextCursor, signal: signal() });
    expect(fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      '/services/data/v62.0/query',
      '/services/data/v60.0/query/01gRO0000016PIAYA2-500',
    ]);
  });
});
