/**
 * `<hr-import>` as a host's type checker sees it: a React 19 TSX file checked by `tsc` with the
 * settings of Vite's React-TS template, a Vue SFC checked by `vue-tsc` with create-vue's. Each
 * host has a file written as the README shows, which must pass, and a file of mistakes, each of
 * which must fail on its own line with the error a developer would read.
 *
 * The hosts import `@hr-import/widget/react` and `@hr-import/widget/vue`; until the widget is a
 * package, their tsconfig maps those to declarations emitted here from widget/src, as the
 * package will ship them (see test/fixtures/react-host/tsconfig.json).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = resolve(ROOT, 'test/fixtures');
const TSC = resolve(ROOT, 'node_modules/typescript/bin/tsc');
const VUE_TSC = resolve(ROOT, 'node_modules/vue-tsc/bin/vue-tsc.js');

interface Diagnostic {
  file: string;
  line: number;
  code: number;
  message: string;
}

/** Runs a checker on a project; its diagnostics, parsed from `--pretty false` output. */
function check(bin: string, project: string): Diagnostic[] {
  const run = spawnSync(process.execPath, [bin, '-p', project, '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
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
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

beforeAll(() => {
  rmSync(resolve(ROOT, 'dist/fixture-types'), { recursive: true, force: true });
  const emit = spawnSync(process.execPath, [TSC, '-p', join(FIXTURES, 'tsconfig.widget-types.json')], { cwd: ROOT, encoding: 'utf8' });
  expect(emit.stdout + emit.stderr, 'emitting the widget declarations').toBe('');
}, 120_000);

describe('React 19 host (Vite React-TS template settings)', () => {
  const project = join(FIXTURES, 'react-host');
  const mistakes = join(project, 'src/Mistakes.tsx');
  let diagnostics: Diagnostic[];

  beforeAll(() => {
    diagnostics = check(TSC, join(project, 'tsconfig.json'));
  }, 120_000);

  it('accepts <hr-import> with its attributes, tokenProvider, a ref and every event handler', () => {
    expect(diagnostics.filter((d) => !d.file.endsWith('Mistakes.tsx'))).toEqual([]);
  });

  it('rejects each mistake on its line', () => {
    const at = (text: string) => lineOf(mistakes, text);
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
  const project = join(FIXTURES, 'vue-host');
  const mistakes = join(project, 'src/Mistakes.vue');
  let diagnostics: Diagnostic[];

  beforeAll(() => {
    diagnostics = check(VUE_TSC, join(project, 'tsconfig.json'));
  }, 120_000);

  it('accepts <hr-import> with its attributes, tokenProvider, HTML attributes and every event', () => {
    expect(diagnostics.filter((d) => !d.file.endsWith('Mistakes.vue'))).toEqual([]);
  });

  it('rejects each mistake on its line, misspelled props included although strictTemplates is off', () => {
    const at = (text: string) => lineOf(mistakes, text);
    const found = diagnostics.filter((d) => d.file.endsWith('Mistakes.vue')).map(({ line, code, message }) => ({ line, code, message }));
    expect(found).toEqual([
      { line: at(':session-tokn'), code: 2322, message: expect.stringContaining('sessionTokn is not a property of <hr-import>') },
      { line: at(':tokenProvidr'), code: 2322, message: expect.stringContaining('tokenProvidr is not a property of <hr-import>') },
      { line: at('invitedCount'), code: 2339, message: "Property 'invitedCount' does not exist on type 'ImportResult'." },
      { line: at(':request-timeout="true"'), code: 2322, message: "Type 'boolean' is not assignable to type 'number'." },
    ]);
  });
});
