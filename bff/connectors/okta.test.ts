import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createOktaConnector, nextLink, OKTA_CREDENTIALS, OKTA_SERVICE_APP_CREDENTIALS, OKTA_STATUSES } from './okta.js';
import type { ConnectorFactory, Credentials } from './types.js';
import { startOktaFake, type OktaFakeOptions, type OktaUser } from '../../test/fakes/okta-server.js';
import { startLoopback } from '../../test/fakes/loopback.js';
import { closeFakes, expectProviderError as failure, listAll, recordingSleep, setupConnector, track } from '../../test/connector-kit.js';

// js-yaml comes with openapi-typescript (through @redocly/openapi-core); it reads Okta's examples as Okta published them.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const FIXTURES = new URL('../../test/fixtures/providers/okta/', import.meta.url);
/** One named example of Okta's OpenAPI document: `{ summary, description?, value }`. */
function published(file: string, name: string): unknown {
  const doc = yaml.load(readFileSync(new URL(file, FIXTURES), 'utf8')) as Record<string, { value: unknown }>;
  const example = doc[name];
  if (!example) throw new Error(`${file} has no example ${name}`);
  return example.value;
}
const listExample = (name: string) => published('list-users-examples.yaml', name) as OktaUser[];

const API_TOKEN = '00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const person = (n: number, status = 'ACTIVE', profile: Record<string, unknown> = {}): OktaUser => ({
  id: `00u${String(n).padStart(17, '0')}`,
  status,
  profile: { firstName: `Person${n}`, lastName: 'Example', login: `p${n}@acme.test`, email: `p${n}@acme.test`, ...profile },
});
const ADA = person(1, 'ACTIVE', {
  firstName: 'Ada',
  lastName: 'Lovelace',
  displayName: 'Ada Lovelace',
  email: 'ada@acme.test',
  secondEmail: 'ada@home.test',
  title: 'CTO',
  department: 'Engineering',
  city: 'London',
  countryCode: 'GB',
  managerId: null,
  employeeNumber: '1',
  userType: 'Employee',
});
const GRACE = person(2, 'LOCKED_OUT', {
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace@acme.test',
  title: 'Engineer',
  department: 'Engineering',
  countryCode: 'US',
  managerId: ADA.id,
});
const SUSPENDED = person(3, 'SUSPENDED', { firstName: 'Sam', lastName: 'Paused' });
const LEFT = person(4, 'DEPROVISIONED', { firstName: 'Alan', lastName: 'Turing' });
const STARTING = person(5, 'STAGED', { firstName: 'Hedy', lastName: 'Lamarr' });

afterEach(closeFakes);

const setup = (options: Partial<OktaFakeOptions> = {}, credentials: Credentials = { apiToken: API_TOKEN }) =>
  setupConnector(startOktaFake, createOktaConnector, { users: [ADA, GRACE, SUSPENDED, LEFT, STARTING], apiTokens: [API_TOKEN], ...options }, credentials);

const blank = { personalEmail: null, title: null, department: null, location: null, employmentType: null, managerId: null, avatarUrl: null };

