/**
 * `npm run bench`: each figure beside its floor (the raw cost of the same work) as a ratio,
 * medians of several runs because these machines are noisy.
 *
 * - import-10k: POST /api/imports of 10,000 contacts through the HTTP route, against inserting
 *   the same invite and outbox rows with the driver in one transaction. SQLite, and PostgreSQL
 *   when TEST_PG_URL (or the local server) answers. IMPORT_BEFORE=<an earlier checkout> times
 *   that checkout's import beside this one's, runs alternating.
 * - sync-100k: a connection's first refresh of the directory cache from a 100,000-person
 *   Unified.to stand-in answering 100 a page with a fixed latency, one page in flight and four,
 *   each against pages × latency ÷ pages in flight (the wait on the provider alone) or the
 *   driver's own insert of the same rows into a fresh database with the same schema (search
 *   index included), whichever is larger. Each sync runs in a child process of its own (the
 *   stand-in stays here), whose peak RSS growth is reported. SQLite, and PostgreSQL when it
 *   answers (BENCH_SYNC_DB=sqlite or postgres for one); SYNC_BEFORE=<earlier directory/refresh.ts>
 *   alternates an earlier build's runs with this one's.
 * - sync-100k again: a full refresh over the directory it just filled, nothing changed (the
 *   periodic full refresh), against the first refresh.
 * - sync-100k incremental: the refresh after a full one when 1% of the people changed since
 *   (Unified.to's `updated_gte`), against the full refresh at one page in flight.
 * - search-100k: bench/search.ts, a search's first page with its counts, and its facets.
 * - sync-rule evaluation: bench/sync.ts, a sync rule's run over 100,000 people with 1% changed,
 *   against reading the changed rows (`BENCH_ONLY=sync-rule`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { openDatabase, migrateToLatest, type Db } from '../bff/db/connect.js';
import { staticProvider } from '../bff/providers/registry.js';
import { toRow } from '../bff/services/directory/rows.js';
import { DEFAULT_REFRESH_LIMITS, type RefreshLimits } from '../bff/services/directory/limits.js';
import { createUnifiedConnector } from '../bff/connectors/unified.js';
import { createPgDatabase } from '../test/postgres.js';
import { startUnifiedFake } from '../test/fakes/unified-server.js';
import { benchApp, benchPeople, median } from './people.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ms = (n: number) => `${n.toFixed(0)} ms`;

function line(name: string, value: number, floor: number, unit = ms) {
  console.log(`${name.padEnd(34)} ${unit(value).padStart(10)}   floor ${unit(floor).padStart(10)}   ratio ${(value / floor).toFixed(2)}×`);
}

/** One fresh database per run, so every import writes into the same state. */
async function freshDb(kind: 'sqlite' | 'postgres', dir: string): Promise<{ db: Db; drop(): Promise<void>; url?: string; file?: string }> {
  if (kind === 'postgres') {
    const created = await createPgDatabase(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    const db = openDatabase({ url: created.url, sqlitePath: '', onIdleError: () => undefined });
    return {
      db,
      url: created.url,
      drop: async () => {
        await db.close();
        await created.drop();
      },
    };
  }
  const file = join(dir, `bench-${randomBytes(4).toString('hex')}.sqlite`);
  const db = openDatabase({ sqlitePath: file });
  return { db, file, drop: () => db.close() };
}

/** The modules an import run takes from a checkout: its own migrations and app (IMPORT_BEFORE). */
interface ImportBuild {
  name: string;
  migrate: typeof migrateToLatest;
  benchApp: typeof benchApp;
}

async function importBuild(name: string, root: string): Promise<ImportBuild> {
  const base = pathToFileURL(`${resolve(root)}/`);
  const connect = (await import(new URL('bff/db/connect.ts', base).href)) as typeof import('../bff/db/connect.js');
  const people = (await import(new URL('bench/people.ts', base).href)) as typeof import('./people.js');
  return { name, migrate: connect.migrateToLatest, benchApp: people.benchApp };
}

async function importRoute(kind: 'sqlite' | 'postgres', dir: string, build: ImportBuild): Promise<number> {
  const { db, drop } = await freshDb(kind, dir);
  try {
    await build.migrate(db);
    const { app, token } = await build.benchApp(db, benchPeople(10_000), { seatLimit: 20_000 });
    const started = performance.now();
    const res = await app.request('/api/imports', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'bench-import-1' },
      body: JSON.stringify({
        provider: 'bench',
        selection: { all: true },
        role: 'user',
        message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, join: {{acceptUrl}}' },
      }),
    });
    const elapsed = performance.now() - started;
    const body = (await res.json()) as { invited: number };
    if (res.status !== 201 || body.invited !== 10_000) throw new Error(`import failed: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    return elapsed;
  } finally {
    await drop();
  }
}

/** The same 10,000 invite rows and 10,000 outbox rows, inserted by the driver in one transaction. */
function rawRows() {
  const now = new Date().toISOString();
  return Array.from({ length: 10_000 }, (_, i) => {
    const id = `inv_${randomBytes(15).toString('base64url')}`;
    return {
      invite: [
        id,
        'organization',
        'big',
        'imp_bench',
        'bench',
        `p${i}`,
        `person${i}@bench.example`,
        `person${i}@bench.example`,
        `First${i} Last${i}`,
        `First${i}`,
        'user',
        'pending',
        randomBytes(32).toString('hex'),
        'u',
        now,
        now,
      ],
      outbox: [
        `msg_${randomBytes(15).toString('base64url')}`,
        id,
        'queued',
        0,
        now,
        JSON.stringify({ to: `person${i}@bench.example`, subject: 'Join Big', text: 'Hi '.repeat(40), html: '<p>Hi</p>'.repeat(20) }),
        now,
      ],
    };
  });
}
const INVITE_COLS =
  'id, target_type, target_id, import_id, provider, contact_id, email, email_normalized, name, first_name, role, status, token_hash, inviter_id, expires_at, created_at';
const OUTBOX_COLS = 'id, invite_id, status, attempts, next_attempt_at, payload, created_at';

async function rawFloor(kind: 'sqlite' | 'postgres', dir: string): Promise<number> {
  const fresh = await freshDb(kind, dir);
  await migrateToLatest(fresh.db);
  await fresh.db.close();
  const rows = rawRows();
  try {
    if (kind === 'sqlite') {
      const sqlite = new SQLite(fresh.file!);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('foreign_keys = OFF');
      const started = performance.now();
      const inv = sqlite.prepare(`insert into invites (${INVITE_COLS}) values (${Array(16).fill('?').join(',')})`);
      const out = sqlite.prepare(`insert into outbox (${OUTBOX_COLS}) values (?,?,?,?,?,?,?)`);
      sqlite.transaction(() => {
        for (const r of rows) inv.run(r.invite);
        for (const r of rows) out.run(r.outbox);
      })();
      const elapsed = performance.now() - started;
      sqlite.close();
      return elapsed;
    }
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    try {
      await client.query('set session_replication_role = replica'); // no FK checks: the floor is the insert alone
      const started = performance.now();
      await client.query('begin');
      for (const [table, cols, key] of [
        ['invites', INVITE_COLS, 'invite'],
        ['outbox', OUTBOX_COLS, 'outbox'],
      ] as const) {
        const width = cols.split(',').length;
        for (let i = 0; i < rows.length; i += 200) {
          const batch = rows.slice(i, i + 200);
          const params = batch.flatMap((r) => r[key]);
          const values = batch.map((_, b) => `(${Array.from({ length: width }, (_, c) => `$${b * width + c + 1}`).join(',')})`).join(',');
          await client.query(`insert into ${table} (${cols}) values ${values}`, params);
        }
      }
      await client.query('commit');
      return performance.now() - started;
    } finally {
      await client.end();
    }
  } finally {
    await fresh.drop().catch(() => undefined);
  }
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

/** What one sync, run in a child process of its own, reports (`BENCH_SYNC_CHILD`). */
interface SyncRun {
  ms: number;
  /** The child's RSS just before the sync (Node, tsx, the BFF's modules, an empty database). */
  startRss: number;
  /** The child's peak RSS over its whole life (`process.resourceUsage().maxRSS`). */
  peakRss: number;
  /** The same rows inserted by the driver alone into a fresh database (full syncs only). */
  rawInsertMs: number;
  /** The same, into the table without its search index: what keeping the index costs, shown beside. */
  rawRowsMs: number;
}

const SYNC_SIZE = 100_000;
type SyncMode = 'full' | 'refill' | 'incremental';

/**
 * The same rows a sync writes, inserted by the driver alone into a freshly migrated database (the
 * table as the sync finds it, indexes and search index included): one prepared statement in one
 * transaction on SQLite, multi-row statements in one transaction on PostgreSQL. The floor's
 * database half. With `withoutSearchIndex`, the search index's triggers (SQLite) or GIN index
 * (PostgreSQL) are dropped first.
 */
async function rawDirectoryInsert(kind: 'sqlite' | 'postgres', dir: string, size: number, withoutSearchIndex = false): Promise<number> {
  const fresh = await freshDb(kind, dir);
  await migrateToLatest(fresh.db);
  await fresh.db.close();
  const rows = benchPeople(size).map((c) => toRow('raw:*', c));
  const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
  try {
    if (kind === 'sqlite') {
      const sqlite = new SQLite(fresh.file!);
      try {
        sqlite.pragma('journal_mode = WAL');
        if (withoutSearchIndex) for (const t of ['insert', 'delete', 'update']) sqlite.exec(`drop trigger directory_contacts_search_${t}`);
        const insert = sqlite.prepare(`insert into directory_contacts (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        const started = performance.now();
        sqlite.transaction(() => {
          for (const row of rows) insert.run(columns.map((c) => row[c] ?? null));
        })();
        return performance.now() - started;
      } finally {
        sqlite.close();
      }
    }
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    try {
      if (withoutSearchIndex) await client.query('drop index directory_contacts_search_trgm');
      const started = performance.now();
      await client.query('begin');
      const width = columns.length;
      for (let i = 0; i < rows.length; i += 500) {
        const batch = rows.slice(i, i + 500);
        const values = batch.map((_, b) => `(${Array.from({ length: width }, (_, c) => `$${b * width + c + 1}`).join(',')})`).join(',');
        await client.query(
          `insert into directory_contacts (${columns.join(', ')}) values ${values}`,
          batch.flatMap((r) => columns.map((c) => r[c] ?? null)),
        );
      }
      await client.query('commit');
      return performance.now() - started;
    } finally {
      await client.end();
    }
  } finally {
    await fresh.drop().catch(() => undefined);
  }
}

