/**
 * Every text an invitee reads, in every language: nothing missing, nothing left in English, and
 * every value a text fills in ({inviter}, {date}, …) present in each translation, so no language
 * silently drops the role or the date.
 */
import { describe, expect, it } from 'vitest';
import { INVITE_LOCALES } from '../contract/index.js';
import { INVITE_TEXTS, fillText, formatMoment, matchInviteLocale } from './invite-texts.js';

/** Every text of a locale by its path (`invited.lab`). */
function flatten(texts: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(texts)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value as object, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const slotsOf = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Texts that are the same in a language as in English, on purpose. */
const SAME_AS_ENGLISH = new Set<string>([]);

describe('the invite texts', () => {
  const english = flatten(INVITE_TEXTS.en);

  it('exist for every language the contract offers', () => {
    expect(Object.keys(INVITE_TEXTS).sort()).toEqual([...INVITE_LOCALES].sort());
  });

  for (const locale of INVITE_LOCALES.filter((l) => l !== 'en')) {
    it(`are all translated into ${locale}, with the same values`, () => {
      const texts = flatten(INVITE_TEXTS[locale]);
      expect([...texts.keys()].sort()).toEqual([...english.keys()].sort());
      const untranslated = [...english]
        .filter(([key, en]) => !texts.get(key)?.trim() || (texts.get(key) === en && !SAME_AS_ENGLISH.has(key)))
        .map(([key]) => key);
      expect(untranslated, `texts left in English in ${locale}`).toEqual([]);
      const dropped = [...english].filter(([key, en]) => slotsOf(texts.get(key)!).join() !== slotsOf(en).join()).map(([key]) => key);
      expect(dropped, `texts of ${locale} whose values differ from English`).toEqual([]);
    });
  }

  it('fill values in one pass, so a name that looks like a slot stays as it is', () => {
    expect(fillText('{inviter} invited you to {target}', { inviter: '{target}', target: 'Robotics' })).toBe('{target} invited you to Robotics');
  });

  it('pick the reader’s language: a region falls back to its language, an unknown one to English', () => {
    expect(matchInviteLocale(['de-CH'])).toBe('de');
    expect(matchInviteLocale([null, 'pt-BR', 'fr'])).toBe('fr');
    expect(matchInviteLocale(['ja'])).toBe('en');
    expect(matchInviteLocale([])).toBe('en');
  });

  it('write dates the way each language does', () => {
    const at = '2026-12-01T12:00:00.000Z';
    expect(formatMoment('en', at, 'UTC')).toMatch(/^Tuesday, December 1, 2026(,| at) 12:00\s?PM UTC$/);
    expect(formatMoment('de', at, 'UTC')).toMatch(/^Dienstag, 1\. Dezember 2026 um 12:00 UTC$/);
    expect(formatMoment('fr', at, 'UTC')).toMatch(/^mardi 1 décembre 2026 (à )?12:00 UTC$/);
    expect(formatMoment('es', at, 'UTC')).toMatch(/^martes, 1 de diciembre de 2026, 12:00 UTC$/);
  });
});
