/**
 * Searches answered again from memory (answers.ts) stay exact, on a real database (SQLite, or
 * PostgreSQL with TEST_PG_URL): for each write that can change an answer, the admin searches,
 * the write happens, and the same search shows it: the directory's refreshes (full, incremental,
 * the first one after the directory was dropped), a CSV upload, a SCIM push, an erasure, a member
 * sync, an import, a revoke, a resend, an accept, and an invite that expires with no write at all.
 * Two apps on one database, as two replicas, each see the other's writes. A seat change keeps the
 * people of a page (computed again only for a change of the directory) and changes its seats and
 * `selectable`; targets listing one directory share its people and never each other's seats.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, createHarness, mailedToken, SECRET, type Harness } from '../../../test/harness.js';
import { directoryPerson } from '../../../test/directory.js';
import { csvProvider, scimProvider, staticProvider } from '../../providers/registry.js';
import type { Connector, DirectoryContact } from '../../connectors/types.js';
import type { ContactFacets, ContactPage, ImportResult, InviteSummary } from '../../../contract/index.js';
import { createRetentionWorker } from '../retention.js';
import { parseSettings } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { seatsChanged } from '../../db/answer-generations.js';

const DAY = 86_400_000;
const message = { subject: 'Join', body: 'Hi {{firstName}}' };

const person = (id: string, name: string, department = 'Engineering'): DirectoryContact =>
  directoryPerson(id, { firstName: name.split(' ')[0]!, displayName: name, title: 'Engineer', department, location: 'Berlin' });

/**
 * An HR application whose people the test edits; with `changes`, it also lists what changed since
 * a watermark. Its directory is kept a year unless `ttlDays` says otherwise: a refresh also
 * announces a change, so a test of anything else must not have one happen meanwhile.
 */
function hrApplication(changes = false, ttlDays = 365) {
  const people = new Map(['ada Lovelace', 'bob Engel', 'cleo Berg', 'dan Moreno'].map((n, i) => [`p${i}`, person(`p${i}`, n)]));
  const log: string[] = [];
  const connector: Connector = {
    listContacts: async () => ({ contacts: [...people.values()], nextCursor: null, total: people.size }),
    ...(changes && {
      changeWatermark: async () => `v${log.length}`,
      async *listChanges({ since }) {
        const ids = log.slice(Number(since.slice(1)));
        yield {
          contacts: ids.flatMap((id) => people.get(id) ?? []),
          deleted: ids.filter((id) => !people.has(id)),
          watermark: `v${log.length}`,
        };
      },
    }),
  };
  return {
    provider: staticProvider('hr', 'hr', 'HR', () => connector, { baseUrl: 'builtin:', credentials: {} }, (ttlDays * DAY) / 1000),
    set(p: DirectoryContact) {
      people.set(p.id, p);
      log.push(p.id);
    },
    remove(id: string) {
      people.delete(id);
      log.push(id);
    },
  };
}

let h: Harness;
let others: Harness[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const o of others) await o.close();
  others = [];
  await h.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setUp(hr = hrApplication(false), options: Parameters<typeof createHarness>[0] = {}) {
  h = await createHarness({ providers: [hr.provider, csvProvider(), scimProvider()], ...options });
  await h.target('organization', 'acme', 100);
  return { hr, token: await h.session({ type: 'organization', id: 'acme' }) };
}

/** What the admin sees for a search: who, each one's membership, and the two counts. */
async function search(token: string, words = 'eng', provider = 'hr', app = h) {
  const res = await app.request('GET', `/api/providers/${provider}/contacts?limit=50&search=${encodeURIComponent(words)}`, { token });
  expect(res.status).toBe(200);
  const page = (await res.json()) as ContactPage;
  return {
    people: Object.fromEntries(page.items.map((c) => [c.displayName, c.membership])),
    total: page.total,
    selectable: page.selectable,
  };
}

