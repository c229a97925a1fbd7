import { configureLocalization, type LocaleModule } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ImportRequest } from '../api/types.js';
import { allLocales, sourceLocale, targetLocales } from './generated/locale-codes.js';

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
 * Numbers and dates in the widget's language through Intl (100,000 / 100.000 / 100 000; "Dec 2,
 * 2026, 3:22 AM" / "2 déc. 2026, 03:22"), with formatters made off the render path: the first Intl
 * formatter a page creates costs 60–85 ms of main thread while ICU loads its data (measured by the
 * widget benchmark on the contacts step's first render), which alone would spend the step's 50 ms
 * budget. So they are made on an idle callback once the locale is known (LocaleController), long
 * before an admin opens the contacts step. Per locale: the formatters once made, 0 while they wait
 * for their idle moment.
 */
const formats: Record<string, [Intl.NumberFormat, Intl.DateTimeFormat] | 0> = {};

const formatsOf = (locale: string) =>
  (formats[locale] ||= [new Intl.NumberFormat(locale), new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })]);

/** Makes the current locale's formatters on an idle moment, once. */
function warmFormats(): void {
  const locale = getLocale();
  if (!(locale in formats)) {
    formats[locale] = 0;
    (globalThis.requestIdleCallback ?? setTimeout)(() => formatsOf(locale));
  }
}

/**
 * Each locale's digit grouping as Intl writes it, for a number shown before the formatters are
 * made: its separator, and from how many digits it groups (Spanish writes 1000 but 10.000). A
 * browser test holds this equal to Intl, so a number reads the same before and after; tsc fails
 * here when a language has none.
 */
const GROUPING: Record<(typeof allLocales)[number], [string, number]> = { en: [',', 4], de: ['.', 4], es: ['.', 5], fr: ['\u202f', 4] };

export function formatNumber(n: number): string {
  const locale = getLocale();
  const digits = String(Math.trunc(n));
  const made = formats[locale];
  if (made) return made[0].format(+digits);
  const [sep, from] = GROUPING[locale as keyof typeof GROUPING];
  return digits.length < from ? digits : digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/**
 * A date and time in local time, the way the widget's language writes it. Dates show from the
 * contacts step on, after the idle moment; should none have come (a page kept busy), the
 * formatters are made here rather than show a date in another language's way.
 */
export function formatDateTime(date: Date): string {
  return formatsOf(getLocale())[1].format(date);
}

type MailLocale = NonNullable<ImportRequest['locale']>;

/**
 * The invite mail's language for an import: the widget's own, so invitees read the frame of the
 * mail (button, role, expiry) in the language the admin worked in. The mail speaks every language
 * the widget does: tsc fails here when a language is added to the widget and not to the mail
 * (bff/invite-texts.ts).
 */
export function mailLocale(): MailLocale {
  return getLocale() as (typeof allLocales)[number] satisfies MailLocale;
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
    if (wanted !== getLocale()) return setLocale(wanted);
    // In force (the update that follows setLocale comes back here): its formatters, on an idle moment.
    warmFormats();
    return Promise.resolve();
  }
}
