/**
 * Compares the 100,000-person directory refresh of two checkouts side by side, where separate
 * `npm run bench` runs on these shared machines differ by more than the change being measured:
 * one Unified.to stand-in serves both, and runs alternate between them (A B, B A, …), so a slow
 * minute falls on each alike. Each run is bench/run.ts's own sync child, in its own process.
 *
 *   git archive <before> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/
 *   [BENCH_SYNC_DB=postgres] npx tsx bench/compare-sync.ts /tmp/before .
 *
 * Prints, per checkout and pages in flight, the median and quartiles over `BENCH_RUNS` (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startUnifiedFake } from '../test/fakes/unified-server.js';

const trees = process.argv.slice(2).map((d) => resolve(d));
if (trees.length < 2) {
  console.error('usage: npx tsx bench/compare-sync.ts <checkout-a> <checkout-b> [<checkout-c> …]');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE = 100_000;
/** BENCH_SYNC_DB=postgres compares on the local PostgreSQL (TEST_PG_URL); SQLite otherwise. */
const KIND = process.env.BENCH_SYNC_DB === 'postgres' ? 'postgres' : 'sqlite';

function syncOnce(tree: string, url: string, concurrency: number, dir: string): Promise<{ ms: number; peakRss: number; startRss: number }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(tree, 'bench/run.ts')], {
      cwd: tree,
      // Each checkout's own directory service, migrations and child; no floor (BENCH_SYNC_NO_FLOOR):
      // this compares the refreshes alone, and the floors are `npm run bench`'s.
      env: {
        ...process.env,
        BENCH_SYNC_NO_FLOOR: '1',
        BENCH_SYNC_CHILD: JSON.stringify({
          url,
          kind: KIND,
          concurrency,
          dir,
          mode: 'full',
          module: pathToFileURL(join(tree, 'bff/services/directory/refresh.ts')).href,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok(JSON.parse(out.trim().split('\n').at(-1)!)) : fail(new Error(`${tree}: sync child exited with ${code}`))));
  });
}

const employees = Array.from({ length: SIZE }, (_, i) => ({
  id: `e${i}`,
  name: `First${i} Last${i}`,
  first_name: `First${i}`,
  last_name: `Last${i}`,
  emails: [{ email: `person${i}@bench.example`, type: 'WORK' }],
  title: 'Engineer',
  employment_status: 'ACTIVE',
}));
const fake = await startUnifiedFake({ employees, apiKey: 'bench-key', connectionId: 'conn1', latencyMs: 2 });
const dir = mkdtempSync(join(tmpdir(), 'hr-import-compare-sync-'));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * q)]!;
try {
  for (const concurrency of [1, 4]) {
    const ms: number[][] = trees.map(() => []);
    const rss: number[][] = trees.map(() => []);
    for (let run = 0; run < RUNS; run++) {
      const order = trees.map((_, i) => i);
      if (run % 2) order.reverse();
      for (const i of order) {
        const r = await syncOnce(trees[i]!, fake.url, concurrency, dir);
        ms[i]!.push(r.ms);
        rss[i]!.push(r.peakRss - r.startRss);
      }
    }
    console.log(`sync 100k ${KIND}, ${concurrency} in flight, ${RUNS} alternating runs per checkout (median, quartiles; peak RSS growth)`);
    trees.forEach((tree, i) => {
      const xs = ms[i]!;
      console.log(
        `  ${tree.padEnd(40)} ${quantile(xs, 0.5).toFixed(0).padStart(7)} ms   (${quantile(xs, 0.25).toFixed(0)} to ${quantile(xs, 0.75).toFixed(0)})   ${(quantile(rss[i]!, 0.5) / 1024 / 1024).toFixed(0)} MB`,
      );
    });
  }
} finally {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
