import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

/**
 * `vite build` emits the widget as one ES module (dist/widget/hr-import.js, Lit included) for
 * script-tag use; `vite build --mode demo` emits the demo pages served by the standalone server.
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
  return {
    ...base,
    build: {
      outDir: 'dist/widget',
      emptyOutDir: true,
      lib: {
        entry: resolve(import.meta.dirname, 'widget/src/index.ts'),
        formats: ['es'],
        fileName: () => 'hr-import.js',
      },
      // Vite leaves whitespace in ES library output for bundlers; this file is for script tags.
      rolldownOptions: { output: { minify: true } },
      target: 'es2022',
    },
  };
});
