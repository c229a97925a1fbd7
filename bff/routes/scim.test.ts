/**
 * The SCIM 2.0 server: the request sequences Microsoft Entra ID and Okta document, replayed as
 * written, then PATCH and GET /Users in detail. Tokens, the widget's view, personal data,
 * retention and bounds: scim-admin.test.ts. The scene: test/scim-scene.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ENTERPRISE, PATCH_OP, SCIM, USER_SCHEMA, scimScene, user } from '../../test/scim-scene.js';

const s = scimScene();
const { setUp, scim, contacts } = s;

interface Step {
  section: string;
  method: string;
  path: string;
  body?: unknown;
  repeat?: string;
  status: number;
}
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/scim/${name}.json`, import.meta.url), 'utf8')) as { requests: Step[] };

/** Replays a documented sequence; `{id}` is the user the sequence created. */
async function replay(steps: Step[]) {
  let id = '';
  const answers: Record<string, { status: number; json: any; headers: Headers }> = {};
  for (const step of steps) {
    const fill = (s: string) => s.replaceAll('{id}', id);
    const source = step.repeat ? steps.find((s) => s.section === step.repeat)! : step;
    const body = source.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(source.body)));
    const [path, query] = fill(step.path).split('?');
    // An HTTP client encodes what the documentation writes unencoded; encoded text is left as is.
    const encoded =
      query === undefined
        ? ''
        : `?${query
            .split('&')
            .map((p) => {
              const [k, v = ''] = p.split('=');
              return `${k}=${encodeURIComponent(decodeURIComponent(v))}`;
            })
            .join('&')}`;
    const answer = await scim(step.method, `${path}${encoded}`, body);
    expect(answer.status, `${step.section}: ${JSON.stringify(answer.json)}`).toBe(step.status);
    if (answer.status !== 204) expect(answer.headers.get('Content-Type')).toMatch(/^application\/scim\+json/);
    if (step.method === 'POST' && answer.status === 201) id = answer.json.id;
    answers[step.section] = answer;
  }
  return answers;
}

