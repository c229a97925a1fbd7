import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { createRipplingConnector, RIPPLING_CREDENTIALS } from './rippling.js';
import type { ConnectorFactory, Credentials } from './types.js';
import { startRipplingFake, type RipplingFakeOptions, type RipplingWorker } from '../../test/fakes/rippling-server.js';
import { closeFakes, expectProviderError as failure, listAll, setupConnector } from '../../test/connector-kit.js';

const TOKEN = 'rippling-api-token';
const ALL_SCOPES = ['workers.read', 'users.read', 'departments.read', 'employment_types.read'];
const ENGINEERING = { id: 'dep-eng', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', name: 'Engineering' };
// An EmploymentType: the company's label, Rippling's kind of worker, pay period and hours.
const SALARIED_FULL_TIME = {
  id: 'et-1',
  label: 'Salaried, full-time',
  name: 'SALARIED_FT',
  type: 'EMPLOYEE',
  compensation_time_period: 'SALARIED',
  amount_worked: 'FULL-TIME',
};
const CONTRACTOR = { id: 'et-2', label: 'Contractor', name: 'CONTRACTOR', type: 'CONTRACTOR', compensation_time_period: 'HOURLY', amount_worked: 'TEMPORARY' };

const ADA: RipplingWorker = {
  id: '6543a1b2c3d4e5f6a7b8c9d0',
  created_at: '2024-01-02T10:00:00Z',
  updated_at: '2024-06-01T10:00:00Z',
  user_id: 'u-ada',
  user: {
    id: 'u-ada',
    active: true,
    username: 'ada.lovelace',
    name: { formatted: 'Augusta Ada King', given_name: 'Augusta', family_name: 'King', preferred_given_name: 'Ada', preferred_family_name: 'Lovelace' },
    display_name: 'Ada Lovelace',
    emails: [
      { value: 'ada@home.test', type: 'HOME' },
      { value: 'ada@acme.test', type: 'WORK' },
    ],
    photos: [{ value: 'https://files.rippling.test/ada.png', type: 'PHOTO' }],
  },
  manager_id: null as unknown as string,
  work_email: 'ada@acme.test',
  personal_email: 'ada@home.test',
  status: 'ACTIVE',
  title: 'CTO',
  department_id: 'dep-eng',
  department: ENGINEERING,
  employment_type_id: 'et-1',
  employment_type: SALARIED_FULL_TIME,
  location: { type: 'WORK' },
};
const GRACE: RipplingWorker = {
  id: '6543a1b2c3d4e5f6a7b8c9d1',
  created_at: '2024-01-02T10:00:00Z',
  updated_at: '2024-06-01T10:00:00Z',
  user: {
    id: 'u-grace',
    username: 'ghopper',
    name: { given_name: 'Grace', family_name: 'Hopper' },
    display_name: 'ghopper',
    emails: [{ value: 'grace@acme.test', type: 'WORK' }],
  },
  manager_id: ADA.id,
  status: 'HIRED',
  title: 'Engineer',
  department: ENGINEERING,
  employment_type: CONTRACTOR,
  location: { type: 'REMOTE' },
};
const ALAN: RipplingWorker = {
  id: '6543a1b2c3d4e5f6a7b8c9d2',
  user: { id: 'u-alan', name: { given_name: 'Alan', family_name: 'Turing' } },
  work_email: 'alan@acme.test',
  status: 'TERMINATED',
};
const crowd = (n: number): RipplingWorker[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `w-${i}`,
    user: { name: { given_name: `Person${i}`, family_name: 'Example' } },
    work_email: `p${i}@acme.test`,
    status: i % 10 === 0 ? 'TERMINATED' : 'ACTIVE',
  }));

afterEach(closeFakes);

const setup = (options: Partial<RipplingFakeOptions> = {}, credentials: Credentials = { apiToken: TOKEN }) =>
  setupConnector(startRipplingFake, createRipplingConnector, { workers: [ADA, GRACE, ALAN], tokens: { [TOKEN]: ALL_SCOPES }, ...options }, credentials);

