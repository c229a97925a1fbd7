import { configDefaults, defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
// @ts-expect-error: plain JS module (a Vite plugin), typed by use
import { collapseTemplateWhitespace } from './scripts/collapse-template-whitespace.mjs';
// @ts-expect-error: plain JS module, typed by use
import { postgresForTests } from './scripts/postgres-for-tests.mjs';

/**
 * `vite build` emits the widget as one ES module (widget/dist/browser/hr-import.js, Lit included)
 * for script-tag use; `vite build --mode module` the bundler entries of @hr-import/widget
 * (widget/dist/module/); `vite build --mode demo` the demo pages served by the standalone server
 * from source; `vite build --mode accept` the invite accept page alone, shipped in @hr-import/bff
 * (bff/dist/public/). `vitest` runs the BFF and end-to-end tests in Node.
 */
/** The modules of Keep in sync and the Updates view (the seat meter and the rest they use stay in the core). */
const SYNC_PARTS =
  /widget[\\/]src[\\/](components[\\/](sync-|role-rules|expired-invites|manager-picker)|templates[\\/]check-all|events[\\/]sync\.|model[\\/]sync-rule|styles[\\/]sync\.)/;

/** The roles, message and confirmation steps (hr-import/later-steps.ts), their elements (the selection's review too), and the import's submission. */
const LATER_STEPS = /role-assigner|message-composer|import-summary|selection-review|model[\\/]warnings|hr-import[\\/](later-steps|submission)/;

/** The PostgreSQL harness's own test: nothing to check on SQLite. */
const PG_ONLY = 'test/postgres-lending.test.ts';
/** Run against PostgreSQL too: every BFF test that opens a database, and the system tests that open a harness. */
const ON_POSTGRES = ['bff/**/*.test.ts', 'test/fuzz.test.ts', 'test/scope.test.ts', 'test/minimal-fields.test.ts', PG_ONLY];
/** BFF tests that touch no database: once is enough. */
const NO_DATABASE = [
  'bff/connectors/**',
  'bff/csv/**',
  'bff/config.test.ts',
  'bff/crypto.test.ts',
  'bff/invite-texts.test.ts',
  'bff/mail/invite-template.test.ts',
  'bff/services/message.test.ts',
];

/**
 * The files that take longest (1–6 min each in CI), slowest first. Vitest starts files it has no
 * timings for in file-size order, project by project (postgres, sqlite, system), so on a clean
 * checkout these small system files started last and the run waited minutes on them alone.
 */
const SLOWEST = [
  'test/packages.test.ts',
  'test/e2e/providers.test.ts',
  'test/fuzz.test.ts',
  'test/e2e/accept-page.test.ts',
  'test/framework-types.test.ts',
  'bff/routes/imports-crash.test.ts',
  'test/hosts/recipes.test.ts',
  'test/locales.test.ts',
  'test/e2e/okta-rippling.test.ts',
  'test/e2e/demo.test.ts',
];

/** Vitest's own order (timings of earlier runs where it has them), with the slowest files above moved to the front. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = SLOWEST.findIndex((path) => file.moduleId.endsWith(path));
      return i < 0 ? SLOWEST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/** Names this run's PostgreSQL template (test/postgres.ts), so that runs side by side keep their own. */
const RUN = randomBytes(6).toString('hex');

/**
 * One vitest run, both dialects: the BFF's tests on SQLite and again on PostgreSQL (when a
 * server answers, see scripts/postgres-for-tests.mjs), then the system tests (browsers, child
 * processes, packages). Every file shares its worker's module cache (isolate: false): they hold
 * no module state between tests, and importing the BFF afresh per file cost ~2 s each (the system
 * tier alone: 298 → 280 CPU-s, its imports 43 → 16 s).
 */
async function testProjects(): Promise<TestProjectInlineConfiguration[]> {
  if (!process.env.VITEST) return [];
  const pgUrl: string | null = await postgresForTests();
  const project = (test: TestProjectInlineConfiguration['test']): TestProjectInlineConfiguration => ({ extends: true, test });
  return [
    project({ name: 'sqlite', include: ['bff/**/*.test.ts', 'contract/**/*.test.ts'], isolate: false, env: { TEST_PG_URL: '' } }),
    ...(pgUrl
      ? [
          project({
            name: 'postgres',
            include: ON_POSTGRES,
            exclude: [...configDefaults.exclude, ...NO_DATABASE],
            isolate: false,
            env: { TEST_PG_URL: pgUrl, HRI_TEST_RUN: RUN },
            globalSetup: ['test/postgres-teardown.ts'],
          }),
        ]
      : []),
    project({ name: 'system', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, PG_ONLY], isolate: false, env: { TEST_PG_URL: '' } }),
  ];
}

