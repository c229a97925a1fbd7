import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OptionalField } from './minimize.js';
import { createPersonioConnector, PERSONIO_CREDENTIALS } from './personio.js';
import type { ConnectorFactory } from './types.js';
import { startPersonioServer, type PersonioEmployee, type PersonioOptions } from '../../test/fakes/personio-server.js';
import { startLoopback } from '../../test/fakes/loopback.js';
import {
  closeFakes,
  expectProviderError as failure,
  listAll,
  listChangesAll,
  recordingSleep,
  setupConnector,
  signal,
  track,
} from '../../test/connector-kit.js';

// js-yaml comes with openapi-typescript; it reads Personio's examples as Personio published them.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const FIXTURES = new URL('../../test/fixtures/providers/personio/', import.meta.url);
/** The `value` of one named example in a file cut from Personio's OpenAPI documents. */
function published(file: string, name: string): unknown {
  const doc = yaml.load(readFileSync(new URL(file, FIXTURES), 'utf8')) as { examples: Record<string, { value: unknown }> };
  const example = doc.examples[name];
  if (!example) throw new Error(`${file} has no example ${name}`);
  return example.value;
}

const ADA: PersonioEmployee = {
  id: 1,
  first_name: 'Ada',
  last_name: 'Lovelace',
  preferred_name: '',
  email: 'ada@acme.test',
  position: 'CTO',
  department: 'Engineering',
  office: 'London',
  employment_type: 'internal',
  status: 'active',
};
const GRACE: PersonioEmployee = {
  id: 2,
  first_name: 'Grace',
  last_name: 'Hopper',
  preferred_name: 'Amazing Grace Hopper',
  email: 'grace@acme.test',
  position: 'Engineer',
  department: 'Engineering',
  office: 'New York',
  supervisor: 1,
  employment_type: 'internal',
  status: 'active',
};
const ALAN: PersonioEmployee = {
  id: 3,
  first_name: 'Alan',
  last_name: 'Turing',
  email: 'alan@acme.test',
  position: 'Researcher',
  department: 'Research',
  office: 'Manchester',
  supervisor: 1,
  employment_type: 'external',
  status: 'inactive',
};
const crowd = (n: number): PersonioEmployee[] =>
  Array.from({ length: n }, (_, i) => ({
    id: 100 + i,
    first_name: `Person${i}`,
    last_name: 'Example',
    email: `p${i}@acme.test`,
    status: i % 10 === 0 ? 'inactive' : 'active',
  }));

afterEach(closeFakes);

const setup = (
  options: Partial<PersonioOptions> = {},
  credentials: Record<string, string> = { clientId: 'personio-client', clientSecret: 'personio-secret' },
  omit?: OptionalField[],
) => setupConnector(startPersonioServer, createPersonioConnector, { employees: [ADA, GRACE, ALAN], ...options }, credentials, undefined, omit);

