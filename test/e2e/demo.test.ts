/**
 * The whole flow of the help article, end to end: the built demo page served by the standalone
 * server, driven in headless Chromium, for an organization, a lab and a challenge, checked in
 * the page and in the rows the BFF wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoBuilt } from './demo-build.js';
import type { Browser, Page } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import { DEMO_TARGETS } from '../../bff/demo.js';
import { sampleDirectory } from '../../bff/connectors/sample.js';
import { releaseBrowser, sharedBrowser } from './browser.js';

/**
 * A page whose waits give up before the test does: under a loaded machine a flow that hangs then
 * names the locator it waited for, instead of only the test's timeout.
 */
async function newPage() {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

let server: Standalone;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await ensureDemoBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-e2e-'));
  server = await startStandalone({ PORT: '0', DATA_DIR: dataDir }, { logger: silentLogger, demo: true });
  browser = await sharedBrowser();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Two active contacts with an email who are neither members nor invited to the target yet. */
async function twoNewcomers(type: string, id: string) {
  const taken = new Set([
    ...(await server.db.kysely.selectFrom('members').select('email').where('target_type', '=', type).where('target_id', '=', id).execute()).map((r) => r.email),
    ...(
      await server.db.kysely.selectFrom('invites').select('email_normalized as email').where('target_type', '=', type).where('target_id', '=', id).execute()
    ).map((r) => r.email),
  ]);
  return sampleDirectory()
    .filter((p) => p.status === 'active' && p.email && !taken.has(p.email.toLowerCase()) && /^[A-Za-z]+ [A-Za-z]+$/.test(p.displayName))
    .slice(40, 42);
}

async function openImport(page: Page, type: string, id: string) {
  await page.goto(`${server.url}/?target=${type}/${id}`);
  await expect.poll(() => page.locator('#people tr').count()).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Add members from HR' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
  await dialog.getByRole('button', { name: 'Sample directory' }).click();
  return dialog;
}

describe('demo page, end to end', () => {
  for (const t of DEMO_TARGETS) {
    it(`imports two contacts into the ${t.type} with roles and a message`, async () => {
      const page = await newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const [a, b] = await twoNewcomers(t.type, t.id);
        const dialog = await openImport(page, t.type, t.id);
        await expect
          .poll(() =>
            dialog
              .getByText(/seats used/)
              .first()
              .textContent(),
          )
          .toContain(`${t.members} of ${t.seatLimit} seats used`);

        // Step 6: search, tick a checkbox per contact.
        const search = dialog.getByRole('searchbox', { name: 'Search contacts' });
        for (const person of [a!, b!]) {
          await search.fill(person.displayName);
          await dialog.getByRole('checkbox', { name: `Select ${person.displayName}` }).check();
        }
        await expect.poll(() => dialog.getByText(/2 selected/).count()).toBeGreaterThan(0);
        await dialog.getByRole('button', { name: 'Next' }).click();

        // Roles: one role for everyone, then a different one for b.
        const roles = await server.db.kysely
          .selectFrom('targets')
          .select(['roles', 'default_role'])
          .where('type', '=', t.type)
          .where('id', '=', t.id)
          .executeTakeFirstOrThrow();
        const other = (JSON.parse(roles.roles) as { id: string; label: string }[]).find((r) => r.id !== roles.default_role)!;
        await dialog.getByRole('combobox', { name: 'Invite all selected users as' }).selectOption({ label: other.label });
        await dialog.getByRole('combobox', { name: `Role for ${b!.displayName}` }).selectOption(roles.default_role);
        await dialog.getByRole('button', { name: 'Next' }).click();

        // Step 7: compose, then Import Contacts.
        await dialog.getByRole('textbox', { name: 'Subject' }).fill('Welcome to {{targetName}}, {{firstName}}');
        await dialog.getByRole('button', { name: 'Import Contacts' }).click();

        // Step 8: the confirmation.
        await dialog.getByText('2 invited', { exact: true }).first().waitFor();
        const invites = await server.db.kysely
          .selectFrom('invites')
          .select(['email_normalized', 'role', 'status', 'import_id'])
          .where('target_type', '=', t.type)
          .where('target_id', '=', t.id)
          .execute();
        const byEmail = Object.fromEntries(invites.map((i) => [i.email_normalized, i]));
        expect(byEmail[a!.email!.toLowerCase()]).toMatchObject({ role: other.id, status: 'pending' });
        expect(byEmail[b!.email!.toLowerCase()]).toMatchObject({ role: roles.default_role, status: 'pending' });
        const imp = await server.db.kysely
          .selectFrom('imports')
          .selectAll()
          .where('id', '=', byEmail[a!.email!.toLowerCase()]!.import_id)
          .executeTakeFirstOrThrow();
        expect(imp).toMatchObject({ subject: 'Welcome to {{targetName}}, {{firstName}}', invited_count: 2, inviter_id: 'demo-admin' });
        // The embedded default delivers invite mail as .eml files in the data folder.
        const mail = await server.db.kysely
          .selectFrom('outbox')
          .innerJoin('invites', 'invites.id', 'outbox.invite_id')
          .select('outbox.id')
          .where('invites.import_id', '=', imp.id)
          .execute();
        const files = mail.map((m) => join(dataDir, 'outbox', `${m.id}.eml`));
        await expect.poll(() => files.every((f) => existsSync(f)), { timeout: 10_000 }).toBe(true);
        const subjects = files.map((f) => /^Subject: (.*)$/m.exec(readFileSync(f, 'utf8'))![1]).sort();
        expect(subjects).toEqual([`Welcome to ${t.name}, ${a!.firstName}`, `Welcome to ${t.name}, ${b!.firstName}`].sort());

        // Back on the host page, the member list shows the new pending invites.
        await dialog.getByRole('button', { name: 'Done' }).click();
        for (const person of [a!, b!]) {
          await expect.poll(() => page.locator('#people tr', { hasText: person.email! }).textContent()).toContain('Invited (pending)');
        }
        expect(await page.locator('#target-seats').textContent()).toContain(`${t.members + 2} of ${t.seatLimit} seats used`);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it('imports from an uploaded CSV file when no integration exists', async () => {
    const org = DEMO_TARGETS.find((t) => t.type === 'organization')!;
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}/?target=${org.type}/${org.id}`);
      await page.getByRole('button', { name: 'Add members from HR' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add members from HR' });
      await dialog.getByRole('button', { name: 'CSV file' }).click();
      // As Excel exports it in much of Europe: BOM, semicolons, CRLF, a quoted name.
      const file =
        '\ufeffPersonalnummer;Vorname;Surname;E-Mail;Abteilung\r\nP-1;Csv;Lovelace;csv.ada@acme.test;Engineering\r\nP-2;"Grace ""Amazing""";Hopper;csv.grace@acme.test;Engineering\r\nP-3;No;Email;;Support\r\n';
      await dialog.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
      await dialog.getByRole('heading', { name: 'Match the columns' }).waitFor();
      expect(await dialog.getByLabel('Email (required)').inputValue()).toBe('E-Mail');
      await dialog.getByLabel('Employee ID').selectOption('Personalnummer');
      await dialog.getByLabel('Department').selectOption('Abteilung');
      await expect.poll(() => dialog.locator('tbody tr').first().textContent()).toContain('Engineering');
      await dialog.getByRole('button', { name: 'Use these contacts' }).click();

      await dialog.getByRole('checkbox', { name: 'Select Grace "Amazing" Hopper' }).check();
      await dialog.getByRole('button', { name: 'Next' }).click();
      await dialog.getByRole('button', { name: 'Next' }).click();
      await dialog.getByRole('button', { name: 'Import Contacts' }).click();
      await dialog.getByText('1 invited', { exact: true }).first().waitFor();
      const invite = await server.db.kysely
        .selectFrom('invites')
        .select(['email_normalized', 'provider', 'contact_id'])
        .where('email_normalized', '=', 'csv.grace@acme.test')
        .executeTakeFirstOrThrow();
      expect(invite).toEqual({ email_normalized: 'csv.grace@acme.test', provider: 'csv', contact_id: 'P-2' });
      const directory = await server.db.kysely
        .selectFrom('directory_contacts')
        .select(['contact_id', 'email'])
        .where('connection', '=', `csv:organization:${org.id}`)
        .orderBy('contact_id')
        .execute();
      expect(directory).toEqual([
        { contact_id: 'P-1', email: 'csv.ada@acme.test' },
        { contact_id: 'P-2', email: 'csv.grace@acme.test' },
        { contact_id: 'P-3', email: null },
      ]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('lets Select All pass the plan’s user limit, then asks to untick the surplus before going on', async () => {
    const lab = DEMO_TARGETS.find((t) => t.type === 'lab')!;
    const page = await newPage();
    try {
      const dialog = await openImport(page, lab.type, lab.id);
      const selectAll = dialog.getByRole('checkbox', { name: 'Select All' });
      await selectAll.click();
      await dialog
        .getByText(/^Untick [\d,]+ (people|person): /)
        .first()
        .waitFor();
      expect(await selectAll.isChecked()).toBe(true);
      expect(await dialog.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('speaks the Language chosen on the page, and so does the widget it embeds', async () => {
    const org = DEMO_TARGETS.find((t) => t.type === 'organization')!;
    const page = await newPage();
    try {
      await page.goto(`${server.url}/?target=${org.type}/${org.id}`);
      await expect.poll(() => page.locator('#people tr').count()).toBeGreaterThan(0);
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Gérer les membres' }).waitFor();
      await expect.poll(() => page.locator('#target-seats').textContent()).toMatch(/places utilisées sur/);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
      await page.getByRole('button', { name: 'Ajouter des membres depuis le SIRH' }).click();
      const dialog = page.getByRole('dialog', { name: 'Ajouter des membres depuis le SIRH' });
      await dialog.getByRole('heading', { name: 'Choisir une application RH' }).waitFor();
    } finally {
      await page.close();
    }
  });
});
