import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createGoogleConnector, GOOGLE_SCOPE } from './google.js';
import type { ProviderError } from './types.js';
import type { OptionalField } from './minimize.js';
import { startGoogleFake, type GoogleFakeOptions } from '../../test/fakes/google-server.js';
import type { Failure } from '../../test/fakes/loopback.js';
import { closeFakes, expectProviderError as failure, firstPage as first, listAll, setupConnector, track } from '../../test/connector-kit.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_EMAIL = 'hr-import@acme-project.iam.gserviceaccount.com';
const ADMIN = 'admin@acme.example';
const KEY_FILE = JSON.stringify({
  type: 'service_account',
  client_email: CLIENT_EMAIL,
  private_key_id: 'key-1',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
});

afterEach(closeFakes);

function person(n: number): Record<string, unknown> {
  return { id: `1000${n}`, primaryEmail: `user${n}@acme.example`, name: { givenName: `First${n}`, familyName: `Last${n}`, fullName: `First${n} Last${n}` } };
}

const setup = (overrides: Partial<GoogleFakeOptions> = {}, credentials: Record<string, string> = {}, omit?: OptionalField[]) =>
  setupConnector(
    startGoogleFake,
    createGoogleConnector,
    { users: [], publicKey, clientEmail: CLIENT_EMAIL, delegatedSubjects: [ADMIN], ...overrides },
    { serviceAccountKey: KEY_FILE, subject: ADMIN, ...credentials },
    (url) => url,
    omit,
  );

