import { afterEach, describe, expect, it } from 'vitest';
import { createUnifiedConnector, UNIFIED_API_URL, UNIFIED_AU_API_URL, UNIFIED_EU_API_URL } from './unified.js';
import type { OptionalField } from './minimize.js';
import { startUnifiedFake, type UnifiedFakeOptions } from '../../test/fakes/unified-server.js';
import type { Failure } from '../../test/fakes/loopback.js';
import { closeFakes, expectProviderError as failure, firstPage as first, listAll, listChangesAll, setupConnector, signal } from '../../test/connector-kit.js';

const CREDENTIALS = { apiKey: 'unified-workspace-key', connectionId: '65f1c0ffee0123456789abcd' };

afterEach(closeFakes);

const employee = (n: number): Record<string, unknown> => ({
  id: `emp_${n}`,
  name: `First${n} Last${n}`,
  first_name: `First${n}`,
  last_name: `Last${n}`,
  emails: [{ email: `e${n}@acme.example`, type: 'WORK' }],
  employment_status: 'ACTIVE',
});

const setup = (overrides: Partial<UnifiedFakeOptions> = {}, credentials: Record<string, string> = {}, omit?: OptionalField[]) =>
  setupConnector(
    startUnifiedFake,
    createUnifiedConnector,
    { employees: [], ...CREDENTIALS, ...overrides },
    { ...CREDENTIALS, ...credentials },
    undefined,
    omit,
  );

