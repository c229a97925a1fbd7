/**
 * Search over the directory cache through its indexes (SQLite FTS5 trigram, PostgreSQL pg_trgm),
 * checked side by side: SQLite always, and PostgreSQL in the same run when TEST_PG_URL names a
 * server. Each answer (the people found, `total`, `selectable`, the facets, a Select All) must be
 * what a plain reading of the directory gives: every word somewhere in name, email, title,
 * department or location, case and accents folded, LIKE's wildcards taken literally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, Migrator, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { migrations } from '../../../migrations/index.js';
import { createHarness, type Harness } from '../../../test/harness.js';
import { directoryPerson, fillDirectory as fillConnection, harnessDialects, inviteRow } from '../../../test/directory.js';
import type { DirectoryContact } from '../../connectors/types.js';
import { applyQuery, listContacts, listFacets, resolveSelection } from './queries.js';
import { getTarget } from '../targets.js';
import { foldForSearch } from '../../text.js';

const KEY = 'acme-hr:*';
const OTHER = 'globex-hr:*';
const target = { type: 'organization', id: 'acme' } as const;

const person = (id: string, name: string, more: Partial<DirectoryContact> = {}) =>
  directoryPerson(id, { firstName: name.split(' ')[0] ?? null, displayName: name, ...more });

const PEOPLE: DirectoryContact[] = [
  person('p1', 'Robert Weber', { title: 'Engineer', department: 'Engineering', location: 'Berlin' }),
  person('p2', 'José Müller', { title: 'Manager', department: 'Sales', location: 'São Paulo' }),
  person('p3', 'ADA ADAMS', { title: '50% Lead', department: 'Engineering', location: 'Canada' }),
  person('p4', 'Ada Lovelace', { title: 'a_b tester', department: 'Research', location: 'London', email: null }),
  person('p5', 'Hubert "Bert" Berg', { title: 'Engineer', department: 'Engineering', location: 'Berlin' }),
  person('p6', 'Zoë Chapman', { department: 'Design', location: 'Madrid', status: 'inactive' }),
  person('p7', 'Amanda Rossi', { title: 'Director', department: 'Engineering', location: 'Rome' }),
  person('p8', 'Manuel Ortiz', { title: 'Analyst', department: 'Finance', location: 'Madrid' }),
  person('p9', 'Herman Neumann', { title: 'Engineer', department: 'Research', location: 'Berlin' }),
  person('p10', 'Ines Okafor', { title: 'Designer', department: 'Design', location: 'Lisbon' }),
  // A provider's text with control characters in it (one NUL): stored and found as if they were spaces.
  person('p12', 'Nil\u0000Ops', { title: 'Ops\u0007Lead', department: 'Research', location: 'Oslo\u001fNorth' }),
];

const SEARCHES = [
  'ber',
  'BER',
  'jose',
  'JOSÉ',
  'mül',
  'muller',
  'ada eng',
  'ada  ',
  'ro',
  'e',
  'an',
  '50%',
  '%',
  'a_b',
  '_',
  '"bert',
  'x"y',
  'zqx',
  '',
  'eng berlin',
  'man man',
  'ß',
  'paulo sa',
  // Control characters separate words like spaces: PostgreSQL text cannot hold a NUL at all.
  '\u0000',
  'ber\u0000eng',
  'ada\tlove',
  'ops\u0007',
];

/** The answer a plain reading of PEOPLE gives, as the route defines it. */
function expected(search: string, status: 'active' | 'all' = 'active') {
  const words = foldForSearch(search).trim().split(/\s+/).filter(Boolean);
  return PEOPLE.filter((p) => status === 'all' || p.status === status).filter((p) => {
    const text = foldForSearch([p.displayName, p.email ?? '', p.title ?? '', p.department ?? '', p.location ?? ''].join(' '));
    return words.every((w) => text.includes(w));
  });
}
/** Members (p1, p3) and live invites (p7) hold a seat or one on the way; an expired (p8) or revoked (p9) invite does not. */
const TAKEN = new Set(['p1', 'p3', 'p7']);

