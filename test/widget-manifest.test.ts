/**
 * What tools learn about the widget without running it: custom-elements.json as `npm run build`
 * writes it (the analyzer run with the project's config). Its translations are checked by
 * test/locales.test.ts. The manifest describes the @hr-import/widget package: module
 * paths relative to its root (widget/), pointing at the compiled files it ships under dist/.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';

const ROOT = resolve(import.meta.dirname, '..');

interface Named {
  name: string;
  fieldName?: string;
  privacy?: string;
  default?: string;
  type?: { text: string; references?: { name: string; module?: string; package?: string }[] };
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
  schemaVersion: string;
  modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string; declaration?: { name: string; module?: string } }[] }[];
}

let manifest: Manifest;

beforeAll(() => {
  // The analyzer takes --outdir relative to its working directory: a scratch folder under dist/.
  mkdirSync(resolve(ROOT, 'dist'), { recursive: true });
  const out = mkdtempSync(resolve(ROOT, 'dist/cem-test-'));
  try {
    execFileSync(
      process.execPath,
      [
        resolve(ROOT, 'node_modules/@custom-elements-manifest/analyzer/cem.js'),
        'analyze',
        '--config',
        'custom-elements-manifest.config.mjs',
        '--outdir',
        relative(ROOT, out),
        '--quiet',
      ],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
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
    expect(names(el.attributes).sort()).toEqual(['api-base', 'locale', 'request-timeout', 'session-token', 'upgrade-url']);
    expect(el.attributes!.find((a) => a.name === 'session-token')?.fieldName).toBe('sessionToken');
    expect(names(el.members)).toEqual(expect.arrayContaining(['sessionToken', 'apiBase', 'requestTimeout', 'locale', 'tokenProvider', 'upgradeUrl']));
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

  it('lists hr-import as the only element: the parts it renders inside are no API', () => {
    const tags = manifest.modules
      .flatMap((m) => m.declarations ?? [])
      .filter((d) => d.customElement)
      .map((d) => d.tagName);
    expect(tags).toEqual(['hr-import']);
    const definitions = manifest.modules.flatMap((m) => m.exports ?? []).filter((e) => e.kind === 'custom-element-definition');
    expect(definitions.map((e) => e.name)).toEqual(['hr-import']);
    const classes = manifest.modules.flatMap((m) => m.declarations ?? []).map((d) => d.name);
    for (const inner of ['HrContactList', 'HrRoleAssigner', 'HrProviderPicker', 'HrImportSummary']) expect(classes).not.toContain(inner);
  });

  it('points every module at a file the package ships: dist/…js, compiled from a widget source', () => {
    const paths = manifest.modules.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/module/index.js', 'dist/module/components/hr-import/hr-import.js']));
    const referenced = manifest.modules.flatMap((m) => (m.exports ?? []).map((e) => e.declaration?.module ?? m.path));
    for (const path of [...paths, ...referenced]) {
      expect(path, path).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(resolve(ROOT, 'widget', path.replace(/^dist\/module\//, 'src/').replace(/\.js$/, '.ts'))), `source of ${path}`).toBe(true);
      expect(paths, `${path} is described`).toContain(path);
    }
    const entry = manifest.modules.find((m) => m.path === 'dist/module/index.js')!;
    expect(entry.exports?.find((e) => e.name === 'HrImport')?.declaration?.module).toBe('dist/module/components/hr-import/hr-import.js');
  });

  it("types each event by its class, with the module declaring it and that class's typed detail", () => {
    const detailOf = { 'hr-import-complete': 'ImportResult', 'hr-import-error': 'HrImportErrorDetail', 'hr-import-step': '{ step: HrImportStep }' };
    for (const event of element('hr-import')!.events!) {
      const reference = event.type?.references?.[0];
      expect(reference?.name, event.name).toBe(event.type?.text);
      const declaring = manifest.modules.find((m) => m.path === reference?.module);
      const eventClass = declaring?.declarations?.find((d) => d.name === reference?.name);
      expect(eventClass?.kind, event.name).toBe('class');
      const detail = detailOf[event.name as keyof typeof detailOf];
      if (detail) expect(eventClass?.members?.find((m) => m.name === 'detail')?.type?.text, event.name).toBe(detail);
    }
  });

  it('gives attribute defaults as the text the attribute holds', () => {
    const attributes = element('hr-import')!.attributes!;
    expect(attributes.find((a) => a.name === 'api-base')?.default).toBe('/api');
    for (const a of attributes) expect(a.default ?? '', a.name).not.toMatch(/^'|^[A-Z_]+$/);
  });

  // The schema of custom-elements-manifest 2.1.0, a dev dependency of the project for this check.
  it('declares schema 2.1.0 and validates against that schema', () => {
    expect(manifest.schemaVersion).toBe('2.1.0');
    const schemaPackage = JSON.parse(readFileSync(resolve(ROOT, 'node_modules/custom-elements-manifest/package.json'), 'utf8')) as { version: string };
    expect(schemaPackage.version).toBe('2.1.0');
    const schema = JSON.parse(readFileSync(resolve(ROOT, 'node_modules/custom-elements-manifest/schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
  });
});
