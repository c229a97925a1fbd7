import { configureLocalization, type LocaleModule } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ImportRequest } from '../api/types.js';
import { sourceLocale, targetLocales } from './generated/locale-codes.js';

/** Locales the widget speaks: English (the source) and every translation in generated/. */
export const LOCALES: readonly string[] = [sourceLocale, ...targetLocales];

// Each translation is its own chunk beside hr-import.js, fetched the first time its locale is
// asked for: an English page never downloads German, and the script-tag bundle stays within its
// size budget as locales are added. A chunk that fails to load leaves the widget in English.
// Keyed by the generated list of locales: tsc fails here when a translation has no chunk.
const TEMPLATES: Record<(typeof targetLocales)[number], () => Promise<LocaleModule>> = {
  de: () => import('./generated/de.js'),
  es: () => import('./generated/es.js'),
  fr: () => import('./generated/fr.js'),
};

const { getLocale, setLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale) => TEMPLATES[locale as keyof typeof TEMPLATES](),
});

export { getLocale };

/**
 * Numbers and dates in the widget's language (100,000 in English, 100.000 in German), written
 * without Intl: the first Intl formatter a page creates costs 60–85 ms of main thread while ICU
 * loads its data (measured by the widget benchmark on the contacts step's first render), which
 * alone would spend the step's 50 ms budget. Grouping digits and an ISO date need none of it.
 */
const GROUP_SEPARATOR: Record<string, string> = { en: ',', de: '.', es: '.', fr: '\u202f' };

export function formatNumber(n: number): string {
  const sep = GROUP_SEPARATOR[getLocale()] ?? ',';
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** `2026-11-24 14:05` in local time: read the same way in every language. */
export function formatDateTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

type MailLocale = NonNullable<ImportRequest['locale']>;
/** The languages the invite mail speaks (the contract's: tsc fails here when that list changes). */
const MAIL_LOCALES: Record<MailLocale, true> = { en: true, de: true, fr: true, es: true };

/**
 * The invite mail's language for an import: the widget's own, so invitees read the frame of the
 * mail (button, role, expiry) in the language the admin worked in; left out (English) when the
 * mail does not speak it.
 */
export function mailLocale(): MailLocale | undefined {
  const locale = getLocale();
  return Object.hasOwn(MAIL_LOCALES, locale) ? (locale as MailLocale) : undefined;
}

/**
 * The supported locale that best matches a BCP 47 tag (`de-CH` → `de`), or undefined.
 * Matching ignores case, as language tags do.
 */
export function matchLocale(tag: string | null | undefined): string | undefined {
  const wanted = tag?.trim().toLowerCase();
  if (!wanted) return undefined;
  return LOCALES.find((l) => l.toLowerCase() === wanted) ?? LOCALES.find((l) => l.toLowerCase() === wanted.split('-')[0]);
}

/** The `lang` in force at `el`: its own or its nearest ancestor's, across shadow roots, else the page's. */
export function langOf(el: Element): string {
  let node: Element | null = el;
  while (node) {
    const found: Element | null = node.closest('[lang]');
    if (found) return found.getAttribute('lang') ?? '';
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return document.documentElement.lang;
}

/**
 * Keeps the widget's locale in step with its `locale` attribute, else the host page's `lang`
 * (the nearest ancestor's, else `<html lang>`), else English; and follows later changes of
 * either. Lit Localize has one active locale per page, so two widgets asking for different
 * locales on one page share the last one asked for.
 */
export class LocaleController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement & { locale: string };
  #observer: MutationObserver | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement & { locale: string }) {
    this.#host = host;
    host.addController(this);
  }

  /** The locale this element should speak now. */
  get wanted(): string {
    return matchLocale(this.#host.locale) ?? matchLocale(langOf(this.#host)) ?? sourceLocale;
  }

  hostConnected() {
    // `lang` may change anywhere above the element (a language switcher on <html>, a wrapper).
    this.#observer = new MutationObserver(() => this.apply());
    this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    this.apply();
  }

  hostDisconnected() {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }

  hostUpdate() {
    this.apply();
  }

  apply(): Promise<void> {
    const wanted = this.wanted;
    return wanted === getLocale() ? Promise.resolve() : setLocale(wanted);
  }
}
