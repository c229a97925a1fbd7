/**
 * One Chromium per vitest worker, shared by the end-to-end files it runs in turn (they share the
 * worker's module cache, isolate: false): a launch is about a CPU-second of browser, GPU and
 * zygote processes starting. Each file opens its own contexts and closes them when it ends
 * (releaseBrowser); the browser ends with the worker, as Playwright closes what it launched when
 * the process exits.
 */
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error: plain JS module shared with web-test-runner's config
import { playwrightLaunchOptions } from '../../scripts/find-chromium.mjs';

let launched: Promise<Browser> | undefined;

/** This worker's Chromium, launched on first use (and again should it have gone). */
export function sharedBrowser(): Promise<Browser> {
  launched ??= chromium.launch(playwrightLaunchOptions()).then((browser) => {
    browser.once('disconnected', () => (launched = undefined));
    return browser;
  });
  return launched;
}

/** Closes every context a file opened (its pages with them), leaving the browser to the next file. */
export async function releaseBrowser(browser: Browser | undefined): Promise<void> {
  if (browser?.isConnected()) await Promise.all(browser.contexts().map((c) => c.close()));
}
