/**
 * One BFF process against three on one PostgreSQL database (`tsx bench/replicas.ts`, part of
 * `npm run bench`): the same load, printed side by side. On a two-core machine three processes
 * cannot triple anything; the point is that throughput holds or grows and p99 does not explode,
 * i.e. nothing in our code serialises the replicas (no process-local lock standing in for the
 * database's, no shared row every request writes).
 */
import { createPgDatabase } from '../test/postgres.js';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { benchApp, companyPeople } from './people.js';
import { ADMINS, CONNECTIONS, hammer, loadRoutes, medianOf, RUNS, SECONDS, startServer, type Figures, type LoadServer } from './load-kit.js';

const pg = await createPgDatabase(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
try {
  {
    // The database every replica shares: migrated and filled once, as a deployment's would be.
    const db = openDatabase({ url: pg.url, sqlitePath: '', onIdleError: () => undefined });
    await migrateToLatest(db);
    await benchApp(db, companyPeople(100_000), { admins: ADMINS });
    await db.close();
  }
  const results = new Map<number, Map<string, Figures[]>>();
  for (const replicas of [1, 3]) {
    const servers: LoadServer[] = [];
    try {
      for (let i = 0; i < replicas; i++) servers.push(await startServer({ BENCH_LOAD_REPLICA_OF: pg.url }));
      const routes = loadRoutes(
        servers.map((s) => s.url),
        servers[0]!.token,
        servers[0]!.tokens,
      );
      const figures = new Map<string, Figures[]>(routes.map((r) => [r.name, []]));
      for (let run = 0; run < RUNS; run++) for (const r of routes) figures.get(r.name)!.push(await hammer(r.options));
      results.set(replicas, figures);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  console.log(
    `\nreplicas (PostgreSQL, 100,000 people): one process against three on one database, ${CONNECTIONS} connections in all, ${SECONDS} s a run, median of ${RUNS}`,
  );
  let failed = 0;
  for (const name of results.get(1)!.keys()) {
    const one = medianOf(results.get(1)!.get(name)!);
    const three = medianOf(results.get(3)!.get(name)!);
    failed += one.failed + three.failed;
    console.log(
      `${name.padEnd(34)} 1: ${one.rps.toFixed(0).padStart(6)} req/s p99 ${one.p99.toFixed(0).padStart(5)} ms   ` +
        `3: ${three.rps.toFixed(0).padStart(6)} req/s p99 ${three.p99.toFixed(0).padStart(5)} ms   (${(three.rps / one.rps).toFixed(2)}× throughput)   ${one.failed + three.failed} failed`,
    );
  }
  if (failed > 0) process.exitCode = 1;
} finally {
  await pg.drop();
}
