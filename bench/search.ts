/**
 * Search over a company-sized directory (`npm run bench`, or `tsx bench/search.ts` alone): the
 * first page of `GET …/contacts` with its `total` and `selectable`, and the facets of a new
 * search, timed as the server spends them (the service functions the routes call, no cache in
 * front), for the fragments admins type: two and three letters matching 10–40% of 100,000 people
 * (bench/people.ts `companyPeople`), 2,000 of whom are members and 1,000 hold a pending invite.
 *
 * Each figure is printed beside its floor, the same call for a word that matches nobody (what
 * every search costs whatever it finds), as a ratio. SQLite, and PostgreSQL when it answers.
 *
 * Then the same searches typed again, answered from what the contacts route keeps
 * (bff/services/directory/answers.ts: one read of the generations, then memory); the figures
 * above never go through it.
 *
 * `SEARCH_BEFORE=<module>` times another build of bff/services/directory/queries.ts (before the split,
 * bff/services/directory.ts) too, against a
 * database migrated only up to the migration before the search indexes (or up to
 * `SEARCH_BEFORE_MIGRATION`, e.g. a worktree of main's last), the two alternating
 * query by query (A B, B A, …) so a slow moment of this shared machine falls on both alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../bff/db/connect.js';
import { migrations } from '../migrations/index.js';
import { createPgDatabase } from '../test/postgres.js';
import { getTarget, syncMembers, upsertTarget } from '../bff/services/targets.js';
import { refreshDirectory } from '../bff/services/directory/refresh.js';
import * as current from '../bff/services/directory/queries.js';
import { createAnswerCache } from '../bff/services/directory/answers.js';
import { createDirectoryCopies, DEFAULT_DIRECTORY_COPY_LIMITS } from '../bff/services/directory/copy.js';
import { companyPeople, median } from './people.js';
import { foldForSearch } from '../bff/text.js';

type Service = Pick<typeof current, 'listContacts' | 'listFacets'>;

const SIZE = Number(process.env.BENCH_SEARCH_SIZE ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FRAGMENTS = ['ber', 'man', 'eng', 'ada', 'ro', 'li'];
const NOBODY = 'zqx';
const KEY = 'bench:*';
const target = { type: 'organization', id: 'big' } as const;
const people = companyPeople(SIZE);

export async function database(kind: 'sqlite' | 'postgres', dir: string, upTo?: string): Promise<{ db: Db; drop(): Promise<void> }> {
  let db: Db;
  let drop: () => Promise<void>;
  if (kind === 'postgres') {
    const created = await createPgDatabase(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    db = openDatabase({ url: created.url, sqlitePath: '', onIdleError: () => undefined });
    drop = async () => {
      await db.close();
      await created.drop();
    };
  } else {
    db = openDatabase({ sqlitePath: join(dir, `search-${randomBytes(4).toString('hex')}.sqlite`) });
    drop = () => db.close();
  }
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
  const { error } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  if (error) throw error;
  const now = new Date();
  await upsertTarget(db.kysely, target, { name: 'Big', seatLimit: 1_000_000 }, now);
  await refreshDirectory(
    db.kysely,
    { cacheKey: KEY, connector: () => ({ listContacts: async () => ({ contacts: people, nextCursor: null, total: people.length }) }) },
    () => now,
  );
  const withEmail = people.filter((p) => p.email);
  await syncMembers(
    db.kysely,
    target,
    withEmail.slice(0, 2_000).map((p) => ({ id: p.id, email: p.email! })),
    now,
  );
  const expires = new Date(now.getTime() + 7 * 86_400_000).toISOString();
  const invites = withEmail.slice(2_000, 3_000).map((p, i) => ({
    id: `inv_${i}`,
    target_type: target.type,
    target_id: target.id,
    import_id: null,
    provider: 'bench',
    contact_id: p.id,
    email: p.email!,
    email_normalized: p.email!.toLowerCase(),
    name: p.displayName,
    first_name: p.firstName,
    role: 'user',
    status: 'pending',
    token_hash: `t${i}`,
    inviter_id: 'u',
    expires_at: expires,
    created_at: now.toISOString(),
    accepted_at: null,
    revoked_at: null,
  }));
  for (let i = 0; i < invites.length; i += 200)
    await db.kysely
      .insertInto('invites')
      .values(invites.slice(i, i + 200))
      .execute();
  // Fresh statistics, as autovacuum would give a directory that has been there a while.
  if (kind === 'postgres') await sql`analyze`.execute(db.kysely);
  return { db, drop };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

interface Build {
  name: string;
  service: Service;
  db: Db;
}

async function measure(kind: 'sqlite' | 'postgres', builds: Build[]) {
  const now = new Date();
  const row = await getTarget(builds[0]!.db.kysely, target);
  const page = (b: Build, search: string) => () => b.service.listContacts(b.db.kysely, row, KEY, { search, limit: 50 }, now);
  const facets = (b: Build, search: string) => () => b.service.listFacets(b.db.kysely, KEY, { search });
  // Warm each build's caches and connections, then check they agree before timing anything.
  const answers = await Promise.all(builds.map((b) => page(b, 'ber')()));
  for (const a of answers.slice(1)) {
    if (a.total !== answers[0]!.total || a.selectable !== answers[0]!.selectable)
      throw new Error(`builds disagree: ${JSON.stringify([a.total, a.selectable, answers[0]!.total, answers[0]!.selectable])}`);
  }
  const times = new Map<string, number[]>();
  const add = (k: string, v: number) => (times.get(k) ?? times.set(k, []).get(k)!).push(v);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 ? [...builds].reverse() : builds;
    for (const word of [...FRAGMENTS, NOBODY]) {
      for (const b of order) {
        add(`${b.name} page ${word}`, await timed(page(b, word)));
        add(`${b.name} facets ${word}`, await timed(facets(b, word)));
      }
    }
  }
  const texts = people.map((c) => foldForSearch([c.displayName, c.email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')));
  const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(9);
  for (const b of builds) {
    console.log(
      `\nsearch, ${kind}, ${b.name}: ${SIZE.toLocaleString('en')} people, median of ${RUNS} (floor: the same call for "${NOBODY}", which matches nobody)`,
    );
    const floorPage = median(times.get(`${b.name} page ${NOBODY}`)!);
    const floorFacets = median(times.get(`${b.name} facets ${NOBODY}`)!);
    const pageMedians: number[] = [];
    const facetMedians: number[] = [];
    for (const word of FRAGMENTS) {
      const share = texts.filter((t) => t.includes(word)).length / texts.length;
      const p = median(times.get(`${b.name} page ${word}`)!);
      const f = median(times.get(`${b.name} facets ${word}`)!);
      pageMedians.push(p);
      facetMedians.push(f);
      console.log(
        `  "${word}" (${(share * 100).toFixed(0).padStart(2)}%)   page+counts ${ms(p)} (${(p / floorPage).toFixed(1)}× floor ${ms(floorPage)})   facets ${ms(f)} (${(f / floorFacets).toFixed(1)}× floor ${ms(floorFacets)})`,
      );
    }
    console.log(
      `  page+counts median ${ms(median(pageMedians))} (target 15 ms), slowest ${ms(Math.max(...pageMedians))} (target 50 ms); facets median ${ms(median(facetMedians))} (target 15 ms)`,
    );
  }
  await measureCopy(kind, builds.at(-1)!, row, now);
  await measureKept(kind, builds.at(-1)!, row, now);
}

/**
 * A new search as the route answers it once the directory's copy in the process is made
 * (copy.ts) with the target's seats marked in it: through a fresh answer cache each time, so
 * nothing of an answer is kept, sharing the copy, which lives as long as the directory's
 * generation. Also what making the copy takes, once per generation, in the background.
 */