describe('Google Workspace connector', () => {
  it('asks with `fields` for only what it reads, less the fields turned off', async () => {
    const ada = {
      ...person(1),
      organizations: [{ title: 'Chief Scientist', department: 'Research', location: 'London', primary: true, costCenter: 'R&D-7' }],
      relations: [{ type: 'manager', value: 'boss@acme.example' }],
      emails: [{ address: 'ada@home.example', type: 'home' }],
      locations: [{ area: 'London', buildingId: 'B1' }],
      thumbnailPhotoUrl: 'https://lh3.googleusercontent.com/a/ada',
      phones: [{ value: '+44 20 7946 0000', type: 'mobile' }],
    };
    const asked = async (omit: OptionalField[]) => {
      const { fake, list } = await setup({ users: [ada] }, {}, omit);
      const page = await list();
      return { fields: fake.dataRequests()[0]!.query.get('fields')!, ada: page.contacts[0]! };
    };
    const off = await asked(['title', 'location', 'managerId', 'personalEmail', 'avatarUrl']);
    expect(off.fields).toBe('nextPageToken,users(id,primaryEmail,name(givenName,familyName,fullName),suspended,archived,organizations(primary,department))');
    expect(off.ada).toMatchObject({ department: 'Research', title: null, location: null, managerId: null, personalEmail: null, avatarUrl: null });
    const on = await asked([]);
    expect(on.fields).toBe(
      'nextPageToken,users(id,primaryEmail,name(givenName,familyName,fullName),suspended,archived,organizations(primary,title,department,location),locations(area,buildingId),relations(type,value),emails(type,address),thumbnailPhotoUrl)',
    );
    expect(on.ada).toMatchObject({ title: 'Chief Scientist', location: 'London', managerId: 'boss@acme.example', personalEmail: 'ada@home.example' });
    // Phones and cost centres are never asked for.
    expect(on.fields).not.toMatch(/phones|costCenter/);
  });

  it('has a stand-in as strict as Google about `fields`: a name the resource lacks is refused', async () => {
    const { fake, list } = await setup({ users: [person(1)] });
    await list();
    const authorization = fake.dataRequests()[0]!.headers.authorization!;
    const ask = async (fields: string) => {
      const res = await fetch(`${fake.url}/admin/directory/v1/users?customer=my_customer&fields=${encodeURIComponent(fields)}`, { headers: { authorization } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await ask('users(id,favouriteColour)')).toMatchObject({
      status: 400,
      body: { error: { errors: [{ reason: 'invalidParameter', message: 'Invalid field selection favouriteColour' }] } },
    });
    expect((await ask('users(id,name(')).status).toBe(400);
    expect(await ask('users(id,name/givenName)')).toEqual({ status: 200, body: { users: [{ id: '10001', name: { givenName: 'First1' } }] } });
  });

  it('lists a directory over several pages and maps every field', async () => {
    const full = {
      id: '115000000000000000001',
      primaryEmail: 'ada.lovelace@acme.example',
      name: { givenName: 'Ada', familyName: 'Lovelace', fullName: 'Ada King Lovelace' },
      suspended: false,
      archived: false,
      thumbnailPhotoUrl: 'https://lh3.googleusercontent.com/a/ada',
      organizations: [
        { title: 'Analyst', department: 'Old', primary: false },
        { title: 'Chief Scientist', department: 'Research', location: 'London', primary: true },
      ],
      relations: [
        { type: 'assistant', value: 'x@acme.example' },
        { type: 'manager', value: 'boss@acme.example' },
      ],
      emails: [
        { address: 'ada.lovelace@acme.example', primary: true },
        { address: 'ada@home.example', type: 'home' },
      ],
      locations: [{ type: 'desk', area: 'Mountain View, CA', buildingId: 'B1' }],
    };
    const users = [full, ...Array.from({ length: 11 }, (_, i) => person(i)), { ...person(99), suspended: true }, { ...person(98), archived: true }];
    const { fake, connector } = await setup({ users, pageLimit: 5 });
    const { contacts, cursors } = await listAll(connector);
    expect(contacts).toHaveLength(14);
    expect(cursors).toHaveLength(3);
    expect(cursors.at(-1)).toBeNull();
    expect(contacts[0]).toEqual({
      id: '115000000000000000001',
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada King Lovelace',
      email: 'ada.lovelace@acme.example',
      personalEmail: 'ada@home.example',
      title: 'Chief Scientist',
      department: 'Research',
      location: 'London',
      employmentType: null,
      managerId: 'boss@acme.example',
      status: 'active',
      avatarUrl: 'https://lh3.googleusercontent.com/a/ada',
    });
    expect(contacts.filter((c) => c.status === 'inactive').map((c) => c.id)).toEqual(['100099', '100098']);
    const data = fake.dataRequests();
    expect(data.map((r) => r.query.get('maxResults'))).toEqual(['500', '500', '500']);
    expect(data.map((r) => r.query.get('customer'))).toEqual(['my_customer', 'my_customer', 'my_customer']);
    expect(data[0]!.query.get('pageToken')).toBeNull();
    expect(data[1]!.query.get('pageToken')).toBeTruthy();
  });

  it('signs a delegation JWT, sends the token as a bearer and reuses it until shortly before it expires', async () => {
    const { fake, connector } = await setup({ users: [person(1), person(2)], pageLimit: 1 }, { customer: 'C01abc' });
    await listAll(connector);
    expect(fake.tokenRequests()).toHaveLength(1);
    const form = new URLSearchParams(fake.tokenRequests()[0]!.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = fake.claims[0]!;
    expect(claims).toMatchObject({ iss: CLIENT_EMAIL, sub: ADMIN, scope: GOOGLE_SCOPE, aud: `${fake.url}/token` });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(3600);
    expect(fake.dataRequests().every((r) => r.headers.authorization === 'Bearer ya29.fake-1')).toBe(true);
    expect(fake.dataRequests()[0]!.query.get('customer')).toBe('C01abc');

    // A token that lives less than the renewal margin is fetched again for every page.
    const short = await setup({ users: [person(1), person(2)], pageLimit: 1, expiresIn: 30 });
    await listAll(short.connector);
    expect(short.fake.tokenRequests()).toHaveLength(2);
  });

  it('backs off on the documented throttling signals, then succeeds', async () => {
    for (const throttle of ['userRateLimitExceeded', 'quotaExceeded', 'rateLimitExceeded'] as const) {
      const { connector, slept, fake } = await setup({ users: [person(1)], failures: ['throttle', 'throttle'], throttle });
      expect((await first(connector)).contacts).toHaveLength(1);
      expect(slept).toEqual([expect.any(Number), expect.any(Number)]);
      expect(fake.dataRequests()).toHaveLength(3);
    }
  });

  it('does not retry a spent daily quota', async () => {
    const { connector, fake } = await setup({ users: [person(1)], failures: ['throttle', 'throttle'], throttle: 'dailyLimitExceeded' });
    const err = await failure(first(connector));
    expect(err.kind).toBe('quota_exceeded');
    expect(err.message).toContain('daily');
    expect(fake.dataRequests()).toHaveLength(1);
  });

  it('retries a 5xx', async () => {
    const { connector, slept } = await setup({ users: [person(1)], failures: ['5xx'] });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toHaveLength(1);
  });

  it('reports a key that does not match, or missing delegation, without retrying', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fake = track(await startGoogleFake({ users: [], publicKey: other.publicKey, clientEmail: CLIENT_EMAIL, delegatedSubjects: [ADMIN] }));
    const connector = createGoogleConnector({ baseUrl: fake.url, tokenUrl: fake.url, credentials: { serviceAccountKey: KEY_FILE, subject: ADMIN } });
    const err = await failure(first(connector));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Invalid JWT Signature');

    const undelegated = await setup({ delegatedSubjects: ['someone-else@acme.example'] });
    const denied = await failure(first(undelegated.connector));
    expect(denied.kind).toBe('permission');
    expect(denied.message).toContain('domain-wide delegation');
    expect(undelegated.fake.tokenRequests()).toHaveLength(1);
  });

  it('names the page that came back malformed', async () => {
    const failures: Failure[] = [];
    const { connector } = await setup({ users: [person(1), person(2)], pageLimit: 1, failures });
    const page1 = await first(connector);
    failures.push('malformed');
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: new AbortController().signal }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
    expect(err.message).toContain('page 2');
  });

  it('normalizes messy records and never crashes on them', async () => {
    const users = [
      { id: 7, primaryEmail: '  Grace.HOPPER@Acme.Example ', name: { givenName: '  ', familyName: '', fullName: '' }, organizations: 'n/a', relations: null },
      { id: '8', name: { givenName: 'Linus' }, emails: [{ address: '', type: 'home' }], organizations: [{ title: '   ', department: 'Ops' }] },
      { id: '9' },
      { primaryEmail: 'no-id@acme.example' },
      { id: '10', primaryEmail: 'n/a', thumbnailPhotoUrl: '' },
    ];
    const { connector } = await setup({ users });
    const { contacts } = await first(connector);
    expect(contacts.map((c) => [c.id, c.displayName, c.email])).toEqual([
      ['7', 'Grace.HOPPER@Acme.Example', 'Grace.HOPPER@Acme.Example'],
      ['8', 'Linus', null],
      ['9', '9', null],
      ['10', '10', null],
    ]);
    expect(contacts[1]).toMatchObject({ firstName: 'Linus', lastName: null, title: null, department: 'Ops', personalEmail: null, managerId: null });
    expect(contacts[3]!.avatarUrl).toBeNull();
  });

  it('names a missing or unusable credential', () => {
    const base = { baseUrl: 'http://127.0.0.1:1', credentials: { serviceAccountKey: KEY_FILE, subject: ADMIN } };
    expect(() => createGoogleConnector({ ...base, credentials: { serviceAccountKey: KEY_FILE } })).toThrow(/"subject"/);
    expect(() => createGoogleConnector({ ...base, credentials: { subject: ADMIN, serviceAccountKey: ' ' } })).toThrow(/"serviceAccountKey"/);
    const err = (() => {
      try {
        createGoogleConnector({ ...base, credentials: { subject: ADMIN, serviceAccountKey: '{not json' } });
      } catch (e) {
        return e as ProviderError;
      }
    })();
    expect(err).toMatchObject({ kind: 'config' });
    expect(err!.message).toContain('serviceAccountKey');
  });
});
