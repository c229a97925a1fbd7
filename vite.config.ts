import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
// @ts-expect-error: plain JS module (a Vite plugin), typed by use
import { collapseTemplateWhitespace } from './scripts/collapse-template-whitespace.mjs';

/**
 * `vite build` emits the widget as one ES module (dist/widget/hr-import.js, Lit included) for
 * script-tag use; `vite build --mode module` the bundler entry (dist/module/index.js); `vite build --mode demo` emits the demo pages served by the standalone server.
 * `vitest` runs the BFF and end-to-end tests in Node.
 */
export default defineConfig(({ mode }) => {
  const base = {
    test: {
      include: ['bff/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
  if (mode === 'demo') {
    return {
      ...base,
      root: resolve(import.meta.dirname, 'demo'),
      base: '/',
      build: {
        outDir: resolve(import.meta.dirname, 'dist/demo'),
        emptyOutDir: true,
        rollupOptions: {
          input: {
            index: resolve(import.meta.dirname, 'demo/index.html'),
            accept: resolve(import.meta.dirname, 'demo/accept.html'),
          },
        },
      },
    };
  }
  // `--mode module`: the ES entry for bundlers, with Lit left as an import so an app that
  // already uses Lit ships it once. The default build inlines Lit for <script type="module">.
  const forBundlers = mode === 'module';
  return {
    ...base,
    plugins: [collapseTemplateWhitespace()],
    build: {
      outDir: forBundlers ? 'dist/module' : 'dist/widget',
      emptyOutDir: true,
      lib: {
        entry: resolve(import.meta.dirname, 'widget/src/index.ts'),
        formats: ['es'],
        fileName: () => (forBundlers ? 'index.js' : 'hr-import.js'),
      },

      // Vite leaves whitespace in ES library output for bundlers; the script-tag file is minified.
      // @lit/localize stays inside: it holds one configuration per copy, and an app that localizes
      // with it too would otherwise share (and clash with) the widget's.
      rolldownOptions: forBundlers
        ? { external: [/^lit(\/|$)/, /^@lit\/(?!localize(\/|$))/] }
        : {
            output: {
              minify: true,
              // V8's explicit compile hint: the functions of the chunk every page runs are compiled
              // as the script loads, off the main thread, instead of one by one on the main thread
              // the first time each runs, which cost the first contacts step about 10 ms of the
              // admin's click. (https://v8.dev/blog/explicit-compile-hints; other engines skip it.)
              postBanner: (chunk: { name: string; isEntry: boolean }) =>
                !chunk.isEntry && chunk.name === 'hr-import' ? '//# allFunctionsCalledOnLoad' : '',
              // What every page needs stays in hr-import.js; only what few pages need (the CSV
              // upload, each translation) is a chunk beside it, fetched on first use.
              codeSplitting: { groups: [{ name: 'hr-import', test: (id: string) => !/csv-upload|locales[\\/]generated[\\/](?!locale-codes)/.test(id) }] },
            },
          },
      target: 'es2022',
    },
  };
});