describe("the request sequence of Microsoft Entra ID's SCIM tutorial", () => {
  beforeEach(() => setUp());

  it('creates, reads, finds, updates, disables and deletes a user as documented', async () => {
    const a = await replay(fixture('entra').requests);
    const created = a['Create User']!.json;
    expect(created).toMatchObject({
      schemas: expect.arrayContaining([USER_SCHEMA]),
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      emails: [{ value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(created.meta.location).toBe(`http://localhost${SCIM}/Users/${created.id}`);
    expect(a['Create User']!.headers.get('Location')).toBe(created.meta.location);
    expect(a['Get User']!.json).toEqual(created);
    expect(a['Get User (User not found)']!.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    expect(a['Get User by query']!.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(a['Get User by query']!.json.Resources[0].id).toBe(created.id);
    expect(a['Get User by query - Zero results']!.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    expect(a['Update User [Multi-valued properties]']!.json).toMatchObject({
      name: { familyName: 'updatedFamilyName', givenName: 'givenName' },
      emails: [{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }],
      meta: { version: 'W/"2"' },
    });
    expect(a['Update User [Single-valued properties]']!.json.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
    expect(a['Disable User']!.json.active).toBe(false);
    // Deleted: gone from SCIM and from the directory.
    expect((await scim('GET', `/Users/${created.id}`)).status).toBe(404);
    expect((await contacts('&status=all')).items).toEqual([]);
  });

  it("shows each step in the organization's directory: the update, then the person inactive", async () => {
    const steps = fixture('entra').requests;
    const upTo = (section: string) => steps.slice(0, steps.findIndex((s) => s.section === section) + 1);
    await replay(upTo('Update User [Multi-valued properties]'));
    expect((await contacts()).items).toMatchObject([
      { displayName: 'givenName familyName', firstName: 'givenName', lastName: 'updatedFamilyName', email: 'updatedEmail@microsoft.com', status: 'active' },
    ]);
    await s.h.close();
    await setUp();
    await replay(upTo('Disable User'));
    // A leaver for the sync rules: listed only among the inactive.
    expect((await contacts()).items).toEqual([]);
    expect((await contacts('&status=inactive')).items).toMatchObject([{ email: 'updatedEmail@microsoft.com', status: 'inactive' }]);
  });
});

describe("the request sequence of Okta's SCIM 2.0 protocol reference", () => {
  beforeEach(() => setUp());

  it('checks, creates, refuses the duplicate, lists, replaces and deactivates as documented', async () => {
    const a = await replay(fixture('okta').requests);
    expect(a['Determine if the User already exists']!.json).toMatchObject({ totalResults: 0, Resources: [] });
    const created = a['Create the User']!.json;
    expect(created).toMatchObject({
      userName: 'test.user@okta.local',
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    // The password Okta sends is never kept nor answered; `groups` is Okta's, not ours.
    expect(created).not.toHaveProperty('password');
    expect(JSON.stringify(await s.h.db.kysely.selectFrom('scim_users').selectAll().execute())).not.toContain('1mz050nq');
    expect(a['Create the User (already exists)']!.json).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(a['Retrieve Users']!.json).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(a['Retrieve a specific User']!.json).toEqual(created);
    expect(a['Update the User (PUT)']!.json).toMatchObject({
      id: created.id,
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      meta: { version: 'W/"2"', created: created.meta.created },
    });
    expect(a['Update a specific User (PATCH): deactivate']!.json).toMatchObject({ active: false, name: { givenName: 'Another' } });
    expect(a['Retrieve Groups']!.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    // The PUT replaced every attribute, and its body has no displayName: the name is the given and family name.
    expect((await contacts('&status=all')).items).toMatchObject([
      { id: created.id, displayName: 'Another User', firstName: 'Another', email: 'test.user@okta.local', status: 'inactive' },
    ]);
  });
});

describe('PATCH', () => {
  beforeEach(() => setUp());

  it("takes Entra's capitalised ops with string booleans, and Okta's value objects", async () => {
    const { json: created } = await scim('POST', '/Users', user('ada@acme.test'));
    const off = await scim('PATCH', `/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.json.active).toBe(false);
    const on = await scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true, title: 'Engineer' } }],
    });
    expect(on.json).toMatchObject({ active: true, title: 'Engineer', meta: { version: 'W/"3"' } });
    expect((await contacts()).items).toMatchObject([{ title: 'Engineer', status: 'active' }]);
  });

  it('adds, replaces and removes enterprise attributes by their URN paths, and the directory follows', async () => {
    const { json: boss } = await scim('POST', '/Users', user('grace@acme.test', { name: { givenName: 'Grace', familyName: 'Hopper' } }));
    const { json: ada } = await scim(
      'POST',
      '/Users',
      user('ada@acme.test', { userType: 'Contractor', [ENTERPRISE]: { employeeNumber: '42', department: 'Research' } }),
    );
    const patched = await scim('PATCH', `/Users/${ada.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Engineering' },
        { op: 'Add', path: 'addresses', value: [{ type: 'work', locality: 'London', primary: true }] },
        { op: 'Remove', path: 'title' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.json[ENTERPRISE]).toEqual({ employeeNumber: '42', department: 'Engineering', manager: boss.id });
    expect(patched.json.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    const row = (await contacts()).items.find((c) => c.id === ada.id);
    expect(row).toMatchObject({ department: 'Engineering', managerId: boss.id, location: 'London', employmentType: 'Contractor' });
  });

  it('refuses what would leave an invalid user, a bad path or a changed id, and writes nothing', async () => {
    const { json: created } = await scim('POST', '/Users', user('ada@acme.test'));
    await scim('POST', '/Users', user('grace@acme.test'));
    const cases: [unknown, number, string][] = [
      [{ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'GRACE@acme.test' }] }, 409, 'uniqueness'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title', value: 'x' }] }, 400, 'invalidSyntax'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'mine' }] }, 400, 'mutability'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x'.repeat(300) }] }, 400, 'invalidValue'],
      [{ schemas: [PATCH_OP], Operations: [] }, 400, 'invalidSyntax'],
    ];
    for (const [body, status, scimType] of cases) {
      const res = await scim('PATCH', `/Users/${created.id}`, body);
      expect([res.status, res.json.scimType], JSON.stringify(body)).toEqual([status, scimType]);
    }
    expect((await scim('GET', `/Users/${created.id}`)).json).toEqual(created);
  });
});

describe('GET /Users', () => {
  beforeEach(() => setUp());

  it('filters on userName (any case), externalId and emails, as Okta and Entra query', async () => {
    const { json: ada } = await scim('POST', '/Users', user('Ada@Acme.test', { externalId: 'ext-1' }));
    await scim('POST', '/Users', user('grace@acme.test', { externalId: 'ext-2' }));
    const ids = async (filter: string) =>
      ((await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json.Resources as { id: string }[]).map((r) => r.id);
    expect(await ids('userName eq "ada@acme.test"')).toEqual([ada.id]);
    expect(await ids('externalId eq "ext-1"')).toEqual([ada.id]);
    expect(await ids('externalId eq "EXT-1"')).toEqual([]);
    expect(await ids('emails.value eq "ADA@acme.test"')).toEqual([ada.id]);
    expect(await ids('emails[type eq "work"].value eq "ada@acme.test"')).toEqual([ada.id]);
    expect(await ids('emails[type eq "home"].value eq "ada@acme.test"')).toEqual([]);
    expect(await ids('emails[type eq "work" and value eq "ada@acme.test"]')).toEqual([ada.id]);
    expect(await ids('userName eq "ada@acme.test" and externalId eq "ext-2"')).toEqual([]);
  });

  it('answers anything else with 400 invalidFilter', async () => {
    for (const filter of [
      'userName sw "ada"',
      'title eq "x"',
      'userName eq "a" or userName eq "b"',
      'not (userName eq "a")',
      'userName eq',
      'userName eq true',
      'emails[type eq "work"]',
    ]) {
      const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect([res.status, res.json.scimType], filter).toEqual([400, 'invalidFilter']);
    }
  });

  it('pages with startIndex and count, in the same order whatever the page size, at most 100 a page', async () => {
    for (let i = 0; i < 5; i++) await scim('POST', '/Users', user(`p${i}@acme.test`));
    const all = (await scim('GET', '/Users')).json;
    expect(all).toMatchObject({ totalResults: 5, itemsPerPage: 5, startIndex: 1 });
    const order = all.Resources.map((r: { id: string }) => r.id);
    const page = (await scim('GET', '/Users?startIndex=2&count=2')).json;
    expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((r: { id: string }) => r.id)).toEqual(order.slice(1, 3));
    expect((await scim('GET', '/Users?startIndex=0&count=-3')).json).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 0, Resources: [] });
    expect((await scim('GET', '/Users?count=100000')).json.itemsPerPage).toBe(5);
    expect((await scim('GET', '/Users?count=many')).json).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });
});
