/**
 * Load test (`npm run bench`, or `tsx bench/load.ts` alone): autocannon at 64 connections against
 * the contacts and import routes of a real server process, each printed beside the same server's
 * health route, which does no work of ours and so is the framework's ceiling on this machine.
 * Requests a second and p99 latency are medians of several runs; any error, timeout or non-2xx
 * answer fails the benchmark, because "fast" means nothing if some requests were refused.
 * `BENCH_LOAD_ROUTES=imports` (or `contacts`) hammers that route alone beside health.
 */
import { CONNECTIONS, hammer, loadRoutes, medianOf, RUNS, SECONDS, startServer, type Figures } from './load-kit.js';

function report(name: string, runs: Figures[], ceiling: { rps: number; p99: number }) {
  const { rps, p99, settledP99, failed, requests } = medianOf(runs);
  console.log(
    `${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s (${(rps / ceiling.rps).toFixed(2)}× health)   ` +
      `p99 ${p99.toFixed(0).padStart(4)} ms (${(p99 / Math.max(ceiling.p99, 1)).toFixed(1)}× health; ${settledP99.toFixed(0)} ms after the first second)   ${failed} failed of ${requests}`,
  );
  return failed;
}

const server = await startServer();
try {
  // BENCH_LOAD_ROUTES=imports (or contacts): that route alone beside health, for short runs.
  const only = process.env.BENCH_LOAD_ROUTES?.split(',');
  const routes = loadRoutes([server.url], server.token, server.tokens).filter((r, i) => i === 0 || !only || only.some((o) => r.name.toLowerCase().includes(o)));
  console.log(
    `\nload (${process.env.BENCH_LOAD_DB === 'postgres' ? 'PostgreSQL' : 'SQLite'}, 100,000 people): ${CONNECTIONS} connections, ${SECONDS} s a run, median of ${RUNS} runs (ratio to the health route = the framework's ceiling here)`,
  );
  const figures = new Map<string, Figures[]>(routes.map((r) => [r.name, []]));
  // Interleaved, so a slow moment of the machine lands on every route rather than on one.
  for (let run = 0; run < RUNS; run++) for (const r of routes) figures.get(r.name)!.push(await hammer(r.options));
  const ceiling = medianOf(figures.get(routes[0]!.name)!);
  let failed = 0;
  for (const r of routes) failed += report(r.name, figures.get(r.name)!, ceiling);
  if (failed > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
