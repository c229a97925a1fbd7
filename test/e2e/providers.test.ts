/**
 * Every HR application end to end through the widget: the standalone server (real BFF, SQLite
 * file) with a providers file enabling all nine, each pointed at its loopback stand-in
 * (test/fakes/), driven in headless Chromium from picking the provider (and connecting it, for
 * those each organization connects itself) to its people listed, and for one provider of each
 * kind on to Import Contacts, checked in the page and in the invites written. Then the faults an admin meets, through the same widget: credentials refused
 * (wrong, or expired) and reconnected, a provider down then back, throttling, a malformed page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoBuilt } from './demo-build.js';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import type { Failure, Loopback } from '../fakes/loopback.js';
import { releaseBrowser, sharedBrowser } from './browser.js';
import {
  PEOPLE,
  fullName,
  emailOf,
  microsoftFailures,
  googleFailures,
  mergeOptions,
  unifiedOptions,
  type ProviderCase,
  CASES,
  ENV,
  TARGET,
} from './provider-cases.js';

let server: Standalone;
let browser: Browser;
/** The default retry policy's attempts and budget with waits of milliseconds: a provider that is down fails as it would, without 8–15 s of real backoff. */
const SHORT_WAITS = { baseDelayMs: 5, maxDelayMs: 50 };

