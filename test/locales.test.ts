/**
 * The widget speaks each of its languages in full. Every string of its source has a translation in
 * that language's catalogue (widget/xliff/<locale>.xlf), none left in English but the few words
 * that are the same, each keeping the values it fills in; and the catalogues and the built
 * translations (widget/src/locales/generated/) are what `npm run localize` makes of the source
 * now, so a string added to the widget without its translations fails here rather than showing in
 * English. The accept page and the invite mail speak every language the widget does (their texts
 * are checked string by string by bff/invite-texts.test.ts, the page itself by
 * test/e2e/accept-page.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { INVITE_LOCALES } from '../contract/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = JSON.parse(readFileSync(join(ROOT, 'lit-localize.json'), 'utf8')) as {
  sourceLocale: string;
  targetLocales: string[];
  tsConfig: string;
  output: { mode: string; outputDir: string; localeCodesModule: string };
  interchange: { format: string; xliffDir: string };
};
const LOCALES = CONFIG.targetLocales;
const XLIFF = join(ROOT, CONFIG.interchange.xliffDir);
const GENERATED = join(ROOT, CONFIG.output.outputDir);

/**
 * Strings that read the same in a language as in English, on purpose (placeholders written
 * `{0}`): nothing else may be left as its English source.
 */
const SAME_AS_ENGLISH: Record<string, string[]> = {
  de: ['(optional)', 'Name', 'Status'],
  es: ['Error', 'Roles'],
  fr: ['1 contact', '{0} contacts', 'Contacts', 'Message'],
};

interface Unit {
  id: string;
  source: string;
  target: string | undefined;
}

function unitsOf(locale: string): Unit[] {
  const xliff = readFileSync(join(XLIFF, `${locale}.xlf`), 'utf8');
  return [...xliff.matchAll(/<trans-unit id="([^"]+)">\s*<source>([\s\S]*?)<\/source>(?:\s*<target>([\s\S]*?)<\/target>)?/g)].map((m) => ({
    id: m[1]!,
    source: m[2]!,
    target: m[3],
  }));
}
/** A catalogue string with its placeholders written `{0}`, `{1}`: how a translator reads it. */
const plain = (text: string) => text.replace(/<x id="(\d+)"[^>]*\/>/g, '{$1}').trim();
const placeholders = (text: string) => [...text.matchAll(/<x id="(\d+)"/g)].map((m) => m[1]).sort();

/** `npm run localize` on a copy of the catalogues, into a folder of its own. */
let fresh: string;

beforeAll(async () => {
  fresh = mkdtempSync(join(tmpdir(), 'hr-import-locales-'));
  cpSync(XLIFF, join(fresh, 'xliff'), { recursive: true });
  const config = join(fresh, 'lit-localize.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...CONFIG,
      tsConfig: join(ROOT, CONFIG.tsConfig),
      output: { ...CONFIG.output, outputDir: join(fresh, 'generated'), localeCodesModule: join(fresh, 'generated', 'locale-codes.ts') },
      interchange: { ...CONFIG.interchange, xliffDir: join(fresh, 'xliff') },
    }),
  );
  const cli = join(ROOT, 'node_modules/@lit/localize-tools/bin/lit-localize.js');
  for (const command of ['extract', 'build']) await promisify(execFile)(process.execPath, [cli, `--config=${config}`, command], { cwd: ROOT });
}, 120_000);

afterAll(() => {
  if (fresh) rmSync(fresh, { recursive: true, force: true });
});

describe('the widget’s languages', () => {
  it('are English and at least German, French and Spanish', () => {
    expect(CONFIG.sourceLocale).toBe('en');
    expect(LOCALES).toEqual(expect.arrayContaining(['de', 'fr', 'es']));
  });

  it('are all spoken by the invite mail and the accept page', () => {
    expect(INVITE_LOCALES).toEqual(expect.arrayContaining([CONFIG.sourceLocale, ...LOCALES]));
  });

  for (const locale of LOCALES) {
    describe(locale, () => {
      it('has every string of the widget’s source in its catalogue (npm run localize was run)', () => {
        expect(readFileSync(join(fresh, 'xliff', `${locale}.xlf`), 'utf8')).toBe(readFileSync(join(XLIFF, `${locale}.xlf`), 'utf8'));
      });

      it('ships the translations of its catalogue as built now', () => {
        expect(readFileSync(join(fresh, 'generated', `${locale}.ts`), 'utf8')).toBe(readFileSync(join(GENERATED, `${locale}.ts`), 'utf8'));
      });

      it('translates every string, keeping the values it fills in', () => {
        const units = unitsOf(locale);
        expect(units.length).toBeGreaterThan(0);
        expect(
          units.filter((u) => !u.target?.trim()).map((u) => plain(u.source)),
          `strings with no ${locale} translation`,
        ).toEqual([]);
        const english = units.filter((u) => plain(u.target ?? '') === plain(u.source) && !SAME_AS_ENGLISH[locale]?.includes(plain(u.source)));
        expect(
          english.map((u) => plain(u.source)),
          `strings left in English in ${locale}`,
        ).toEqual([]);
        const dropped = units.filter((u) => placeholders(u.target ?? '').join() !== placeholders(u.source).join());
        expect(
          dropped.map((u) => plain(u.source)),
          `${locale} translations whose values differ from English`,
        ).toEqual([]);
      });
    });
  }

  it('build the list of languages the widget offers as it stands', () => {
    expect(readFileSync(join(fresh, 'generated', 'locale-codes.ts'), 'utf8')).toBe(readFileSync(join(GENERATED, 'locale-codes.ts'), 'utf8'));
  });
});
