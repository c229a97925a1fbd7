/**
 * Where a one-contact import's time goes (`npx tsx bench/import-statements.ts`): the app called
 * directly in this process (no HTTP), 20,000 people, 3,000 imports first so that the day's tables
 * hold what a busy day's would, then 1,000 imports timed as a whole and 1,000 with every statement
 * counted by its text.
 *
 * SQLite (the default): each statement also timed, as SQLite runs it in this process. Prints the
 * time per import and, per statement, its microseconds per import and how many times an import
 * runs it.
 *
 * PostgreSQL (`BENCH_IMPORT_DB=postgres`, on TEST_PG_URL's server): each statement is a round trip
 * to the server, so it prints the statements an import sends, and the CPU an import costs this
 * process and the PostgreSQL server (from /proc), beside what a round trip of `select 1` alone
 * costs each: the part of an import that is round trips, whatever the statements do.
 * `BENCH_IMPORT_PREPARED=1` sends each statement as a named prepared statement (below).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { createPgDatabase } from '../test/postgres.js';
import { benchApp, companyPeople } from './people.js';
import { postgresCpu } from './load-kit.js';

const WARM = 3000;
const N = 1000;
const POSTGRES = process.env.BENCH_IMPORT_DB === 'postgres';
/**
 * BENCH_IMPORT_PREPARED=1: each PostgreSQL statement is sent as a named prepared statement, so each
 * connection parses and plans it once instead of on every call (what the app does not do yet:
 * docs/performance.md, "The import target against the machine").
 */
const PREPARED = POSTGRES && process.env.BENCH_IMPORT_PREPARED === '1';
const dir = mkdtempSync(join(tmpdir(), 'hr-import-statements-'));
let timing = false;
const times = new Map<string, { n: number; ms: number }>();
const count = (text: string, ms: number) => {
  const key = text.replace(/\s+/g, ' ').slice(0, 110);
  const entry = times.get(key) ?? { n: 0, ms: 0 };
  entry.n++;
  entry.ms += ms;
  times.set(key, entry);
};
// Every SQLite statement runs through these four methods of better-sqlite3's Statement.
const statement = Object.getPrototypeOf(new SQLite(':memory:').prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
for (const method of ['run', 'all', 'get', 'iterate']) {
  const original = statement[method]!;
  statement[method] = function (this: SQLite.Statement, ...args: unknown[]) {
    if (!timing) return original.apply(this, args);
    const started = performance.now();
    const result = original.apply(this, args);
    count(this.source, performance.now() - started);
    return result;
  };
}
/** Each statement's name when BENCH_IMPORT_PREPARED is set: one per text, as a driver's statement cache would keep them. */
const names = new Map<string, string>();
// Every PostgreSQL statement is a call of pg's Client.query: counted, not timed (its time is the server's and the wire's).
const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = client.query;
client.query = function (this: unknown, ...args: unknown[]) {
  if (timing) count(typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '?'), 0);
  if (PREPARED && typeof args[0] === 'string' && Array.isArray(args[1]) && args[1].length < 200) {
    const text = args[0] as string;
    let name = names.get(text);
    if (!name) names.set(text, (name = `s${names.size}`));
    return query.apply(this, [{ name, text, values: args[1] }, ...args.slice(2)]);
  }
  return query.apply(this, args);
};

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const pgDb = POSTGRES ? await createPgDatabase(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres') : null;
const db = openDatabase({ url: pgDb?.url, sqlitePath: join(dir, 'statements.sqlite') });
try {
  await migrateToLatest(db);
  const { app, token } = await benchApp(db, companyPeople(20_000), { rateLimits: { session: 1e9, address: 1e9, accept: 1e9 } });
  const importOne = async () => {
    const res = await app.request('/api/imports', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `one-${randomInt(2 ** 47)}` },
      body: JSON.stringify({
        provider: 'bench',
        selection: { ids: [`p${randomInt(10_000)}`] },
        role: 'user',
        message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' },
      }),
    });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
  };
  for (let i = 0; i < WARM; i++) await importOne();
  const [started, cpu0, server0] = [performance.now(), cpu(), POSTGRES ? postgresCpu() : 0];
  for (let i = 0; i < N; i++) await importOne();
  const each = (total: number) => `${((total * 1000) / N).toFixed(2)} ms`;
  console.log(
    `one-contact import after ${WARM}: ${((performance.now() - started) / N).toFixed(2)} ms each; CPU ${each(cpu() - cpu0)} in this process` +
      (POSTGRES ? `, ${each(postgresCpu() - server0)} in PostgreSQL` : ''),
  );
  timing = true;
  const timed = performance.now();
  for (let i = 0; i < N; i++) await importOne();
  timing = false;
  const sorted = [...times].sort((a, b) => b[1].ms - a[1].ms || b[1].n - a[1].n);
  if (POSTGRES) {
    let sent = 0;
    for (const [text, { n }] of sorted) {
      sent += n;
      console.log(`${(n / N).toFixed(2).padStart(5)}×  ${text}`);
    }
    console.log(`statements: ${(sent / N).toFixed(1)} round trips an import`);
    // The same round trips with nothing in them: one connection, `select 1`.
    const trip = new pg.Client({ connectionString: pgDb!.url });
    await trip.connect();
    const [c0, s0] = [cpu(), postgresCpu()];
    for (let i = 0; i < 5 * N; i++) await trip.query('select 1');
    const [own, server] = [(cpu() - c0) / (5 * N), (postgresCpu() - s0) / (5 * N)];
    await trip.end();
    const trips = sent / N;
    console.log(
      `a round trip of select 1: ${(own * 1e6).toFixed(0)} µs CPU in this process, ${(server * 1e6).toFixed(0)} µs in PostgreSQL; ` +
        `× ${trips.toFixed(1)}: ${(own * trips * 1000).toFixed(2)} ms and ${(server * trips * 1000).toFixed(2)} ms of an import`,
    );
  } else {
    console.log(`with each statement timed: ${((performance.now() - timed) / N).toFixed(2)} ms each`);
    let total = 0;
    for (const [text, { n, ms }] of sorted) {
      total += ms;
      console.log(`${((ms / N) * 1000).toFixed(0).padStart(6)} µs ${(n / N).toFixed(2).padStart(5)}×  ${text}`);
    }
    console.log(`statements: ${((total / N) * 1000).toFixed(0)} µs an import`);
  }
} finally {
  await db.close();
  await pgDb?.drop();
  rmSync(dir, { recursive: true, force: true });
}
