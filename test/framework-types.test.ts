/**
 * `<hr-import>` as a host's type checker sees it: a React 19 TSX file checked by `tsc` with the
 * settings of Vite's React-TS template, a Vue SFC checked by `vue-tsc` with create-vue's. Each
 * host has a file written as docs/embedding.md shows, which must pass, and a file of mistakes, each of
 * which must fail on its own line with the error a developer would read.
 *
 * The hosts are new projects in a temporary folder with `@hr-import/widget` installed from its
 * `npm pack` tarball beside React, Vue, Vite and the checkers (test/hosts/pack.ts), so they see
 * exactly what a customer's app sees. The React app is then built with Vite, as the template's
 * `npm run build` does after `tsc -b`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installHost } from './hosts/pack.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = resolve(ROOT, 'test/fixtures');
let host: string;
let TSC: string;
let VUE_TSC: string;

interface Diagnostic {
  file: string;
  line: number;
  code: number;
  message: string;
}

/** Runs a checker on a project; its diagnostics, parsed from `--pretty false` output. */
function check(bin: string, project: string): Diagnostic[] {
  const run = spawnSync(process.execPath, [bin, '-p', project, '--pretty', 'false'], { cwd: host, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  const diagnostics: Diagnostic[] = [];
  for (const line of run.stdout.split('\n')) {
    const head = /^(.+?)\((\d+),\d+\): error TS(\d+): (.*)$/.exec(line);
    if (head) diagnostics.push({ file: head[1]!, line: Number(head[2]), code: Number(head[3]), message: head[4]! });
    // Continuation lines (indented) belong to the diagnostic above.
    else if (line.startsWith(' ') && diagnostics.length) diagnostics.at(-1)!.message += `\n${line.trim()}`;
  }
  if (run.status !== 0 && !diagnostics.length) throw new Error(`${bin} failed without diagnostics:\n${run.stdout}${run.stderr}`);
  return diagnostics;
}

/** The 1-based line of a fixture on which `text` first appears. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

beforeAll(async () => {
  host = await installHost({
    packages: ['widget'],
    dependencies: ['react@^19', 'react-dom@^19', '@types/react@^19', '@types/react-dom@^19', 'vue@^3.5', 'vite@^8', 'typescript@~5.9', 'vue-tsc@^3'],
  });
  for (const app of ['react-host', 'vue-host']) cpSync(join(FIXTURES, app), join(host, app), { recursive: true });
  TSC = join(host, 'node_modules/typescript/bin/tsc');
  VUE_TSC = join(host, 'node_modules/vue-tsc/bin/vue-tsc.js');
}, 600_000);
afterAll(() => {
  if (host) rmSync(host, { recursive: true, force: true });
});

describe('React 19 host (Vite React-TS template settings)', () => {
  const project = () => join(host, 'react-host');
  const mistakes = () => join(project(), 'src/Mistakes.tsx');
  let diagnostics: Diagnostic[];

  beforeAll(() => {
    diagnostics = check(TSC, join(project(), 'tsconfig.json'));
  }, 120_000);

  it('accepts <hr-import> with its attributes, tokenProvider, a ref and every event handler', () => {
    expect(diagnostics.filter((d) => !d.file.endsWith('Mistakes.tsx'))).toEqual([]);
  });

  it('builds with Vite, the element and Lit bundled from the installed package', () => {
    const run = spawnSync(process.execPath, [join(host, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
      cwd: project(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const assets = join(project(), 'dist/assets');
    const script = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(script).toContain('hr-import');
    expect(existsSync(join(project(), 'dist/index.html'))).toBe(true);
  });

  it('rejects each mistake on its line', () => {
    const at = (text: string) => lineOf(mistakes(), text);
    const found = diagnostics.filter((d) => d.file.endsWith('Mistakes.tsx')).map(({ line, code, message }) => ({ line, code, message }));
    expect(found).toEqual([
      { line: at('tokenProvidr'), code: 2322, message: expect.stringContaining("Property 'tokenProvidr' does not exist") },
      { line: at('invitedCount'), code: 2339, message: "Property 'invitedCount' does not exist on type 'ImportResult'." },
      { line: at('onhr-import-completed'), code: 7006, message: "Parameter 'e' implicitly has an 'any' type." },
      { line: at('request-timeout={true}'), code: 2322, message: expect.stringContaining("Type 'boolean' is not assignable") },
    ]);
  });
});

describe('Vue 3 host (create-vue settings, vue-tsc)', () => {
  const project = () => join(host, 'vue-host');
  const mistakes = () => join(project(), 'src/Mistakes.vue');
  let diagnostics: Diagnostic[];

  beforeAll(() => {
    diagnostics = check(VUE_TSC, join(project(), 'tsconfig.json'));
  }, 120_000);

  it('accepts <hr-import> with its attributes, tokenProvider, HTML attributes and every event', () => {
    expect(diagnostics.filter((d) => !d.file.endsWith('Mistakes.vue'))).toEqual([]);
  });

  it('rejects each mistake on its line, misspelled props included although strictTemplates is off', () => {
    const at = (text: string) => lineOf(mistakes(), text);
    const found = diagnostics.filter((d) => d.file.endsWith('Mistakes.vue')).map(({ line, code, message }) => ({ line, code, message }));
    expect(found).toEqual([
      { line: at(':session-tokn'), code: 2322, message: expect.stringContaining('sessionTokn is not a property of <hr-import>') },
      { line: at(':tokenProvidr'), code: 2322, message: expect.stringContaining('tokenProvidr is not a property of <hr-import>') },
      { line: at('invitedCount'), code: 2339, message: "Property 'invitedCount' does not exist on type 'ImportResult'." },
      { line: at(':request-timeout="true"'), code: 2322, message: "Type 'boolean' is not assignable to type 'number'." },
    ]);
  });
});
