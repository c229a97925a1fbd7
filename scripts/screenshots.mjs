// `npm run screenshots`: every step of the import flow on the demo page, in light, dark, German
// and at 320 px, saved as docs/screenshots/<variant>-<step>.png and listed in docs/screenshots.md.
// It builds the demo, starts the standalone server on a free port with a throwaway data folder
// per variant, and drives headless Chromium through the flow the way an admin would.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** What each variant changes: the window, the reader's scheme, the page's language. */
const VARIANTS = [
  { name: 'light', title: 'Light, 1280×900', viewport: { width: 1280, height: 900 }, scheme: 'light', lang: 'en' },
  { name: 'dark', title: 'Dark, 1280×900', viewport: { width: 1280, height: 900 }, scheme: 'dark', lang: 'en' },
  { name: 'german', title: 'German, 1280×900', viewport: { width: 1280, height: 900 }, scheme: 'light', lang: 'de' },
  { name: 'narrow', title: '320 px wide', viewport: { width: 320, height: 640 }, scheme: 'light', lang: 'en' },
];

/** The pictures of one variant, in the flow's order (the file names sort so). */
const STEPS = [
  ['1-provider', 'Provider'],
  ['1b-csv-upload', 'CSV upload'],
  ['1c-csv-preview', 'CSV columns and preview'],
  ['2-contacts', 'Contacts'],
  ['2b-select-all-past-seats', 'Select All past the free seats'],
  ['2c-full-plan', 'A full plan, as the contacts step opens'],
  ['3-roles', 'Roles'],
  ['4-message', 'Message'],
  ['5-confirmation', 'Confirmation'],
];

/** The words the flow is driven by, per language: the demo page's and the widget's. */
const WORDS = {
  en: { open: 'Add members from HR', next: 'Next', back: 'Back', import: 'Import Contacts', done: 'Done', selectAll: 'Select All', department: 'Department' },
  de: {
    open: 'Mitglieder aus HR hinzufügen',
    next: 'Weiter',
    back: 'Zurück',
    import: 'Kontakte importieren',
    done: 'Fertig',
    selectAll: 'Alle auswählen',
    department: 'Abteilung',
  },
};

/** A file an admin might upload: names, titles and addresses long enough to crowd the preview. */
const CSV = [
  'Email,First Name,Last Name,Title,Department,Location',
  'maximiliane.wolfeschlegel@example.com,Maximiliane,Wolfeschlegelsteinhausenbergerdorff,Head of Talent Acquisition,People,São Paulo',
  'aarav.adeyemi@example.com,Aarav,Adeyemi,Principal Engineer,Research,Berlin',
  ',Chen,Jing,Account Executive,Sales,Toronto',
  'ines.garcia@example.com,Inés,García,Support Lead,Support,Remote',
].join('\n');

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
      if (url) ok({ url, stop: () => new Promise((done) => child.once('exit', done).kill('SIGTERM')) });
    });
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
}

async function shoot(page, file) {
  // The flow's own motion (focus, chunks, the logos) settles first.
  await page.waitForTimeout(300);
  const box = page.locator('dialog[open]');
  await ((await box.count()) ? box : page.locator('body')).screenshot({ path: join(OUT, `${file}.png`), animations: 'disabled' });
}

/** The demo page of one target in the variant's language, with the import dialog open. */
async function openImport(page, url, target, variant) {
  const words = WORDS[variant.lang];
  await page.goto(`${url}/?target=${target}`);
  await page.locator('#people tr').first().waitFor();
  if (variant.lang !== 'en') await page.locator('#page-lang').selectOption(variant.lang);
  await page.getByRole('button', { name: words.open }).click();
  const widget = page.getByRole('dialog', { name: words.open }).locator('hr-import');
  await widget.locator('button[data-provider="sample"]').waitFor();
  return widget;
}

const next = (widget, words) => widget.locator('footer').getByRole('button', { name: words.next });

