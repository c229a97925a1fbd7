/**
 * Load test (`npm run bench`, or `tsx bench/load.ts` alone): autocannon at 64 connections against
 * the contacts and import routes of a real server process, each printed beside the same server's
 * health route, which does no work of ours and so is the framework's ceiling on this machine.
 * Requests a second and p99 latency are medians of several runs; any error, timeout or non-2xx
 * answer fails the benchmark, because "fast" means nothing if some requests were refused.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import autocannon from 'autocannon';
import { median } from './people.js';

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 64);
const FRAGMENTS = ['ber', 'man', 'eng', 'ada', 'ro', 'li'];
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);

interface Figures { rps: number; p99: number; failed: number; requests: number }

async function startServer(): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./load-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`load server exited with ${code}`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop: () => new Promise((ok) => { child.once('exit', () => ok()); child.kill('SIGTERM'); }),
  };
}

async function hammer(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

function report(name: string, runs: Figures[], ceiling: { rps: number; p99: number }) {
  const rps = median(runs.map((r) => r.rps));
  const p99 = median(runs.map((r) => r.p99));
  const failed = runs.reduce((n, r) => n + r.failed, 0);
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  console.log(
    `${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s (${(rps / ceiling.rps).toFixed(2)}× health)   ` +
      `p99 ${p99.toFixed(0).padStart(4)} ms (${(p99 / Math.max(ceiling.p99, 1)).toFixed(1)}× health)   ${failed} failed of ${requests}`,
  );
  return failed;
}

const server = await startServer();
try {
  const auth = { Authorization: `Bearer ${server.token}` };
  const routes: { name: string; options: autocannon.Options }[] = [
    { name: 'GET /api/health', options: { url: `${server.url}/api/health` } },
    {
      name: 'GET contacts (search, 50 a page)',
      options: {
        url: server.url,
        requests: [{
          method: 'GET',
          headers: auth,
          // What admins type: two- and three-letter fragments matching 10–40% of the directory
          // (bench/search.ts), drawn at random; nothing in the BFF caches a search's answer.
          setupRequest: (req) => ({ ...req, path: `/api/providers/bench/contacts?limit=50&search=${FRAGMENTS[randomInt(FRAGMENTS.length)]}` }),
        }],
      },
    },
    {
      name: 'POST /api/imports (1 contact each)',
      options: {
        url: server.url,
        requests: [{
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            path: '/api/imports',
            headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': `load-${randomInt(2 ** 47)}` },
            body: JSON.stringify({ provider: 'bench', selection: { ids: [`p${randomInt(10_000)}`] }, role: 'user', message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' } }),
          }),
        }],
      },
    },
  ];
  console.log(`\nload (${process.env.BENCH_LOAD_DB === 'postgres' ? 'PostgreSQL' : 'SQLite'}, 100,000 people): ${CONNECTIONS} connections, ${SECONDS} s a run, median of ${RUNS} runs (ratio to the health route = the framework's ceiling here)`);
  const figures = new Map<string, Figures[]>(routes.map((r) => [r.name, []]));
  // Interleaved, so a slow moment of the machine lands on every route rather than on one.
  for (let run = 0; run < RUNS; run++) for (const r of routes) figures.get(r.name)!.push(await hammer(r.options));
  const health = figures.get(routes[0]!.name)!;
  const ceiling = { rps: median(health.map((r) => r.rps)), p99: median(health.map((r) => r.p99)) };
  let failed = 0;
  for (const r of routes) failed += report(r.name, figures.get(r.name)!, ceiling);
  if (failed > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
