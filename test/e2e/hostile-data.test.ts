/**
 * Data from an HR system is untrusted. A BambooHR stand-in serves people whose names, titles,
 * departments and locations are HTML and script; the admin walks the whole flow in Chromium with
 * a message that is HTML too. Nothing may execute or become an element: every payload shows as
 * the text it is, in the widget, on the host page and in the invite email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import { startBambooHRServer } from '../fakes/bamboohr-server.js';
import { ensureDemoBuilt } from './demo-build.js';
import { releaseBrowser, sharedBrowser } from './browser.js';

/** Each payload bumps window.__pwned if it ever runs, and tags any element it manages to create. */
const RUN = 'window.__pwned=(window.__pwned||0)+1';
const PAYLOADS = {
  first: `<img src=x data-pwned onerror="${RUN}">`,
  last: `</span><script data-pwned>${RUN}</script>`,
  title: `<svg data-pwned onload="${RUN}"></svg>`,
  department: `"><iframe data-pwned srcdoc="<script>parent.${RUN}</script>"></iframe>`,
  location: `{{acceptUrl}}<a data-pwned href="javascript:${RUN}">x</a>`,
};
const MALLORY = {
  id: '66',
  firstName: PAYLOADS.first,
  lastName: PAYLOADS.last,
  displayName: `${PAYLOADS.first} ${PAYLOADS.last}`,
  workEmail: 'mallory@acme.test',
  jobTitle: PAYLOADS.title,
  department: PAYLOADS.department,
  location: PAYLOADS.location,
  photoUploaded: true,
  photoUrl: `javascript:${RUN}`,
  status: 'Active' as const,
};
const ADA = {
  id: '1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  displayName: 'Ada Lovelace',
  workEmail: 'ada@acme.test',
  jobTitle: 'CTO',
  department: 'Engineering',
  location: 'London',
  status: 'Active' as const,
};

let fake: Awaited<ReturnType<typeof startBambooHRServer>>;
let server: Standalone;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await ensureDemoBuilt();
  fake = await startBambooHRServer({ employees: [MALLORY, ADA] });
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-hostile-'));
  const providersFile = join(dataDir, 'hr-import.config.json');
  writeFileSync(
    providersFile,
    JSON.stringify({
      providers: [
        { id: 'bamboohr', type: 'bamboohr', name: 'BambooHR', baseUrl: fake.url, credentials: { companyDomain: 'acme', apiKey: { env: 'BAMBOO_KEY' } } },
      ],
    }),
  );
  server = await startStandalone(
    { PORT: '0', DATA_DIR: dataDir, HR_IMPORT_CONFIG: providersFile },
    {
      logger: silentLogger,
      demo: true,
      environment: { BAMBOO_KEY: 'bamboo-key' },
    },
  );
  browser = await sharedBrowser();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile data from an HR system', () => {
  it('shows every payload as text and runs none of it, through the whole flow and the email', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    // Counts elements a payload created anywhere, shadow roots included, and whether one ran.
    const damage = () =>
      page.evaluate(() => {
        const walk = (root: Document | ShadowRoot): number =>
          root.querySelectorAll('[data-pwned]').length + [...root.querySelectorAll('*')].reduce((n, el) => n + (el.shadowRoot ? walk(el.shadowRoot) : 0), 0);
        return { ran: (window as unknown as { __pwned?: number }).__pwned ?? 0, elements: walk(document) };
      });
    try {
      await page.goto(`${server.url}/?target=organization/acme`);
      await page.getByRole('button', { name: 'Add members from HR' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
      await dialog.getByRole('button', { name: 'BambooHR' }).click();

      // The list: the name, title, department and location are there, character for character.
      const row = dialog.getByRole('checkbox', { name: `Select ${MALLORY.displayName}` });
      await row.waitFor();
      for (const text of [PAYLOADS.first, PAYLOADS.title, PAYLOADS.department]) {
        await expect.poll(() => dialog.getByText(text, { exact: false }).count()).toBeGreaterThan(0);
      }
      await row.check();
      await dialog.getByRole('checkbox', { name: 'Select Ada Lovelace' }).check();
      await dialog.getByRole('button', { name: 'Next' }).click();

      // Roles name each person; the message is HTML too, and its preview shows it as typed.
      await dialog.getByRole('combobox', { name: `Role for ${MALLORY.displayName}` }).waitFor();
      await dialog.getByRole('button', { name: 'Next' }).click();
      const hostileBody = `<b data-pwned>Hi</b> {{firstName}} <img data-pwned src=x onerror="${'window.__pwned=1'}">`;
      await dialog.getByRole('textbox', { name: 'Subject' }).fill('<script data-pwned>window.__pwned=1</script> {{firstName}}');
      await dialog.getByRole('textbox', { name: /Message/ }).fill(hostileBody);
      await expect.poll(() => dialog.getByText('<b data-pwned>Hi</b>', { exact: false }).count()).toBeGreaterThan(0);
      await dialog.getByRole('button', { name: 'Import Contacts' }).click();
      await dialog.getByText('2 invited', { exact: true }).first().waitFor();
      await dialog.getByRole('button', { name: 'Done' }).click();

      // The host page's member list shows the pending invite by its literal name.
      await expect.poll(() => page.locator('#people tr', { hasText: 'mallory@acme.test' }).textContent()).toContain(PAYLOADS.first);
      expect(await damage()).toEqual({ ran: 0, elements: 0 });
      expect(errors).toEqual([]);

      // The email: the HTML part escapes every value, the text part keeps it literal.
      const mail = await server.db.kysely
        .selectFrom('outbox')
        .innerJoin('invites', 'invites.id', 'outbox.invite_id')
        .select('outbox.id')
        .where('invites.email_normalized', '=', 'mallory@acme.test')
        .executeTakeFirstOrThrow();
      const file = join(dataDir, 'outbox', `${mail.id}.eml`);
      await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(true);
      const eml = readFileSync(file, 'utf8');
      const html = decodeHtmlPart(eml);
      expect(html).not.toMatch(/<(img|script|b|svg|iframe)\b[^>]*data-pwned/i);
      expect(html).toContain('&lt;img src=x data-pwned');
      expect(html).toContain('&lt;b data-pwned&gt;Hi&lt;/b&gt;');
    } finally {
      await page.close();
    }
  });
});

/** The text/html part of a MIME message, decoded from quoted-printable or base64. */
function decodeHtmlPart(eml: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(eml)?.[1];
  const parts = boundary ? eml.split(`--${boundary}`) : [eml];
  const part = parts.find((p) => /Content-Type: text\/html/i.test(p));
  if (!part) throw new Error('no HTML part in the invite email');
  const [head, ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head!)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head!)) {
    return Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
  return body;
}
