/**
 * @hr-import/widget and @hr-import/bff as a customer gets them: the tarballs `npm pack` makes,
 * installed into fresh projects, used from plain Node (no TypeScript loader) and from a host's
 * strict `tsc`. The host recipes (test/hosts/) build on the same tarballs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { installedPackages, installHost, packPackages, plainEnv, ROOT, sh, type Tarballs } from './hosts/pack.js';
import { migrations as sourceMigrations } from '../migrations/index.js';

const BIN = join(ROOT, 'node_modules/.bin');
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

let tarballs: Tarballs;
let host: string; // both packages, as a full-stack app installs them
let frontEnd: string; // the widget alone, as a front-end app installs it
const servers: ChildProcess[] = [];

beforeAll(async () => {
  tarballs = await packPackages();
  [host, frontEnd] = await Promise.all([installHost(), installHost({ packages: ['widget'] })]);
}, 600_000);

afterAll(() => {
  for (const server of servers) server.kill();
  for (const dir of [host, frontEnd]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs an ES module under plain `node` in the host folder and returns what it printed as JSON. */
async function node(dir: string, source: string): Promise<unknown> {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  const { stdout } = await sh(process.execPath, [file], { cwd: dir, env: plainEnv() });
  return JSON.parse(stdout) as unknown;
}