async function facets(token: string, words = 'eng') {
  const res = await h.request('GET', `/api/providers/hr/contacts/facets?search=${encodeURIComponent(words)}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as ContactFacets;
}

async function importPeople(token: string, ids: string[], key: string) {
  const res = await h.request('POST', '/api/imports', {
    token,
    body: { provider: 'hr', selection: { ids }, role: 'user', message },
    headers: { 'Idempotency-Key': `answers-${key}-0123456789` },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as ImportResult;
}

async function invites(token: string): Promise<InviteSummary[]> {
  return ((await (await h.request('GET', '/api/invites', { token })).json()) as { items: InviteSummary[] }).items;
}

/** Moves the clock on; a session of that moment (tokens last 15 minutes). */
async function after(ms: number): Promise<string> {
  h.clock.now = new Date(h.clock.now.getTime() + ms);
  return h.session({ type: 'organization', id: 'acme' });
}

const ALL = { 'ada Lovelace': null, 'bob Engel': null, 'cleo Berg': null, 'dan Moreno': null };

describe('searches kept between keystrokes', () => {
  it('answer again from memory: a row written around the services is not seen until a write announces a change', async () => {
    const { token } = await setUp();
    expect(await search(token)).toEqual({ people: ALL, total: 4, selectable: 4 });
    // Proof that the answers are kept (else every test below would pass without them): this
    // bare insert raises no generation, so the kept answer is served.
    await h.db.kysely
      .insertInto('members')
      .values({
        target_type: 'organization',
        target_id: 'acme',
        email: 'p0@acme.test',
        external_id: null,
        name: null,
        role: 'user',
        created_at: h.clock.now.toISOString(),
      })
      .execute();
    expect((await search(token)).selectable).toBe(4);
    // Announced, as every write of the services announces it, the kept search sees it, and so does
    // a new one (whose counts may come from the directory's copy and its seats, copy.ts).
    await h.db.kysely.transaction().execute((trx) => seatsChanged(trx, { type: 'organization', id: 'acme' }));
    expect((await search(token)).selectable).toBe(3);
    expect((await search(token, 'engineer')).selectable).toBe(3);
  });

  it('follow a full refresh of the directory', async () => {
    // A day's cache: the clock moves past it, and the next listing refreshes.
    const { hr, token: before } = await setUp(hrApplication(false, 1));
    expect(await search(before)).toEqual({ people: ALL, total: 4, selectable: 4 });
    expect((await facets(before)).departments).toEqual([{ value: 'Engineering', count: 4 }]);
    hr.remove('p1');
    hr.set({ ...person('p4', 'eve Stone'), department: 'Research' });
    const token = await after(2 * DAY);
    expect(await search(token)).toEqual({
      people: { 'ada Lovelace': null, 'cleo Berg': null, 'dan Moreno': null, 'eve Stone': null },
      total: 4,
      selectable: 4,
    });
    expect((await facets(token)).departments).toEqual([
      { value: 'Engineering', count: 3 },
      { value: 'Research', count: 1 },
    ]);
  });

  it('follow an incremental refresh', async () => {
    const { hr, token: before } = await setUp(hrApplication(true, 1));
    expect((await search(before)).total).toBe(4);
    hr.set({ ...person('p0', 'ada Lovelace'), title: 'Poet', department: 'Arts' });
    const token = await after(2 * DAY);
    expect(await search(token)).toEqual({ people: { 'bob Engel': null, 'cleo Berg': null, 'dan Moreno': null }, total: 3, selectable: 3 });
    expect((await facets(token)).departments).toEqual([{ value: 'Engineering', count: 3 }]);
  });

  it('follow a directory dropped as unused and fetched again by its first refresh', async () => {
    const { hr, token: before } = await setUp();
    expect((await search(before)).total).toBe(4);
    hr.set(person('p5', 'finn Engstrom'));
    const retention = parseSettings({ apiKeys: [API_KEY], secret: SECRET }).retention;
    const token = await after((retention.directoryUnusedDays + 1) * DAY);
    const run = await createRetentionWorker({ db: h.db.kysely, retention, now: () => h.clock.now, logger: silentLogger }).runOnce();
    expect(run.directories).toBe(1);
    expect((await search(token)).people).toEqual({ ...ALL, 'finn Engstrom': null });
  });

  it('follow a CSV upload replacing the directory', async () => {
    const { token } = await setUp();
    const confirm = async (rows: string[]) => {
      const text = ['id,name,email,title', ...rows].join('\n');
      const res = await h.request('POST', '/api/providers/csv/uploads', { token, headers: { 'Content-Type': 'text/csv' }, rawBody: text });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const mapping = { id: 'id', displayName: 'name', email: 'email', title: 'title' };
      expect((await h.request('POST', `/api/providers/csv/uploads/${id}/confirm`, { token, body: { mapping } })).status).toBe(200);
    };
    await confirm(['1,Ada Lovelace,ada@acme.test,Engineer', '2,Bob Engel,bob@acme.test,Engineer']);
    expect(await search(token, 'eng', 'csv')).toMatchObject({ total: 2, selectable: 2 });
    await confirm(['1,Ada Lovelace,ada@acme.test,Engineer', '3,Cleo Berg,,Engineer']);
    expect(await search(token, 'eng', 'csv')).toEqual({ people: { 'Ada Lovelace': null, 'Cleo Berg': null }, total: 2, selectable: 1 });
  });

  it('follow what an identity provider pushes over SCIM', async () => {
    const { token } = await setUp();
    const scimToken = ((await (await h.request('POST', '/api/organizations/acme/scim-token', { token: API_KEY })).json()) as { token: string }).token;
    const scim = (method: string, path: string, body?: unknown) =>
      h.request(method, `/api/scim/v2${path}`, {
        token: scimToken,
        ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/scim+json' } }),
      });
    const user = (userName: string, givenName: string) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName, familyName: 'Engel' },
      emails: [{ value: userName, type: 'work', primary: true }],
      active: true,
    });
    expect((await scim('POST', '/Users', user('ada@acme.test', 'Ada'))).status).toBe(201);
    expect((await search(token, 'engel', 'scim')).total).toBe(1);
    const bob = (await (await scim('POST', '/Users', user('bob@acme.test', 'Bob'))).json()) as { id: string };
    expect((await search(token, 'engel', 'scim')).total).toBe(2);
    expect((await scim('DELETE', `/Users/${bob.id}`)).status).toBe(204);
    expect(await search(token, 'engel', 'scim')).toEqual({ people: { 'Ada Engel': null }, total: 1, selectable: 1 });
  });

  it('follow the erasure of a person', async () => {
    const { token } = await setUp();
    await importPeople(token, ['p1'], 'erase');
    expect(await search(token)).toMatchObject({ total: 4, selectable: 3 });
    expect((await h.request('POST', '/api/privacy/erase', { token: API_KEY, body: { email: 'p1@acme.test' } })).status).toBe(200);
    expect(await search(token)).toEqual({ people: { 'ada Lovelace': null, 'cleo Berg': null, 'dan Moreno': null }, total: 3, selectable: 3 });
  });

  it('follow a member sync from the host', async () => {
    const { token } = await setUp();
    expect((await search(token)).selectable).toBe(4);
    const sync = (emails: string[]) =>
      h.request('PUT', '/api/targets/organization/acme/members', { token: API_KEY, body: { members: emails.map((email, i) => ({ id: `m${i}`, email })) } });
    expect((await sync(['p0@acme.test', 'p2@acme.test'])).status).toBe(200);
    expect(await search(token)).toEqual({ people: { ...ALL, 'ada Lovelace': 'member', 'cleo Berg': 'member' }, total: 4, selectable: 2 });
    expect((await sync(['p2@acme.test'])).status).toBe(200);
    expect(await search(token)).toEqual({ people: { ...ALL, 'cleo Berg': 'member' }, total: 4, selectable: 3 });
  });

  it('follow an import, a revoke, an expiry with no write, a resend and an accept', async () => {
    const { token } = await setUp();
    expect((await search(token)).selectable).toBe(4);

    await importPeople(token, ['p0', 'p1'], 'first');
    expect(await search(token)).toEqual({ people: { ...ALL, 'ada Lovelace': 'invited', 'bob Engel': 'invited' }, total: 4, selectable: 2 });

    const [ada, bob] = (await invites(token)).sort((a, b) => a.email.localeCompare(b.email));
    expect((await h.request('DELETE', `/api/invites/${bob!.id}`, { token })).status).toBe(204);
    expect(await search(token)).toEqual({ people: { ...ALL, 'ada Lovelace': 'invited' }, total: 4, selectable: 3 });

    // Nothing is written when an invite expires: the kept answer must not outlive it.
    const later = await after(8 * DAY);
    expect(await search(later)).toEqual({ people: ALL, total: 4, selectable: 4 });

    expect((await h.request('POST', `/api/invites/${ada!.id}/resend`, { token: later })).status).toBe(200);
    expect(await search(later)).toEqual({ people: { ...ALL, 'ada Lovelace': 'invited' }, total: 4, selectable: 3 });

    const link = await mailedToken(h.db, ada!.id);
    expect((await h.request('POST', '/api/invites/accept', { body: { token: link } })).status).toBe(200);
    expect(await search(later)).toEqual({ people: { ...ALL, 'ada Lovelace': 'member' }, total: 4, selectable: 3 });
  });

  it('expire with the first invite they counted, though others are still pending', async () => {
    const { token } = await setUp();
    await importPeople(token, ['p0'], 'early');
    const token3 = await after(3 * DAY);
    await importPeople(token3, ['p1'], 'late');
    expect((await search(token3)).selectable).toBe(2);
    // Past the first invite's 7 days, not the second's.
    expect(await search(await after(4 * DAY + 1000))).toEqual({
      people: { ...ALL, 'bob Engel': 'invited' },
      total: 4,
      selectable: 3,
    });
  });

  it('keep a page’s people across an import, which changes only its seats and selectable, on every page', async () => {
    const { token } = await setUp();
    const pages = async (t: string) => {
      const first = (await (await h.request('GET', '/api/providers/hr/contacts?limit=2&search=eng', { token: t })).json()) as ContactPage;
      const second = (await (
        await h.request('GET', `/api/providers/hr/contacts?limit=2&search=eng&cursor=${first.nextCursor}`, { token: t })
      ).json()) as ContactPage;
      return [first, second].map((p) => ({ people: p.items.map((c) => [c.displayName, c.membership]), total: p.total, selectable: p.selectable }));
    };
    expect(await pages(token)).toEqual([
      {
        people: [
          ['ada Lovelace', null],
          ['bob Engel', null],
        ],
        total: 4,
        selectable: 4,
      },
      {
        people: [
          ['cleo Berg', null],
          ['dan Moreno', null],
        ],
        total: 4,
        selectable: 4,
      },
    ]);
    // Around the services, announcing nothing: the kept people stay as they were (their part of
    // the answer was kept, not computed again), while the import's seats show at once.
    await h.db.kysely.updateTable('directory_contacts').set({ display_name: 'ada Renamed' }).where('contact_id', '=', 'p0').execute();
    await importPeople(token, ['p0', 'p3'], 'kept-people');
    expect(await pages(token)).toEqual([
      {
        people: [
          ['ada Lovelace', 'invited'],
          ['bob Engel', null],
        ],
        total: 4,
        selectable: 2,
      },
      {
        people: [
          ['cleo Berg', null],
          ['dan Moreno', 'invited'],
        ],
        total: 4,
        selectable: 2,
      },
    ]);
    const sync = await h.request('PUT', '/api/targets/organization/acme/members', { token: API_KEY, body: { members: [{ id: 'm1', email: 'p1@acme.test' }] } });
    expect(sync.status).toBe(200);
    expect((await pages(token)).map((p) => [p.people, p.selectable])).toEqual([
      [
        [
          ['ada Lovelace', 'invited'],
          ['bob Engel', 'member'],
        ],
        1,
      ],
      [
        [
          ['cleo Berg', null],
          ['dan Moreno', 'invited'],
        ],
        1,
      ],
    ]);
  });

  it('share a directory’s people between the targets that list it, never their seats', async () => {
    const { token } = await setUp();
    await h.target('lab', 'robotics', 100);
    const lab = await h.session({ type: 'lab', id: 'robotics' });
    expect(await search(token)).toEqual({ people: ALL, total: 4, selectable: 4 });
    await importPeople(token, ['p2'], 'one-target');
    expect(await search(lab)).toEqual({ people: ALL, total: 4, selectable: 4 });
    expect(await search(token)).toEqual({ people: { ...ALL, 'cleo Berg': 'invited' }, total: 4, selectable: 3 });
  });

  it('answer many admins searching at once each with their own target, and a write before they asked', async () => {
    const { token } = await setUp();
    const labs = ['robotics', 'optics', 'acoustics'];
    for (const id of labs) await h.target('lab', id, 100);
    const sessions = [token, ...(await Promise.all(labs.map((id) => h.session({ type: 'lab', id }))))];
    // A page kept for every target, then one import per target, each inviting someone else.
    for (const s of sessions) expect((await search(s)).selectable).toBe(4);
    for (const [i, s] of sessions.entries()) await importPeople(s, [`p${i}`], `many-admins-${i}`);
    // On PostgreSQL, the searches arriving while one target's row is read share one statement.
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => search(sessions[i % sessions.length]!)));
    for (const [i, answer] of answers.entries()) {
      const invited = Object.keys(ALL)[i % sessions.length]!;
      expect(answer).toEqual({ people: { ...ALL, [invited]: 'invited' }, total: 4, selectable: 3 });
    }
  });

  it('count the seats taken of the target whose search computed the page, and another target’s apart', async () => {
    const { token } = await setUp();
    await h.target('lab', 'robotics', 100);
    const lab = await h.session({ type: 'lab', id: 'robotics' });
    await importPeople(token, ['p2'], 'seats-in-pass');
    // A search new to the app, first by the lab (on PostgreSQL its page counts the lab's seats in
    // the same pass), then by the organization, which shares the page and counts its own.
    expect(await search(lab, 'berlin')).toEqual({ people: ALL, total: 4, selectable: 4 });
    expect(await search(token, 'berlin')).toEqual({ people: { ...ALL, 'cleo Berg': 'invited' }, total: 4, selectable: 3 });
    // And the other way round.
    expect(await search(token, 'engineer')).toEqual({ people: { ...ALL, 'cleo Berg': 'invited' }, total: 4, selectable: 3 });
    expect(await search(lab, 'engineer')).toEqual({ people: ALL, total: 4, selectable: 4 });
  });

  it('are kept by each of two apps on one database, and each sees the other’s writes', async () => {
    if (!process.env.TEST_PG_URL) dir = mkdtempSync(join(tmpdir(), 'hr-answers-'));
    const { token } = await setUp(hrApplication(), dir ? { sqlitePath: join(dir, 'shared.sqlite') } : {});
    const second = await createHarness({ providers: [hrApplication().provider], sameDatabaseAs: h });
    others.push(second);
    second.clock.now = h.clock.now;
    expect((await search(token)).selectable).toBe(4);
    expect((await search(token, 'eng', 'hr', second)).selectable).toBe(4);

    await importPeople(token, ['p0'], 'first-app');
    expect((await search(token, 'eng', 'hr', second)).people['ada Lovelace']).toBe('invited');

    const res = await second.request('POST', '/api/imports', {
      token,
      body: { provider: 'hr', selection: { ids: ['p3'] }, role: 'user', message },
      headers: { 'Idempotency-Key': 'answers-second-app-0123456789' },
    });
    expect(res.status).toBe(201);
    expect(await search(token)).toEqual({ people: { ...ALL, 'ada Lovelace': 'invited', 'dan Moreno': 'invited' }, total: 4, selectable: 2 });
  });
});
