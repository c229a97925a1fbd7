/**
 * Okta and Rippling end to end through the widget, as test/e2e/providers.test.ts does for the
 * other providers: the standalone server (real BFF, SQLite file) with a providers file pointing
 * at their loopback stand-ins, driven in headless Chromium from the provider picker to Import
 * Contacts, checked in the page and in the invites written. Okta is configured by the deployment
 * as an API service app (private_key_jwt); each organization connects Rippling with its own API
 * token. Then the faults: Rippling refusing a revoked token (401) and the organization
 * reconnecting, and Okta throttling (429 with X-Rate-Limit-Reset), waited out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoBuilt } from './demo-build.js';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import type { Loopback } from '../fakes/loopback.js';
import { startOktaFake, type OktaFakeOptions } from '../fakes/okta-server.js';
import { startRipplingFake, type RipplingFakeOptions } from '../fakes/rippling-server.js';
import { releaseBrowser, sharedBrowser } from './browser.js';

/** Everyone each stand-in serves; Alan has left the company. */
const PEOPLE = [
  { n: 1, first: 'Ada', last: 'Lovelace', title: 'CTO', department: 'Engineering', active: true },
  { n: 2, first: 'Grace', last: 'Hopper', title: 'Engineer', department: 'Engineering', active: true },
  { n: 3, first: 'Katherine', last: 'Johnson', title: 'Analyst', department: 'Research', active: true },
  { n: 4, first: 'Alan', last: 'Turing', title: 'Researcher', department: 'Research', active: false },
];
type Person = (typeof PEOPLE)[number];
const fullName = (p: Person) => `${p.first} ${p.last}`;
const emailOf = (p: Person, provider: string) => `${p.first.toLowerCase()}@${provider}.example`;
const ACTIVE = PEOPLE.filter((p) => p.active).map(fullName);

const OKTA_CLIENT_ID = '0oa8f5j3ecb5w3dF12d7';
const oktaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RIPPLING_TOKEN = 'rippling-acme-token';

// Live switches the fault tests flip: the stand-ins read these objects on every request.
const oktaOptions: OktaFakeOptions = {
  serviceApp: { clientId: OKTA_CLIENT_ID, publicKey: oktaKeys.publicKey },
  // One-second rate-limit windows, so a 429's X-Rate-Limit-Reset is at most two seconds away.
  resetInSeconds: 1,
  failures: [],
  users: PEOPLE.map((p) => ({
    id: `00u${String(p.n).padStart(17, '0')}`,
    status: p.active ? 'ACTIVE' : 'DEPROVISIONED',
    profile: { firstName: p.first, lastName: p.last, login: emailOf(p, 'okta'), email: emailOf(p, 'okta'), title: p.title, department: p.department },
  })),
};
const ripplingOptions: RipplingFakeOptions = {
  tokens: { [RIPPLING_TOKEN]: ['workers.read', 'users.read', 'departments.read'] },
  workers: PEOPLE.map((p) => ({
    id: `6543a1b2c3d4e5f6a7b8c9d${p.n}`,
    user: { id: `u-${p.n}`, name: { given_name: p.first, family_name: p.last }, display_name: fullName(p) },
    work_email: emailOf(p, 'rippling'),
    title: p.title,
    department: { id: `dep-${p.department}`, name: p.department },
    status: p.active ? 'ACTIVE' : 'TERMINATED',
  })),
};

const TARGET = { type: 'organization', id: 'acme' } as const;

