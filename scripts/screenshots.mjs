// `npm run screenshots`: every step of the import flow on the demo page, in light, dark, German
// and at 320 px, saved as docs/screenshots/<variant>-<step>.png (docs/screenshots.md shows them).
// It builds the demo, starts the standalone server on a free port with a throwaway data folder,
// and drives headless Chromium through the flow the way an admin would.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** What each variant changes: the window, the reader's scheme, the page's language. */
const VARIANTS = [
  { name: 'light', viewport: { width: 1280, height: 900 }, scheme: 'light', lang: 'en' },
  { name: 'dark', viewport: { width: 1280, height: 900 }, scheme: 'dark', lang: 'en' },
  { name: 'german', viewport: { width: 1280, height: 900 }, scheme: 'light', lang: 'de' },
  { name: 'narrow', viewport: { width: 320, height: 640 }, scheme: 'light', lang: 'en' },
];

/** The words the flow is driven by, per language. */
const WORDS = {
  en: { open: 'Add members from HR', next: 'Next', csv: 'CSV file', back: 'Back', upload: /Upload|CSV/ },
  de: { open: 'Add members from HR', next: 'Weiter', csv: 'CSV-Datei', back: 'Zurück', upload: /Upload|CSV/ },
};

/** Starts `tsx bff/server.ts` and resolves with its URL once it listens. */
function startServer(dataDir) {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'bff/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, HR_IMPORT_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /running on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) ok({ url, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
}

async function shoot(page, dialog, file) {
  // The flow's own motion (focus, chunks) settles first.
  await page.waitForTimeout(300);
  const box = page.locator('dialog[open]');
  await ((await box.count()) ? box : page.locator('body')).screenshot({ path: join(OUT, `${file}.png`), animations: 'disabled' });
}

async function run(browser, url, variant) {
  const context = await browser.newContext({ viewport: variant.viewport, deviceScaleFactor: 1, colorScheme: variant.scheme, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const words = WORDS[variant.lang];
  await page.goto(url);
  await page.locator('#people tr').first().waitFor();
  if (variant.lang !== 'en') await page.locator('#page-lang').selectOption(variant.lang);
  await page.getByRole('button', { name: words.open }).click();
  const dialog = page.getByRole('dialog', { name: words.open });
  const widget = dialog.locator('hr-import');
  const sample = widget.getByRole('button', { name: 'Sample directory' });
  await sample.waitFor();
  await shoot(page, dialog, `${variant.name}-1-provider`);

  // The CSV upload's drop zone, then back to the list.
  const csv = widget.getByRole('button', { name: /CSV/ }).first();
  if (await csv.count()) {
    await csv.click();
    await widget.locator('hr-import-csv-upload').waitFor();
    await shoot(page, dialog, `${variant.name}-1b-csv-upload`);
    await widget.locator('hr-import-csv-upload').getByRole('button', { name: words.back }).click();
  }

  await sample.click();
  // Three people who can be invited (members and people without an email cannot be ticked).
  const boxes = widget.locator('.row input[type=checkbox]:not(:disabled)');
  await boxes.nth(2).waitFor();
  for (const i of [0, 1, 2]) await boxes.nth(i).check();
  await shoot(page, dialog, `${variant.name}-2-contacts`);
  await widget.getByRole('button', { name: words.next }).click();
  await widget.getByRole('combobox').first().waitFor();
  await shoot(page, dialog, `${variant.name}-3-roles`);
  await widget.getByRole('button', { name: words.next }).click();
  await widget.getByRole('textbox').first().waitFor();
  await shoot(page, dialog, `${variant.name}-4-message`);
  await context.close();
}

mkdirSync(OUT, { recursive: true });
execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'demo', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const dataDir = mkdtempSync(join(tmpdir(), 'hr-import-screenshots-'));
const server = await startServer(dataDir);
const browser = await chromium.launch({ executablePath: findChromium() ?? undefined, headless: true, args: ARGS });
try {
  const only = process.argv.slice(2);
  for (const variant of VARIANTS) if (!only.length || only.includes(variant.name)) await run(browser, server.url, variant);
} finally {
  await browser.close();
  server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
