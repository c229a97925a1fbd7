/**
 * The two packages as a host gets them: built (`npm run build:widget`, `npm run build:bff`) and
 * packed with `npm pack`, then installed from the tarballs into a fresh folder per host, as
 * `npm install <tarballs>` does it for a customer.
 *
 * Built once per state of their sources, whichever test files ask and however many forks run at
 * once: the tarballs are kept under node_modules/.cache, named by a hash of every file the builds
 * read (and Node's version), so a run whose sources did not change since the last one skips
 * about 45 s of builds. The first fork to miss builds under a lock directory (mkdir is atomic),
 * the others wait and reuse the tarballs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'hr-import', 'packages');

/** What the package builds read: the two packages, what they compile in, and the build settings. */
const BUILD_INPUTS = ['widget', 'bff', 'contract', 'migrations', 'demo', 'scripts', 'LICENSE', 'package.json', 'package-lock.json', 'vite.config.ts'];
/** Root files matched by pattern: the TypeScript settings, the manifest and localization configs. */
const BUILD_INPUT_FILES = /^(tsconfig.*\.json|custom-elements-manifest\.config\.mjs|lit-localize\.json)$/;
/** What the builds write (the same names .gitignore lists): an input's hash must not change by building. */
const BUILD_OUTPUTS = new Set(['node_modules', 'dist', 'data', '.git', 'custom-elements.json']);

/** A hash of every build input's path and bytes: equal hashes, equal tarballs. */
export function sourceHash(): string {
  const hash = createHash('sha256').update(process.version);
  const add = (path: string) => {
    if (BUILD_OUTPUTS.has(path.split('/').pop()!) || path.endsWith('.log')) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) add(join(path, entry));
    } else {
      hash
        .update(`${relative(ROOT, path)}\0`)
        .update(readFileSync(path))
        .update('\0');
    }
  };
  const roots = [...BUILD_INPUTS, ...readdirSync(ROOT).filter((name) => BUILD_INPUT_FILES.test(name))].sort();
  for (const name of roots) if (existsSync(join(ROOT, name))) add(join(ROOT, name));
  return hash.digest('hex').slice(0, 16);
}

export interface Tarballs {
  widget: string;
  bff: string;
}

/** Runs a command, its output kept for the error a failing test shows. */
export async function sh(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  try {
    return await run(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: options.timeout ?? 300_000, ...options });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${options.cwd}\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: err });
  }
}

/**
 * The environment of a command run the way a person would run it: without vitest's NODE_ENV=test
 * (with which Vite would bundle Lit's development build) and without a loader in NODE_OPTIONS.
 */
export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_ENV: _nodeEnv, NODE_OPTIONS: _nodeOptions, VITEST: _vitest, VITEST_POOL_ID: _pool, VITEST_WORKER_ID: _worker, ...env } = process.env;
  return { ...env, ...extra };
}

