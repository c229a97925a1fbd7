/**
 * Signing an organization in to a provider through the real popup, end to end: the built demo
 * page on the standalone server, headless Chromium, and a loopback Microsoft identity platform
 * (test/fakes/microsoft-server.ts) as the provider. The popup goes to the provider's authorize
 * endpoint, comes back to the BFF's callback, which posts to the demo page and closes; the widget
 * then lists the provider's people with the refresh token the BFF stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { ensureDemoBuilt } from './demo-build.js';
import { silentLogger } from '../../bff/logger.js';
import { startMicrosoftFake } from '../fakes/microsoft-server.js';
import type { SignInOptions } from '../fakes/authorization-code.js';
import { releaseBrowser, sharedBrowser } from './browser.js';

const CLIENT = { clientId: 'app-e2e', clientSecret: 'app-e2e-secret-value' };
const USERS = [
  { id: 'u1', givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace', mail: 'ada@contoso.test', accountEnabled: true },
  { id: 'u2', givenName: 'Grace', surname: 'Hopper', displayName: 'Grace Hopper', mail: 'grace@contoso.test', accountEnabled: true },
];

let server: Standalone;
let browser: Browser;
let dataDir: string;
let microsoft: Awaited<ReturnType<typeof startMicrosoftFake>>;
const signIn: SignInOptions = { redirectUris: [] };

beforeAll(async () => {
  // One build of the demo per run, shared with the other end-to-end files: a second build here
  // emptied dist/demo under their pages (and a lazily loaded chunk under this one's).
  await ensureDemoBuilt();
  microsoft = await startMicrosoftFake({ users: USERS, tenantId: 'tenant-1', ...CLIENT, signIn });
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-oauth-e2e-'));
  const config = join(dataDir, 'providers.json');
  writeFileSync(
    config,
    JSON.stringify({
      providers: [
        { id: 'sample', type: 'sample' },
        {
          id: 'entra',
          type: 'microsoft',
          oauth: true,
          baseUrl: microsoft.url,
          tokenUrl: microsoft.url,
          credentials: { clientId: CLIENT.clientId, clientSecret: { env: 'E2E_APP_SECRET' } },
        },
      ],
    }),
  );
  server = await startStandalone(
    { PORT: '0', DATA_DIR: dataDir, HR_IMPORT_CONFIG: config },
    {
      logger: silentLogger,
      demo: true,
      environment: { E2E_APP_SECRET: CLIENT.clientSecret },
    },
  );
  // The app registration's redirect URI: the BFF's callback on its public URL (its own origin here).
  signIn.redirectUris.push(`${server.url}/api/oauth/callback`);
  browser = await sharedBrowser();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  await microsoft?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('OAuth sign-in popup, end to end', () => {
  // First: nothing is connected yet. The sign-in URL a session minted is opened in another browser
  // (a fresh context: no cookies), as an attacker would send it to someone; that person consents,
  // and the callback connects nothing to the organization that started it.
  it('a sign-in started in one browser and completed in another connects nothing', async () => {
    const starter = await browser.newContext();
    const other = await browser.newContext();
    // It once ran past 30 s in a full CI run (3 s alone): each wait names itself when it fails.
    let waitingFor = 'the demo page';
    const step = <T>(what: string, run: () => Promise<T>) => ((waitingFor = what), run());
    try {
      const page = await starter.newPage();
      let authorizeUrl = '';
      // The starting browser never reaches the provider: its authorize URL is handed on instead.
      await starter.route(`${microsoft.url}/**`, (route) => {
        authorizeUrl = route.request().url();
        return route.abort();
      });
      await step('the demo page', () => page.goto(`${server.url}/?target=organization/acme`));
      await step('Add members from HR', () => page.getByRole('button', { name: 'Add members from HR' }).click());
      const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
      await step('the provider button', () => dialog.getByRole('button', { name: 'Microsoft Entra ID', exact: true }).click());
      const popupOpened = page.waitForEvent('popup');
      await step('the sign-in button', () => dialog.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click());
      await step('the popup', () => popupOpened);
      await step('the authorize URL', () => expect.poll(() => authorizeUrl, { timeout: 10_000 }).not.toBe(''));
      expect((await starter.cookies(server.url)).map((c) => c.name)).toEqual(['hr-import-sign-in']);

      const victim = await other.newPage();
      await step('the authorize URL in the other browser', () => victim.goto(authorizeUrl));
      await step(`the callback's alert (at ${victim.url()})`, () => victim.getByRole('alert').waitFor({ timeout: 20_000 }));
      expect(await victim.getByRole('heading').textContent()).toBe('Not connected');
      expect(await victim.getByRole('alert').textContent()).toContain('started in another browser');
      expect(await server.db.kysely.selectFrom('provider_connections').selectAll().execute()).toEqual([]);
      expect(microsoft.tokenRequests()).toEqual([]);
    } catch (err) {
      throw new Error(`while waiting for ${waitingFor}: ${(err as Error).message}`, { cause: err });
    } finally {
      await starter.close();
      await other.close();
    }
    // The file's first page load pays for a cold demo page: beside the other suites, over 30 s.
  }, 60_000);

  it('connects Microsoft Entra ID for the organization through the popup, then lists its people', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Under a loaded machine this test has run past 30 s: each wait names itself when it fails.
    let waitingFor = 'the demo page';
    const step = <T>(what: string, run: () => Promise<T>) => ((waitingFor = what), run());
    try {
      await step('the demo page', () => page.goto(`${server.url}/?target=organization/acme`));
      await step('Add members from HR', () => page.getByRole('button', { name: 'Add members from HR' }).click());
      const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
      await step('the provider button', () => dialog.getByRole('button', { name: 'Microsoft Entra ID', exact: true }).click());
      const popupOpened = page.waitForEvent('popup');
      await step('the sign-in button', () => dialog.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click());
      const popup = await step('the popup', () => popupOpened);
      // The callback page posts to the demo page and closes itself.
      await popup.waitForEvent('close', { timeout: 15_000 }).catch(async (err) => {
        throw new Error(`${(err as Error).message}; the popup is at ${popup.url()}: ${await popup.content()}`);
      });
      await step('the connected notice', () => dialog.getByText('Microsoft Entra ID is connected.').waitFor({ state: 'attached' }));
      // The notice comes before the providers are read again: until then the button still holds
      // the provider as not connected, and a click there opens the sign-in, not the people.
      await step('the provider listed as connected', () => dialog.getByRole('button', { name: 'Test connection to Microsoft Entra ID' }).waitFor());

      await step('the provider button again', () => dialog.getByRole('button', { name: 'Microsoft Entra ID', exact: true }).click());
      await step('the listed people', () => dialog.getByRole('checkbox', { name: 'Select Grace Hopper' }).waitFor());
      expect(await dialog.getByRole('checkbox', { name: 'Select Ada Lovelace' }).count()).toBe(1);

      const redeemed = microsoft.tokenRequests().map((r) => new URLSearchParams(r.body).get('grant_type'));
      expect(redeemed).toEqual(['authorization_code', 'refresh_token']);
      const stored = await server.db.kysely.selectFrom('provider_connections').select(['provider_id', 'scope', 'credentials']).execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ provider_id: 'entra', scope: 'organization:acme' });
      expect(stored[0]!.credentials).toMatch(/^v1\./);
      expect(errors).toEqual([]);
    } catch (err) {
      throw new Error(`while waiting for ${waitingFor}: ${(err as Error).message}`, { cause: err });
    } finally {
      await page.close();
    }
  }, 60_000);
});
