import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as merge from './merge.js';
import { createMergeConnector, MERGE_EU_API_URL } from './merge.js';
import type { OptionalField } from './minimize.js';
import { startMergeFake, type MergeFakeOptions } from '../../test/fakes/merge-server.js';
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

const CREDENTIALS = { apiKey: 'merge-production-key', accountToken: 'linked-account-token' };

afterEach(closeFakes);

const employee = (n: number): Record<string, unknown> => ({
  id: `0958cbc6-6040-430a-848e-aafacbad${String(n).padStart(4, '0')}`,
  first_name: `First${n}`,
  last_name: `Last${n}`,
  work_email: `e${n}@acme.example`,
  employment_status: 'ACTIVE',
});

const setup = (overrides: Partial<MergeFakeOptions> = {}, credentials: Record<string, string> = {}, omit?: OptionalField[]) =>
  setupConnector(startMergeFake, createMergeConnector, { employees: [], ...CREDENTIALS, ...overrides }, { ...CREDENTIALS, ...credentials }, undefined, omit);

describe('Merge HRIS connector', () => {
  it('does not expand the work location when locations are turned off, and does when on', async () => {
    const ada = {
      ...employee(1),
      work_location: { id: '9efbc633-3387-4306-aa55-e2c635e6bb4f', name: 'London HQ', city: 'London' },
      employments: [{ id: 'emp-1', job_title: 'Analyst' }],
    };
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({ employees: [ada] }, {}, omit);
      const page = await list();
      return { expand: fake.requests.find((r) => r.query.has('expand'))!.query.get('expand'), ada: page.contacts[0]! };
    };
    const off = await asked(['location']);
    expect(off.expand).toBe('employments,groups,team');
    expect(off.ada).toMatchObject({ location: null, title: 'Analyst' });
    const on = await asked([]);
    expect(on.expand).toBe('employments,groups,team,work_location');
    expect(on.ada).toMatchObject({ location: 'London HQ' });
  });

  it('lists employees over several pages with related objects expanded, and maps every field', async () => {
    const ada = {
      id: 'a5d3b2c1-0000-4000-8000-000000000001',
      remote_id: '19202938',
      first_name: 'Ada',
      last_name: 'Lovelace',
      preferred_name: 'Ada',
      display_full_name: 'Ada King Lovelace',
      work_email: 'ada@acme.example',
      personal_email: 'ada@home.example',
      employment_status: 'ACTIVE',
      manager: '0048ea5b-911e-4dff-9364-92070dea62ff',
      avatar: 'https://cdn.example/ada.png',
      team: { id: '249c9faa-3045-4a31-953b-8f22d3613301', name: 'Analytical Engines' },
      groups: [
        { id: 'g1', name: 'Everyone', type: 'GROUP' },
        { id: 'g2', name: 'Research', type: 'DEPARTMENT' },
      ],
      work_location: { id: '9efbc633-3387-4306-aa55-e2c635e6bb4f', name: 'London HQ', city: 'London' },
      employments: [
        { id: 'emp-1', job_title: 'Analyst', employment_type: 'PART_TIME', effective_date: '2019-01-01T00:00:00Z' },
        { id: 'emp-2', job_title: 'Chief Scientist', employment_type: 'FULL_TIME', effective_date: '2023-06-01T00:00:00Z' },
      ],
      termination_date: null,
      remote_was_deleted: false,
    };
    const leavers = [
      { ...employee(90), employment_status: 'INACTIVE' },
      { ...employee(91), termination_date: '2020-01-31T00:00:00Z' },
      { ...employee(92), employment_status: 'PENDING', termination_date: '2999-01-01T00:00:00Z' },
    ];
    const employees = [ada, ...Array.from({ length: 4 }, (_, i) => employee(i)), ...leavers, { ...employee(93), remote_was_deleted: true }];
    const { fake, connector } = await setup({ employees, pageLimit: 3 });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(contacts).toHaveLength(8);
    expect(contacts[0]).toEqual({
      id: ada.id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada King Lovelace',
      email: 'ada@acme.example',
      personalEmail: 'ada@home.example',
      title: 'Chief Scientist',
      department: 'Research',
      location: 'London HQ',
      employmentType: 'FULL_TIME',
      managerId: '0048ea5b-911e-4dff-9364-92070dea62ff',
      status: 'active',
      avatarUrl: 'https://cdn.example/ada.png',
    });
    expect(contacts.slice(-3).map((c) => c.status)).toEqual(['inactive', 'inactive', 'active']);
    const requests = fake.requests;
    expect(requests.map((r) => r.query.get('page_size'))).toEqual(['100', '100', '100']);
    expect(requests[0]!.query.get('expand')).toBe('employments,groups,team,work_location');
    expect(requests[0]!.query.get('cursor')).toBeNull();
    expect(requests[1]!.query.get('cursor')).toBeTruthy();
  });

  it('falls back to the team and the location city when that is all there is', async () => {
    const { connector } = await setup({
      employees: [{ ...employee(1), team: { id: 't', name: 'Platform' }, work_location: { id: 'l', name: '', city: 'Berlin' }, groups: [] }],
    });
    expect((await first(connector)).contacts[0]).toMatchObject({ department: 'Platform', location: 'Berlin' });
  });

  it('sends the API key as a bearer and the Linked Account token', async () => {
    const { fake, connector } = await setup({ employees: [employee(1)] });
    await first(connector);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer merge-production-key');
    expect(fake.requests[0]!.headers['x-account-token']).toBe('linked-account-token');
  });

  it('waits as Retry-After says when throttled', async () => {
    const { connector, slept } = await setup({ employees: [employee(1)], failures: ['throttle', 'throttle'], retryAfterSeconds: 4 });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toEqual([4000, 4000]);
  });

  it('retries a 5xx', async () => {
    const { connector, slept, fake } = await setup({ employees: [employee(1)], failures: ['5xx'] });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a wrong API key or account token as auth without retrying', async () => {
    for (const wrong of [{ apiKey: 'nope' }, { accountToken: 'nope' }] as Record<string, string>[]) {
      const { connector, slept } = await setup({ employees: [employee(1)] }, wrong);
      const err = await failure(first(connector));
      expect(err.kind).toBe('auth');
      expect(err.message).toContain('Invalid token');
      expect(slept).toEqual([]);
    }
  });

  it('names the page that came back malformed', async () => {
    const failures: Failure[] = [];
    const { connector } = await setup({ employees: [employee(1), employee(2)], pageLimit: 1, failures });
    const page1 = await first(connector);
    failures.push('malformed');
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: signal() }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
  });

  it('normalizes messy records', async () => {
    const employees = [
      {
        id: 'x1',
        first_name: '  ',
        last_name: '',
        display_full_name: '',
        work_email: ' Grace.HOPPER@Acme.Example ',
        personal_email: '',
        employments: null,
        groups: 'n/a',
      },
      { id: 'x2', first_name: 'Linus', work_email: 'n/a', manager: null, work_location: null, team: '' },
      { id: 'x3', employments: [{ job_title: '  ' }], avatar: '' },
      { first_name: 'No id' },
    ];
    const { connector } = await setup({ employees });
    const { contacts } = await first(connector);
    expect(contacts.map((c) => [c.id, c.displayName, c.email])).toEqual([
      ['x1', 'Grace.HOPPER@Acme.Example', 'Grace.HOPPER@Acme.Example'],
      ['x2', 'Linus', null],
      ['x3', 'x3', null],
    ]);
    expect(contacts[2]).toMatchObject({
      title: null,
      department: null,
      location: null,
      employmentType: null,
      managerId: null,
      avatarUrl: null,
      personalEmail: null,
      status: 'active',
    });
  });

  it('names a missing credential and knows only the hosts Merge documents', () => {
    expect(() => createMergeConnector({ baseUrl: MERGE_EU_API_URL, credentials: { apiKey: 'k' } })).toThrow(/"accountToken"/);
    // merge-api/merge-python-client src/merge/environment.py: PRODUCTION, PRODUCTION_EU, SANDBOX.
    const hosts = Object.entries(merge)
      .filter(([name]) => name.endsWith('_API_URL'))
      .map(([, url]) => url)
      .sort();
    expect(hosts).toEqual(['https://api-eu.merge.dev', 'https://api-sandbox.merge.dev', 'https://api.merge.dev']);
  });
});

