/**
 * Keep in sync end to end: the standalone server (real BFF, SQLite file) with Unified.to pointed
 * at its loopback stand-in, whose directory the test changes between runs, driven in headless
 * Chromium. The admin filters the contact list to Engineering, saves the rule from the roles step
 * after its dry run, and runs it; then HR hires one and terminates a member, **Sync now** finds
 * both, the admin approves the joiner (an invite with the rule's role, and its mail queued) and
 * dismisses the leaver, with the keyboard, and the dismissal holds through the next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import type { Loopback } from '../fakes/loopback.js';
import { startUnifiedFake, type UnifiedFakeOptions } from '../fakes/unified-server.js';
import { ensureDemoBuilt } from './demo-build.js';
import { axeViolations } from './axe.js';
import { releaseBrowser, sharedBrowser } from './browser.js';

const TARGET = { type: 'organization', id: 'acme' } as const;

type Employee = Record<string, unknown>;
const employee = (first: string, last: string, department: string, more: Employee = {}): Employee => ({
  id: `emp_${first.toLowerCase()}`,
  name: `${first} ${last}`,
  first_name: first,
  last_name: last,
  emails: [{ email: `${first.toLowerCase()}@acme.example`, type: 'WORK' }],
  title: 'Engineer',
  department,
  employment_status: 'ACTIVE',
  updated_at: new Date().toISOString(),
  ...more,
});

/** Engineering's members, linked to HR by their address: one leaving of six stays under the 20% safeguard. */
const MEMBERS = [
  ['Ada', 'Lovelace'],
  ['Grace', 'Hopper'],
  ['Linus', 'Torvalds'],
  ['Barbara', 'Liskov'],
  ['Edsger', 'Dijkstra'],
  ['Donald', 'Knuth'],
] as const;

const unified: UnifiedFakeOptions = {
  apiKey: 'unified-workspace-key',
  connectionId: '65f1c0ffee0123456789abcd',
  employees: [
    ...MEMBERS.map(([first, last]) => employee(first, last, 'Engineering')),
    // Engineering people not in the workspace yet: the rule's first joiners.
    employee('Margaret', 'Hamilton', 'Engineering'),
    employee('Ken', 'Thompson', 'Engineering'),
    // Outside the rule's scope.
    employee('Katherine', 'Johnson', 'Research', { title: 'Analyst' }),
  ],
};

let server: Standalone;
let browser: Browser;
let page: Page;
let dataDir: string;
let stand: Loopback;
const pageErrors: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-sync-e2e-'));
  const built = ensureDemoBuilt();
  stand = await startUnifiedFake(unified);
  const file = join(dataDir, 'hr-import.config.json');
  // The deployment's own Unified.to connection; cacheTtlSeconds 0: every run asks the stand-in again.
  writeFileSync(
    file,
    JSON.stringify({
      providers: [
        {
          id: 'unified',
          type: 'unified',
          baseUrl: stand.url,
          cacheTtlSeconds: 0,
          credentials: { apiKey: { env: 'UNIFIED_API_KEY' }, connectionId: unified.connectionId },
        },
      ],
    }),
  );
  await built;
  server = await startStandalone(
    { PORT: '0', DATA_DIR: dataDir, HR_IMPORT_CONFIG: file },
    { logger: silentLogger, demo: true, environment: { UNIFIED_API_KEY: unified.apiKey } },
  );
  // The host's backend says who the workspace's members are.
  const members = MEMBERS.map(([first, last]) => ({ id: `m-${first.toLowerCase()}`, email: `${first.toLowerCase()}@acme.example`, name: `${first} ${last}` }));
  const res = await fetch(`${server.url}/api/targets/${TARGET.type}/${TARGET.id}/members`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ members }),
  });
  expect(res.status, await res.text()).toBe(200);
  browser = await sharedBrowser();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await server?.close();
  await stand?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The widget reads a Sync now's runs every 2 s before it lists what the run found. */
const WAIT = { timeout: 10_000 };

const dialogOf = (p: Page) => p.getByRole('dialog', { name: 'Add members from HR' });

async function openImport(): Promise<Locator> {
  await page.goto(`${server.url}/?target=${TARGET.type}/${TARGET.id}`);
  await expect.poll(() => page.locator('#people tr').count()).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Add members from HR' }).click();
  return dialogOf(page);
}

/** The rule's runs, newest first, as the database holds them. */
const runs = () => server.db.kysely.selectFrom('sync_runs').select(['status', 'joiners', 'leavers', 'trigger']).orderBy('started_at', 'desc').execute();

const finished = async () => (await runs()).filter((r) => r.status !== 'running').length;

/** Presses Sync now and waits for a run to finish (the runner's own, should it have just claimed the rule). */
async function syncNow(dialog: Locator) {
  const before = await finished();
  await dialog.getByRole('button', { name: 'Sync now' }).click();
  await expect.poll(finished, { timeout: 15_000 }).toBe(before + 1);
}

/** The names Updates lists, each with what it says about them. */
async function listedUpdates(dialog: Locator): Promise<string[]> {
  return dialog
    .getByRole('list', { name: 'Updates to review' })
    .getByRole('listitem')
    .evaluateAll((rows) => rows.map((r) => [r.querySelector('.name')?.textContent, r.querySelector('.what')?.textContent].map((t) => t?.trim()).join(': ')));
}