describe('Okta connector: Okta’s own published examples (okta-management-openapi-spec)', () => {
  it('lists the "List all users" example', async () => {
    const { list } = await setup({ users: listExample('ListUsersResponse') });
    expect((await list()).contacts).toEqual([
      {
        id: '00u118oQYT4TBTemp0g4',
        firstName: 'Alice',
        lastName: 'Smith',
        displayName: 'Alice Smith',
        email: 'alice.smith@example.com',
        status: 'active',
        ...blank,
      },
    ]);
  });

  it('lists the search example: staged and provisioned people are starting, not gone; an empty secondEmail is none', async () => {
    const { list } = await setup({ users: listExample('ListUsersSearchResponse') });
    expect((await list()).contacts).toEqual([
      {
        id: '00u1xke1apZnmHgpB1d7',
        firstName: 'Ben',
        lastName: 'Richler',
        displayName: 'Ben Richler',
        email: 'ben.richler@example.com',
        status: 'active',
        ...blank,
        department: 'Engineering',
      },
      {
        id: '00u269cmneNMFHCH51d7',
        firstName: 'Janice',
        lastName: 'Benson',
        displayName: 'Janice Benson',
        email: 'janice.benson@gmail.com',
        status: 'active',
        ...blank,
        department: 'Engineering',
      },
    ]);
  });

  it('lists the filter and q examples: a locked-out person is still employed', async () => {
    const { list } = await setup({ users: listExample('ListUsersQResponse') });
    expect((await list()).contacts).toEqual([
      {
        id: '00u3ojhmm3cCa3a221d7',
        firstName: 'Tony',
        lastName: 'Johnson',
        displayName: 'Tony Johnson',
        email: 'tony.johnson@example.com',
        status: 'active',
        ...blank,
      },
      {
        id: '00u3m5wrdPjJYUFb81d6',
        firstName: 'John',
        lastName: 'Mclean',
        displayName: 'John Mclean',
        email: 'johnmclean@example.com',
        status: 'active',
        ...blank,
      },
      {
        id: '00u3ojdzgjrAhuYGg1d7',
        firstName: 'Jack',
        lastName: 'Phillips',
        displayName: 'Jack Phillips',
        email: 'john.j.phillips@example.com',
        status: 'active',
        ...blank,
      },
    ]);
    await closeFakes();
    const filtered = await setup({ users: listExample('ListUsersFilterResponse') });
    expect((await filtered.list()).contacts).toEqual([
      {
        id: '00u3m5wrdPjJYUFb81d6',
        firstName: 'John',
        lastName: 'Richards',
        displayName: 'John Richards',
        email: 'johnrichards@example.com',
        status: 'active',
        ...blank,
      },
    ]);
  });

  it('lists the projection example, whose users carry only a first name and a city', async () => {
    const { list } = await setup({ users: listExample('ListUsersFieldsResponse') });
    expect((await list()).contacts).toEqual([
      { id: '00u1xke1apZnmHgpB1d7', firstName: 'Alice', lastName: null, displayName: 'Alice', email: null, status: 'active', ...blank, location: 'Chicago' },
      { id: '00u269cmneNMFHCH51d7', firstName: 'Bob', lastName: null, displayName: 'Bob', email: null, status: 'active', ...blank, location: 'New York' },
    ]);
  });

  /** A loopback answering Okta's published error bodies verbatim, one per request. */
  async function replay(answers: { status: number; body: unknown; headers?: Record<string, string> }[]) {
    const fake = track(
      await startLoopback((_req, send) => {
        const next = answers.shift() ?? { status: 200, body: [] };
        send(next.status, next.body, next.headers);
      }),
    );
    const { sleep, slept } = recordingSleep();
    const connector = createOktaConnector({ baseUrl: fake.url, credentials: { apiToken: API_TOKEN } }, { sleep, policy: { baseDelayMs: 10 } });
    return { fake, slept, list: () => connector.listContacts({ cursor: null, signal: new AbortController().signal }) };
  }

  it('shows the invalid-token example’s summary as an auth failure, and the access-denied one as a missing permission', async () => {
    const invalid = await replay([{ status: 401, body: published('error-invalid-token.yaml', 'ErrorInvalidTokenProvided') }]);
    const auth = await failure(invalid.list());
    expect(auth).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(auth.message).toContain('It said: Invalid token provided');
    expect(invalid.fake.requests).toHaveLength(1);

    const denied = await replay([{ status: 403, body: published('error-access-denied.yaml', 'ErrorAccessDenied') }]);
    const permission = await failure(denied.list());
    expect(permission).toMatchObject({ kind: 'permission', details: { status: 403 } });
    expect(permission.message).toContain('You do not have permission to perform the requested action');
    expect(permission.message).toContain('okta.users.read');
  });

  it('waits out the too-many-requests example until its X-Rate-Limit-Reset', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 5;
    const throttled = await replay([
      {
        status: 429,
        body: published('error-too-many-requests.yaml', 'ErrorTooManyRequests'),
        headers: { 'X-Rate-Limit-Limit': '600', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(reset) },
      },
      { status: 200, body: listExample('ListUsersResponse') },
    ]);
    expect((await throttled.list()).contacts.map((c) => c.id)).toEqual(['00u118oQYT4TBTemp0g4']);
    expect(throttled.slept).toHaveLength(1);
    expect(throttled.slept[0]).toBeGreaterThan(3000);
    expect(throttled.slept[0]).toBeLessThanOrEqual(6000);
  });
});

