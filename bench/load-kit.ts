/**
 * What bench/load.ts and bench/replicas.ts share: a real server process (bench/load-server.ts),
 * autocannon runs against it, and the routes hammered.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import autocannon from 'autocannon';
import { median } from './people.js';

export const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 64);
export const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
export const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);
export const FRAGMENTS = ['ber', 'man', 'eng', 'ada', 'ro', 'li'];

/** The server's replay of each fragment's answer as it stood at start (load-server.ts): the floor of a search. */
export const FLOOR_PATH = '/__floor/contacts';
/** Admins of labs of their own, for the imports of many admins at once (one per connection). */
export const ADMINS = CONNECTIONS;

export interface Figures {
  rps: number;
  p99: number;
  /** p99 of the requests sent after the run's first second (`SETTLED_AFTER_MS`). */
  settledP99: number;
  failed: number;
  requests: number;
  /** CPU-seconds a request cost the server process (all its threads) and the PostgreSQL server, when metered. */
  appCpu: number;
  dbCpu: number;
}

/** USER_HZ: the clock ticks a second of /proc's CPU times on Linux. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc/<pid>/stat line, in seconds (every thread of the process counted). */
function cpuOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The CPU-seconds process `pid` has used so far. */
export const processCpu = (pid: number) => (): number => cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/**
 * The CPU-seconds the processes named `postgres` (the server and its backends) have used so far.
 * A backend that exits between two readings takes its time with it: the pool keeps its
 * connections through a run, so that is the few it may close.
 */
export function postgresCpu(): number {
  let seconds = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') seconds += cpuOfStat(stat);
    } catch {
      // It exited while being read.
    }
  }
  return seconds;
}

/** What a run reads before and after, to price each request in CPU. */
export interface Meters {
  app: () => number;
  db?: () => number;
}

/**
 * Each run opens its connections at once. On this two-core machine, measured on both sides, a
 * few dozen of those first requests waited up to 4 s in the load generator while the server
 * never held any request for more than ~250 ms from its connection (bench/load-server.ts
 * timing `request` to `finish`, no TCP retransmission or listen drop in `nstat`); a client that
 * keeps its connections across runs sees no such tail. The p99 of the requests sent after the
 * first second is printed beside the whole run's, which stays the figure of record.
 */
const SETTLED_AFTER_MS = 1000;
export interface LoadServer {
  url: string;
  token: string;
  /** The server's process id, for its CPU time (processCpu). */
  pid: number;
  /** One session per lab (`ADMINS`). */
  tokens: string[];
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
  const { port, token, tokens } = JSON.parse(first) as { port: number; token: string; tokens: string[] };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    pid: child.pid!,
    tokens,
    stop: () =>
      new Promise((ok) => {
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

export async function hammer(options: autocannon.Options, meters?: Meters): Promise<Figures> {
  const before = { app: meters?.app() ?? 0, db: meters?.db?.() ?? 0 };
  const started = performance.now();
  const settled: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options }, (err, done) => (err ? reject(err) : resolve(done)));
    run.on('response', (_client, _status, _bytes, responseTime) => {
      if (performance.now() - responseTime - started >= SETTLED_AFTER_MS) settled.push(responseTime);
    });
  });
  const after = { app: meters?.app() ?? 0, db: meters?.db?.() ?? 0 };
  const answered = Math.max(result.requests.total, 1);
  settled.sort((a, b) => a - b);
  return {
    appCpu: (after.app - before.app) / answered,
    dbCpu: (after.db - before.db) / answered,
    rps: result.requests.average,
    p99: result.latency.p99,
    settledP99: settled[Math.min(settled.length - 1, Math.floor(settled.length * 0.99))] ?? NaN,
    failed: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

export const medianOf = (runs: Figures[]) => ({
  rps: median(runs.map((r) => r.rps)),
  p99: median(runs.map((r) => r.p99)),
  settledP99: median(runs.map((r) => r.settledP99)),
  failed: runs.reduce((n, r) => n + r.failed, 0),
  requests: runs.reduce((n, r) => n + r.requests, 0),
  appCpu: median(runs.map((r) => r.appCpu)),
  dbCpu: median(runs.map((r) => r.dbCpu)),
});

/** autocannon takes several URLs (README: "More than one URL is allowed"); its types say one. */
const toTarget = (urls: string[]): string => (urls.length === 1 ? urls[0]! : (urls as unknown as string));

/**
 * The routes, against one server or several (autocannon spreads its connections over the URLs).
 * Each server signs sessions with the same bench secret, so one token serves them all.
 */
export function loadRoutes(urls: string[], token: string, tokens: string[] = []): { name: string; options: autocannon.Options }[] {
  const admin = () => `Bearer ${token}`;
  /** One of the labs' admins, drawn at random for each request. */
  const anyLabAdmin = () => `Bearer ${tokens[randomInt(tokens.length)]}`;
  const url = toTarget(urls);
  const fragment = () => FRAGMENTS[randomInt(FRAGMENTS.length)]!;
  /** A search for a fragment by the admin `authorization` names, of their own target's list. */
  const searchOne = (authorization: () => string): autocannon.Request => ({
    method: 'GET',
    setupRequest: (req) => ({ ...req, headers: { Authorization: authorization() }, path: `/api/providers/bench/contacts?limit=50&search=${fragment()}` }),
  });
  /** A one-contact import by the admin `authorization` names, to their own target. */
  const importOne = (authorization: () => string): autocannon.Request => ({
    method: 'POST',
    setupRequest: (req) => ({
      ...req,
      path: '/api/imports',
      headers: { Authorization: authorization(), 'Content-Type': 'application/json', 'Idempotency-Key': `load-${randomInt(2 ** 47)}` },
      body: JSON.stringify({
        provider: 'bench',
        selection: { ids: [`p${randomInt(10_000)}`] },
        role: 'user',
        message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' },
      }),
    }),
  });
  return [
    { name: 'GET /api/health', options: { url: toTarget(urls.map((u) => `${u}/api/health`)) } },
    // What admins type: two- and three-letter fragments matching 10–40% of the directory
    // (bench/search.ts), drawn at random. The BFF keeps each answer while it is exact
    // (bff/services/directory/answers.ts), so past the first of each fragment (and after each
    // import run, whose writes make them out of date) this is a kept answer: the cost of a
    // keystroke typed again, of paging back, of many admins typing alike.
    { name: 'GET contacts (search, 50 a page)', options: { url, requests: [searchOne(admin)] } },
    // The same searches by many admins, each of a lab of their own: no two share a read of their
    // target (bff/db/latest-read.ts), only the directory's people.
    ...(tokens.length ? [{ name: `GET contacts (${tokens.length} admins)`, options: { url, requests: [searchOne(anyLabAdmin)] } }] : []),
    // The floor of the searches above: each fragment's answer, bytes and headers, written by the same
    // server with no work of ours (load-server.ts). What a search costs over this is ours; what
    // this costs over health is sending 15 KB instead of 11 bytes.
    {
      name: 'GET the same answers replayed (floor)',
      options: {
        url,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${FLOOR_PATH}?search=${fragment()}` }) }],
      },
    },
    // Every import to one target: they queue on its row lock, which keeps its seats exact.
    { name: 'POST /api/imports (1 contact each)', options: { url, requests: [importOne(admin)] } },
    // Many admins at once, each importing to a lab of their own: nothing is shared but the database.
    ...(tokens.length
      ? [
          {
            name: `POST /api/imports (${tokens.length} admins)`,
            options: { url, requests: [importOne(anyLabAdmin)] },
          },
        ]
      : []),
  ];
}