/**
 * One sync in this process, printed as JSON: the child side of `syncBench`. A child per run,
 * so its peak RSS is the sync's and not the stand-in's 100,000 people or an earlier run's.
 * `refill` and `incremental` first fill the directory with a full refresh, then time the refresh
 * after it: a full one (every person listed again, none changed) or one that lists only what
 * changed. `module` is the directory service to time (SYNC_BEFORE: an earlier build's).
 */
async function syncChild(url: string, kind: 'sqlite' | 'postgres', concurrency: number, dir: string, mode: SyncMode, module: string): Promise<void> {
  // Builds before the directory's split into a folder exported their limits beside refreshDirectory.
  const built = (await import(module)) as typeof import('../bff/services/directory/refresh.js') & { DEFAULT_REFRESH_LIMITS?: RefreshLimits };
  const { refreshDirectory: refresh } = built;
  const defaults = built.DEFAULT_REFRESH_LIMITS ?? DEFAULT_REFRESH_LIMITS;
  const limits = mode === 'refill' ? { ...defaults, incrementalRefreshes: 0 } : defaults;
  const { db, drop } = await freshDb(kind, dir);
  let run: SyncRun;
  try {
    await migrateToLatest(db);
    const provider = staticProvider('unified', 'unified', 'Unified.to', (s) => createUnifiedConnector(s), {
      baseUrl: url,
      credentials: { apiKey: 'bench-key', connectionId: 'conn1' },
    });
    // `key`: the cache key's name in builds before the directory's split, for SYNC_BEFORE.
    const source = { cacheKey: 'unified:*', key: 'unified:*', concurrency, connector: () => provider.connector };
    if (mode !== 'full') await refresh(db.kysely, source, () => new Date(), undefined, limits);
    const startRss = process.memoryUsage().rss;
    const started = performance.now();
    await refresh(db.kysely, source, () => new Date(), undefined, limits);
    const ms = performance.now() - started;
    run = { ms, startRss, peakRss: process.resourceUsage().maxRSS * 1024, rawInsertMs: 0, rawRowsMs: 0 };
  } finally {
    await drop();
  }
  // BENCH_SYNC_NO_FLOOR: bench/compare-sync.ts times the refreshes alone.
  if (mode === 'full' && !process.env.BENCH_SYNC_NO_FLOOR) {
    run.rawInsertMs = await rawDirectoryInsert(kind, dir, SYNC_SIZE);
    run.rawRowsMs = await rawDirectoryInsert(kind, dir, SYNC_SIZE, true);
  }
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

interface SyncChildArgs {
  url: string;
  kind: 'sqlite' | 'postgres';
  concurrency: number;
  dir: string;
  mode: SyncMode;
  module: string;
}

function runChild(args: SyncChildArgs): Promise<SyncRun> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, BENCH_SYNC_CHILD: JSON.stringify(args) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok(JSON.parse(out.trim().split('\n').at(-1)!) as SyncRun) : fail(new Error(`sync child exited with ${code}`))));
  });
}