describe('Okta connector', () => {
  it('asks for every status, so leavers come too, and maps every field', async () => {
    const { fake, list } = await setup();
    const page = await list();
    expect(page.nextCursor).toBeNull();
    expect(page.contacts[0]).toEqual({
      id: ADA.id,
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
      avatarUrl: null,
    });
    expect(page.contacts[1]).toMatchObject({ id: GRACE.id, displayName: 'Grace Hopper', location: 'US', managerId: ADA.id, status: 'active' });
    expect(page.contacts.slice(2).map((c) => [c.displayName, c.status])).toEqual([
      ['Sam Paused', 'inactive'],
      ['Alan Turing', 'inactive'],
      ['Hedy Lamarr', 'active'],
    ]);

    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'GET', path: '/api/v1/users' });
    expect(req!.headers.authorization).toBe(`SSWS ${API_TOKEN}`);
    expect(req!.query.get('limit')).toBe('200');
    expect(req!.query.get('filter')).toBe(OKTA_STATUSES.map((s) => `status eq "${s}"`).join(' or '));
  });

  it('follows the Link header’s next page until there is none', async () => {
    const users = Array.from({ length: 450 }, (_, i) => person(100 + i, i % 9 === 0 ? 'DEPROVISIONED' : 'ACTIVE'));
    const { fake, connector } = await setup({ users });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(contacts).toHaveLength(450);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(450);
    expect(contacts.filter((c) => c.status === 'inactive')).toHaveLength(50);
    expect(fake.requests.map((r) => r.query.get('after'))).toEqual([null, users[199]!.id, users[399]!.id]);
    // The filter rides along in Okta's own next links.
    expect(new Set(fake.requests.map((r) => r.query.get('filter'))).size).toBe(1);
  });

  it('waits for the reset before the next page when a page leaves no requests for this window', async () => {
    // A window of one request a second, and a sleep that really waits: the stand-in throttles any request before the reset.
    const fake = track(
      await startOktaFake({ users: Array.from({ length: 250 }, (_, i) => person(i)), apiTokens: [API_TOKEN], rateLimit: 1, resetInSeconds: 1 }),
    );
    const slept: number[] = [];
    const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, (slept.push(ms), ms)));
    const connector = createOktaConnector({ baseUrl: fake.url, credentials: { apiToken: API_TOKEN } }, { sleep });
    expect((await listAll(connector)).contacts).toHaveLength(250);
    expect(fake.requests).toHaveLength(2);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(0);
    expect(slept[0]).toBeLessThanOrEqual(2000);
  });

  it('retries a server error', async () => {
    const { fake, slept, list } = await setup({ failures: ['5xx'] });
    expect((await list()).contacts).toHaveLength(5);
    expect(slept).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a wrong API token as auth with Okta’s summary, without retrying', async () => {
    const { fake, slept, list } = await setup({}, { apiToken: 'revoked-token' });
    const err = await failure(list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(err.message).toContain('Invalid token provided');
    expect(fake.requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('names the page Okta garbled', async () => {
    const { list } = await setup({ failures: ['malformed'] });
    expect(await failure(list())).toMatchObject({ kind: 'bad_response', details: { page: 'page 1' } });
  });

  it('never follows a next link to another host or API with the token', async () => {
    const { list } = await setup();
    await expect(list('2:https://evil.example/api/v1/users?after=x')).rejects.toMatchObject({ kind: 'bad_response' });
    await expect(list('2:/api/v1/groups')).rejects.toMatchObject({ kind: 'bad_response' });
  });

  it('reads a Link header with several relations in any order', () => {
    expect(nextLink('<https://a.okta.com/api/v1/users?limit=2>; rel="self", <https://a.okta.com/api/v1/users?after=00u2&limit=2>; rel="next"')).toBe(
      'https://a.okta.com/api/v1/users?after=00u2&limit=2',
    );
    expect(nextLink('<https://a.okta.com/api/v1/users?limit=2>; rel="self"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('is a connector factory that refuses to start without an org URL or credentials, naming them', () => {
    const factory: ConnectorFactory = createOktaConnector;
    expect(OKTA_CREDENTIALS).toEqual(['apiToken']);
    expect(OKTA_SERVICE_APP_CREDENTIALS).toEqual(['clientId', 'privateKey']);
    expect(() => factory({ baseUrl: '', credentials: { apiToken: 'x' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('org URL') }),
    );
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: {} })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"apiToken"') }),
    );
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: { clientId: '0oa1' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('"privateKey"') }),
    );
    expect(() => factory({ baseUrl: 'http://127.0.0.1:9', credentials: { clientId: '0oa1', privateKey: 'not a key' } })).toThrowError(
      expect.objectContaining({ kind: 'config', message: expect.not.stringContaining('not a key') }),
    );
  });
});