describe('the tarballs', () => {
  for (const name of ['widget', 'bff'] as const) {
    it(`@hr-import/${name}: publint finds nothing, not even a suggestion`, async () => {
      const tarball = readFileSync(tarballs[name]);
      const { messages, pkg } = await publint({
        pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
        strict: true,
      });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toEqual([]);
    });

    it(`@hr-import/${name}: arethetypeswrong finds nothing for ESM consumers (profile esm-only)`, async () => {
      // esm-only: the packages are ES modules only, so CommonJS require() and node10 (no exports
      // map) are out of scope; node16 from ESM and bundlers must resolve every entry to its types.
      await expect(sh(join(BIN, 'attw'), [tarballs[name], '--profile', 'esm-only', '--no-color'], { cwd: ROOT })).resolves.toBeTruthy();
    });
  }

  it('hold no tests, no demo page and no sources', async () => {
    for (const name of ['widget', 'bff'] as const) {
      // The files of the tarball itself (npm puts them under package/): what ships, whatever the working folders hold.
      const { stdout } = await sh('tar', ['-tzf', tarballs[name]], { cwd: ROOT });
      const paths = stdout
        .split('\n')
        .filter((line) => line && !line.endsWith('/'))
        .map((line) => line.replace(/^package\//, ''));
      expect(paths).toContain('LICENSE');
      expect(paths).toContain('README.md');
      // (bff/demo.ts is no demo page: it seeds the bin's development mode, run without an API key.)
      // Compiled JavaScript keeps its folder under dist/ (the BFF's copy of the widget's invite-message module is
      // dist/widget/src/model/message.js): a src/ folder is a source only outside dist/.
      const source = (p: string) =>
        /\.test\.|(^|\/)(test|demo)\/|index\.html$/.test(p) || (/(^|\/)src\//.test(p) && !p.startsWith('dist/')) || (/\.ts$/.test(p) && !p.endsWith('.d.ts'));
      expect(paths.filter(source)).toEqual([]);
    }
  });
});

describe('@hr-import/widget installed alone', () => {
  it('pulls in Lit and nothing of the server', () => {
    const installed = installedPackages(frontEnd);
    expect(installed).toContain('@hr-import/widget');
    for (const server of ['@hr-import/bff', 'better-sqlite3', 'pg', 'nodemailer', 'tsx', 'esbuild', 'hono', 'kysely', 'zod']) {
      expect(installed).not.toContain(server);
    }
    // Lit's own packages (and the types Lit's declarations name) are all there is.
    expect(installed.filter((name) => !/^(@hr-import\/widget|lit|lit-html|lit-element|@lit\/.+|@lit-labs\/.+|@types\/trusted-types)$/.test(name))).toEqual([]);
  });

  it('serves its package.json, manifest and script-tag bundle by their export names', async () => {
    const found = await node(
      frontEnd,
      `import pkg from '@hr-import/widget/package.json' with { type: 'json' };
       import manifest from '@hr-import/widget/custom-elements.json' with { type: 'json' };
       import { createRequire } from 'node:module';
       import { existsSync } from 'node:fs';
       const bundle = import.meta.resolve('@hr-import/widget/hr-import.js');
       const root = new URL('./', import.meta.resolve('@hr-import/widget/package.json'));
       // Every module the manifest describes is a file of the installed package.
       const missing = manifest.modules.map((m) => m.path).filter((path) => !existsSync(new URL(path, root)));
       console.log(JSON.stringify({ name: pkg.name, schema: manifest.schemaVersion, missing, bundle: existsSync(new URL(bundle)) }));`,
    );
    expect(found).toEqual({ name: '@hr-import/widget', schema: '2.1.0', missing: [], bundle: true });
  });
});

describe('@hr-import/bff from plain Node', () => {
  it('exposes the entry, and its compiled migrations build a working BFF on SQLite', async () => {
    const found = await node(
      host,
      `const entry = await import('@hr-import/bff');
       const bff = await entry.createBff({
         apiKeys: ['host-key-0123456789'],
         secret: ${JSON.stringify(SECRET)},
         dataDir: ${JSON.stringify(join(host, 'data'))},
         acceptUrl: 'https://app.example.com/accept',
         origins: ['https://app.example.com'],
       }, { logger: entry.silentLogger });
       await bff.start();
       const call = (path, init) => bff.fetch(new Request('http://host' + path, init));
       const health = await call('/api/health');
       const headers = { authorization: 'Bearer host-key-0123456789', 'content-type': 'application/json' };
       const target = await call('/api/targets/lab/robotics', { method: 'PUT', headers, body: JSON.stringify({ name: 'Robotics', seatLimit: 5 }) });
       const session = await call('/api/sessions', {
         method: 'POST',
         headers,
         body: JSON.stringify({ inviter: { id: 'u-1', name: 'Dana Admin', email: 'dana@example.com' }, target: { type: 'lab', id: 'robotics' } }),
       });
       const applied = (await bff.db.kysely.selectFrom('kysely_migration').select('name').orderBy('name').execute()).map((r) => r.name);
       await bff.stop();
       console.log(JSON.stringify({
         exports: Object.keys(entry).sort(),
         migrations: Object.keys(entry.migrations),
         applied,
         health: [health.status, await health.json()],
         target: target.status,
         session: [session.status, Object.keys(await session.json()).sort()],
       }));`,
    );
    const { exports, migrations, applied, health, target, session } = found as Record<string, unknown>;
    expect(exports).toEqual(
      ['ConfigError', 'createBff', 'createBffFromEnv', 'createHostClient', 'HostApiError', 'jsonLogger', 'migrations', 'settingsSchema', 'silentLogger'].sort(),
    );
    // Every migration of the sources, compiled into the package.
    expect(migrations).toEqual(Object.keys(sourceMigrations));
    expect(applied).toEqual(migrations);
    expect(health).toEqual([200, { ok: true }]);
    expect(target).toBe(201);
    expect(session).toEqual([201, ['expiresAt', 'token']]);
  });

  it('the hr-import bin starts the standalone server, which serves the accept page', async () => {
    const server = spawn(join(host, 'node_modules/.bin/hr-import'), [], {
      cwd: host,
      env: plainEnv({ PORT: '0', DATA_DIR: join(host, 'bin-data'), HR_IMPORT_API_KEY: 'host-key-0123456789', HR_IMPORT_SECRET: SECRET }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(server);
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((ok, fail) => {
      server.once('exit', (code) => fail(new Error(`hr-import exited with ${code}: ${stderr}`)));
      createInterface({ input: server.stdout! }).on('line', (line) => {
        const match = /running on (http:\/\/\S+)/.exec(line);
        if (match) ok(match[1]!);
      });
    });
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    const accept = await fetch(`${url}/accept?token=abc`);
    expect(accept.status).toBe(200);
    const page = await accept.text();
    expect(page).toContain('Accept your invitation');
    // The page's script and styles come from the package too.
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect((await fetch(`${url}${asset}`)).status).toBe(200);
    // Not the demo: an API key is configured.
    expect((await fetch(`${url}/`)).status).toBe(404);
  });
});

// Two whole type-checks, CPU-bound: beside the other suites on two cores they take well over the default 30 s.
describe('a host type-checking against both packages', { timeout: 120_000 }, () => {
  // The settings of a strict host, with skipLibCheck off so our .d.ts are checked too, and only
  // @types/node installed (no @types for better-sqlite3, pg or nodemailer).
  const strict = {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitOverride: true,
    skipLibCheck: false,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    noEmit: true,
    typeRoots: [join(ROOT, 'node_modules/@types')],
  };

  async function tsc(name: string, options: Record<string, unknown>, source: string) {
    writeFileSync(join(host, `${name}.ts`), source);
    writeFileSync(join(host, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...strict, ...options }, files: [`${name}.ts`] }));
    return sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${name}.json`], { cwd: host });
  }

  it('compiles a Node server using @hr-import/bff (no DOM), and the types are real', async () => {
    await tsc(
      'server',
      { lib: ['ES2023'], types: ['node'] },
      `import { createBff, createBffFromEnv, createHostClient, jsonLogger, migrations, type Bff, type BffSettings } from '@hr-import/bff';
       const settings: BffSettings = { apiKeys: ['host-key-0123456789'], secret: 'x'.repeat(32), acceptUrl: 'https://app.example.com/accept', basePath: '/hr/api' };
       const bff: Bff = await createBff(settings, { logger: jsonLogger() });
       const fromEnv: Bff = await createBffFromEnv(process.env);
       const res: Response = await bff.fetch(new Request('http://localhost/hr/api/health'));
       const names: string[] = Object.keys(migrations);
       const client = createHostClient({ baseUrl: 'http://localhost/hr/api', apiKey: 'host-key-0123456789', fetch: bff.fetch });
       const { token } = await client.createSession({ inviter: { id: 'u-1', name: 'Dana', email: 'dana@example.com' }, target: { type: 'lab', id: 'robotics' } });
       // @ts-expect-error: apiKeys is a list of keys (fails if the types were any)
       await createBff({ ...settings, apiKeys: 'one-key' });
       // @ts-expect-error: a target type is organization, lab or challenge
       await client.putTarget({ type: 'team', id: 'x' }, { name: 'X', seatLimit: 1 });
       export { fromEnv, names, res, token };`,
    );
  });

  it('compiles a browser app using @hr-import/widget (no Node types), and the types are real', async () => {
    await tsc(
      'client',
      { lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [] },
      `import { HrImport, type ImportResult } from '@hr-import/widget';
       import '@hr-import/widget/react';
       const el: HrImport = document.createElement('hr-import');
       el.sessionToken = 'token';
       el.addEventListener('hr-import-complete', (e) => {
         const result: ImportResult = e.detail;
         console.log(result.invited);
       });
       // @ts-expect-error: the token is a string (fails if the types were any)
       el.sessionToken = 42;`,
    );
  });
});