/**
 * The refresh benchmarks, on each database in `kinds`. With SYNC_BEFORE=<path of an earlier
 * build's bff/services/directory/refresh.ts, or bff/services/directory.ts before the split>, every figure is measured for both builds, their runs
 * alternating (A B, B A, …) so a slow minute of this shared machine falls on both alike.
 */
async function syncBench(dir: string, kinds: ('sqlite' | 'postgres')[]) {
  const SIZE = SYNC_SIZE;
  const LATENCY = 2;
  const PAGE = 100;
  // 1% of the directory changed after the full refresh that precedes an incremental one: their
  // `updated_at` lies ahead of any watermark this run sets, everyone else's long before it.
  const changedSince = new Date(Date.now() + 86_400_000).toISOString();
  const employees = Array.from({ length: SIZE }, (_, i) => ({
    id: `e${i}`,
    name: `First${i} Last${i}`,
    first_name: `First${i}`,
    last_name: `Last${i}`,
    emails: [{ email: `person${i}@bench.example`, type: 'WORK' }],
    title: 'Engineer',
    employment_status: 'ACTIVE',
    updated_at: i % 100 === 0 ? changedSince : '2020-01-01T00:00:00Z',
  }));
  const fake = await startUnifiedFake({ employees, apiKey: 'bench-key', connectionId: 'conn1', latencyMs: LATENCY });
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const current = new URL('../bff/services/directory/refresh.ts', import.meta.url).href;
  const builds = process.env.SYNC_BEFORE
    ? [
        { name: 'before', module: pathToFileURL(resolve(process.env.SYNC_BEFORE)).href },
        { name: 'now', module: current },
      ]
    : [{ name: '', module: current }];
  const label = (build: { name: string }, text: string) => (build.name ? `${text} (${build.name})` : text);
  // Each run of each build, alternating builds from one run to the next.
  const alternate = async (args: Omit<SyncChildArgs, 'module'>) => {
    const results = builds.map(() => [] as SyncRun[]);
    for (let run = 0; run < Math.min(RUNS, 3); run++) {
      const order = builds.map((_, i) => i);
      if (run % 2) order.reverse();
      for (const b of order) results[b]!.push(await runChild({ ...args, module: builds[b]!.module }));
    }
    return results;
  };
  try {
    for (const kind of kinds) {
      let fullAtOne: number[] = [];
      for (const concurrency of [1, 4]) {
        fake.requests.length = 0;
        const results = await alternate({ url: fake.url, kind, concurrency, dir, mode: 'full' });
        // Every page once, plus the short page that ends the listing.
        const pages = Math.ceil(SIZE / PAGE) + 1;
        const wait = (pages * LATENCY) / concurrency;
        const all = results.flat();
        const insert = median(all.map((r) => r.rawInsertMs));
        const rows = median(all.map((r) => r.rawRowsMs));
        if (concurrency === 1) fullAtOne = results.map((r) => median(r.map((x) => x.ms)));
        builds.forEach((build, b) => {
          const runs = results[b]!;
          line(label(build, `sync 100k ${kind}, ${concurrency} in flight`), median(runs.map((r) => r.ms)), Math.max(wait, insert));
          console.log(
            `${label(build, '  peak RSS growth').padEnd(34)} ${mb(median(runs.map((r) => r.peakRss - r.startRss))).padStart(10)}   (peak ${mb(median(runs.map((r) => r.peakRss)))}; under 100 MB above its start)`,
          );
        });
        console.log(
          `${'  floor: provider wait, raw insert'.padEnd(34)} ${ms(wait).padStart(10)}   ${ms(insert).padStart(16)}   (${ms(rows)} of it without the search index)`,
        );
        console.log(`${''.padEnd(34)} ${''.padStart(10)}   ${Math.round(fake.requests.length / all.length)} requests a sync`);
      }
      // A full refresh over a directory that already holds everyone (the periodic one that finds
      // deletions): nothing changed, against the same floor as a first one.
      const refills = await alternate({ url: fake.url, kind, concurrency: 1, dir, mode: 'refill' });
      builds.forEach((build, b) => {
        const took = median(refills[b]!.map((r) => r.ms));
        console.log(
          `${label(build, `sync 100k ${kind}, again, unchanged`).padEnd(34)} ${ms(took).padStart(10)}   first ${ms(fullAtOne[b]!).padStart(10)}   ratio ${(took / fullAtOne[b]!).toFixed(2)}× of a first refresh`,
        );
      });
      // Issue 15: a refresh of a directory in which 1% changed takes at most 5% of a full one.
      const incremental = await alternate({ url: fake.url, kind, concurrency: 1, dir, mode: 'incremental' });
      builds.forEach((build, b) => {
        const took = median(incremental[b]!.map((r) => r.ms));
        console.log(
          `${label(build, `sync 100k ${kind}, 1% changed`).padEnd(34)} ${ms(took).padStart(10)}   full ${ms(fullAtOne[b]!).padStart(11)}   ratio ${((100 * took) / fullAtOne[b]!).toFixed(1)}% (at most 5%)`,
        );
      });
    }
  } finally {
    await fake.close();
  }
}

