/**
 * The Microsoft Entra ID connector's full listing, against a stand-in for Microsoft Graph and
 * Microsoft's own published examples. Incremental refresh (delta query): microsoft-delta.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMicrosoftConnector } from './microsoft.js';
import { CREDENTIALS, TENANT, person, setupMicrosoft as setup } from '../../test/fakes/microsoft-connector.js';
import { startLoopback, type Failure } from '../../test/fakes/loopback.js';
import { closeFakes, expectProviderError as failure, firstPage as first, listAll, recordingSleep, signal, track } from '../../test/connector-kit.js';

afterEach(closeFakes);

describe('Microsoft Entra ID connector', () => {
  it('gets everyone over the pages Graph sizes itself, each manager from its manager@delta', async () => {
    const users = Array.from({ length: 250 }, (_, i) => ({ ...person(i), managerId: i ? 'user-0' : undefined }));
    const { connector } = await setup({ users });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(250);
    expect(contacts[249]!.managerId).toBe('user-0');
    expect(contacts[0]!.managerId).toBeNull();
  });

  it('lists a directory over several pages and maps every field', async () => {
    const ada = {
      id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0',
      givenName: 'Ada',
      surname: 'Lovelace',
      displayName: 'Ada Lovelace (Research)',
      mail: 'Ada.Lovelace@contoso.com',
      userPrincipalName: 'ada@contoso.com',
      otherMails: ['ada.lovelace@contoso.com', 'ada@home.example'],
      jobTitle: 'Chief Scientist',
      department: 'Research',
      officeLocation: 'London 4/12',
      accountEnabled: true,
      employeeType: 'Contractor',
      managerId: 'boss-id',
    };
    const users = [ada, ...Array.from({ length: 6 }, (_, i) => person(i)), { ...person(9), accountEnabled: false }];
    const { fake, connector } = await setup({ users, pageLimit: 3 });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(contacts).toHaveLength(8);
    expect(contacts[0]).toEqual({
      id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0',
      firstName: 'Ada',
      lastName: 'Lovelace',
      displayName: 'Ada Lovelace (Research)',
      email: 'Ada.Lovelace@contoso.com',
      personalEmail: 'ada@home.example',
      title: 'Chief Scientist',
      department: 'Research',
      location: 'London 4/12',
      employmentType: 'Contractor',
      managerId: 'boss-id',
      status: 'active',
      avatarUrl: null,
    });
    expect(contacts.at(-1)).toMatchObject({ id: 'user-9', status: 'inactive', managerId: null });
    const data = fake.dataRequests();
    // A delta round: $select once (the links carry it), no $top or $expand, which delta refuses on users.
    expect(data.map((r) => r.path)).toEqual(['/v1.0/users/delta', '/v1.0/users/delta', '/v1.0/users/delta']);
    expect(data[0]!.query.get('$select')!.split(',')).toEqual(
      expect.arrayContaining(['accountEnabled', 'otherMails', 'department', 'employeeType', 'manager']),
    );
    expect(data.some((r) => r.query.has('$top') || r.query.has('$expand'))).toBe(false);
    expect([...data[1]!.query.keys()]).toEqual(['$skiptoken']);
  });

  it('gets a client-credentials token for Graph, sends it as a bearer and reuses it', async () => {
    const { fake, connector } = await setup({ users: [person(1), person(2)], pageLimit: 1 });
    await listAll(connector);
    const tokens = fake.tokenRequests();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(new URLSearchParams(tokens[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(tokens[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(fake.dataRequests().every((r) => r.headers.authorization === 'Bearer eyJ0eXAiOiJKV1Qi.fake-1')).toBe(true);
  });

  it('gets a fresh token once when Graph rejects one early, then reports auth', async () => {
    const { fake, connector } = await setup({ users: [person(1), person(2)], pageLimit: 1, revokeTokensAfter: 1 });
    const page1 = await first(connector);
    // The fake keeps refusing every token after the first page: one renewal, then a typed error.
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: signal() }));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('token is expired');
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it('waits as Retry-After says when throttled', async () => {
    const { connector, slept } = await setup({ users: [person(1)], failures: ['throttle', 'throttle'], retryAfterSeconds: 7 });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toEqual([7000, 7000]);
  });

  it('retries a 5xx', async () => {
    const { connector, slept, fake } = await setup({ users: [person(1)], failures: ['5xx', '5xx'] });
    expect((await first(connector)).contacts).toHaveLength(1);
    expect(slept).toHaveLength(2);
    expect(fake.dataRequests()).toHaveLength(3);
  });

  it('reports wrong credentials as auth without retrying', async () => {
    for (const wrong of [{ clientSecret: 'nope' }, { clientId: 'unknown-app' }, { tenantId: 'other-tenant' }]) {
      const { connector, fake, slept } = await setup({ users: [person(1)] }, wrong);
      const err = await failure(first(connector));
      expect(err.kind).toBe('auth');
      expect(err.message).toMatch(/AADSTS/);
      expect(fake.tokenRequests()).toHaveLength(1);
      expect(slept).toEqual([]);
    }
  });

  it('refuses a next-page link to another host, which would carry the token away', async () => {
    const { connector } = await setup({ users: [person(1), person(2)], pageLimit: 1, nextLinkOrigin: 'https://graph.evil.example' });
    const err = await failure(first(connector));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 1' } });
    expect(err.message).toContain('graph.evil.example');
  });

  it('names the page that came back malformed', async () => {
    const failures: Failure[] = [];
    const { connector } = await setup({ users: [person(1), person(2)], pageLimit: 1, failures });
    const page1 = await first(connector);
    failures.push('malformed');
    const err = await failure(connector.listContacts({ cursor: page1.nextCursor, signal: signal() }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'page 2' } });
  });

  it('normalizes messy records: no mail, guest and tenant-domain UPNs, blanks', async () => {
    const users = [
      { id: 'a', givenName: ' ', surname: '', displayName: '  ', mail: null, userPrincipalName: 'Grace.Hopper@Contoso.com', otherMails: [] },
      { id: 'b', givenName: 'Guest', mail: null, userPrincipalName: 'guest_fabrikam.com#EXT#@contoso.onmicrosoft.com', otherMails: null },
      { id: 'c', displayName: 'Room 1', mail: null, userPrincipalName: 'room1@contoso.onmicrosoft.com', jobTitle: '', department: '   ' },
      { id: 'd', mail: 'n/a', otherMails: ['', 'not-an-address'] },
      { displayName: 'No id' },
    ];
    const { connector } = await setup({ users });
    const { contacts } = await first(connector);
    expect(contacts.map((c) => [c.id, c.displayName, c.email])).toEqual([
      ['a', 'Grace.Hopper@Contoso.com', 'Grace.Hopper@Contoso.com'],
      ['b', 'Guest', null],
      ['c', 'Room 1', null],
      ['d', 'd', null],
    ]);
    expect(contacts[2]).toMatchObject({ title: null, department: null, personalEmail: null, status: 'active' });
    expect(contacts[3]!.personalEmail).toBeNull();
  });

  it('names a missing credential', () => {
    expect(() => createMicrosoftConnector({ baseUrl: 'http://127.0.0.1:1', credentials: { tenantId: TENANT, clientId: 'x' } })).toThrow(/"clientSecret"/);
  });
});

describe('Microsoft Entra ID connector: Microsoft’s own published examples (microsoft-graph-docs-contrib)', () => {
  const example = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../test/fixtures/providers/microsoft/${file}`, import.meta.url), 'utf8'));

  /** A loopback answering the token request with a token and every Graph request with `body`, verbatim. */
  async function replay(body: unknown) {
    const fake = track(
      await startLoopback((req, send) => {
        if (req.path.endsWith('/oauth2/v2.0/token'))
          return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'graph-token' });
        send(200, body);
      }),
    );
    const { sleep } = recordingSleep();
    const connector = createMicrosoftConnector({ baseUrl: fake.url, tokenUrl: fake.url, credentials: CREDENTIALS }, { sleep, policy: { baseDelayMs: 10 } });
    return { fake, list: () => connector.listContacts({ cursor: null, signal: signal() }) };
  }

  it('lists "Example 1: Get all users": a room with no names, and an admin whose mail is null', async () => {
    const { list } = await replay(example('list-users-example-1.json'));
    const page = await list();
    expect(page.nextCursor).toBeNull();
    const none = { personalEmail: null, title: null, department: null, location: null, employmentType: null, managerId: null, avatarUrl: null };
    expect(page.contacts).toEqual([
      // accountEnabled is absent (not selected in the example): absent is not disabled.
      {
        id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0',
        firstName: null,
        lastName: null,
        displayName: 'Conf Room Adams',
        email: 'Adams@contoso.com',
        status: 'active',
        ...none,
      },
      // No mail: the user principal name is the address people sign in and receive mail with.
      {
        id: '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e',
        firstName: 'MOD',
        lastName: 'Administrator',
        displayName: 'MOD Administrator',
        email: 'admin@contoso.com',
        status: 'active',
        ...none,
      },
    ]);
  });
});
