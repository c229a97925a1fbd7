/**
 * Builds the demo page once per test run, whichever end-to-end files run and however many run
 * at once: vitest runs files in parallel forks, and two Vite builds writing dist/demo together
 * would leave each other half a page. The first fork builds under a lock directory (mkdir is
 * atomic); the others wait for it and reuse the result, recognised by the run's parent process.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCK = join(ROOT, 'dist', '.demo-build.lock');
const marker = () => join(ROOT, 'dist', 'demo', `.built-by-${process.ppid}`);

export async function ensureDemoBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    if (existsSync(marker())) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run would block forever: take it over after two minutes.
      if (waited > 120_000) rmSync(LOCK, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    if (existsSync(marker())) return;
    await build({ configFile: join(ROOT, 'vite.config.ts'), mode: 'demo', logLevel: 'warn' });
    writeFileSync(marker(), '');
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
