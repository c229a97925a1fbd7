/**
 * The Microsoft Entra ID connector's incremental refresh (delta query), against a stand-in for
 * Microsoft Graph and the delta examples Microsoft publishes. The full listing: microsoft.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMicrosoftConnector } from './microsoft.js';
import type { OptionalField } from './minimize.js';
import { type MicrosoftFakeOptions } from '../../test/fakes/microsoft-server.js';
import { CREDENTIALS, person, setupMicrosoft as setup } from '../../test/fakes/microsoft-connector.js';
import { closeFakes, expectProviderError as failure, firstPage as first, listAll, listChangesAll, recordingSleep, signal } from '../../test/connector-kit.js';

afterEach(closeFakes);

describe('Microsoft Entra ID connector: incremental refresh (delta query)', () => {
  const ada = { ...person(1), jobTitle: 'Analyst', department: 'Research', officeLocation: 'London', otherMails: ['ada@home.example'], managerId: 'user-2' };
  const people = () => [{ ...ada }, person(2), person(3), person(4)];

  /** A full round through the stand-in: its contacts and the delta link its last page names. */
  async function fullRound(overrides: Partial<MicrosoftFakeOptions> = {}, omit?: OptionalField[]) {
    const set = await setup({ users: people(), pageLimit: 3, ...overrides }, {}, omit);
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = await set.connector.listContacts({ cursor, signal: signal() });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor);
    return { ...set, pages, watermark: pages.at(-1)!.watermark! };
  }

  it('ends a full listing with the delta link as the watermark, on the last page only', async () => {
    const { pages, watermark, fake } = await fullRound();
    expect(pages.map((p) => p.watermark ?? null)).toEqual([null, watermark]);
    expect(new URL(watermark).origin).toBe(new URL(fake.url).origin);
    expect(new URL(watermark).searchParams.get('$deltatoken')).toBeTruthy();
  });

  it('lists who changed since the delta link: changed and new people, the deleted by id, the next link as watermark', async () => {
    const { fake, connector, watermark } = await fullRound();
    fake.changeUser('user-3', { jobTitle: 'Engineer' });
    fake.changeUser('user-9', { givenName: 'Grace', surname: 'Hopper', displayName: 'Grace Hopper', mail: 'grace@contoso.com', accountEnabled: true });
    fake.changeUser('user-1', { managerId: 'user-3' });
    fake.removeUser('user-4', 'changed');
    fake.removeUser('user-2', 'deleted');
    const before = fake.dataRequests().length;
    const changes = await listChangesAll(connector, watermark);
    expect(changes.deleted.sort()).toEqual(['user-2', 'user-4']);
    // Graph's default: a changed user comes with every selected property that is set.
    expect(changes.contacts).toEqual([
      {
        id: 'user-3',
        firstName: 'First3',
        lastName: 'Last3',
        displayName: 'First3 Last3',
        email: 'user3@contoso.com',
        title: 'Engineer',
        status: 'active',
        avatarUrl: null,
      },
      { id: 'user-9', firstName: 'Grace', lastName: 'Hopper', displayName: 'Grace Hopper', email: 'grace@contoso.com', status: 'active', avatarUrl: null },
      expect.objectContaining({ id: 'user-1', title: 'Analyst', managerId: 'user-3', personalEmail: 'ada@home.example' }),
    ]);
    expect(changes.watermark).not.toBe(watermark);
    // The stored link is followed as given: no $select added, the token carries it.
    const asked = fake.dataRequests().slice(before);
    expect([...asked[0]!.query.keys()]).toEqual(['$deltatoken']);
    // The next round starts where this one ended: nothing new.
    expect(await listChangesAll(connector, changes.watermark!)).toMatchObject({ contacts: [], deleted: [] });
  });

  it('sends only the fields Graph sent when it sends only what changed, so nothing else is blanked', async () => {
    const { fake, connector, watermark } = await fullRound({ sendOnlyChanged: true });
    fake.changeUser('user-1', { jobTitle: 'Chief Analyst' });
    fake.changeUser('user-3', { officeLocation: null, managerId: 'user-1' });
    const { contacts } = await listChangesAll(connector, watermark);
    expect(contacts).toEqual([
      { id: 'user-1', title: 'Chief Analyst', avatarUrl: null },
      { id: 'user-3', location: null, managerId: 'user-1', avatarUrl: null },
    ]);
  });

  it('takes the manager away when manager@delta marks it removed', async () => {
    const { fake, connector, watermark } = await fullRound({ sendOnlyChanged: true });
    fake.changeUser('user-1', { managerId: null });
    expect((await listChangesAll(connector, watermark)).contacts).toEqual([{ id: 'user-1', managerId: null, avatarUrl: null }]);
  });

  it('ends with a bad_response when Graph wants a full synchronization: an expired link (syncStateNotFound) or a tenant reset (410)', async () => {
    const expired = await fullRound();
    expired.fake.expireDeltaLinks();
    const err = await failure(listChangesAll(expired.connector, expired.watermark));
    expect(err).toMatchObject({ kind: 'bad_response', details: { status: 400 } });
    expect(err.message).toContain('no longer honours the stored delta link');
    await closeFakes();
    const reset = await fullRound();
    reset.fake.requireResync();
    expect(await failure(listChangesAll(reset.connector, reset.watermark))).toMatchObject({ kind: 'bad_response', details: { status: 410 } });
    // Neither is retried: the same link would be refused again.
    expect(reset.slept).toEqual([]);
  });

  it('leaves turned-off fields out of $select, so Graph never sends them, and asks for them when on', async () => {
    const on = await fullRound({}, ['avatarUrl']);
    expect(on.fake.dataRequests()[0]!.query.get('$select')!.split(',')).toEqual(
      expect.arrayContaining(['jobTitle', 'officeLocation', 'otherMails', 'manager']),
    );
    expect(on.pages[0]!.contacts[0]).toMatchObject({ title: 'Analyst', location: 'London', personalEmail: 'ada@home.example', managerId: 'user-2' });
    await closeFakes();

    const off = await fullRound({}, ['title', 'location', 'personalEmail', 'managerId', 'avatarUrl']);
    const select = off.fake.dataRequests()[0]!.query.get('$select')!.split(',');
    for (const property of ['jobTitle', 'officeLocation', 'otherMails', 'manager']) expect(select).not.toContain(property);
    expect(select).toEqual(expect.arrayContaining(['id', 'mail', 'userPrincipalName', 'department', 'employeeType', 'accountEnabled']));
    // Graph answered only what was selected: none of Ada's title, office, other mails or manager arrived.
    const ada1 = off.pages[0]!.contacts[0]!;
    expect(ada1).toMatchObject({ id: 'user-1', department: 'Research', title: null, location: null, personalEmail: null, managerId: null });
    // The changes follow the link, which carries the same selection.
    off.fake.changeUser('user-1', { jobTitle: 'Chief Analyst', department: 'Board', managerId: 'user-3' });
    const changes = await listChangesAll(off.connector, off.watermark);
    expect(changes.contacts).toEqual([expect.objectContaining({ id: 'user-1', department: 'Board' })]);
    expect(changes.contacts[0]).not.toHaveProperty('title');
    expect(changes.contacts[0]).not.toHaveProperty('managerId');
  });

  it('refuses a stored delta link made with other fields turned off, so a full refresh asks for the fields as now configured', async () => {
    const { fake, watermark } = await fullRound();
    const connectorFor = (omit: OptionalField[]) =>
      createMicrosoftConnector({ baseUrl: fake.url, tokenUrl: fake.url, credentials: CREDENTIALS, omit }, { policy: { baseDelayMs: 10 } });
    // Titles turned off after the link was stored: following it would go on fetching them.
    const before = fake.dataRequests().length;
    const err = await failure(listChangesAll(connectorFor(['title']), watermark));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'changes' } });
    expect(err.message).toContain('full refresh');
    expect(fake.dataRequests().length).toBe(before);
    // The full refresh's link says what it left out; the same settings follow it, without the mark reaching Graph.
    const titlesOff = connectorFor(['title']);
    let cursor: string | null = null;
    let link: string | null | undefined = null;
    do {
      const page = await titlesOff.listContacts({ cursor, signal: signal() });
      link = page.watermark ?? link;
      cursor = page.nextCursor;
    } while (cursor);
    expect(link).toMatch(/#omit=jobTitle$/);
    fake.changeUser('user-2', { jobTitle: 'Hidden', department: 'Ops' });
    const asked = fake.dataRequests().length;
    expect((await listChangesAll(titlesOff, link!)).contacts).toEqual([expect.objectContaining({ id: 'user-2', department: 'Ops' })]);
    const followed = fake.dataRequests()[asked]!;
    expect([...followed.query.keys()]).toEqual(['$deltatoken']);
    expect(followed.query.get('$deltatoken')).not.toContain('omit');
    // Titles turned on again: that link left them out, so it is refused as well, and so is a link without the mark.
    expect(await failure(listChangesAll(connectorFor([]), link!))).toMatchObject({ kind: 'bad_response' });
    expect(await failure(listChangesAll(connectorFor(['title']), watermark))).toMatchObject({ kind: 'bad_response' });
    // A field Graph has no property for (the avatar) changes nothing: links stored before still serve.
    expect(await listChangesAll(connectorFor(['avatarUrl']), watermark)).toMatchObject({ deleted: [] });
  });

  it('never sends the token to a stored link on another host, or to anything but the delta function', async () => {
    const { fake, connector, watermark } = await fullRound();
    const before = fake.requests.length;
    const elsewhere = watermark.replace(new URL(watermark).origin, 'https://graph.evil.example');
    expect(await failure(listChangesAll(connector, elsewhere))).toMatchObject({ kind: 'bad_response' });
    expect(await failure(listChangesAll(connector, `${new URL(watermark).origin}/v1.0/me/messages`))).toMatchObject({ kind: 'bad_response' });
    expect(fake.requests.length).toBe(before);
  });

  it('has a stand-in as strict as Graph: unknown $select properties, and $top or $expand on delta, are refused', async () => {
    const { fake, connector } = await setup({ users: people() });
    await first(connector);
    const token = 'eyJ0eXAiOiJKV1Qi.fake-1';
    const ask = async (query: string) => {
      const res = await fetch(`${fake.url}/v1.0/users/delta?${query}`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    };
    expect(await ask('$select=id,favouriteColour')).toMatchObject({
      status: 400,
      body: { error: { code: 'Request_BadRequest', message: expect.stringContaining("'favouriteColour'") } },
    });
    expect((await ask('$top=999')).status).toBe(400);
    expect((await ask('$expand=manager')).status).toBe(400);
    expect((await ask('$deltatoken=never-issued')).body.error?.code).toBe('syncStateNotFound');
  });
});

