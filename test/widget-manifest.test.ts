/**
 * What tools learn about the widget without running it: custom-elements.json as `npm run build`
 * writes it (the analyzer run with the project's config), and the translations lit-localize
 * builds the locale modules from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

interface Named {
  name: string;
  fieldName?: string;
  privacy?: string;
  type?: { text: string };
}
interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  customElement?: boolean;
  attributes?: Named[];
  members?: Named[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string }[] }[];
}

let manifest: Manifest;

beforeAll(() => {
  // The analyzer takes --outdir relative to its working directory: a scratch folder under dist/.
  mkdirSync(resolve(ROOT, 'dist'), { recursive: true });
  const out = mkdtempSync(resolve(ROOT, 'dist/cem-test-'));
  try {
    execFileSync(process.execPath, [resolve(ROOT, 'node_modules/@custom-elements-manifest/analyzer/cem.js'), 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', relative(ROOT, out), '--quiet'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    manifest = JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8')) as Manifest;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

const element = (tag: string) => manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name);

describe('custom-elements.json', () => {
  it('lists hr-import as a custom element, defined by its module', () => {
    const el = element('hr-import');
    expect(el?.customElement).toBe(true);
    expect(el?.name).toBe('HrImport');
    const mod = manifest.modules.find((m) => m.declarations?.includes(el!));
    expect(mod?.exports).toContainEqual(expect.objectContaining({ kind: 'custom-element-definition', name: 'hr-import' }));
  });

  it('gives hr-import its public attributes and properties, and no state or private fields', () => {
    const el = element('hr-import')!;
    expect(names(el.attributes).sort()).toEqual(['api-base', 'locale', 'request-timeout', 'session-token']);
    expect(el.attributes!.find((a) => a.name === 'session-token')?.fieldName).toBe('sessionToken');
    expect(names(el.members)).toEqual(expect.arrayContaining(['sessionToken', 'apiBase', 'requestTimeout', 'locale', 'tokenProvider']));
    for (const m of el.members ?? []) {
      expect(m.name.startsWith('_'), m.name).toBe(false);
      expect(m.privacy, m.name).not.toBe('private');
    }
  });

  it('gives hr-import its five events with their types', () => {
    const events = element('hr-import')!.events ?? [];
    expect(names(events).sort()).toEqual(['hr-import-cancel', 'hr-import-complete', 'hr-import-done', 'hr-import-error', 'hr-import-step']);
    expect(events.find((e) => e.name === 'hr-import-error')?.type?.text).toBe('HrImportErrorEvent');
  });

  it('gives hr-import its CSS parts and custom properties', () => {
    const el = element('hr-import')!;
    expect(names(el.cssParts)).toEqual(expect.arrayContaining(['base', 'header', 'steps', 'heading', 'body', 'footer', 'error', 'search', 'list', 'row']));
    expect(names(el.cssProperties)).toEqual(
      expect.arrayContaining(['--hr-font-family', '--hr-color-accent', '--hr-color-text', '--hr-color-surface', '--hr-radius']),
    );
  });

  it('keeps the state of the inner elements out of their attributes too', () => {
    for (const tag of ['hr-provider-picker', 'hr-provider-connect', 'hr-contact-list']) {
      for (const a of element(tag)?.attributes ?? []) expect(a.name.startsWith('_'), `${tag} ${a.name}`).toBe(false);
    }
  });
});

describe('translations', () => {
  it('has a German target for every English message', () => {
    const xliff = readFileSync(resolve(ROOT, 'widget/xliff/de.xlf'), 'utf8');
    const units = xliff.match(/<trans-unit [\s\S]*?<\/trans-unit>/g) ?? [];
    expect(units.length).toBeGreaterThan(50);
    const untranslated = units.filter((u) => !/<target>[\s\S]+<\/target>/.test(u)).map((u) => /<source>([\s\S]*?)<\/source>/.exec(u)?.[1]);
    expect(untranslated).toEqual([]);
  });

  it('built every translation into the German locale module', () => {
    const xliff = readFileSync(resolve(ROOT, 'widget/xliff/de.xlf'), 'utf8');
    const ids = [...xliff.matchAll(/<trans-unit id="([^"]+)"/g)].map((m) => m[1]!);
    const module = readFileSync(resolve(ROOT, 'widget/src/locales/generated/de.ts'), 'utf8');
    const missing = ids.filter((id) => !module.includes(`'${id}':`));
    expect(missing, 'run `npm run localize` after translating').toEqual([]);
  });
});