const dialects = harnessDialects;
const fillDirectory = (h: Harness, contacts: readonly DirectoryContact[], key = KEY) => fillConnection(h, contacts, key);

describe.each(dialects)('search on $name', ({ open }) => {
  let h: Harness;

  beforeAll(async () => {
    h = await open();
    await h.target('organization', 'acme', 100, ['p1@acme.test', 'P3@Acme.test']);
    await h.target('organization', 'globex', 100, ['p2@acme.test']);
    // Another organization's directory with the same people must never be counted with ours.
    await fillDirectory(h, PEOPLE, OTHER);
    await fillDirectory(h, PEOPLE);
    const now = h.clock.now.getTime();
    const invite = (id: string, email: string, status: string, expiresInDays: number) =>
      inviteRow(id, email, { createdAt: h.clock.now, expiresAt: new Date(now + expiresInDays * 86_400_000) }, { status });
    await h.db.kysely
      .insertInto('invites')
      .values([invite('i7', 'p7@acme.test', 'pending', 7), invite('i8', 'p8@acme.test', 'pending', -1), invite('i9', 'p9@acme.test', 'revoked', 7)])
      .execute();
  });
  afterAll(() => h?.close());

  it.each(SEARCHES)('"%s" finds every person holding each word, and counts them exactly', async (search) => {
    const row = await getTarget(h.db.kysely, target);
    const page = await listContacts(h.db.kysely, row, KEY, { search, limit: 100 }, h.clock.now);
    const want = expected(search);
    expect(page.items.map((c) => c.id).sort()).toEqual(want.map((p) => p.id).sort());
    expect(page.total).toBe(want.length);
    expect(page.selectable).toBe(want.filter((p) => p.email && !TAKEN.has(p.id)).length);
  });

  it('counts inactive people only when asked, and pages keep the counts of the whole result', async () => {
    const row = await getTarget(h.db.kysely, target);
    const all = await listContacts(h.db.kysely, row, KEY, { search: 'man', filters: { status: 'all' }, limit: 1 }, h.clock.now);
    expect(all.items).toHaveLength(1);
    expect(all.total).toBe(expected('man', 'all').length);
    expect(all.selectable).toBe(expected('man', 'all').filter((p) => p.email && !TAKEN.has(p.id)).length);
    const inactive = await listContacts(h.db.kysely, row, KEY, { search: 'chap', filters: { status: 'inactive' }, limit: 10 }, h.clock.now);
    expect([inactive.items.map((c) => c.id), inactive.total, inactive.selectable]).toEqual([['p6'], 1, 1]);
    // A connection never filled: nothing found, nothing counted (not another connection's people).
    const none = await listContacts(h.db.kysely, row, 'nobody-hr:*', { search: 'ber', limit: 10 }, h.clock.now);
    expect([none.items, none.total, none.selectable]).toEqual([[], 0, 0]);
    const inBerlin = await listContacts(h.db.kysely, row, KEY, { search: 'er', filters: { location: 'Berlin' }, limit: 100 }, h.clock.now);
    expect(inBerlin.total).toBe(expected('er').filter((p) => p.location === 'Berlin').length);
  });

  it('gives the facets of a search: departments and locations of the people it matches', async () => {
    for (const search of ['ber', 'e', '']) {
      const facets = await listFacets(h.db.kysely, KEY, { search });
      const count = (column: 'department' | 'location') => {
        const m = new Map<string, number>();
        // Shown as stored: a control character is a space ("Oslo\u001fNorth" is "Oslo North").
        for (const p of expected(search)) if (p[column] !== null) m.set(p[column]!.replace('\u001f', ' '), (m.get(p[column]!) ?? 0) + 1);
        return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, n]) => ({ value, count: n }));
      };
      expect(facets).toEqual({ departments: count('department'), locations: count('location') });
    }
  });

  it("stores and shows a provider's text with its control characters as spaces", async () => {
    const page = await listContacts(h.db.kysely, await getTarget(h.db.kysely, target), KEY, { search: 'nil ops', limit: 10 }, h.clock.now);
    expect(page.items.map((c) => [c.displayName, c.title, c.location])).toEqual([['Nil Ops', 'Ops Lead', 'Oslo North']]);
  });

  it('selects all the people a search matches, as the page counted them', async () => {
    const { contacts } = await resolveSelection(h.db.kysely, KEY, { all: true, search: 'eng', except: ['p5'] });
    expect(contacts.map((c) => c.contact_id).sort()).toEqual(
      expected('eng')
        .map((p) => p.id)
        .filter((id) => id !== 'p5')
        .sort(),
    );
  });

  it('follows a refresh: a person gone is no longer found, a new one is', async () => {
    const row = await getTarget(h.db.kysely, target);
    await fillDirectory(h, [...PEOPLE.filter((p) => p.id !== 'p5'), person('p11', 'Bernadette Kim', { department: 'Legal' })]);
    const page = await listContacts(h.db.kysely, row, KEY, { search: 'bern', limit: 100 }, h.clock.now);
    expect(page.items.map((c) => c.displayName)).toEqual(['Bernadette Kim']);
    expect((await listContacts(h.db.kysely, row, KEY, { search: '"bert"', limit: 100 }, h.clock.now)).total).toBe(0);
    // Renamed in place (the same id): found by the new name only.
    await fillDirectory(h, [person('p1', 'Roberta Stone'), person('p11', 'Bernadette Kim')]);
    expect((await listContacts(h.db.kysely, row, KEY, { search: 'weber', limit: 100 }, h.clock.now)).total).toBe(0);
    expect((await listContacts(h.db.kysely, row, KEY, { search: 'stone', limit: 100 }, h.clock.now)).items.map((c) => c.id)).toEqual(['p1']);
    await fillDirectory(h, PEOPLE);
  });
});