const child = process.env.BENCH_SYNC_CHILD ? (JSON.parse(process.env.BENCH_SYNC_CHILD) as SyncChildArgs) : null;
const dir = child?.dir ?? mkdtempSync(join(tmpdir(), 'hr-import-bench-'));
if (child) {
  await syncChild(child.url, child.kind, child.concurrency, child.dir, child.mode, child.module);
  process.exit(0);
}
try {
  console.log(`hr-import benchmarks (median of ${RUNS} runs; floor = the raw cost of the same work)\n`);
  const kinds: ('sqlite' | 'postgres')[] = ['sqlite', ...(process.env.BENCH_SQLITE_ONLY !== '1' && (await pgReachable()) ? (['postgres'] as const) : [])];
  // BENCH_ONLY=import, sync or widget runs that one alone. IMPORT_BEFORE=<an earlier checkout>
  // times that checkout's import beside this one's, alternating (A B floor, B A floor, …), each
  // against the same floors, so a slow minute of this shared machine falls on both alike.
  const importBuilds: ImportBuild[] = process.env.IMPORT_BEFORE
    ? [await importBuild('before', process.env.IMPORT_BEFORE), { name: 'now', migrate: migrateToLatest, benchApp }]
    : [{ name: '', migrate: migrateToLatest, benchApp }];
  for (const kind of process.env.BENCH_ONLY && process.env.BENCH_ONLY !== 'import' ? [] : kinds) {
    const route = importBuilds.map(() => [] as number[]);
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const order = importBuilds.map((_, b) => b);
      if (i % 2) order.reverse();
      for (const b of order) route[b]!.push(await importRoute(kind, dir, importBuilds[b]!));
      floor.push(await rawFloor(kind, dir));
    }
    importBuilds.forEach((build, b) => line(`import 10k via HTTP (${kind})${build.name ? ` ${build.name}` : ''}`, median(route[b]!), median(floor)));
  }
  if (kinds.length === 1 && process.env.BENCH_ONLY !== 'sync') console.log('  (PostgreSQL not reachable: set TEST_PG_URL to include it)');
  // BENCH_SYNC_DB=sqlite or postgres runs the refresh benchmarks on that database alone.
  if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'sync')
    await syncBench(
      dir,
      kinds.filter((k) => !process.env.BENCH_SYNC_DB || k === process.env.BENCH_SYNC_DB),
    );
  if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'search') await (await import('./search.js')).searchBench();
  if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'sync-rule') await (await import('./sync.js')).benchSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// BENCH_ONLY=widget (or no BENCH_ONLY) runs the widget's; bench/load.ts runs after this file.
if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'widget') await (await import('./widget.js')).widgetBench();
