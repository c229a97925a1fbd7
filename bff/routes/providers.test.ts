import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import type { Contact, ContactFacets, ContactPage, ProviderInfo } from '../../contract/index.js';

let h: Harness;
let token: string;
const people = sampleDirectory();
const withEmail = people.filter((p) => p.email && p.status === 'active');

beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 100, [withEmail[0]!.email!, withEmail[1]!.email!.toUpperCase()]);
  token = await h.session({ type: 'organization', id: 'acme' });
});
afterEach(() => h.close());

async function page(query = ''): Promise<ContactPage> {
  const res = await h.request('GET', `/api/providers/sample/contacts${query}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as ContactPage;
}

describe('GET /api/providers', () => {
  it('lists the sample directory, ready, without any credential', async () => {
    const res = await h.request('GET', '/api/providers', { token });
    expect(await res.json()).toEqual({
      items: [
        {
          id: 'sample',
          type: 'sample',
          name: 'Sample directory',
          names: { de: 'Beispielverzeichnis', fr: 'Annuaire d’exemple', es: 'Directorio de ejemplo' },
          connection: 'ready',
        },
      ],
    });
  });

  it('tells when the cached directory was fetched and how long it stays fresh', async () => {
    // A new session each time: the clock moves past a session's lifetime here.
    const directory = async () => {
      token = await h.session({ type: 'organization', id: 'acme' });
      const res = await h.request('GET', '/api/providers', { token });
      return ((await res.json()) as { items: ProviderInfo[] }).items[0]!.directory;
    };
    const fetchedAt = h.clock.now.toISOString();
    await page('?limit=1');
    // The sample directory's cache lifetime is a day.
    expect(await directory()).toEqual({ syncedAt: fetchedAt, freshFor: 86_400 });
    h.clock.now = new Date(h.clock.now.getTime() + 80_000_000);
    expect(await directory()).toEqual({ syncedAt: fetchedAt, freshFor: 6_400 });
    h.clock.now = new Date(h.clock.now.getTime() + 7_000_000);
    expect(await directory()).toEqual({ syncedAt: fetchedAt, freshFor: 0 });
    // Listing it again fetches it again: fresh for another day.
    await page('?limit=1');
    expect(await directory()).toEqual({ syncedAt: h.clock.now.toISOString(), freshFor: 86_400 });
  });
});

describe('GET /api/providers/:provider/contacts', () => {
  it('pages through every active contact in name order with keyset cursors', async () => {
    const seen: Contact[] = [];
    let cursor: string | null = '';
    let total = 0;
    while (cursor !== null) {
      const p: ContactPage = await page(`?limit=70${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.items);
      total = p.total;
      cursor = p.nextCursor;
    }
    const active = people.filter((p) => p.status === 'active');
    expect(total).toBe(active.length);
    expect(new Set(seen.map((c) => c.id)).size).toBe(active.length);
    const names = seen.map((c) => c.displayName.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("jumps to any position with offset, then reads on with the page's keyset cursor", async () => {
    const all: Contact[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const p: ContactPage = await page(`?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...p.items);
      cursor = p.nextCursor;
    }
    const jump = await page('?limit=25&offset=150');
    expect(jump.items.map((c) => c.id)).toEqual(all.slice(150, 175).map((c) => c.id));
    expect(jump.total).toBe(all.length);
    const next = await page(`?limit=25&cursor=${jump.nextCursor}`);
    expect(next.items.map((c) => c.id)).toEqual(all.slice(175, 200).map((c) => c.id));
    const last = await page(`?limit=25&offset=${all.length - 1}`);
    expect(last.items.map((c) => c.id)).toEqual([all.at(-1)!.id]);
    expect(last.nextCursor).toBeNull();
    expect((await page(`?limit=25&offset=${all.length}`)).items).toEqual([]);
  });

  it('refuses an offset with a cursor, a negative offset and a non-number', async () => {
    const first = await page('?limit=10');
    for (const q of [`?offset=10&cursor=${first.nextCursor}`, '?offset=-1', '?offset=ten', '?offset=1.5']) {
      const res = await h.request('GET', `/api/providers/sample/contacts${q}`, { token });
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, q).toBe('invalid_request');
    }
  });

  it('shows every contract field, null where the provider has nothing', async () => {
    const p = await page('?limit=500&status=all');
    const c = p.items.find((x) => x.id === 'emp-0037')!;
    expect(Object.keys(c).sort()).toEqual(
      [
        'avatarUrl',
        'department',
        'displayName',
        'email',
        'employmentType',
        'firstName',
        'id',
        'lastName',
        'location',
        'managerId',
        'membership',
        'personalEmail',
        'sharedEmail',
        'status',
        'title',
      ].sort(),
    );
    expect(c.email).toBeNull();
    expect(p.items.filter((x) => x.status === 'inactive').length).toBe(people.filter((x) => x.status === 'inactive').length);
  });

  it('marks members (whatever the case of their email) and counts only selectable contacts', async () => {
    const p = await page('?limit=500');
    const members = p.items.filter((c) => c.membership === 'member').map((c) => c.id);
    expect(members.sort()).toEqual([withEmail[0]!.id, withEmail[1]!.id].sort());
    const noEmail = p.items.filter((c) => c.email === null).length;
    expect(p.selectable).toBe(p.total - 2 - noEmail);
  });

  it('searches name, email, title and department, ignoring case and accents', async () => {
    const jose = await page('?search=jose');
    expect(jose.items.length).toBeGreaterThan(0);
    expect(jose.items.every((c) => c.displayName.includes('José'))).toBe(true);
    const two = await page('?search=' + encodeURIComponent('ada engineering'));
    expect(two.items.every((c) => c.firstName === 'Ada' && c.department === 'Engineering')).toBe(true);
    const none = await page('?search=' + encodeURIComponent('%_'));
    expect(none.total).toBe(0);
  });

  it('filters by department, location and status', async () => {
    const eng = await page('?department=Engineering&location=Berlin&limit=500');
    const expected = people.filter((p) => p.department === 'Engineering' && p.location === 'Berlin' && p.status === 'active');
    expect(eng.total).toBe(expected.length);
    expect(eng.items.every((c) => c.department === 'Engineering' && c.location === 'Berlin')).toBe(true);
    const gone = await page('?status=inactive&limit=500');
    expect(gone.total).toBe(people.filter((p) => p.status === 'inactive').length);
  });

  it('gives facets for the filter menus', async () => {
    const res = await h.request('GET', '/api/providers/sample/contacts/facets', { token });
    const facets = (await res.json()) as ContactFacets;
    expect(facets.departments.map((d) => d.value)).toContain('Engineering');
    expect(facets.departments.reduce((n, d) => n + d.count, 0)).toBe(people.filter((p) => p.status === 'active' && p.department).length);
  });

  it("counts each filter's facets under the other filters, not under itself", async () => {
    const facetsOf = async (query: string) =>
      (await (await h.request('GET', `/api/providers/sample/contacts/facets${query}`, { token })).json()) as ContactFacets;
    const active = people.filter((p) => p.status === 'active');
    const countBy = (list: typeof people, key: 'department' | 'location') => {
      const counts = new Map<string, number>();
      for (const p of list) if (p[key]) counts.set(p[key], (counts.get(p[key]) ?? 0) + 1);
      return Object.fromEntries(counts);
    };
    const asObject = (facets: { value: string; count: number }[]) => Object.fromEntries(facets.map((f) => [f.value, f.count]));
    const engineering = await facetsOf('?department=Engineering');
    expect(asObject(engineering.locations)).toEqual(
      countBy(
        active.filter((p) => p.department === 'Engineering'),
        'location',
      ),
    );
    // The department filter does not narrow its own menu.
    expect(asObject(engineering.departments)).toEqual(countBy(active, 'department'));
    const both = await facetsOf('?department=Engineering&location=Berlin');
    expect(asObject(both.departments)).toEqual(
      countBy(
        active.filter((p) => p.location === 'Berlin'),
        'department',
      ),
    );
    expect(asObject(both.locations)).toEqual(asObject(engineering.locations));
  });

  it('refuses unknown providers, bad cursors and bad limits with 4xx JSON', async () => {
    expect((await h.request('GET', '/api/providers/nope/contacts', { token })).status).toBe(404);
    const cursor = await h.request('GET', '/api/providers/sample/contacts?cursor=garbage', { token });
    expect(cursor.status).toBe(400);
    expect(((await cursor.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    expect((await h.request('GET', '/api/providers/sample/contacts?limit=100000', { token })).status).toBe(400);
    expect((await h.request('GET', '/api/providers/sample/contacts?limit=abc', { token })).status).toBe(400);
    expect((await h.request('GET', '/api/providers/sample/contacts?bogus=1', { token })).status).toBe(400);
  });
});