describe('Unified.to HRIS connector', () => {
  it('asks with `fields` for only what it reads, less the fields turned off', async () => {
    const ada = {
      id: 'emp_ada',
      name: 'Ada Lovelace',
      emails: [{ email: 'ada@acme.example', type: 'WORK' }],
      title: 'Chief Scientist',
      department: 'Research',
      locations: [{ name: 'London HQ' }],
      address: { city: 'Cambridge', address1: '12 St James Sq' },
      manager_id: 'emp_boss',
      salary: 100,
    };
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({ employees: [ada] }, {}, omit);
      const page = await list();
      return { fields: fake.requests[0]!.query.get('fields')!.split(','), ada: page.contacts[0]! };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    for (const f of ['title', 'locations', 'address', 'location', 'manager_id', 'salary', 'image_url']) expect(off.fields).not.toContain(f);
    expect(off.ada).toMatchObject({ email: 'ada@acme.example', department: 'Research', title: null, location: null, managerId: null });
    const on = await asked([]);
    expect(on.fields).toEqual(expect.arrayContaining(['title', 'locations', 'address', 'location', 'manager_id']));
    expect(on.fields).not.toContain('salary');
    expect(on.ada).toMatchObject({ title: 'Chief Scientist', location: 'London HQ', managerId: 'emp_boss' });
  });

  it('lists employees 100 at a time until a short page, and maps every field', async () => {
    const ada = {
      id: 'emp_ada',
      name: 'Ada King Lovelace',
      first_name: 'Ada',
      last_name: 'Lovelace',
      emails: [
        { email: 'ada@home.example', type: 'HOME' },
        { email: 'ada@acme.example', type: 'WORK' },
      ],
      title: 'Chief Scientist',
      groups: [
        { id: 'g1', name: 'Everyone', type: 'GROUP' },
        { id: 'g2', name: 'Research', type: 'DEPARTMENT' },
      ],
      locations: [{ id: 'l1', name: 'London HQ' }],
      address: { city: 'Cambridge' },
      manager_id: 'emp_boss',
      employment_status: 'ACTIVE',
      employment_type: 'FULL_TIME',
      image_url: 'https://cdn.example/ada.png',
    };
    const employees = [
      ada,
      ...Array.from({ length: 246 }, (_, i) => employee(i)),
      { ...employee(900), employment_status: 'INACTIVE' },
      { ...employee(901), terminated_at: '2021-03-31T00:00:00Z' },
      { ...employee(902), terminated_at: '2999-01-01T00:00:00Z' },
    ];
    const { fake, connector } = await setup({ employees });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(contacts).toHaveLength(250);
    expect(contacts[0]).toEqual({
      id: 'emp_ada',
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada King Lovelace',
      email: 'ada@acme.example',
      personalEmail: 'ada@home.example',
      title: 'Chief Scientist',
      department: 'Research',
      location: 'London HQ',
      employmentType: 'FULL_TIME',
      managerId: 'emp_boss',
      status: 'active',
      // Unified.to's image_url expires within the hour, before the cached directory does: not kept.
      avatarUrl: null,
    });
    expect(contacts.slice(-3).map((c) => c.status)).toEqual(['inactive', 'inactive', 'active']);
    expect(fake.requests.map((r) => [r.path, r.query.get('limit'), r.query.get('offset')])).toEqual([
      [`/hris/${CREDENTIALS.connectionId}/employee`, '100', '0'],
      [`/hris/${CREDENTIALS.connectionId}/employee`, '100', '100'],
      [`/hris/${CREDENTIALS.connectionId}/employee`, '100', '200'],
    ]);
  });

  it('ends on an empty page when the directory is an exact multiple of the page size', async () => {
    const { fake, connector } = await setup({ employees: Array.from({ length: 100 }, (_, i) => employee(i)) });
    const { contacts, pages } = await listAll(connector);
    expect(contacts).toHaveLength(100);
    expect(pages).toBe(2);
    expect(fake.requests.at(-1)!.query.get('offset')).toBe('100');
  });

  it('falls back to the flat department, the address city, and a typeless email', async () => {
    const { connector } = await setup({
      employees: [{ id: 'x', emails: [{ email: 'x@acme.example' }], department: 'Ops', address: { city: 'Berlin' }, locations: [] }],
    });
    expect((await first(connector)).contacts[0]).toMatchObject({ email: 'x@acme.example', department: 'Ops', location: 'Berlin' });
  });

  it('sends the workspace API key as a bearer', async () => {
    const { fake, connector } = await setup({ employees: [employee(1)] });
    await first(connector);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer unified-workspace-key');
  });

  it('backs off when throttled, honouring Retry-After when given', async () => {
    const plain = await setup({ employees: [employee(1)], failures: ['throttle', 'throttle'] });
    expect((await first(plain.connector)).contacts).toHaveLength(1);
    expect(plain.slept).toHaveLength(2);
    const hinted = await setup({ employees: [employee(1)], failures: ['throttle'], retryAfterSeconds: 5 });
    await first(hinted.connector);
    expect(hinted.slept).toEqual([5000]);
  });

  it('retries a 5xx', async () => {
    const { connector, slept, fake } = await setup({ employees: [employee(1)], failures: ['5xx'] });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a wrong API key as auth and a wrong connection as config, without retrying', async () => {
    const key = await setup({ employees: [employee(1)] }, { apiKey: 'nope' });
    expect((await failure(first(key.connector))).kind).toBe('auth');
    expect(key.slept).toEqual([]);
    const connection = await setup({ employees: [employee(1)] }, { connectionId: 'other' });
    const err = await failure(first(connection.connector));
    expect(err.kind).toBe('config');
    expect(err.message).toContain('Connection other not found');
  });

  it('names the page that came back malformed', async () => {
    const failures: Failure[] = [];
    const { connector } = await setup({ employees: Array.from({ length: 150 }, (_, i) => employee(i)), failures });
    const page1 = await first(connector);
    failures.push('malformed');
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: signal() }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
  });

  it('normalizes messy records', async () => {
    const employees = [
      {
        id: 'x1',
        name: '  ',
        first_name: '',
        emails: [
          { email: ' Grace.HOPPER@Acme.Example ', type: 'WORK' },
          { email: '', type: 'HOME' },
        ],
      },
      { id: 'x2', first_name: 'Linus', emails: null, groups: 'n/a', title: ' ' },
      { id: 3, emails: [{ email: 'n/a', type: 'WORK' }], image_url: '' },
      { name: 'No id' },
    ];
    const { connector } = await setup({ employees });
    const { contacts } = await first(connector);
    expect(contacts.map((c) => [c.id, c.displayName, c.email])).toEqual([
      ['x1', 'Grace.HOPPER@Acme.Example', 'Grace.HOPPER@Acme.Example'],
      ['x2', 'Linus', null],
      ['3', '3', null],
    ]);
    expect(contacts[1]).toMatchObject({
      title: null,
      department: null,
      location: null,
      employmentType: null,
      managerId: null,
      personalEmail: null,
      avatarUrl: null,
      status: 'active',
    });
  });

  it('names a missing credential and knows the hosts of the three data regions', () => {
    expect(() => createUnifiedConnector({ baseUrl: UNIFIED_EU_API_URL, credentials: { apiKey: 'k' } })).toThrow(/"connectionId"/);
    expect([UNIFIED_API_URL, UNIFIED_EU_API_URL, UNIFIED_AU_API_URL]).toEqual([
      'https://api.unified.to',
      'https://api-eu.unified.to',
      'https://api-au.unified.to',
    ]);
  });

  describe('incremental refresh', () => {
    const at = (n: number, updatedAt: string) => ({ ...employee(n), updated_at: updatedAt });

    it('lists only employees updated since the watermark through updated_gte, and names the next one', async () => {
      const employees = [
        at(1, '2026-11-01T00:00:00Z'),
        ...Array.from({ length: 120 }, (_, i) => at(100 + i, '2026-11-24T11:00:00Z')),
        at(2, '2026-11-24T10:59:59Z'),
      ];
      const { fake, connector } = await setup({ employees });
      const startedAt = new Date('2026-11-24T12:00:00Z');
      expect(await connector.changeWatermark!({ startedAt, signal: signal() })).toBe('2026-11-24T11:55:00.000Z');
      const changes = await listChangesAll(connector, '2026-11-24T11:00:00.000Z', startedAt);
      expect(changes.contacts.map((c) => c.id)).toEqual(Array.from({ length: 120 }, (_, i) => `emp_${100 + i}`));
      // Unified.to names no deleted employees: the periodic full refresh finds them.
      expect(changes.deleted).toEqual([]);
      // Five minutes back from the start: the provider's clock may lag ours.
      expect(changes.watermark).toBe('2026-11-24T11:55:00.000Z');
      expect(fake.requests.map((r) => [r.query.get('updated_gte'), r.query.get('offset')])).toEqual([
        ['2026-11-24T11:00:00.000Z', '0'],
        ['2026-11-24T11:00:00.000Z', '100'],
      ]);
    });

    it('refuses a stored watermark that is not a time, so the refresh falls back to a full one', async () => {
      const { fake, connector } = await setup({ employees: [employee(1)] });
      expect((await failure(listChangesAll(connector, 'garbage'))).kind).toBe('bad_response');
      expect(fake.requests).toEqual([]);
    });
  });
});