async function measureCopy(kind: string, b: Build, row: Awaited<ReturnType<typeof getTarget>>, now: Date) {
  // One search's matching rows kept, as within one request: each timed call below searches the
  // text afresh, since the call before it was of another word.
  const copies = createDirectoryCopies({ ...DEFAULT_DIRECTORY_COPY_LIMITS, searches: 1 });
  const fresh = () => createAnswerCache(undefined, copies);
  const started = performance.now();
  await fresh().facets(b.db.kysely, KEY, { search: NOBODY });
  if (!(await copies.settled(KEY))) throw new Error('the copy was not made');
  const made = performance.now() - started;
  await fresh().contacts(b.db.kysely, row, KEY, { search: NOBODY, limit: 50 }, now);
  const times = new Map<string, number[]>();
  const add = (k: string, v: number) => (times.get(k) ?? times.set(k, []).get(k)!).push(v);
  for (let run = 0; run < RUNS; run++) {
    for (const word of [...FRAGMENTS, NOBODY])
      add(`page ${word}`, await timed(() => fresh().contacts(b.db.kysely, row, KEY, { search: word, limit: 50 }, now)));
    for (const word of [...FRAGMENTS, NOBODY]) add(`facets ${word}`, await timed(() => fresh().facets(b.db.kysely, KEY, { search: word })));
  }
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  for (const [what, target] of [
    ['page', 'page+counts median (target 15 ms)'],
    ['facets', 'facets median (target 15 ms)'],
  ] as const) {
    const floor = median(times.get(`${what} ${NOBODY}`)!);
    const medians = FRAGMENTS.map((w) => median(times.get(`${what} ${w}`)!));
    console.log(
      `  ${kind}, as the route answers a new search over the directory's copy: ${target} ${ms(median(medians))}, ${(median(medians) / floor).toFixed(1)}× floor ${ms(floor)}; slowest ${ms(Math.max(...medians))} (target 50 ms)`,
    );
  }
  console.log(`  ${kind}: the copy made in ${ms(made)}, in the background, once per directory generation`);
}

