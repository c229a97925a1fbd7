/**
 * The facets of a search counted over the directory's copy in this process (copy.ts) must
 * be the SQL's (`listFacets`, itself checked against a plain reading in search.test.ts) for every
 * search, status and filter, on SQLite and PostgreSQL; served only under the generation it was
 * made for, and given up when a write lands while it is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../../../test/harness.js';
import { directoryPerson, fillDirectory, harnessDialects, inviteRow } from '../../../test/directory.js';
import type { DirectoryContact } from '../../connectors/types.js';
import { countTaken, listFacets, pageCountingTaken, type DirectoryQuery } from './queries.js';
import { getTarget } from '../targets.js';
import { createDirectoryCopies, DEFAULT_DIRECTORY_COPY_LIMITS } from './copy.js';
import { directoryChanged, directoryScope, generationStamp, seatsChanged, seatsScope } from '../../db/answer-generations.js';

const KEY = 'acme-hr:*';
const OTHER = 'globex-hr:*';

const DEPARTMENTS = ['Engineering', 'Sales', 'Research', null, 'Zürich Ops', 'Ärzte'];
const LOCATIONS = ['Berlin', 'São Paulo', null, 'Madrid', 'Oslo North'];
const NAMES = ['Robert Weber', 'José Müller', 'ADA ADAMS', 'Ada Lovelace', 'Hubert "Bert" Berg', 'Zoë Chapman', 'Amanda Rossi', 'Nil\u0000Ops', '50% a_b'];
const STATUSES: DirectoryContact['status'][] = ['active', 'active', 'inactive', 'active', 'active', 'inactive', 'active'];

/** 300 people over every department, place and status, names repeating with numbers. */
const PEOPLE: DirectoryContact[] = Array.from({ length: 300 }, (_, i) =>
  directoryPerson(`p${i}`, {
    displayName: `${NAMES[i % NAMES.length]} ${i}`,
    firstName: NAMES[i % NAMES.length]!.split(' ')[0]!,
    title: i % 4 === 0 ? 'Engineer' : i % 4 === 1 ? 'Manager' : null,
    department: DEPARTMENTS[i % DEPARTMENTS.length]!,
    location: LOCATIONS[i % LOCATIONS.length]!,
    status: STATUSES[i % STATUSES.length]!,
    employmentType: [null, 'full_time', 'Contractor'][i % 3]!,
    email: i % 10 === 9 ? null : `p${i}@acme.test`,
  }),
);

const QUERIES: DirectoryQuery[] = [
  ...['', 'ber', 'BER', 'jose', 'ada eng', 'ro', 'e', '50%', '%', 'a_b', '_', '"bert', 'zqx', 'nil ops', '\u0000', 'zür', 'man man', 'ada 1', '12'].map(
    (search) => ({ search }),
  ),
  { search: 'ber', filters: { status: 'all' } },
  { search: 'a', filters: { status: 'inactive' } },
  { search: 'a', filters: { department: 'Engineering' } },
  { search: '', filters: { location: 'Berlin' } },
  { search: 'e', filters: { department: 'Research', location: 'Madrid', status: 'all' } },
  { search: 'e', filters: { department: 'Nobody' } },
  { search: 'e', filters: { location: 'Nowhere', status: 'inactive' } },
];

const dialects = harnessDialects;
const fill = (h: Harness, contacts: readonly DirectoryContact[], key = KEY) => fillDirectory(h, contacts, key);

