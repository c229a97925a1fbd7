import { expect } from '@open-wc/testing';
import { ReactiveElement } from 'lit';
import { LOCALES, LocaleController, formatDateTime, formatNumber, getLocale } from './localize.js';

/** An element that speaks its `locale`, as <hr-import> does. */
class Speaker extends ReactiveElement {
  locale = '';
  readonly controller = new LocaleController(this);
}
customElements.define('test-speaker', Speaker);

const NUMBERS = [0, 7, 999, 1000, 9999, 10_000, 12_345, 100_000, 1_234_567];
/** 2 December 2026, 03:22 local time. */
const MOMENT = new Date(2026, 11, 2, 3, 22);

describe('numbers and dates in the widget’s language', () => {
  const { NumberFormat, DateTimeFormat } = Intl;
  const originalIdle = window.requestIdleCallback;
  /** Idle callbacks asked for, run when the test says the page is idle. */
  let idle: IdleRequestCallback[] = [];
  /** Locales Intl formatters were made for, in order. */
  let made: string[] = [];
  let speaker: Speaker;

  before(() => {
    window.requestIdleCallback = (callback) => idle.push(callback);
    // Counts the formatters made: the first one on a page costs 60–85 ms while ICU loads.
    Intl.NumberFormat = function (locale: string, options?: Intl.NumberFormatOptions) {
      made.push(`number ${locale}`);
      return new NumberFormat(locale, options);
    } as unknown as typeof Intl.NumberFormat;
    Intl.DateTimeFormat = function (locale: string, options?: Intl.DateTimeFormatOptions) {
      made.push(`date ${locale}`);
      return new DateTimeFormat(locale, options);
    } as unknown as typeof Intl.DateTimeFormat;
    speaker = document.createElement('test-speaker') as Speaker;
    document.body.append(speaker);
  });

  after(() => {
    window.requestIdleCallback = originalIdle;
    Object.assign(Intl, { NumberFormat, DateTimeFormat });
    speaker.remove();
  });

  /** The widget switched to `locale` and rendered once in it, the page not idle yet. */
  async function speak(locale: string) {
    speaker.locale = locale;
    await speaker.controller.apply();
    await speaker.controller.apply();
    expect(getLocale()).to.equal(locale);
  }

  function idleNow() {
    const due = idle;
    idle = [];
    for (const callback of due) callback({ didTimeout: false, timeRemaining: () => 50 });
  }

  it('are written in every language the widget speaks', () => {
    expect([...LOCALES].sort()).to.deep.equal(['de', 'en', 'es', 'fr']);
  });

  const GROUPED: Record<string, [string, string, string]> = {
    en: ['1,000', '10,000', '100,000'],
    de: ['1.000', '10.000', '100.000'],
    fr: ['1\u202f000', '10\u202f000', '100\u202f000'],
    // Spanish groups from five digits on.
    es: ['1000', '10.000', '100.000'],
  };
  const DATES: Record<string, RegExp> = {
    en: /^Dec 2, 2026, 3:22\sAM$/,
    de: /^02\.12\.2026, 03:22$/,
    fr: /^2 déc\. 2026, 03:22$/,
    es: /^2 dic 2026, 3:22$/,
  };

  for (const locale of ['en', 'de', 'fr', 'es']) {
    describe(locale, () => {
      it('groups digits the way Intl does, without making a formatter until the page is idle', async () => {
        made = [];
        await speak(locale);
        const early = NUMBERS.map(formatNumber);
        expect(made, 'formatters made while rendering').to.deep.equal([]);
        expect([1000, 10_000, 100_000].map(formatNumber)).to.deep.equal(GROUPED[locale]);

        idleNow();
        expect(made).to.deep.equal([`number ${locale}`, `date ${locale}`]);
        const later = NUMBERS.map(formatNumber);
        expect(later).to.deep.equal(NUMBERS.map((n) => new NumberFormat(locale).format(n)));
        // The same text before and after: nothing on screen changes when Intl takes over.
        expect(early).to.deep.equal(later);
        expect(formatNumber(12_345.9)).to.equal(formatNumber(12_345));
      });

      it('writes a date and time as the language does', () => {
        expect(formatDateTime(MOMENT)).to.match(DATES[locale]!);
        expect(made, 'no second formatter for the same language').to.have.length(2);
      });
    });
  }

  // A suite of its own: Mocha runs a suite's tests before its nested suites, and this one must come after the languages'.
  describe('back to a language already used', () => {
    it('makes each language’s formatters once: switching back costs nothing new', async () => {
      made = [];
      await speak('en');
      await speak('de');
      idleNow();
      expect(formatDateTime(MOMENT)).to.match(DATES.de!);
      expect(formatNumber(100_000)).to.equal('100.000');
      expect(made).to.deep.equal([]);
    });
  });
});