describe('Rippling connector', () => {
  it('publishes no example payloads to replay: the fixtures folder says so instead of holding made-up ones', () => {
    const folder = new URL('../../test/fixtures/providers/rippling/', import.meta.url);
    expect(existsSync(folder)).toBe(true);
    expect(readdirSync(folder)).toEqual(['README.md']);
  });

  it('maps every field of a worker and its expanded user and department', async () => {
    const { fake, list } = await setup();
    const page = await list();
    expect(page.nextCursor).toBeNull();
    expect(page.contacts).toEqual([
      {
        id: ADA.id,
        firstName: 'Ada',
        lastName: 'Lovelace',
        displayName: 'Ada Lovelace',
        email: 'ada@acme.test',
        personalEmail: 'ada@home.test',
        title: 'CTO',
        department: 'Engineering',
        location: null,
        employmentType: 'Salaried, full-time',
        managerId: null,
        status: 'active',
        avatarUrl: 'https://files.rippling.test/ada.png',
      },
      // display_name fell back to the username: the name is composed instead; a hired person is starting, not gone.
      {
        id: GRACE.id,
        firstName: 'Grace',
        lastName: 'Hopper',
        displayName: 'Grace Hopper',
        email: 'grace@acme.test',
        personalEmail: null,
        title: 'Engineer',
        department: 'Engineering',
        location: null,
        employmentType: 'Contractor',
        managerId: ADA.id,
        status: 'active',
        avatarUrl: null,
      },
      {
        id: ALAN.id,
        firstName: 'Alan',
        lastName: 'Turing',
        displayName: 'Alan Turing',
        email: 'alan@acme.test',
        personalEmail: null,
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: null,
        status: 'inactive',
        avatarUrl: null,
      },
    ]);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'GET', path: '/workers' });
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(Object.fromEntries(req!.query)).toEqual({ expand: 'user,department,employment_type' });
  });

  it('follows next_link page after page', async () => {
    const { fake, connector } = await setup({ workers: crowd(120), pageSize: 50 });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(contacts).toHaveLength(120);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(120);
    expect(contacts.filter((c) => c.status === 'inactive')).toHaveLength(12);
    expect(fake.requests.map((r) => r.query.get('cursor') !== null)).toEqual([false, true, true]);
  });

  it('lists workers without names when the token may not read users, rather than failing', async () => {
    const { list } = await setup({ tokens: { [TOKEN]: ['workers.read'] } });
    const [ada] = (await list()).contacts;
    expect(ada).toMatchObject({ id: ADA.id, email: 'ada@acme.test', displayName: 'ada@acme.test', firstName: null, department: null, title: 'CTO' });
  });

  it('lists workers without an employment type when the token may not read employment types', async () => {
    const { list } = await setup({ tokens: { [TOKEN]: ['workers.read', 'users.read', 'departments.read'] } });
    const [ada] = (await list()).contacts;
    expect(ada).toMatchObject({ id: ADA.id, displayName: 'Ada Lovelace', department: 'Engineering', employmentType: null });
  });

  it('says which scopes the token needs when Rippling forbids the listing', async () => {
    const { list } = await setup({ tokens: { [TOKEN]: ['companies.read'] } });
    const err = await failure(list());
    expect(err).toMatchObject({ kind: 'permission', details: { status: 403 } });
    expect(err.message).toContain('workers.read');
  });

  it('reports a revoked token as auth, without retrying', async () => {
    const { fake, slept, list } = await setup({}, { apiToken: 'revoked' });
    const err = await failure(list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(err.message).toMatch(/wrong, expired or revoked/);
    expect(fake.requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('waits as long as Retry-After says on a 429, and retries a 5xx', async () => {
    const { slept, list } = await setup({ failures: ['throttle', '5xx'], retryAfterSeconds: 3 });
    expect((await list()).contacts).toHaveLength(3);
    expect(slept[0]).toBe(3000);
    expect(slept).toHaveLength(2);
  });

  it('names the page Rippling garbled', async () => {
    const { list } = await setup({ failures: ['malformed'] });
    expect(await failure(list())).toMatchObject({ kind: 'bad_response', details: { page: 'page 1' } });
  });

  it('never follows a next_link to another host or API with the token', async () => {
    const { list } = await setup();
    await expect(list('2:https://evil.example/workers?cursor=x')).rejects.toMatchObject({ kind: 'bad_response' });
    await expect(list('2:/users')).rejects.toMatchObject({ kind: 'bad_response' });
  });

  it('is a connector factory that refuses to start without the token, naming it', () => {
    const factory: ConnectorFactory = createRipplingConnector;
    expect(RIPPLING_CREDENTIALS).toEqual(['apiToken']);
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: {} })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"apiToken"') }),
    );
  });
});
