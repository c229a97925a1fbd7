/**
 * Compares widget builds on one figure, the first rows (bench/widget.ts), where a change of a few
 * ms is lost in these machines' noise between separate runs: each build is served beside the
 * others by one BFF, and page loads alternate between them in one browser (A B, B A, A B, …), so
 * a slow minute of the machine falls on every build alike.
 *
 *   npx vite build && cp -r dist/widget /tmp/before   # on the commit before
 *   npx vite build && npx tsx bench/compare.ts /tmp/before dist/widget
 *
 * Prints, per build, the median and quartiles of main-thread work over `BENCH_RUNS` (default 15)
 * page loads each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
// @ts-expect-error: plain JS module shared with web-test-runner's config
import { findChromium, CHROMIUM_ARGS } from '../scripts/find-chromium.mjs';
import { benchPage, openContacts, startServer } from './widget.js';

const dists = process.argv.slice(2).map((d) => resolve(d));
if (dists.length < 2) {
  console.error('usage: npx tsx bench/compare.ts <dist-a> <dist-b> [<dist-c> …]');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const executablePath = findChromium();
if (!executablePath) throw new Error('Chromium not found (sudo apt-get install -y chromium, or CHROME_PATH)');

const dir = mkdtempSync(join(tmpdir(), 'hr-import-compare-'));
const server = await startServer(dir, dists);
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS as string[] });
const work: number[][] = dists.map(() => []);
try {
  for (let run = 0; run < RUNS; run++) {
    // Every other round in reverse: no build always goes first after the browser's idle time.
    const order = dists.map((_, i) => i);
    if (run % 2) order.reverse();
    for (const build of order) {
      const errors: string[] = [];
      const { page, cdp } = await benchPage(browser, errors);
      work[build]!.push((await openContacts(page, cdp, server.url(build))).firstRows.work);
      if (errors.length) throw new Error(`page errors in ${dists[build]}: ${errors.join('; ')}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * q)]!;
console.log(`first rows visible, main-thread work, ${RUNS} alternating page loads per build (median, quartiles)\n`);
dists.forEach((dist, i) => {
  const xs = work[i]!;
  console.log(`${dist.padEnd(48)} ${quantile(xs, 0.5).toFixed(1).padStart(6)} ms   (${quantile(xs, 0.25).toFixed(1)} to ${quantile(xs, 0.75).toFixed(1)})`);
});