/** The same searches again, as the routes answer them from their kept answers (after one computation each). */
async function measureKept(kind: string, b: Build, row: Awaited<ReturnType<typeof getTarget>>, now: Date) {
  const answers = createAnswerCache();
  const page = (search: string) => () => answers.contacts(b.db.kysely, row, KEY, { search, limit: 50 }, now);
  const facets = (search: string) => () => answers.facets(b.db.kysely, KEY, { search });
  for (const word of FRAGMENTS) await Promise.all([page(word)(), facets(word)()]);
  const pages: number[] = [];
  const facetTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const word of FRAGMENTS) {
      pages.push(await timed(page(word)));
      facetTimes.push(await timed(facets(word)));
    }
  }
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  console.log(`  kept, ${kind} (the same searches typed again): page+counts median ${ms(median(pages))}, facets median ${ms(median(facetTimes))}`);
}

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function searchBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hr-import-search-'));
  const before = process.env.SEARCH_BEFORE ? ((await import(resolve(process.env.SEARCH_BEFORE))) as Service) : null;
  // BENCH_SEARCH_DB=sqlite or postgres: that database alone.
  const only = process.env.BENCH_SEARCH_DB;
  const kinds: ('sqlite' | 'postgres')[] = [
    ...(only !== 'postgres' ? (['sqlite'] as const) : []),
    ...(only !== 'sqlite' && process.env.BENCH_SQLITE_ONLY !== '1' && (await pgReachable()) ? (['postgres'] as const) : []),
  ];
  try {
    for (const kind of kinds) {
      const dbs = [await database(kind, dir)];
      const builds: Build[] = [{ name: 'this build', service: current, db: dbs[0]!.db }];
      if (before) {
        dbs.push(await database(kind, dir, process.env.SEARCH_BEFORE_MIGRATION ?? '2026_12_02_110100_create_health_probes'));
        builds.unshift({ name: 'before', service: before, db: dbs[1]!.db });
      }
      try {
        await measure(kind, builds);
      } finally {
        for (const d of dbs) await d.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await searchBench();
