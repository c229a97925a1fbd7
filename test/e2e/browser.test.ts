/**
 * The Chromium the end-to-end tests drive (sharedBrowser, launched with playwrightLaunchOptions()):
 * Playwright's own disabled features still off (Chromium keeps only the last --disable-features,
 * and ours comes after Playwright's), and no browser UI of its own running beside the page under
 * test.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
// @ts-expect-error: plain JS module shared with web-test-runner's config
import { HIDDEN_UI_FEATURES } from '../../scripts/find-chromium.mjs';
import { releaseBrowser, sharedBrowser } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await sharedBrowser();
});
afterAll(async () => {
  await releaseBrowser(browser);
});

it('keeps every feature Playwright turns off, and ours, off', async () => {
  const page = await browser.newPage();
  await page.goto('chrome://version');
  const commandLine = (await page.locator('#command_line').textContent()) ?? '';
  const lists = [...commandLine.matchAll(/--disable-features=(\S+)/g)].map((m) => m[1]!.split(','));
  // Playwright's own list first, ours last: the last is the one Chromium uses.
  expect(lists.length).toBe(2);
  const [playwrights, effective] = lists as [string[], string[]];
  expect(playwrights.filter((f) => !effective.includes(f))).toEqual([]);
  expect(effective).toEqual(expect.arrayContaining(HIDDEN_UI_FEATURES as string[]));
  await page.close();
});

it('runs no omnibox page beside a page that navigated', async () => {
  const page = await browser.newPage();
  await page.goto('data:text/html,<title>x</title><p>x</p>');
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  expect(targetInfos.map((t) => `${t.type} ${t.url}`)).toEqual(['page data:text/html,<title>x</title><p>x</p>']);
  await cdp.detach();
  await page.close();
});
