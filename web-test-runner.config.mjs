import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { findChromium, CHROMIUM_ARGS } from './scripts/find-chromium.mjs';

export default {
  files: ['widget/src/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    // React ships CommonJS only; the StrictMode embedding test imports it as a page would after bundling.
    fromRollup(rollupCommonjs)({ include: ['**/node_modules/react/**', '**/node_modules/react-dom/**', '**/node_modules/scheduler/**'] }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: findChromium() ?? undefined, headless: true, args: CHROMIUM_ARGS },
    }),
  ],
};
