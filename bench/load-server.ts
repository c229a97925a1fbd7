/**
 * The server the load test hammers, in its own process so the load generator never shares its
 * event loop: the real createApp on @hono/node-server over a SQLite file (or PostgreSQL), a
 * 100,000-person directory already cached, and a target with room for every import, beside `ADMINS`
 * labs with an admin each. Prints `{ port, token, tokens }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { createPgDatabase } from '../test/postgres.js';
import { benchApp, companyPeople } from './people.js';
import { ADMINS, FLOOR_PATH, FRAGMENTS } from './load-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-import-load-'));
// BENCH_LOAD_REPLICA_OF=<url>: one of several processes on a PostgreSQL database another process
// made and filled (bench/replicas.ts), which it neither migrates nor drops.
const replicaOf = process.env.BENCH_LOAD_REPLICA_OF;
// BENCH_LOAD_DB=postgres: a fresh database on TEST_PG_URL's server (dropped at the end) instead of a SQLite file.
const pgDb = replicaOf
  ? null
  : process.env.BENCH_LOAD_DB === 'postgres'
    ? await createPgDatabase(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
    : null;
const db = openDatabase({ url: replicaOf ?? pgDb?.url, sqlitePath: join(dir, 'load.sqlite'), onIdleError: () => undefined });
if (!replicaOf) await migrateToLatest(db);
// The limiters still run (and count, in this process's memory) on every request; only their
// ceilings are raised, since one session at 64 connections is exactly what they exist to refuse.
// A company-sized directory whose names repeat, so the fragments the load test types match 10–40% of it.
const { app, token, tokens } = await benchApp(db, replicaOf ? [] : companyPeople(100_000), {
  admins: ADMINS,
  rateLimits: { session: 1e9, address: 1e9, accept: 1e9 },
  seeded: Boolean(replicaOf),
});
// Each fragment's answer as the app gives it now, replayed as it is by the floor route (load-kit.ts).
const answers = new Map<string, { body: ArrayBuffer; headers: Headers }>();
for (const word of FRAGMENTS) {
  const res = await app.request(`/api/providers/bench/contacts?limit=50&search=${word}`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`search "${word}" answered ${res.status}`);
  answers.set(word, { body: await res.arrayBuffer(), headers: res.headers });
}
const fetch = (request: Request) => {
  const url = new URL(request.url);
  const answer = url.pathname === FLOOR_PATH ? answers.get(url.searchParams.get('search') ?? '') : undefined;
  return answer ? new Response(answer.body, { headers: answer.headers }) : app.fetch(request);
};
const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, token, tokens }) + '\n');
});

const stop = () =>
  server.close(
    () =>
      void db
        .close()
        .then(() => pgDb?.drop())
        .finally(() => {
          rmSync(dir, { recursive: true, force: true });
          process.exit(0);
        }),
  );
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
