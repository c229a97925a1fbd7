import { afterEach, describe, expect, it } from 'vitest';
import { createHiBobConnector, HIBOB_CREDENTIALS } from './hibob.js';
import type { ConnectorFactory } from './types.js';
import type { OptionalField } from './minimize.js';
import { item, startHiBobServer, type BobOptions, type BobPerson } from '../../test/fakes/hibob-server.js';
import { closeFakes, expectProviderError as failure, setupConnector } from '../../test/connector-kit.js';

const ENGINEERING = item('209192163', 'Engineering');
const ADA: BobPerson = {
  'root.id': '3332883884017713238',
  'root.firstName': 'Ada',
  'root.surname': 'Lovelace',
  'root.displayName': 'Ada Lovelace',
  'root.email': 'ada@acme.test',
  'home.privateEmail': 'ada@home.test',
  'work.title': item('11', 'CTO'),
  'work.department': ENGINEERING,
  'work.site': item('21', 'London'),
  'work.manager': null,
  'payroll.employment.type': item('31', 'Full-time'),
  'internal.lifecycleStatus': 'employed',
  'internal.status': 'Active',
  'about.avatar': 'https://images.hibob.test/ada.png',
};
const GRACE: BobPerson = {
  ...ADA,
  'root.id': '3332883884017713239',
  'root.firstName': 'Grace',
  'root.surname': 'Hopper',
  'root.displayName': 'Grace Hopper',
  'root.email': 'grace@acme.test',
  'home.privateEmail': '',
  'work.title': item('12', 'Engineer'),
  'work.site': item('22', 'New York'),
  'work.manager': '3332883884017713238',
  'payroll.employment.type': item('32', 'Part-time'),
  'about.avatar': '',
};
const ALAN: BobPerson = {
  ...GRACE,
  'root.id': '3332883884017713240',
  'root.firstName': 'Alan',
  'root.surname': 'Turing',
  'root.displayName': 'Alan Turing',
  'root.email': 'alan@acme.test',
  'internal.lifecycleStatus': 'terminated',
  'internal.status': 'Inactive',
};
const HIRED: BobPerson = {
  ...GRACE,
  'root.id': '3332883884017713241',
  'root.firstName': 'Hedy',
  'root.surname': 'Lamarr',
  'root.displayName': 'Hedy Lamarr',
  'root.email': 'hedy@acme.test',
  'internal.lifecycleStatus': 'hired',
  'internal.status': 'Inactive',
};

afterEach(closeFakes);

const setup = (
  options: Partial<BobOptions> = {},
  credentials: Record<string, string> = { serviceUserId: 'SERVICE-123', token: 'bob-token' },
  omit?: OptionalField[],
) => setupConnector(startHiBobServer, createHiBobConnector, { people: [ADA, GRACE, ALAN, HIRED], ...options }, credentials, undefined, omit);

