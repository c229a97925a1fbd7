/**
 * Load test (`npm run bench`, or `tsx bench/load.ts` alone): autocannon at 64 connections against
 * the contacts and import routes of a real server process, each printed beside the same server's
 * health route, which does no work of ours and so is the framework's ceiling on this machine.
 * Requests a second and p99 latency are medians of several runs; any error, timeout or non-2xx
 * answer fails the benchmark, because "fast" means nothing if some requests were refused.
 * `BENCH_LOAD_ROUTES=imports` (or `contacts`) hammers that route alone beside health.
 */
import { CONNECTIONS, hammer, loadRoutes, medianOf, postgresCpu, processCpu, RUNS, SECONDS, startServer, type Figures, type Meters } from './load-kit.js';

const POSTGRES = process.env.BENCH_LOAD_DB === 'postgres';
const ms = (seconds: number) => `${(seconds * 1000).toFixed(3)} ms`;

function report(name: string, runs: Figures[], ceiling: { rps: number; p99: number; appCpu: number }) {
  const { rps, p99, settledP99, failed, requests, appCpu, dbCpu } = medianOf(runs);
  console.log(
    `${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s (${(rps / ceiling.rps).toFixed(2)}× health)   ` +
      `p99 ${p99.toFixed(0).padStart(4)} ms (${(p99 / Math.max(ceiling.p99, 1)).toFixed(1)}× health; ${settledP99.toFixed(0)} ms after the first second)   ${failed} failed of ${requests}`,
  );
  console.log(
    `${''.padEnd(34)} CPU a request: the server process ${ms(appCpu)} (${(appCpu / ceiling.appCpu).toFixed(1)}× health's)` +
      (POSTGRES ? `, PostgreSQL ${ms(dbCpu)}` : ''),
  );
  return failed;
}

const server = await startServer();
// Each request priced in CPU: the server is one thread of JavaScript, so a route that costs k×
// health's CPU there cannot pass 1/k of health's throughput, whatever else the machine has free.
const meters: Meters = { app: processCpu(server.pid), ...(POSTGRES ? { db: postgresCpu } : {}) };
try {
  // BENCH_LOAD_ROUTES=imports (or contacts): that route alone beside health, for short runs.
  const only = process.env.BENCH_LOAD_ROUTES?.split(',');
  const routes = loadRoutes([server.url], server.token, server.tokens).filter((r, i) => i === 0 || !only || only.some((o) => r.name.toLowerCase().includes(o)));
  console.log(
    `\nload (${POSTGRES ? 'PostgreSQL' : 'SQLite'}, 100,000 people): ${CONNECTIONS} connections, ${SECONDS} s a run, median of ${RUNS} runs (ratio to the health route = the framework's ceiling here)`,
  );
  const figures = new Map<string, Figures[]>(routes.map((r) => [r.name, []]));
  // Interleaved, so a slow moment of the machine lands on every route rather than on one.
  for (let run = 0; run < RUNS; run++) for (const r of routes) figures.get(r.name)!.push(await hammer(r.options, meters));
  const ceiling = medianOf(figures.get(routes[0]!.name)!);
  let failed = 0;
  for (const r of routes) failed += report(r.name, figures.get(r.name)!, ceiling);
  console.log(
    `(0.15× health's throughput, the import target, leaves an import at most ${(1 / 0.15).toFixed(1)}× health's CPU in the server process: ${ms(ceiling.appCpu / 0.15)} here)`,
  );
  if (failed > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