let server: Standalone;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
let okta: Loopback;
let rippling: Loopback;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-okta-rippling-e2e-'));
  const built = ensureDemoBuilt();
  okta = await startOktaFake(oktaOptions);
  rippling = await startRipplingFake(ripplingOptions);
  const file = join(dataDir, 'hr-import.config.json');
  // cacheTtlSeconds 0: every listing asks the provider again, so a fault switched on is met at once.
  writeFileSync(
    file,
    JSON.stringify({
      providers: [
        {
          id: 'okta',
          type: 'okta-service-app',
          baseUrl: okta.url,
          cacheTtlSeconds: 0,
          credentials: { clientId: OKTA_CLIENT_ID, privateKey: { env: 'OKTA_PRIVATE_KEY' }, keyId: 'hr-import' },
        },
        { id: 'rippling', type: 'rippling', baseUrl: rippling.url, cacheTtlSeconds: 0 },
      ],
    }),
  );
  await built;
  const environment = { OKTA_PRIVATE_KEY: oktaKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  server = await startStandalone(
    { PORT: '0', DATA_DIR: dataDir, HR_IMPORT_CONFIG: file },
    { logger: silentLogger, demo: true, environment, httpPolicy: { baseDelayMs: 5, maxDelayMs: 50 } },
  );
  browser = await sharedBrowser();
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  await Promise.all([okta?.close(), rippling?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openImport(page: Page): Promise<Locator> {
  await page.goto(`${server.url}/?target=${TARGET.type}/${TARGET.id}`);
  await expect.poll(() => page.locator('#people tr').count()).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Add members from HR' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
  await dialog.getByRole('button', { name: 'Okta', exact: true }).waitFor();
  return dialog;
}

async function fillConnectForm(dialog: Locator, values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) await dialog.getByLabel(label, { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
}

async function listedNames(dialog: Locator): Promise<string[]> {
  const labels = await dialog.getByRole('checkbox', { name: /^Select (?!All)/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.map((l) => l.replace(/^Select /, ''));
}

async function expectActiveListed(dialog: Locator) {
  await expect.poll(() => listedNames(dialog), { timeout: 20_000 }).toEqual(ACTIVE);
}

async function withPage(run: (dialog: Locator) => Promise<void>) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await run(await openImport(page));
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

async function invitesFor(provider: string) {
  return server.db.kysely
    .selectFrom('invites')
    .innerJoin('imports', 'imports.id', 'invites.import_id')
    .select(['invites.email_normalized as email', 'invites.status', 'imports.provider'])
    .where('invites.target_type', '=', TARGET.type)
    .where('invites.target_id', '=', TARGET.id)
    .where('invites.email_normalized', 'like', `%@${provider}.example`)
    .orderBy('invites.email_normalized')
    .execute();
}

/** From the contact list of `name`: leavers only on request, two selected and imported. */
async function listSelectImport(dialog: Locator, name: string, id: string) {
  await dialog.getByRole('heading', { name: `Select contacts from ${name}` }).waitFor();
  await expectActiveListed(dialog);
  await dialog.getByRole('checkbox', { name: 'Show inactive' }).check();
  await expect.poll(() => listedNames(dialog)).toEqual([...ACTIVE, 'Alan Turing'].sort());
  expect(await dialog.getByRole('row').filter({ hasText: 'Alan Turing' }).textContent()).toContain('Left the company');
  await dialog.getByRole('checkbox', { name: 'Show inactive' }).uncheck();
  // As an admin would, once the leaver is gone again: a row clicked while the list reloads may
  // be showing the next person by the time the click lands.
  await expectActiveListed(dialog);
  const [ada, grace] = PEOPLE;
  for (const p of [ada!, grace!]) await dialog.getByRole('checkbox', { name: `Select ${fullName(p)}` }).check();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('heading', { name: 'Assign roles' }).waitFor();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('textbox', { name: 'Subject' }).fill(`Join us, {{firstName}} (${id})`);
  await dialog.getByRole('button', { name: 'Import Contacts' }).click();
  await dialog.getByText('2 invited', { exact: true }).first().waitFor();
  expect(await invitesFor(id)).toEqual([ada, grace].map((p) => ({ email: emailOf(p!, id), status: 'pending', provider: id })));
}

const TIMEOUT = 90_000;

describe('Okta and Rippling through the widget, end to end', { timeout: TIMEOUT }, () => {
  it('Okta (API service app): lists, selects two and imports them', async () => {
    await withPage(async (dialog) => {
      await dialog.getByRole('button', { name: 'Okta', exact: true }).click();
      await listSelectImport(dialog, 'Okta', 'okta');
    });
    // Signed in once with a client assertion, then listed with the bearer token, leavers included.
    expect(okta.requests[0]).toMatchObject({ method: 'POST', path: '/oauth2/v1/token' });
    expect(
      okta.requests
        .filter((r) => r.path === '/api/v1/users')
        .every((r) => /^Bearer /.test(String(r.headers.authorization)) && r.query.get('filter')?.includes('DEPROVISIONED')),
    ).toBe(true);
  });

  it('Rippling: the organization connects with its API token, lists, selects two and imports them', async () => {
    await withPage(async (dialog) => {
      await dialog.getByRole('button', { name: 'Rippling', exact: true }).click();
      await expect.poll(() => dialog.getByRole('heading', { name: 'Connect Rippling' }).count()).toBe(1);
      await fillConnectForm(dialog, { 'API token': RIPPLING_TOKEN });
      await dialog.getByRole('button', { name: 'Test connection to Rippling' }).waitFor();
      await dialog.getByRole('button', { name: 'Rippling', exact: true }).click();
      await listSelectImport(dialog, 'Rippling', 'rippling');
    });
  });
});

describe('Okta and Rippling faults through the widget', { timeout: TIMEOUT }, () => {
  it('Rippling 401: the revoked token is named, and Reconnect with a new one lists the contacts', async () => {
    // The admin who created the token left: Rippling revokes it.
    ripplingOptions.tokens = { 'rippling-new-token': ['workers.read', 'users.read', 'departments.read'] };
    await withPage(async (dialog) => {
      await dialog.getByRole('button', { name: 'Rippling', exact: true }).click();
      const alert = dialog.getByRole('alert').filter({ hasText: 'Rippling' });
      await expect
        .poll(() => alert.textContent(), { timeout: 20_000 })
        .toMatch(/wrong or expired; reconnect.*It said: Unauthorized: the API token is wrong, expired or revoked/);
      await dialog.getByRole('button', { name: 'Reconnect Rippling' }).click();
      await expect.poll(() => dialog.getByRole('heading', { name: 'Connect Rippling' }).count()).toBe(1);
      await fillConnectForm(dialog, { 'API token': 'rippling-new-token' });
      await dialog.getByRole('heading', { name: 'Select contacts from Rippling' }).waitFor();
      await expectActiveListed(dialog);
    });
  });

  it('Okta 429: throttled pages are waited out until X-Rate-Limit-Reset and the listing completes', async () => {
    const before = okta.requests.length;
    oktaOptions.failures!.push('throttle', 'throttle');
    await withPage(async (dialog) => {
      await dialog.getByRole('button', { name: 'Okta', exact: true }).click();
      await expectActiveListed(dialog);
      expect(await dialog.getByRole('alert').count()).toBe(0);
    });
    expect(oktaOptions.failures).toEqual([]);
    expect(okta.requests.slice(before).filter((r) => r.path === '/api/v1/users').length).toBeGreaterThanOrEqual(3);
  });
});
