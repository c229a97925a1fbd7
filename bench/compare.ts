/**
 * Compares widget builds on one figure of bench/widget.ts, the first rows (or, with
 * `FIGURE=scroll`, the main-thread CPU per frame of the scroll through the whole list), where a
 * change of a few ms is lost in these machines' noise between separate runs: each build is
 * served beside the others by one BFF, and page loads alternate between them in one browser
 * (A B, B A, A B, …), so a slow minute of the machine falls on every build alike.
 *
 *   npx vite build && cp -r widget/dist/browser /tmp/before   # on the commit before
 *   npx vite build && npx tsx bench/compare.ts /tmp/before widget/dist/browser
 *
 * Prints, per build, the median and quartiles of the figure over `BENCH_RUNS` (default 15) page
 * loads each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
// @ts-expect-error: plain JS module shared with web-test-runner's config
import { findChromium, playwrightLaunchOptions } from '../scripts/find-chromium.mjs';
import { benchPage, openContacts, scrollThrough, startServer } from './widget.js';

const dists = process.argv.slice(2).map((d) => resolve(d));
if (dists.length < 2) {
  console.error('usage: npx tsx bench/compare.ts <dist-a> <dist-b> [<dist-c> …]');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SCROLL = process.env.FIGURE === 'scroll';
const executablePath = findChromium();
if (!executablePath) throw new Error('Chromium not found (sudo apt-get install -y chromium, or CHROME_PATH)');

const dir = mkdtempSync(join(tmpdir(), 'hr-import-compare-'));
const server = await startServer(dir, dists);
const browser = await chromium.launch(playwrightLaunchOptions());
const work: number[][] = dists.map(() => []);
try {
  for (let run = 0; run < RUNS; run++) {
    // Every other round in reverse: no build always goes first after the browser's idle time.
    const order = dists.map((_, i) => i);
    if (run % 2) order.reverse();
    for (const build of order) {
      const errors: string[] = [];
      const { page, cdp } = await benchPage(browser, errors);
      const { firstRows } = await openContacts(page, cdp, server.url(build));
      work[build]!.push(SCROLL ? (await scrollThrough(page, cdp)).work : firstRows.work);
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
const figure = SCROLL ? 'scroll through the list, main-thread work per frame' : 'first rows visible, main-thread work';
console.log(`${figure}, ${RUNS} alternating page loads per build (median, quartiles)\n`);
dists.forEach((dist, i) => {
  const xs = work[i]!;
  console.log(`${dist.padEnd(48)} ${quantile(xs, 0.5).toFixed(1).padStart(6)} ms   (${quantile(xs, 0.25).toFixed(1)} to ${quantile(xs, 0.75).toFixed(1)})`);
});
