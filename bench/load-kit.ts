/**
 * What bench/load.ts and bench/replicas.ts share: a real server process (bench/load-server.ts),
 * autocannon runs against it, and the routes hammered.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import autocannon from 'autocannon';
import { median } from './people.js';

export const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 64);
export const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
export const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);
const FRAGMENTS = ['ber', 'man', 'eng', 'ada', 'ro', 'li'];

export interface Figures {
  rps: number;
  p99: number;
  failed: number;
  requests: number;
}
export interface LoadServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** One server process; `env` adds to this process's environment (BENCH_LOAD_DB, BENCH_LOAD_REPLICA_OF). */
export async function startServer(env: Record<string, string> = {}): Promise<LoadServer> {
  // BENCH_LOAD_PROFILE=<folder>: the server writes a CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_LOAD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_LOAD_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', new URL('./load-server.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const first = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`load server exited with ${code}`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop: () =>
      new Promise((ok) => {
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

export async function hammer(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

export const medianOf = (runs: Figures[]) => ({
  rps: median(runs.map((r) => r.rps)),
  p99: median(runs.map((r) => r.p99)),
  failed: runs.reduce((n, r) => n + r.failed, 0),
  requests: runs.reduce((n, r) => n + r.requests, 0),
});

/** autocannon takes several URLs (README: "More than one URL is allowed"); its types say one. */
const toTarget = (urls: string[]): string => (urls.length === 1 ? urls[0]! : (urls as unknown as string));

/**
 * The routes, against one server or several (autocannon spreads its connections over the URLs).
 * Each server signs sessions with the same bench secret, so one token serves them all.
 */
export function loadRoutes(urls: string[], token: string): { name: string; options: autocannon.Options }[] {
  const auth = { Authorization: `Bearer ${token}` };
  const url = toTarget(urls);
  return [
    { name: 'GET /api/health', options: { url: toTarget(urls.map((u) => `${u}/api/health`)) } },
    {
      name: 'GET contacts (search, 50 a page)',
      options: {
        url,
        requests: [
          {
            method: 'GET',
            headers: auth,
            // What admins type: two- and three-letter fragments matching 10–40% of the directory
            // (bench/search.ts), drawn at random. The BFF keeps each answer while it is exact
            // (bff/services/directory/answers.ts), so past the first of each fragment (and after
            // each import run, whose writes make them out of date) this is a kept answer: the
            // cost of a keystroke typed again, of paging back, of many admins typing alike.
            setupRequest: (req) => ({ ...req, path: `/api/providers/bench/contacts?limit=50&search=${FRAGMENTS[randomInt(FRAGMENTS.length)]}` }),
          },
        ],
      },
    },
    {
      name: 'POST /api/imports (1 contact each)',
      options: {
        url,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => ({
              ...req,
              path: '/api/imports',
              headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': `load-${randomInt(2 ** 47)}` },
              body: JSON.stringify({
                provider: 'bench',
                selection: { ids: [`p${randomInt(10_000)}`] },
                role: 'user',
                message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' },
              }),
            }),
          },
        ],
      },
    },
  ];
}