describe.each(dialects)('facets over the copy on $name', ({ open }) => {
  let h: Harness;
  const stamp = (key = KEY) => generationStamp(h.db.kysely, [directoryScope(key)]);

  beforeAll(async () => {
    h = await open();
    await h.target('organization', 'acme', 100, ['p1@acme.test']);
    // Another directory in the same database: never counted with this one.
    await fill(h, PEOPLE.slice(0, 40), OTHER);
    await fill(h, PEOPLE);
  });
  afterAll(() => h?.close());

  it('counts what SQL counts, for every search, status and filter', async () => {
    const copies = createDirectoryCopies();
    const s = await stamp();
    // The first answer is SQL's while the copy is made.
    expect(await copies.facets(h.db.kysely, KEY, s, QUERIES[0]!)).toEqual(await listFacets(h.db.kysely, KEY, QUERIES[0]!));
    expect(await copies.settled(KEY)).toBe(true);
    for (const q of QUERIES) expect([q, await copies.facets(h.db.kysely, KEY, s, q)]).toEqual([q, await listFacets(h.db.kysely, KEY, q)]);
  });

  it('counts what SQL counts (total, and those with an address), for every search and filter; a flagged query is left to SQL', async () => {
    const copies = createDirectoryCopies();
    const s = await stamp();
    expect(copies.counts(h.db.kysely, KEY, s, QUERIES[0]!)).toBeNull();
    expect(await copies.settled(KEY)).toBe(true);
    const target = await getTarget(h.db.kysely, { type: 'organization', id: 'acme' });
    const queries: DirectoryQuery[] = [
      ...QUERIES,
      { search: 'e', filters: { employmentType: 'Contractor' } },
      { search: '', filters: { employmentType: 'full_time', department: 'Sales', status: 'all' } },
      { search: 'a', filters: { employmentType: 'Intern' } },
    ];
    for (const q of queries) {
      const { page } = await pageCountingTaken(h.db.kysely, target, KEY, { ...q, limit: 1 }, h.clock.now);
      expect([q, copies.counts(h.db.kysely, KEY, s, q)]).toEqual([q, { total: page.total, reachable: page.reachable }]);
    }
    expect(copies.counts(h.db.kysely, KEY, s, { search: 'ber', flagged: true })).toBeNull();
  });

  it("counts the seats taken among a search's matches as SQL does, under the seats' generation and until an invite expires", async () => {
    const copies = createDirectoryCopies();
    const s = await stamp();
    copies.counts(h.db.kysely, KEY, s, { search: '' });
    expect(await copies.settled(KEY)).toBe(true);
    const target = await getTarget(h.db.kysely, { type: 'organization', id: 'acme' });
    const seats = async (until = Infinity) => ({ stamp: await generationStamp(h.db.kysely, [seatsScope(target)]), until });
    const now = h.clock.now;
    const taken = async (q: DirectoryQuery, at = now, held?: { stamp: string; until: number }) =>
      copies.taken(h.db.kysely, KEY, s, target, held ?? (await seats()), at, q);
    for (const q of QUERIES) expect([q, await taken(q)]).toEqual([q, await countTaken(h.db.kysely, target, KEY, q, now)]);
    expect(await taken({ search: 'ber', flagged: true })).toBeNull();

    // p3 (Ada Lovelace 3) invited for a day; p12 (Ada Lovelace 12) invited, expired already: only p3 takes a seat.
    const day = 86_400_000;
    const invite = (id: string, email: string, expires: number) => inviteRow(id, email, { createdAt: now, expiresAt: new Date(expires) });
    const q = { search: 'ada' };
    const before = await countTaken(h.db.kysely, target, KEY, q, now);
    await h.db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('invites')
        .values([invite('i3', 'p3@acme.test', now.getTime() + day), invite('i12', 'p12@acme.test', now.getTime() - 1)])
        .execute();
      await seatsChanged(trx, target);
    });
    try {
      const held = await seats(now.getTime() + day);
      expect(await taken(q, now, held)).toBe(before + 1);
      expect(await taken(q, now, held)).toBe(await countTaken(h.db.kysely, target, KEY, q, now));
      // A day later the invite has expired: the mask is made again, without it.
      const later = new Date(now.getTime() + day);
      expect(await taken(q, later, held)).toBe(before);
      expect(await taken(q, later, held)).toBe(await countTaken(h.db.kysely, target, KEY, q, later));
    } finally {
      await h.db.kysely.deleteFrom('invites').where('id', 'in', ['i3', 'i12']).execute();
      await h.db.kysely.transaction().execute((trx) => seatsChanged(trx, target));
    }
  });

  it('is served only under its generation: a row written around the services is seen once a write announces a change', async () => {
    const copies = createDirectoryCopies();
    const before = await stamp();
    await copies.facets(h.db.kysely, KEY, before, { search: '' });
    expect(await copies.settled(KEY)).toBe(true);
    const row = await h.db.kysely
      .selectFrom('directory_contacts')
      .selectAll()
      .where('connection', '=', KEY)
      .where('contact_id', '=', 'p0')
      .executeTakeFirstOrThrow();
    await h.db.kysely
      .insertInto('directory_contacts')
      .values({ ...row, contact_id: 'x1', department: 'Quokkas', search_text: 'quokka keeper' })
      .execute();
    try {
      // Proof that the copy answers (else the rest would pass without it): the bare insert raised nothing.
      expect((await copies.facets(h.db.kysely, KEY, before, { search: 'quokka' })).departments).toEqual([]);
      await h.db.kysely.transaction().execute((trx) => directoryChanged(trx, KEY));
      const after = await stamp();
      expect(after).not.toBe(before);
      await copies.facets(h.db.kysely, KEY, after, { search: 'quokka' });
      expect(await copies.settled(KEY)).toBe(true);
      expect((await copies.facets(h.db.kysely, KEY, after, { search: 'quokka' })).departments).toEqual([{ value: 'Quokkas', count: 1 }]);
    } finally {
      await h.db.kysely.deleteFrom('directory_contacts').where('connection', '=', KEY).where('contact_id', '=', 'x1').execute();
      await h.db.kysely.transaction().execute((trx) => directoryChanged(trx, KEY));
    }
  });

  it('gives up a copy when a write lands between its stamp and its last piece', async () => {
    const copies = createDirectoryCopies();
    const s = await stamp();
    // The request read its stamp, then a write committed: what the copy reads is not that stamp's.
    await h.db.kysely.transaction().execute((trx) => directoryChanged(trx, KEY));
    expect(await copies.facets(h.db.kysely, KEY, s, { search: 'ber' })).toEqual(await listFacets(h.db.kysely, KEY, { search: 'ber' }));
    expect(await copies.settled(KEY)).toBe(false);
    // Under the stamp that holds, it is made and kept.
    await copies.facets(h.db.kysely, KEY, await stamp(), { search: 'ber' });
    expect(await copies.settled(KEY)).toBe(true);
  });

  it('keeps copies within its characters: one in use is kept, and a directory that does not fit is counted in SQL a while', async () => {
    const one = await listTextLength(h, KEY);
    let at = 0;
    const copies = createDirectoryCopies({ ...DEFAULT_DIRECTORY_COPY_LIMITS, chars: one + 10 }, () => at);
    await copies.facets(h.db.kysely, KEY, await stamp(), { search: '' });
    expect(await copies.settled(KEY)).toBe(true);
    // The first copy was used a moment ago: the second does not fit, and is not kept.
    at = 1_000;
    await copies.facets(h.db.kysely, OTHER, await stamp(OTHER), { search: '' });
    expect([await copies.settled(OTHER), await copies.settled(KEY)]).toEqual([false, true]);
    // Nor made again while the first is in use (no piece of it read); its searches are counted in SQL, the same.
    let pieces = 0;
    const counted = h.db.kysely.withPlugin({
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        if (result.rows[0] && 'after' in result.rows[0] && 'search_text' in result.rows[0]) pieces++;
        return result;
      },
    });
    at = 30_000;
    expect(await copies.facets(h.db.kysely, KEY, await stamp(), { search: 'ber' })).toEqual(await listFacets(h.db.kysely, KEY, { search: 'ber' }));
    at = 60_000;
    expect(await copies.facets(counted, OTHER, await stamp(OTHER), { search: 'ber' })).toEqual(await listFacets(h.db.kysely, OTHER, { search: 'ber' }));
    expect([await copies.settled(OTHER), pieces]).toEqual([false, 0]);
    // A minute after the first was last used, the second takes its place.
    at = 91_000;
    await copies.facets(counted, OTHER, await stamp(OTHER), { search: '' });
    expect([await copies.settled(OTHER), await copies.settled(KEY), pieces]).toEqual([true, false, 1]);
    expect(await copies.facets(h.db.kysely, OTHER, await stamp(OTHER), { search: 'ber' })).toEqual(await listFacets(h.db.kysely, OTHER, { search: 'ber' }));
  });
});

/** What a copy of the directory is measured by: its text (a separator after each person) and its addresses. */
async function listTextLength(h: Harness, key: string): Promise<number> {
  const rows = await h.db.kysely.selectFrom('directory_contacts').select(['search_text', 'email_normalized']).where('connection', '=', key).execute();
  return rows.reduce((n, r) => n + r.search_text.length + 1 + (r.email_normalized?.length ?? 0), 0);
}