export default defineConfig(async ({ mode }): Promise<ViteUserConfig> => {
  const base = {
    test: {
      environment: 'node',
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Most tests wait on a database, a browser or a child process: more workers than cores.
      maxWorkers: 3,
      sequence: { sequencer: SlowestFirst },
      projects: await testProjects(),
    },
  };
  if (mode === 'demo' || mode === 'accept') {
    const accept = { accept: resolve(import.meta.dirname, 'demo/accept.html') };
    return {
      ...base,
      root: resolve(import.meta.dirname, 'demo'),
      base: '/',
      build: {
        outDir: resolve(import.meta.dirname, mode === 'demo' ? 'dist/demo' : 'bff/dist/public'),
        emptyOutDir: true,
        rollupOptions: {
          input: mode === 'demo' ? { index: resolve(import.meta.dirname, 'demo/index.html'), ...accept } : accept,
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
      outDir: forBundlers ? 'widget/dist/module' : 'widget/dist/browser',
      emptyOutDir: true,
      lib: {
        // react and vue are the framework types' entries: JavaScript-empty, there so that
        // `import '@hr-import/widget/react'` resolves in a bundler as well as in tsc.
        entry: forBundlers
          ? Object.fromEntries(['index', 'react', 'vue'].map((name) => [name, resolve(import.meta.dirname, `widget/src/${name}.ts`)]))
          : resolve(import.meta.dirname, 'widget/src/index.ts'),
        formats: ['es'],
        fileName: (_format: string, name: string) => (forBundlers ? `${name}.js` : 'hr-import.js'),
      },

      // Vite leaves whitespace in ES library output for bundlers; the script-tag file is minified.
      // @lit/localize stays inside: it holds one configuration per copy, and an app that localizes
      // with it too would otherwise share (and clash with) the widget's.
      rolldownOptions: forBundlers
        ? {
            external: [/^lit(\/|$)/, /^@lit\/(?!localize(\/|$))/],
            // One file per source module, at its source's path: a bundler shakes what a host does
            // not use, and custom-elements.json can name the module each element ships in.
            output: { preserveModules: true, preserveModulesRoot: resolve(import.meta.dirname, 'widget/src'), entryFileNames: '[name].js' },
          }
        : {
            output: {
              minify: true,
              // The script-tag file is no bundler's input: its /* @__PURE__ */ marks (one per
              // `new Map`, `Symbol()`, …) would tell nobody anything, and cost ~45 B of the budget.
              comments: { annotation: false },
              // V8's explicit compile hint: the functions of the chunk every page runs are compiled
              // as the script loads, off the main thread, instead of one by one on the main thread
              // the first time each runs, which cost the first contacts step about 10 ms of the
              // admin's click. (https://v8.dev/blog/explicit-compile-hints; other engines skip it.)
              postBanner: (chunk: { name: string; isEntry: boolean }) => (!chunk.isEntry && chunk.name === 'hr-import' ? '//# allFunctionsCalledOnLoad' : ''),
              // What every page needs stays in hr-import.js; only what few pages need (the CSV
              // upload, the connect form, the provider logos, each translation) is a chunk beside it, fetched on first use.
              // The roles, message and confirmation steps are one chunk, fetched as the contacts step opens.
              codeSplitting: {
                groups: [
                  // The core goes first (priority), so Lit and the code both share stay in it.
                  { name: 'steps', test: (id: string) => LATER_STEPS.test(id), priority: 1 },
                  // Keep in sync and Updates: fetched when the admin opens one, or with the session of a target that has rules.
                  { name: 'sync', test: (id: string) => SYNC_PARTS.test(id), priority: 1 },
                  {
                    name: 'hr-import',
                    priority: 2,
                    test: (id: string) =>
                      !SYNC_PARTS.test(id) &&
                      !LATER_STEPS.test(id) &&
                      !/csv-upload|provider-connect|logos\.generated|locales[\\/]generated[\\/](?!locale-codes)/.test(id),
                  },
                ],
              },
            },
          },
      target: 'es2022',
    },
  };
});