describe('Microsoft Entra ID connector: delta examples Microsoft publishes (microsoft-graph-docs-contrib)', () => {
  const example = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../test/fixtures/providers/microsoft/${file}`, import.meta.url), 'utf8'));
  const GRAPH = 'https://graph.microsoft.com';

  /**
   * A connector on Graph's own host whose requests are answered, by exact URL, with the examples
   * verbatim (a URL answered by a list gets its entries in turn): the links in the examples are
   * followed as published, and the origin check sees the real host.
   */
  function replay(answers: Record<string, unknown[]>) {
    const asked: string[] = [];
    const fetchExample: typeof fetch = async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/oauth2/v2.0/token'))
        return Response.json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'graph-token' });
      asked.push(url);
      const queue = answers[decodeURIComponent(url)];
      if (!queue?.length) return Response.json({ error: { code: 'BadRequest', message: `no example for ${url}` } }, { status: 400 });
      return Response.json(queue.length > 1 ? queue.shift() : queue[0]);
    };
    const connector = createMicrosoftConnector(
      { baseUrl: GRAPH, credentials: CREDENTIALS, fetch: fetchExample },
      { sleep: recordingSleep().sleep, policy: { baseDelayMs: 10 } },
    );
    return { connector, asked };
  }
  const names = (first: string, last: string, id: string) => ({ id, firstName: first, lastName: last, displayName: `${first} ${last}` });
  const unset = {
    email: null,
    personalEmail: null,
    title: null,
    department: null,
    location: null,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
  };

  it('replays "Get incremental changes for users": a full round over three pages, then its delta link twice', async () => {
    const first = `${GRAPH}/v1.0/users/delta?$select=id,givenName,surname,displayName,mail,userPrincipalName,otherMails,jobTitle,department,officeLocation,employeeType,accountEnabled,manager`;
    const skip1 = `${GRAPH}/v1.0/users/delta?$skiptoken=oEBwdSP6uehIAxQOWq_3Ksh_TLol6KIm3stvdc6hGhZRi1hQ7Spe__dpvm3U4zReE4CYXC2zOtaKdi7KHlUtC2CbRiBIUwOxPKLa`;
    const skip2 = `${GRAPH}/v1.0/users/delta?$skiptoken=pqwSUjGYvb3jQpbwVAwEL7yuI3dU1LecfkkfLPtnIjtQ5LOhVoS7qQG_wdVCHHlbQpga7`;
    const deltaLink = `${GRAPH}/v1.0/users/delta?$deltatoken=oEcOySpF_hWYmTIUZBOIfPzcwisr_rPe8o9M54L45qEXQGmvQC6T2dbL-9O7nSU-njKhFiGlAZqewNAThmCVnNxqPu5gOBegrm1CaVZ-ZtFZ2tPOAO98OD9y0ao460`;
    const { connector, asked } = replay({
      [first]: [example('users-delta-initial.json')],
      [skip1]: [example('users-delta-nextlink.json')],
      [skip2]: [example('users-delta-final-nextlink.json')],
      [deltaLink]: [example('users-delta-deltalink-no-changes.json'), example('users-delta-deltalink-changes.json')],
    });
    const { contacts, pages } = await listAll(connector);
    expect(pages).toBe(3);
    expect(asked.map(decodeURIComponent)).toEqual([first, skip1, skip2]);
    // The user the first page marks @removed is not part of the directory.
    expect(contacts).toEqual([
      { ...unset, ...names('Cameron', 'White', 'ffff7b1a-13b6-477b-8c0c-380905cd99f7') },
      { ...unset, ...names('Delia', 'Dennis', '605d1257-ffff-40b6-8e6f-528a53f5dc55') },
      // A room: only a display name was ever set.
      { ...unset, id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0', firstName: null, lastName: null, displayName: 'Conf Room Adams' },
      { ...unset, ...names('Mallory', 'Cortez', 'd8c37826-ffff-4cae-b348-e2725b1e814b') },
      { ...unset, ...names('Diego', 'Sicilian', '8b1ee412-cd8f-4d59-ffff-24010edb9f1f') },
      { ...unset, ...names('Lidia', 'Holloway', '25dcffff-959e-4ece-9973-e5d9b800e8cc') },
      { ...unset, ...names('Patti', 'Fernandez', 'f6ede700-27d0-4c42-bfb9-4dffff43c74a') },
    ]);
    // The last page's delta link (checked in the next test) starts the next round.
    const watermark = deltaLink;
    const next =
      'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=MF1LuFYbK6Lw4DtZ4o9PDrcGekRP65WEJfDmM0H26l4v9zILCPFiPwSAAeRBghxgiwsXEfywcVQ9R8VEWuYAB50Yw3KvJ-8Z1zamVotGX2b_AHVS_Z-3b0NAtmGpod';
    expect(await listChangesAll(connector, watermark)).toEqual({ contacts: [], deleted: [], watermark: next, pages: 1 });
    expect(await listChangesAll(connector, watermark)).toEqual({
      // Only the names were sent (the example selected them): everything else the directory holds stays.
      contacts: [
        { id: '25dcffff-959e-4ece-9973-e5d9b800e8cc', firstName: 'MOD', lastName: 'Administrator', displayName: 'MOD Administrator', avatarUrl: null },
      ],
      deleted: ['8ffff70c-1c63-4860-b963-e34ec660931d'],
      watermark: next,
      pages: 1,
    });
  });

  it('names the full round\u2019s delta link as the watermark of its last page', async () => {
    const first = `${GRAPH}/v1.0/users/delta?$select=id,givenName,surname,displayName,mail,userPrincipalName,otherMails,jobTitle,department,officeLocation,employeeType,accountEnabled,manager`;
    const { connector } = replay({ [first]: [example('users-delta-final-nextlink.json')] });
    const page = await connector.listContacts({ cursor: null, signal: signal() });
    expect(page.watermark).toBe(
      'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=oEcOySpF_hWYmTIUZBOIfPzcwisr_rPe8o9M54L45qEXQGmvQC6T2dbL-9O7nSU-njKhFiGlAZqewNAThmCVnNxqPu5gOBegrm1CaVZ-ZtFZ2tPOAO98OD9y0ao460',
    );
  });

  it('replays "user: delta" Examples 1 and 2: a whole changed user, and a change that names no id', async () => {
    const since = `${GRAPH}/v1.0/users/delta?$deltatoken=stored`;
    const adele = replay({ [since]: [example('user-delta-example-1.json')] });
    const page = await adele.connector.listChanges!({ since, startedAt: new Date(), signal: signal() })[Symbol.asyncIterator]().next();
    expect(page.value).toEqual({
      contacts: [
        {
          id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
          firstName: 'Adele',
          lastName: 'Vance',
          displayName: 'Adele Vance',
          // The mailbox address, even on the tenant's onmicrosoft.com domain: only a UPN there is routing-only.
          email: 'AdeleV@contoso.onmicrosoft.com',
          title: 'Retail Manager',
          location: '18/2111',
          avatarUrl: null,
        },
      ],
      deleted: [],
      // Not the last page: the watermark comes with the page that names the delta link.
      watermark: null,
    });
    const noId = replay({ [since]: [example('user-delta-example-2.json')] });
    const second = await noId.connector.listChanges!({ since, startedAt: new Date(), signal: signal() })[Symbol.asyncIterator]().next();
    // The example selected no id (Graph always returns it; the docs shortened it): nothing to apply it to.
    expect(second.value).toEqual({ contacts: [], deleted: [], watermark: null });
  });
});