/** Both tarballs of the sources as they are, built and packed unless already cached. */
export async function packPackages(): Promise<Tarballs> {
  const packs = join(CACHE, sourceHash());
  const done = join(packs, 'tarballs.json');
  const tarballs = (): Tarballs => {
    const names = JSON.parse(readFileSync(done, 'utf8')) as Tarballs;
    return { widget: join(packs, names.widget), bff: join(packs, names.bff) };
  };
  if (existsSync(done)) return tarballs();
  mkdirSync(CACHE, { recursive: true });
  const lock = `${packs}.lock`;
  for (let waited = 0; ; waited += 200) {
    if (existsSync(done)) return tarballs();
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run would block forever: take it over after five minutes.
      if (waited > 300_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    if (existsSync(done)) return tarballs();
    // Packed beside the cache entry, then renamed into place: a reader never sees half of it.
    const scratch = `${packs}.partial`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const env = plainEnv();
    await sh('npm', ['run', 'build:widget'], { cwd: ROOT, env });
    await sh('npm', ['run', 'build:bff'], { cwd: ROOT, env });
    const pack = async (folder: string) => {
      // Built just above: the packages' prepack would build them a second time.
      const { stdout } = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: join(ROOT, folder), env });
      const [result] = JSON.parse(stdout) as { filename: string }[];
      return result!.filename;
    };
    writeFileSync(join(scratch, 'tarballs.json'), JSON.stringify({ widget: await pack('widget'), bff: await pack('bff') }));
    rmSync(packs, { recursive: true, force: true });
    renameSync(scratch, packs);
    pruneCache(packs);
    return tarballs();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Drops tarballs of sources older than a day: other checkouts sharing node_modules may still read newer ones. */
function pruneCache(keep: string) {
  for (const entry of readdirSync(CACHE)) {
    const path = join(CACHE, entry);
    if (path !== keep && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
}

export interface HostOptions {
  /** Which of our packages the host installs (both by default). */
  packages?: (keyof Tarballs)[];
  /** More packages the host installs beside ours, e.g. `express@^5` (from the npm cache). */
  dependencies?: string[];
}

/**
 * A fresh host project in a temporary folder with our tarballs installed; returns its folder.
 * The caller removes it (`rmSync(dir, { recursive: true, force: true })`).
 *
 * Install scripts are skipped, and better-sqlite3 gets the native module this workspace has
 * already compiled (same version, same Node): otherwise every host would compile SQLite, about
 * three minutes on two cores. A version that differs is compiled with `npm rebuild`.
 */
export async function installHost(options: HostOptions = {}): Promise<string> {
  const tarballs = await packPackages();
  const packages = options.packages ?? ['widget', 'bff'];
  const specs = [...packages.map((name) => tarballs[name]), ...(options.dependencies ?? [])];
  const dir = mkdtempSync(join(tmpdir(), 'hr-import-host-'));
  // Hard links of an install made earlier from the same tarballs and specs (a host writes files
  // of its own beside them, never into node_modules): an npm install is some 5 CPU-seconds each.
  const installed = await cachedInstall(dirname(tarballs.widget), specs);
  await sh('cp', ['-al', `${installed}/.`, dir], { cwd: ROOT });
  return dir;
}

/** Written last into a cached install: the install is whole. */
const INSTALLED = '.installed';

/** A host folder with `specs` installed, kept beside the tarballs it was installed from. */
async function cachedInstall(packs: string, specs: string[]): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify(specs.map((spec) => relative(packs, spec))))
    .digest('hex')
    .slice(0, 16);
  const folder = join(packs, 'hosts', key);
  if (existsSync(join(folder, INSTALLED))) return folder;
  // Installed beside the entry, then renamed into place: a reader never sees half an install.
  const scratch = `${folder}.${process.pid}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'host', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const env = plainEnv();
  await sh('npm', ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: scratch, env });
  const sqlite = join(scratch, 'node_modules/better-sqlite3');
  if (existsSync(sqlite)) {
    const ours = join(ROOT, 'node_modules/better-sqlite3');
    const version = (folder: string) => (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }).version;
    const binary = 'build/Release/better_sqlite3.node';
    if (version(sqlite) === version(ours) && existsSync(join(ours, binary))) {
      mkdirSync(join(sqlite, 'build/Release'), { recursive: true });
      copyFileSync(join(ours, binary), join(sqlite, binary));
    } else {
      await sh('npm', ['rebuild', 'better-sqlite3'], { cwd: scratch, env, timeout: 600_000 });
    }
  }
  writeFileSync(join(scratch, INSTALLED), '');
  mkdirSync(dirname(folder), { recursive: true });
  try {
    renameSync(scratch, folder);
  } catch {
    // Another fork installed the same host first: its copy serves.
    rmSync(scratch, { recursive: true, force: true });
  }
  return folder;
}

/** Every package in a host's node_modules (nested ones too), scoped ones as `@scope/name`. */
export function installedPackages(dir: string): string[] {
  const found = new Set<string>();
  const walk = (modules: string, depth: number) => {
    // npm nests a package only on a version conflict: a few levels at most, never a cycle.
    if (depth > 8 || !existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry];
      for (const name of names) {
        found.add(name);
        walk(join(modules, name, 'node_modules'), depth + 1);
      }
    }
  };
  walk(join(dir, 'node_modules'), 0);
  return [...found].sort();
}