describe.each(dialects)('search over a lone directory on $name', ({ open }) => {
  // With one connection in the database, SQLite counts a search's hits less the other tags' (NOT).
  it('counts every status exactly when no other directory shares the index', async () => {
    const h = await open();
    try {
      await h.target('organization', 'acme', 100, ['p1@acme.test', 'P3@Acme.test']);
      await fillDirectory(h, PEOPLE);
      const row = await getTarget(h.db.kysely, target);
      for (const status of ['active', 'all'] as const) {
        for (const search of ['ber', 'man', 'ada eng', 'chap', 'zqx']) {
          const page = await listContacts(h.db.kysely, row, KEY, { search, filters: { status }, limit: 2 }, h.clock.now);
          const want = expected(search, status);
          expect([search, status, page.total, page.selectable]).toEqual([
            search,
            status,
            want.length,
            want.filter((p) => p.email && !['p1', 'p3'].includes(p.id)).length,
          ]);
        }
      }
    } finally {
      await h.close();
    }
  });
});

describe('search answers alike on both databases', () => {
  it.runIf(!!process.env.TEST_PG_URL)('gives the same page, counts and facets on SQLite and PostgreSQL for every search', async () => {
    const [sqlite, postgres] = await Promise.all(dialects.map((d) => d.open()));
    try {
      const answers = [];
      for (const h of [sqlite!, postgres!]) {
        await h.target('organization', 'acme', 100, ['p1@acme.test']);
        await fillDirectory(h, PEOPLE);
        const row = await getTarget(h.db.kysely, target);
        const out = [];
        for (const search of SEARCHES)
          out.push([await listContacts(h.db.kysely, row, KEY, { search, limit: 3 }, h.clock.now), await listFacets(h.db.kysely, KEY, { search })]);
        answers.push(out);
      }
      expect(answers[1]).toEqual(answers[0]);
    } finally {
      await Promise.all([sqlite?.close(), postgres?.close()]);
    }
  });
});