describe('HiBob connector', () => {
  it('leaves turned-off fields out of the search, so Bob never sends them, and asks for them when on', async () => {
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({}, undefined, omit);
      const page = await list();
      return { fields: (JSON.parse(fake.requests[0]!.body) as { fields: string[] }).fields, grace: page.contacts[1]! };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    for (const id of ['work.title', 'work.site', 'work.manager', 'work.reportsTo', 'home.privateEmail', 'about.avatar']) expect(off.fields).not.toContain(id);
    expect(off.fields).toEqual(expect.arrayContaining(['root.id', 'root.email', 'work.department', 'payroll.employment.type', 'internal.lifecycleStatus']));
    expect(off.grace).toMatchObject({ department: 'Engineering', title: null, location: null, managerId: null });
    const on = await asked(['avatarUrl']);
    expect(on.fields).toEqual(expect.arrayContaining(['work.title', 'work.site', 'work.manager', 'work.reportsTo', 'home.privateEmail']));
    expect(on.fields).not.toContain('about.avatar');
    expect(on.grace).toMatchObject({ title: 'Engineer', location: 'New York', managerId: '3332883884017713238' });
  });

  it('reads everyone in one search, terminated people included, and maps every field', async () => {
    const { fake, list } = await setup();
    const page = await list();
    expect(page).toMatchObject({ nextCursor: null, total: 4 });
    expect(page.contacts[0]).toEqual({
      id: '3332883884017713238',
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada Lovelace',
      email: 'ada@acme.test',
      personalEmail: 'ada@home.test',
      title: 'CTO',
      department: 'Engineering',
      location: 'London',
      employmentType: 'Full-time',
      managerId: null,
      status: 'active',
      avatarUrl: 'https://images.hibob.test/ada.png',
    });
    expect(page.contacts[1]).toEqual({
      id: '3332883884017713239',
      firstName: 'Grace',
      lastName: 'Hopper',
      displayName: 'Grace Hopper',
      email: 'grace@acme.test',
      personalEmail: null,
      title: 'Engineer',
      department: 'Engineering',
      location: 'New York',
      employmentType: 'Part-time',
      managerId: '3332883884017713238',
      status: 'active',
      avatarUrl: null,
    });
    // Terminated is inactive; a future hire (access inactive, lifecycle hired) is not.
    expect(page.contacts.slice(2).map((c) => [c.displayName, c.status])).toEqual([
      ['Alan Turing', 'inactive'],
      ['Hedy Lamarr', 'active'],
    ]);

    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/people/search' });
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from('SERVICE-123:bob-token').toString('base64')}`);
    const search = JSON.parse(req!.body) as Record<string, unknown>;
    expect(search).toMatchObject({
      showInactive: true,
      humanReadable: 'APPEND',
      fields: expect.arrayContaining(['root.id', 'root.email', 'work.department', 'payroll.employment.type', 'internal.lifecycleStatus']),
    });
    // Bob may answer an empty `filters` with 400: a search for everyone leaves it out entirely.
    expect(search).not.toHaveProperty('filters');
  });

  it('is refused by the stand-in, as by Bob, when it sends an empty filters list or object', async () => {
    const { fake } = await setup();
    for (const filters of [[], {}]) {
      const res = await fetch(`${fake.url}/v1/people/search`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('SERVICE-123:bob-token').toString('base64')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ fields: ['root.id'], filters, showInactive: true }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.stringContaining('omit it') });
    }
  });

  it('reads answers in the flat "/work/department" form too', async () => {
    const { list } = await setup({ shape: 'flat' });
    const [ada, grace] = (await list()).contacts;
    expect(ada).toMatchObject({ id: '3332883884017713238', email: 'ada@acme.test', department: 'Engineering', title: 'CTO' });
    expect(grace!.managerId).toBe('3332883884017713238');
  });

  it('leaves out what the service user may not read, without failing', async () => {
    const { list } = await setup({
      hiddenFields: ['home.privateEmail', 'work.site', 'internal.lifecycleStatus', 'internal.status', 'about.avatar', 'work.manager'],
    });
    const [ada, grace, alan] = (await list()).contacts;
    expect(ada).toMatchObject({ personalEmail: null, location: null, avatarUrl: null, status: 'active', department: 'Engineering' });
    // work.reportsTo still names the manager when work.manager is hidden.
    expect(grace!.managerId).toBe('3332883884017713238');
    expect(alan!.status).toBe('active');
  });

  it('waits for the rate-limit reset on a 429', async () => {
    const { slept, list } = await setup({ failures: ['throttle'], resetInSeconds: 3 });
    expect((await list()).contacts).toHaveLength(4);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(1000);
    expect(slept[0]).toBeLessThanOrEqual(4000);
  });

  it('retries a server error', async () => {
    const { fake, slept, list } = await setup({ failures: ['5xx', '5xx'] });
    expect((await list()).contacts).toHaveLength(4);
    expect(slept).toHaveLength(2);
    expect(fake.requests).toHaveLength(3);
  });

  it('reports wrong service-user credentials as auth, without retrying', async () => {
    // Bob blocks addresses that keep sending refused credentials: a 401 must be final at once.
    const { fake, slept, list } = await setup({}, { serviceUserId: 'SERVICE-123', token: 'wrong' });
    expect(await failure(list())).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(fake.requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('names the search when its answer is unreadable', async () => {
    const { list } = await setup({ failures: ['malformed'] });
    expect(await failure(list())).toMatchObject({ kind: 'bad_response', details: { page: 'the people search' } });
  });

  it('normalizes messy people instead of failing on them', async () => {
    const { list } = await setup({
      people: [
        {
          'root.id': 42,
          'root.firstName': ' Zoë ',
          'root.surname': '   ',
          'root.displayName': '',
          'root.email': ' ZOE@Acme.Test ',
          'work.department': item('', ''),
          'internal.status': 'Active',
        },
        { 'root.id': '43', 'internal.status': 'Active' },
        { 'root.firstName': 'No id', 'internal.status': 'Active' },
      ],
    });
    expect((await list()).contacts).toEqual([
      {
        id: '42',
        firstName: 'Zoë',
        lastName: null,
        displayName: 'Zoë',
        email: 'ZOE@Acme.Test',
        personalEmail: null,
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
      expect.objectContaining({ id: '43', displayName: '43', email: null, firstName: null }),
    ]);
  });

  it('is a connector factory that refuses to start without a credential, naming it', () => {
    const factory: ConnectorFactory = createHiBobConnector;
    expect(HIBOB_CREDENTIALS).toEqual(['serviceUserId', 'token']);
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: { serviceUserId: 'x' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"token"') }),
    );
  });
});
