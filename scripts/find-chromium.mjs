// Finds the Chromium the browser tests drive. Debian's package is the supported one; CHROME_PATH
// overrides. Run as a script it exits 1 with one line saying how to install it.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Flags for a headless Chromium on a machine with no outside network and no sandbox support. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Browser UI a headless Chromium never shows but runs all the same: since Chromium 156 each tab has
 * the omnibox popup (and its AI-mode variant) as WebUI pages in a renderer of their own, which
 * re-renders on every navigation, at more CPU than the page under test (measured in
 * docs/testing.md).
 */
export const HIDDEN_UI_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/**
 * The features playwright-core 1.65 turns off itself (its chromiumSwitches). Chromium keeps only the
 * last --disable-features it is given and Playwright does not merge ours into its own, so ours
 * repeats them; test/e2e/browser.test.ts fails when Playwright's list has one this one lacks.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/** playwright-core's chromium.launch options for the tests and benchmarks. */
export function playwrightLaunchOptions() {
  return {
    executablePath: findChromium() ?? undefined,
    args: [...CHROMIUM_ARGS, `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...HIDDEN_UI_FEATURES].join(',')}`],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!findChromium()) {
    console.error('Chromium not found: install it with `sudo apt-get install -y chromium` (or set CHROME_PATH to a Chrome/Chromium binary).');
    process.exit(1);
  }
}
