/**
 * The server the load test hammers, in its own process so the load generator never shares its
 * event loop: the real createApp on @hono/node-server over a SQLite file (or PostgreSQL), a
 * 100,000-person directory already cached, and a target with room for every import. Prints `{ port, token }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { createPgDatabase } from '../test/postgres.js';
import { benchApp, companyPeople } from './people.js';

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
const { app, token } = await benchApp(db, replicaOf ? [] : companyPeople(100_000), {
  rateLimits: { session: 1e9, address: 1e9, accept: 1e9 },
  seeded: Boolean(replicaOf),
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, token }) + '\n');
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