/** One context for every page: the demo's script is fetched once and cached, each test still gets its own page. */
let context: BrowserContext;
let dataDir: string;
const stands = new Map<string, Loopback>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-providers-e2e-'));
  // Shared with the other end-to-end files: one build of the demo pages per run.
  const built = ensureDemoBuilt();
  for (const c of CASES) stands.set(c.id, await c.start());
  const file = join(dataDir, 'hr-import.config.json');
  // cacheTtlSeconds 0: every listing asks the provider again, so a fault switched on is met at once.
  writeFileSync(file, JSON.stringify({ providers: CASES.map((c) => ({ ...c.entry(stands.get(c.id)!.url), cacheTtlSeconds: 0 })) }));
  await built;
  server = await startStandalone(
    { PORT: '0', DATA_DIR: dataDir, HR_IMPORT_CONFIG: file },
    { logger: silentLogger, demo: true, environment: ENV, httpPolicy: SHORT_WAITS },
  );
  browser = await sharedBrowser();
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  await Promise.all([...stands.values()].map((s) => s.close()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The organization's "Manage members" page with the import dialog open on the provider picker. */
async function openImport(page: Page): Promise<Locator> {
  await page.goto(`${server.url}/?target=${TARGET.type}/${TARGET.id}`);
  // The host page's first load, in a fresh browser context: seconds on a loaded two-core machine.
  await expect.poll(() => page.locator('#people tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Add members from HR' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
  await dialog.getByRole('button', { name: 'BambooHR', exact: true }).waitFor();
  return dialog;
}

/** Types credentials into the open connect form and connects. */
async function fillConnectForm(dialog: Locator, values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) await dialog.getByLabel(label, { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** Connects an organization's own provider from the picker; resolves once its card shows it ready. */
async function connect(dialog: Locator, c: ProviderCase, values: Record<string, string>) {
  await dialog.getByRole('button', { name: c.name, exact: true }).click();
  await expect.poll(() => dialog.getByRole('heading', { name: `Connect ${c.name}` }).count()).toBe(1);
  await fillConnectForm(dialog, values);
  await dialog.getByRole('button', { name: `Test connection to ${c.name}` }).waitFor();
}

/** The names the contact list shows, in order. */
async function listedNames(dialog: Locator): Promise<string[]> {
  const labels = await dialog.getByRole('checkbox', { name: /^Select (?!All)/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.map((l) => l.replace(/^Select /, ''));
}

const ACTIVE = PEOPLE.filter((p) => p.active).map(fullName);

async function expectActiveListed(dialog: Locator) {
  await expect.poll(() => listedNames(dialog), { timeout: 20_000 }).toEqual(ACTIVE);
  await expect.poll(() => dialog.getByText(`${ACTIVE.length} contacts`, { exact: true }).count()).toBe(1);
}

async function withPage(run: (page: Page, dialog: Locator) => Promise<void>) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await run(page, await openImport(page));
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

// One page per test on a two-core machine shared with other work: allow for a slow page load.
const TIMEOUT = 90_000;

/**
 * The whole flow to Import Contacts for one provider the organization connects and one the
 * deployment configures: past the list, the steps (roles, message, import) read the directory
 * cache, the same for every provider. The others stop once their people are listed; what differs
 * by provider (its connect form, its wire format, its leavers) is all before that, and each
 * connector's mapping to the invite's fields is checked against its stand-in in bff/connectors/.
 */
const FULL_FLOW = new Set(['bamboohr', 'workday']);

describe('each provider through the widget, end to end', { timeout: TIMEOUT }, () => {
  for (const c of CASES) {
    const full = FULL_FLOW.has(c.id);
    it(`${c.name}: ${c.connect ? 'connects, ' : ''}lists${full ? ', selects two and imports them' : ' its people, a leaver only under Show inactive'}`, async () => {
      await withPage(async (_page, dialog) => {
        if (c.connect) await connect(dialog, c, c.connect);
        await dialog.getByRole('button', { name: c.name, exact: true }).click();
        await dialog.getByRole('heading', { name: `Select contacts from ${c.name}` }).waitFor();
        // The stand-in's active people, sorted by name; Alan, who left, only on request.
        await expectActiveListed(dialog);
        await dialog.getByRole('checkbox', { name: 'Show inactive' }).check();
        await expect.poll(() => listedNames(dialog)).toEqual([...ACTIVE, 'Alan Turing'].sort());
        expect(await dialog.getByRole('row').filter({ hasText: 'Alan Turing' }).textContent()).toContain('Left the company');
        await dialog.getByRole('checkbox', { name: 'Show inactive' }).uncheck();
        await expectActiveListed(dialog);
        if (!full) return;
        const [ada, grace] = PEOPLE;
        for (const p of [ada!, grace!]) await dialog.getByRole('checkbox', { name: `Select ${fullName(p)}` }).check();
        await expect.poll(() => dialog.getByText('2 selected').count()).toBeGreaterThan(0);
        await dialog.getByRole('button', { name: 'Next' }).click();
        await dialog.getByRole('heading', { name: 'Assign roles' }).waitFor();
        await dialog.getByRole('button', { name: 'Next' }).click();
        await dialog.getByRole('textbox', { name: 'Subject' }).fill(`Join us, {{firstName}} (${c.id})`);
        await dialog.getByRole('button', { name: 'Import Contacts' }).click();
        await dialog.getByText('2 invited', { exact: true }).first().waitFor();

        const invites = await server.db.kysely
          .selectFrom('invites')
          .innerJoin('imports', 'imports.id', 'invites.import_id')
          .select(['invites.email_normalized as email', 'invites.status', 'imports.provider'])
          .where('invites.target_type', '=', TARGET.type)
          .where('invites.target_id', '=', TARGET.id)
          .where('invites.email_normalized', 'like', `%@${c.id}.example`)
          .orderBy('invites.email_normalized')
          .execute();
        expect(invites).toEqual([ada, grace].map((p) => ({ email: emailOf(p!, c.id), status: 'pending', provider: c.id })));
      });
    });
  }
});

// These start from the connections the tests above made (Personio, Merge and Unified.to connected).
describe('provider faults through the widget', { timeout: TIMEOUT }, () => {
  const find = (id: string) => CASES.find((c) => c.id === id)!;

  it('wrong credentials: the provider’s own message, then Reconnect with the right ones lists the contacts', async () => {
    const personio = find('personio');
    await withPage(async (_page, dialog) => {
      // The organization replaces its working credentials with a mistyped secret.
      await dialog.getByRole('button', { name: 'Disconnect Personio' }).click();
      // Choosing Personio before the disconnect lands would open its contacts, not the connect form.
      await expect.poll(() => dialog.getByRole('button', { name: 'Disconnect Personio' }).count()).toBe(0);
      await connect(dialog, personio, { 'Client ID': 'personio-client', 'Client secret': 'personio-secret-typo' });
      await dialog.getByRole('button', { name: 'Personio', exact: true }).click();

      const alert = dialog.getByRole('alert').filter({ hasText: 'Personio' });
      await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('It said: Wrong credentials');
      await dialog.getByRole('button', { name: 'Reconnect Personio' }).click();
      await expect.poll(() => dialog.getByRole('heading', { name: 'Connect Personio' }).count()).toBe(1);
      await fillConnectForm(dialog, personio.connect!);

      // Saving the new credentials goes straight back to the contacts, now listed.
      await dialog.getByRole('heading', { name: 'Select contacts from Personio' }).waitFor();
      await expectActiveListed(dialog);
      expect(await dialog.getByRole('button', { name: 'Reconnect Personio' }).count()).toBe(0);
    });
  });

  it('expired credentials: the key the organization stored is revoked, Reconnect with the new one', async () => {
    const unified = find('unified');
    unifiedOptions.apiKey = 'unified-workspace-key-rotated';
    await withPage(async (_page, dialog) => {
      await dialog.getByRole('button', { name: unified.name, exact: true }).click();
      // The connector calls its provider "Unified.to"; the providers file names it "Unified.to HRIS".
      const alert = dialog.getByRole('alert').filter({ hasText: 'Unified.to:' });
      await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('It said: Unauthorized');
      expect(await alert.textContent()).toMatch(/wrong or expired; reconnect/);
      await dialog.getByRole('button', { name: `Reconnect ${unified.name}` }).click();
      await fillConnectForm(dialog, { 'API key': 'unified-workspace-key-rotated', 'Connection ID': unifiedOptions.connectionId });
      await expectActiveListed(dialog);
    });
  });

  it('provider down: 5xx through every retry, a clear message and Retry, which lists once it is back', async () => {
    microsoftFailures.push(...Array<Failure>(50).fill('5xx'));
    await withPage(async (_page, dialog) => {
      await dialog.getByRole('button', { name: 'Microsoft Entra ID', exact: true }).click();
      const alert = dialog.getByRole('alert').filter({ hasText: 'Microsoft Entra ID' });
      await expect
        .poll(() => alert.textContent(), { timeout: 25_000 })
        .toMatch(/Microsoft Entra ID: it is unavailable; try again later \((changes, )?page 1\)\. It said: Service unavailable/);
      // Retried before giving up (6 attempts per refresh); the credentials are not to blame. After an
      // earlier test's refresh the directory has a delta link, so the page may be one of changes.
      expect(50 - microsoftFailures.length).toBeGreaterThanOrEqual(6);
      expect(await dialog.getByRole('button', { name: /^Reconnect/ }).count()).toBe(0);

      microsoftFailures.length = 0;
      await alert.getByRole('button', { name: 'Retry' }).click();
      await expectActiveListed(dialog);
    });
  });

  it('rate limit: 429 with Retry-After is waited out and the listing completes', async () => {
    const merge = stands.get('merge')!;
    const before = merge.requests.length;
    mergeOptions.failures!.push('throttle', 'throttle');
    await withPage(async (_page, dialog) => {
      await dialog.getByRole('button', { name: 'Merge HRIS', exact: true }).click();
      await expectActiveListed(dialog);
      expect(await dialog.getByRole('alert').count()).toBe(0);
    });
    expect(mergeOptions.failures).toEqual([]);
    expect(merge.requests.length - before).toBeGreaterThanOrEqual(3);
  });

  it('a malformed page: an error naming the provider and the page, and Retry', async () => {
    googleFailures.push('malformed');
    await withPage(async (_page, dialog) => {
      await dialog.getByRole('button', { name: 'Google Workspace', exact: true }).click();
      const alert = dialog.getByRole('alert').filter({ hasText: 'Google Workspace' });
      await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('Google Workspace sent an answer we cannot read (page 1)');
      await alert.getByRole('button', { name: 'Retry' }).click();
      await expectActiveListed(dialog);
    });
  });
});