async function run(browser, url, variant) {
  const context = await browser.newContext({ viewport: variant.viewport, deviceScaleFactor: 1, colorScheme: variant.scheme, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const words = WORDS[variant.lang];
  const shot = (step) => shoot(page, `${variant.name}-${step}`);

  // The organization: the providers, the CSV upload and its preview, then three people through
  // every step to the confirmation.
  let widget = await openImport(page, url, 'organization/acme', variant);
  await shot('1-provider');
  await widget.locator('button[data-provider]', { hasText: /CSV/ }).click();
  const upload = widget.locator('hr-import-csv-upload');
  await upload.locator('.drop').waitFor();
  await shot('1b-csv-upload');
  await upload.locator('input[type=file]').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await upload.locator('.table tbody tr').first().waitFor();
  await shot('1c-csv-preview');
  await upload.getByRole('button', { name: words.back }).click();
  await widget.locator('button[data-provider="sample"]').click();
  // Three people who can be invited (members and people without an email cannot be ticked).
  const boxes = widget.locator('.row input[type=checkbox]:not(:disabled)');
  await boxes.nth(2).waitFor();
  for (const i of [0, 1, 2]) await boxes.nth(i).check();
  await shot('2-contacts');
  await next(widget, words).click();
  await widget.locator('hr-role-assigner').waitFor();
  await shot('3-roles');
  await next(widget, words).click();
  await widget.locator('hr-message-composer').waitFor();
  await shot('4-message');
  await widget.getByRole('button', { name: words.import }).click();
  await widget.locator('hr-import-summary').waitFor();
  await shot('5-confirmation');

  // The lab (18 free seats): Select All over the 20 or so people of one department, past the
  // seats; then the surplus unticked and the rest invited, which fills the plan.
  widget = await openImport(page, url, 'lab/acme-robotics', variant);
  await widget.locator('button[data-provider="sample"]').click();
  await widget.getByLabel(words.department).selectOption('People');
  await widget.locator('.row').first().waitFor();
  await widget.getByRole('checkbox', { name: words.selectAll }).check();
  await widget.locator('[part~="limit-message"]').waitFor();
  await shot('2b-select-all-past-seats');
  while (await next(widget, words).isDisabled()) await widget.locator('.row input[type=checkbox]:checked:not(:disabled)').last().uncheck();
  await next(widget, words).click();
  await next(widget, words).click();
  await widget.getByRole('button', { name: words.import }).click();
  await widget.getByRole('button', { name: words.done }).click();
  widget = await openImport(page, url, 'lab/acme-robotics', variant);
  await widget.locator('button[data-provider="sample"]').click();
  await widget.locator('[part~="full-plan"]').waitFor();
  await shot('2c-full-plan');
  await context.close();
}

/** docs/screenshots.md: every picture, by variant and step. */
function writeIndex() {
  const sections = VARIANTS.map(
    (v) => `## ${v.title}\n\n${STEPS.map(([file, title]) => `**${title}**\n\n![${title}, ${v.title}](screenshots/${v.name}-${file}.png)`).join('\n\n')}`,
  );
  const intro = `# Screenshots

Every step of the import flow on the demo page (\`npm start\`), in the dialog a host opens it in:
light, dark (the reader prefers dark), German (the page's Language) and a 320 px window. Beside
the steps: the CSV upload and its preview, Select All past the plan's free seats (the lab, 18
free, over one department of about 20), and the notice of a full plan as the contacts step
opens (the same lab once those 18 are invited). \`npm run screenshots\` makes them again
(scripts/screenshots.mjs: it builds the demo, starts the standalone server with a throwaway data
folder per variant and drives headless Chromium); run it after a visible change and commit the
PNGs. \`npm run screenshots -- dark narrow\` makes those variants alone.
`;
  writeFileSync(join(ROOT, 'docs', 'screenshots.md'), `${intro}\n${sections.join('\n\n')}\n`);
}

mkdirSync(OUT, { recursive: true });
execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'demo', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const browser = await chromium.launch({ executablePath: findChromium() ?? undefined, headless: true, args: ARGS });
try {
  const only = process.argv.slice(2);
  for (const variant of VARIANTS) {
    if (only.length && !only.includes(variant.name)) continue;
    // A fresh server and data folder each: every variant starts with the demo's seats as seeded.
    const dataDir = mkdtempSync(join(tmpdir(), 'hr-import-screenshots-'));
    const server = await startServer(dataDir);
    try {
      await run(browser, server.url, variant);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  writeIndex();
} finally {
  await browser.close();
}