describe('Keep in sync through the widget and the BFF', { timeout: 60_000 }, () => {
  it('saves a rule from the flow, lists a joiner and a leaver after HR changes, approves one and dismisses the other', async () => {
    const dialog = await openImport();
    await dialog.getByRole('button', { name: 'Unified.to HRIS', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Select contacts from Unified.to HRIS' }).waitFor();
    await dialog.getByRole('checkbox', { name: 'Select Ada Lovelace' }).waitFor();
    await dialog.getByRole('combobox', { name: 'Department' }).selectOption('Engineering');
    await expect.poll(() => dialog.getByRole('checkbox', { name: 'Select Katherine Johnson' }).count()).toBe(0);
    await dialog.getByRole('checkbox', { name: 'Select Margaret Hamilton' }).check();
    await dialog.getByRole('button', { name: 'Next' }).click();
    // The members' role, so the rule finds no role changes among them.
    await dialog.getByRole('combobox', { name: 'Invite all selected users as' }).selectOption('user');

    // The rule as the flow made it, and its dry run: Engineering's eight, six already members.
    await dialog.getByRole('button', { name: 'Keep in sync' }).click();
    await dialog.getByRole('heading', { name: 'Who is kept in sync' }).waitFor();
    await dialog.getByText('Everyone in Engineering').first().waitFor();
    await dialog.getByLabel('Ask me first').first().check();
    const preview = dialog.getByRole('region', { name: 'If you save now' });
    await expect.poll(() => preview.innerText(), { timeout: 10_000 }).toMatch(/8\s*match the rule/);
    const numbers = await preview.innerText();
    expect(numbers).toMatch(/2\s*would wait for you to invite/);
    expect(numbers).toMatch(/6\s*are members or invited/);
    expect(numbers).toContain('2 as User');
    const save = dialog.getByRole('button', { name: 'Save rule' });
    await expect.poll(() => save.isEnabled()).toBe(true);
    await save.click();
    await dialog.getByText('Keep in sync is on.').waitFor();
    const rule = await server.db.kysely.selectFrom('sync_rules').select(['definition']).executeTakeFirstOrThrow();
    expect(JSON.parse(rule.definition)).toMatchObject({ scope: { filters: { department: 'Engineering' } }, defaultRole: 'user', joiners: 'review' });

    await dialog.getByRole('button', { name: 'Go to Updates' }).click();
    // The first run, now rather than at the runner's next look.
    await syncNow(dialog);
    expect((await runs())[0]).toMatchObject({ status: 'completed', joiners: 2, leavers: 0 });
    await expect
      .poll(() => listedUpdates(dialog), WAIT)
      .toEqual(expect.arrayContaining(['Margaret Hamilton: Joins: invite as User', 'Ken Thompson: Joins: invite as User']));

    // HR changes: a new hire in Engineering, and Grace, a member, terminated.
    const now = new Date().toISOString();
    unified.employees.push(employee('Hedy', 'Lamarr', 'Engineering', { updated_at: now }));
    unified.employees[1] = employee('Grace', 'Hopper', 'Engineering', { employment_status: 'INACTIVE', updated_at: now });
    await syncNow(dialog);
    expect((await runs())[0]).toMatchObject({ status: 'completed', joiners: 1, leavers: 1, trigger: 'manual' });
    await expect
      .poll(() => listedUpdates(dialog), WAIT)
      .toEqual(expect.arrayContaining(['Hedy Lamarr: Joins: invite as User', 'Grace Hopper: Left the company: a member until you remove them']));
    expect(await axeViolations(page, 'hr-import')).toEqual([]);

    // With the keyboard: Hedy's Approve, then Grace's Dismiss, reached by Tab from her checkbox.
    await dialog.getByRole('button', { name: 'Approve Hedy Lamarr' }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByText('1 approved. 1 invited.').waitFor();
    const invite = await server.db.kysely
      .selectFrom('invites')
      .select(['id', 'role', 'status'])
      .where('target_type', '=', TARGET.type)
      .where('target_id', '=', TARGET.id)
      .where('email_normalized', '=', 'hedy@acme.example')
      .executeTakeFirstOrThrow();
    expect(invite).toMatchObject({ role: 'user', status: 'pending' });
    expect(await server.db.kysely.selectFrom('outbox').select('invite_id').where('invite_id', '=', invite.id).execute()).toHaveLength(1);

    await dialog.getByRole('checkbox', { name: 'Select Grace Hopper' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => {
        let active = document.activeElement;
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        return active?.getAttribute('aria-label');
      }),
    ).toBe('Dismiss Grace Hopper');
    await page.keyboard.press('Enter');
    await dialog.getByText('1 dismissed.').waitFor();
    await expect.poll(() => listedUpdates(dialog), WAIT).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(Grace Hopper|Hedy Lamarr):/)]));

    // Another run: Grace's record has not changed since, so she stays dismissed.
    await syncNow(dialog);
    expect((await runs())[0]).toMatchObject({ status: 'completed', joiners: 0, leavers: 0 });
    await page.reload();
    const again = await openImport();
    await again.getByRole('list', { name: 'Updates to review' }).waitFor();
    expect((await listedUpdates(again)).sort()).toEqual(['Ken Thompson: Joins: invite as User', 'Margaret Hamilton: Joins: invite as User']);
    expect(pageErrors).toEqual([]);
  });
});