describe('Okta connector: API service app (private_key_jwt)', () => {
  const CLIENT_ID = '0oa8f5j3ecb5w3dF12d7';
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  const app = (scopes?: string[], key = rsa.publicKey) => ({ serviceApp: { clientId: CLIENT_ID, publicKey: key, ...(scopes ? { scopes } : {}) } });

  it('signs in with a signed client assertion and lists every page with one access token', async () => {
    const users = Array.from({ length: 300 }, (_, i) => person(i));
    const { fake, connector } = await setup({ users, ...app() }, { clientId: CLIENT_ID, privateKey: pem, keyId: 'key-2024' });
    expect((await listAll(connector)).contacts).toHaveLength(300);
    const [token, ...pages] = fake.requests;
    expect(token).toMatchObject({ method: 'POST', path: '/oauth2/v1/token' });
    const form = new URLSearchParams(token!.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('okta.users.read');
    const [header, claims] = form
      .get('client_assertion')!
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-2024' });
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: `${fake.url}/oauth2/v1/token` });
    expect(pages).toHaveLength(2);
    expect(new Set(pages.map((r) => r.headers.authorization)).size).toBe(1);
    expect(pages[0]!.headers.authorization).toMatch(/^Bearer /);
  });

  it('takes the key as a JWK, and an EC key signs ES256', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = JSON.stringify(ec.privateKey.export({ format: 'jwk' }));
    const { list } = await setup(app(undefined, ec.publicKey), { clientId: CLIENT_ID, privateKey: jwk });
    expect((await list()).contacts).toHaveLength(5);
  });

  it('fetches a new access token once when Okta stops accepting the one it gave', async () => {
    const { fake, list } = await setup({ ...app(), failures: [null, 'unauthorized'] }, { clientId: CLIENT_ID, privateKey: pem });
    await list();
    expect((await list()).contacts).toHaveLength(5);
    expect(fake.requests.map((r) => r.path)).toEqual(['/oauth2/v1/token', '/api/v1/users', '/api/v1/users', '/oauth2/v1/token', '/api/v1/users']);
  });

  it('says which scope to grant when the app lacks okta.users.read', async () => {
    const { list } = await setup(app(['okta.groups.read']), { clientId: CLIENT_ID, privateKey: pem });
    const err = await failure(list());
    expect(err.kind).toBe('permission');
    expect(err.message).toContain('okta.users.read');
  });

  it('reports a key Okta does not know for the app as auth', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { list } = await setup(app(), { clientId: CLIENT_ID, privateKey: other });
    const err = await failure(list());
    expect(err).toMatchObject({ kind: 'auth', details: { status: 401, page: 'token request' } });
    expect(err.message).toContain('signature is invalid');
  });
});