describe.runIf(!!process.env.TEST_PG_URL)('the directory cache on postgres', () => {
  it('answers a search, leaves out the rows a refresh stages, and passes over the rest in one process', async () => {
    const h = await createHarness();
    try {
      await h.target('organization', 'acme', 100);
      // Enough people that reading them all costs more than the index, as the planner sees it.
      const many = [...PEOPLE, ...Array.from({ length: 3_000 }, (_, i) => person(`g${i}`, `Person ${i}`))];
      const fill = () => fillDirectory(h, many);
      // The second refresh stages everyone, then keeps only what changed (nothing).
      await fill();
      await fill();
      await sql`analyze directory_contacts`.execute(h.db.kysely);
      const plan = await explainCount(h, 'lovelace', async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
      });
      expect(plan).toContain('directory_contacts_search_trgm');
      const definition = await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'directory_contacts_search_trgm'`.execute(
        h.db.kysely,
      );
      expect(definition.rows[0]?.def).toMatch(/WHERE \(substr\(connection, 1, 1\) <> '~'::text\)$/);

      // A pass for a two-letter word (no trigram): never split over worker processes, even where
      // the planner is told they cost nothing.
      const pass = await explainCount(h, 'ro', async (trx) => {
        for (const setting of ['min_parallel_table_scan_size', 'parallel_setup_cost', 'parallel_tuple_cost'])
          await sql`select set_config(${setting}, '0', true)`.execute(trx);
      });
      expect(pass).toContain('Seq Scan');
      expect(pass).not.toContain('Parallel');
    } finally {
      await h.close();
    }
  });
});

describe.each(dialects)('the search indexes migration on $name', ({ open }) => {
  it('goes down and up again over a filled directory, which is then found through the new index', async () => {
    const h = await open();
    try {
      await h.target('organization', 'acme', 100);
      await fillDirectory(h, PEOPLE);
      const migrator = new Migrator({ db: h.db.kysely, provider: { getMigrations: async () => migrations } });
      // Down to the migration before the indexes (later ones go down first), then up again.
      const down = await migrator.migrateTo('2026_12_02_120000_index_mail_counts');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => r.migrationName)).toContain('2026_12_02_130000_create_directory_search_indexes');
      // The people cached before the indexes existed are indexed by the migration itself.
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const row = await getTarget(h.db.kysely, target);
      const page = await listContacts(h.db.kysely, row, KEY, { search: 'lovelace', limit: 10 }, h.clock.now);
      expect(page.items.map((c) => c.id)).toEqual(['p4']);
    } finally {
      await h.close();
    }
  });

  it('keeps every cached person when the columns are put in the order a search reads them', async () => {
    const h = await open();
    try {
      await h.target('organization', 'acme', 100);
      await fillDirectory(h, PEOPLE);
      const row = await getTarget(h.db.kysely, target);
      const everyone = () => listContacts(h.db.kysely, row, KEY, { filters: { status: 'all' }, limit: 100 }, h.clock.now);
      const before = await everyone();
      const migrator = new Migrator({ db: h.db.kysely, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026_12_03_230000_create_mail_counts')).error).toBeUndefined();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(await everyone()).toEqual(before);
      expect((await listContacts(h.db.kysely, row, KEY, { search: 'lovelace', limit: 10 }, h.clock.now)).items.map((c) => c.id)).toEqual(['p4']);
      if (h.db.dialect === 'postgres') {
        const columns = await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = 'directory_contacts' order by ordinal_position`.execute(h.db.kysely);
        expect(columns.rows.map((c) => c.name).slice(0, 6)).toEqual(['connection', 'status', 'search_text', 'email_normalized', 'department', 'location']);
      }
    } finally {
      await h.close();
    }
  });
});

/** PostgreSQL's plan for counting a search's matches as a page's count does, under the settings `prepare` makes for that transaction alone. */
function explainCount(h: Harness, search: string, prepare: (trx: Transaction<Database>) => Promise<void>): Promise<string> {
  return h.db.kysely.transaction().execute(async (trx) => {
    await prepare(trx);
    const count = applyQuery(trx.selectFrom('directory_contacts'), 'postgres', KEY, { search }, 'count')
      .select((eb) => eb.fn.countAll().as('n'))
      .compile();
    return (await trx.executeQuery(CompiledQuery.raw(`explain ${count.sql}`, [...count.parameters]))).rows.map((r) => Object.values(r as object)[0]).join('\n');
  });
}
