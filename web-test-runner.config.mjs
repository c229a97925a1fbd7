import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { build } from 'esbuild';
import { findChromium, CHROMIUM_ARGS, HIDDEN_UI_FEATURES } from './scripts/find-chromium.mjs';

/**
 * React ships CommonJS only. The StrictMode embedding test imports it from this one URL, bundled
 * to an ES module the way an app's bundler would (development build, NODE_ENV replaced).
 */
const reactBundle = {
  name: 'react-bundle',
  async serve(context) {
    if (context.path !== '/__react.js') return undefined;
    const result = await build({
      stdin: { contents: "export * as React from 'react'; export * as ReactDOMClient from 'react-dom/client';", resolveDir: process.cwd() },
      bundle: true,
      format: 'esm',
      write: false,
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'silent',
    });
    return { body: result.outputFiles[0].text, type: 'js' };
  },
};

export default {
  files: ['widget/src/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  // CI runs these beside vitest on two cores: an axe check over 230 rows took 2 s here alone and
  // pushed a test past 10 s there. Each wait inside a test still gives up after its own 5 s.
  testFramework: { config: { timeout: 30000 } },
  plugins: [
    // esbuild reads the file as is (no `extends`): the base holds the settings that change the output.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.base.json' }),
    reactBundle,
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: findChromium() ?? undefined,
        headless: true,
        args: [
          ...CHROMIUM_ARGS,
          // One renderer for every test file's page (they share an origin): each page then finds Lit,
          // axe and the widget already compiled in that renderer's V8, where a renderer of its own
          // compiled them again (measured in docs/testing.md).
          '--process-per-site',
          // Puppeteer merges these into its own --disable-features.
          `--disable-features=${HIDDEN_UI_FEATURES.join(',')}`,
        ],
      },
    }),
  ],
};