describe('Merge connector: Merge’s own published example (merge-node-client wire test)', () => {
  /**
   * The example is a JavaScript object literal as Merge's SDK generator wrote it
   * (`const rawResponseBody = { … };`), kept verbatim; evaluating the literal gives the JSON Merge serves.
   */
  function published(): unknown {
    const text = readFileSync(new URL('../../test/fixtures/providers/merge/list-employees-wire-example.js.txt', import.meta.url), 'utf8');
    return new Function(`${text}\nreturn rawResponseBody;`)() as unknown;
  }

  it('lists the "list employees" example: a deleted, terminated employee whose relations are bare ids', async () => {
    const body = published();
    const fake = track(await startLoopback((_req, send) => send(200, body)));
    const { sleep } = recordingSleep();
    const connector = createMergeConnector({ baseUrl: fake.url, credentials: CREDENTIALS }, { sleep, policy: { baseDelayMs: 10 } });
    const page = await connector.listContacts({ cursor: null, signal: signal() });
    expect(page.contacts).toEqual([
      {
        id: '0958cbc6-6040-430a-848e-aafacbadf4ae',
        // The preferred name ("Greg the egg") is not a first name; display_full_name already carries the name shown.
        firstName: 'Greg',
        lastName: 'Hirsch',
        displayName: 'Cousin Greg Hirsch',
        email: 'greg@merge.dev',
        personalEmail: 'greg@gmail.com',
        // groups, employments and work_location are ids here (not expanded): an id is not a title, department or place.
        title: null,
        department: null,
        location: null,
        employmentType: null,
        managerId: 'manager',
        // remote_was_deleted and a past termination_date: gone, whatever employment_status says.
        status: 'inactive',
        avatarUrl: 'http://alturl.com/h2h8m',
      },
    ]);
    // Merge's `next` cursor is followed as given.
    const second = await connector.listContacts({ cursor: page.nextCursor, signal: signal() });
    expect(second.contacts).toHaveLength(1);
    expect(fake.requests[1]!.query.get('cursor')).toBe('cD0yMDIxLTAxLTA2KzAzJTNBMjQlM0E1My40MzQzMjYlMkIwMCUzQTAw');
  });

  describe('incremental refresh', () => {
    it('lists people Merge changed after the watermark, deleted ones by id, over several pages', async () => {
      const changed = (n: number, at: string, deleted = false): Record<string, unknown> => ({
        ...employee(n),
        modified_at: at,
        ...(deleted ? { remote_was_deleted: true } : {}),
      });
      const employees = [
        changed(1, '2026-11-01T00:00:00Z'),
        changed(2, '2026-11-24T11:30:00Z'),
        changed(3, '2026-11-24T11:40:00Z', true),
        changed(4, '2026-11-24T11:50:00Z'),
      ];
      const { fake, connector } = await setup({ employees, pageLimit: 2 });
      const changes = await listChangesAll(connector, '2026-11-24T11:00:00.000Z');
      expect(changes.contacts.map((c) => c.id)).toEqual([String(employees[1]!.id), String(employees[3]!.id)]);
      expect(changes.deleted).toEqual([String(employees[2]!.id)]);
      expect(changes.watermark).toBe('2026-11-24T11:55:00.000Z');
      expect(changes.pages).toBe(2);
      expect(fake.requests.map((r) => [r.query.get('modified_after'), r.query.get('include_deleted_data')])).toEqual([
        ['2026-11-24T11:00:00.000Z', 'true'],
        ['2026-11-24T11:00:00.000Z', 'true'],
      ]);
    });
  });
});