describe('Personio connector', () => {
  it('asks only for the attributes it reads, and leaves out those of fields turned off', async () => {
    const secret = { ...GRACE, fix_salary: 3000, iban: 'DE98 8989 9898 0000 8989 00' };
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({ employees: [ADA, secret] }, undefined, omit);
      const page = await list();
      const [request] = fake.requests.filter((r) => r.path === '/v1/company/employees');
      return { attributes: request!.query.getAll('attributes[]'), grace: page.contacts[1]! };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    expect(off.attributes).toEqual(['first_name', 'last_name', 'preferred_name', 'email', 'department', 'employment_type', 'status']);
    expect(off.grace).toMatchObject({ displayName: 'Amazing Grace Hopper', department: 'Engineering', title: null, location: null, managerId: null });
    const on = await asked([]);
    expect(on.attributes).toEqual(expect.arrayContaining(['position', 'office', 'supervisor']));
    expect(on.attributes).not.toContain('fix_salary');
    expect(on.grace).toMatchObject({ title: 'Engineer', location: 'New York', managerId: '1' });
  });

  it('maps every field of an employee', async () => {
    const { list } = await setup();
    const page = await list();
    expect(page).toMatchObject({ nextCursor: null, total: 3 });
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
        employmentType: 'internal',
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
      // The preferred name is whole: shown as it is, while the invitation greets the first name.
      {
        id: '2',
        firstName: 'Grace',
        lastName: 'Hopper',
        displayName: 'Amazing Grace Hopper',
        email: 'grace@acme.test',
        personalEmail: null,
        title: 'Engineer',
        department: 'Engineering',
        location: 'New York',
        employmentType: 'internal',
        managerId: '1',
        status: 'active',
        avatarUrl: null,
      },
      {
        id: '3',
        firstName: 'Alan',
        lastName: 'Turing',
        displayName: 'Alan Turing',
        email: 'alan@acme.test',
        personalEmail: null,
        title: 'Researcher',
        department: 'Research',
        location: 'Manchester',
        employmentType: 'external',
        managerId: '1',
        status: 'inactive',
        avatarUrl: null,
      },
    ]);
  });

  it('pages a large directory 100 at a time with one token', async () => {
    const { fake, connector } = await setup({ employees: crowd(230) });
    const { contacts, cursors } = await listAll(connector);
    expect(contacts).toHaveLength(230);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(230);
    expect(contacts.filter((c) => c.status === 'inactive')).toHaveLength(23);
    expect(cursors).toEqual(['2:100', '3:200', null]);

    const [auth, ...pages] = fake.requests;
    expect(auth).toMatchObject({ method: 'POST', path: '/v1/auth' });
    expect(auth!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(auth!.body)).toEqual({ client_id: 'personio-client', client_secret: 'personio-secret' });
    expect(pages.map((r) => [r.path, r.query.get('limit'), r.query.get('offset')])).toEqual([
      ['/v1/company/employees', '100', '0'],
      ['/v1/company/employees', '100', '100'],
      ['/v1/company/employees', '100', '200'],
    ]);
    expect(new Set(pages.map((r) => r.headers.authorization)).size).toBe(1);
    expect(pages[0]!.headers.authorization).toMatch(/^Bearer papi-/);
  });

  it('still lists everyone when tokens are single-use, as Personio once made them', async () => {
    const { fake, connector } = await setup({ employees: crowd(250), rotate: true });
    expect((await listAll(connector)).contacts).toHaveLength(250);
    // Each used token is refused on the next page, which then gets one fresh token.
    expect(fake.requests.filter((r) => r.path === '/v1/auth')).toHaveLength(3);
  });

  it('fetches a new token once when Personio refuses the one it gave', async () => {
    const { fake, connector } = await setup({ employees: crowd(150), revokeAfter: 1 });
    expect((await listAll(connector)).contacts).toHaveLength(150);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/auth', '/v1/company/employees', '/v1/company/employees', '/v1/auth', '/v1/company/employees']);
  });

  it('waits at least a second on a 429, since Personio names no delay', async () => {
    const { slept, list } = await setup({ failures: ['throttle', 'throttle'] });
    expect((await list()).contacts).toHaveLength(3);
    expect(slept).toEqual([1000, 1000]);
  });

  it('retries a server error', async () => {
    const { slept, list } = await setup({ failures: ['5xx'] });
    expect((await list()).contacts).toHaveLength(3);
    expect(slept).toHaveLength(1);
  });

  it('reports a wrong client secret as auth, without retrying', async () => {
    const { fake, slept, list } = await setup({}, { clientId: 'personio-client', clientSecret: 'wrong' });
    const err = await failure(list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(err.message).toContain('Wrong credentials');
    expect(fake.requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('names the page Personio garbled', async () => {
    const { connector } = await setup({ employees: crowd(150), failures: [null, 'malformed'] });
    const first = await connector.listContacts({ cursor: null, signal: new AbortController().signal });
    const err = await failure(connector.listContacts({ cursor: first.nextCursor, signal: new AbortController().signal }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
  });

  it('normalizes what the credential may not read and messy values instead of failing', async () => {
    const { list } = await setup({
      readable: ['first_name', 'last_name', 'status', 'department'],
      employees: [
        { id: 7, first_name: '  ', last_name: '', status: 'active', department: '  ', email: 'hidden@acme.test' },
        { id: 8, first_name: 'Zoë', last_name: ' Ng ', status: 'Inactive', supervisor: 99 },
      ],
    });
    expect((await list()).contacts).toEqual([
      {
        id: '7',
        firstName: null,
        lastName: null,
        displayName: '7',
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
      expect.objectContaining({ id: '8', displayName: 'Zoë Ng', lastName: 'Ng', status: 'inactive', managerId: null }),
    ]);
  });

  it('is a connector factory that refuses to start without a credential, naming it', () => {
    const factory: ConnectorFactory = createPersonioConnector;
    expect(PERSONIO_CREDENTIALS).toEqual(['clientId', 'clientSecret']);
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: { clientId: 'x' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"clientSecret"') }),
    );
  });
});

describe('Personio connector: Personio’s own published examples (personio/api-docs)', () => {
  const tokenExample = published('auth-token-example.yaml', 'response') as { data: { token: string } };

  /** A loopback Personio answering `/v1/auth` with the published token and every other request from `answers`, verbatim. */
  async function replay(answers: { status: number; body: unknown }[]) {
    const fake = track(
      await startLoopback((req, send) => {
        if (req.path === '/v1/auth') return send(200, tokenExample);
        const next = answers.shift() ?? { status: 200, body: { success: true, data: [] } };
        send(next.status, next.body);
      }),
    );
    const { sleep } = recordingSleep();
    const connector = createPersonioConnector(
      { baseUrl: fake.url, credentials: { clientId: 'personio-client', clientSecret: 'personio-secret' } },
      { sleep, policy: { baseDelayMs: 10 } },
    );
    return { fake, list: () => connector.listContacts({ cursor: null, signal: signal() }) };
  }

  it('lists the "List Employees" example: a whole preferred name is the display name, never the first name', async () => {
    const { fake, list } = await replay([{ status: 200, body: published('list-employees-example.yaml', 'response') }]);
    const page = await list();
    expect(page.contacts).toEqual([
      {
        id: '1',
        firstName: 'Alexander',
        lastName: 'Bergmann',
        displayName: 'Alexander Bergmann',
        email: 'alexander.bergmann@demo.email',
        personalEmail: null,
        title: 'CTO',
        department: 'Customer Support',
        location: 'Munich',
        employmentType: 'external',
        managerId: '2',
        status: 'active',
        // The example's profile_picture is an API URL that needs our bearer token: not for the widget.
        avatarUrl: null,
      },
    ]);
    // metadata.total_elements says 2: the connector asks for the rest after the one it got.
    expect(page).toMatchObject({ total: 2, nextCursor: '2:1' });
    const [, employees] = fake.requests;
    expect(employees!.headers.authorization).toBe(`Bearer ${tokenExample.data.token}`);
  });

  it('shows the 401 example as an auth failure and the 403 example as a refusal, each in Personio’s words', async () => {
    const unauthorized = await replay([401, 401].map((status) => ({ status, body: published('error-examples.yaml', '401UnauthorizedErrorExample') })));
    const missing = await failure(unauthorized.list());
    expect(missing).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(missing.message).toContain('Authorization is not provided');

    const forbidden = await replay([403, 403].map((status) => ({ status, body: published('error-examples.yaml', '403ForbiddenErrorExample') })));
    const invalid = await failure(forbidden.list());
    expect(invalid).toMatchObject({ kind: 'permission', details: { status: 403 } });
    expect(invalid.message).toContain('Provided authorization is not valid');
  });

  describe('incremental refresh', () => {
    it('asks for the employees updated since the watermark with updated_since, without limit or offset', async () => {
      const employees = [
        { ...ADA, last_modified_at: '2026-11-01T09:00:00+00:00' },
        { ...GRACE, last_modified_at: '2026-11-24T11:30:00+00:00' },
        { ...ALAN, last_modified_at: '2026-11-24T11:59:00+00:00' },
      ];
      const { fake, connector } = await setup({ employees });
      const changes = await listChangesAll(connector, '2026-11-24T11:00:00.000Z');
      expect(changes.contacts.map((c) => [c.id, c.status])).toEqual([
        ['2', 'active'],
        ['3', 'inactive'],
      ]);
      expect(changes.deleted).toEqual([]);
      expect(changes.watermark).toBe('2026-11-24T11:55:00.000Z');
      const asked = fake.requests.filter((r) => r.path === '/v1/company/employees');
      expect(asked.map((r) => [r.query.get('updated_since'), r.query.get('limit'), r.query.get('offset')])).toEqual([['2026-11-24T11:00:00', null, null]]);
    });

    it('lists no one whose only change was to an attribute it does not ask for', async () => {
      const employees = [
        { ...GRACE, last_modified_at: '2026-11-24T11:30:00+00:00', changed_attributes: ['position'] },
        { ...ALAN, last_modified_at: '2026-11-24T11:40:00+00:00', changed_attributes: ['department'] },
      ];
      const { fake, connector } = await setup({ employees }, undefined, ['title']);
      const changes = await listChangesAll(connector, '2026-11-24T11:00:00.000Z');
      // Grace's new title is a field turned off: not asked for, so her change is not listed at all.
      expect(changes.contacts.map((c) => c.id)).toEqual(['3']);
      const [request] = fake.requests.filter((r) => r.path === '/v1/company/employees');
      expect(request!.query.getAll('attributes[]')).not.toContain('position');
    });
  });
});
