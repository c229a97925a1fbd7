/**
 * <hr-import> in the language of somebody else's page: the page's, an ancestor's or its own
 * `locale`, changes of it while open, the invite mail asked for in it, and every step of the
 * flow axe clean in each language it speaks. The rest of its life on a host's page:
 * hr-import.host.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { FakeBff, TOKEN } from '../../test/fake-bff/index.js';
import { findByRole, getByRole, visibleText, waitForText } from '../../test/queries.js';
import { expectAccessible } from '../../test/axe.js';
import { onHostPage } from '../../test/host-page.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';
import { DEFAULT_SUBJECT } from '../../model/message.js';
import { heading } from '../../test/flow.js';

let bff: FakeBff;
onHostPage(
  (b) => (bff = b),
  () => bff,
);

describe('hr-import: language', () => {
  it('speaks German on a page with <html lang="de">', async () => {
    document.documentElement.lang = 'de';
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    await waitForText(el, 'HR-Anwendung auswählen');
    await waitForText(el, '10 von 50 Plätzen belegt · 40 frei');
    expect(getByRole(el, 'button', 'Abbrechen')).to.exist;
    expect(el.shadowRoot!.querySelector('.card')!.getAttribute('lang')).to.equal('de');
  });

  it('takes the nearest ancestor lang, a regional tag included, over the page', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div lang="de-CH"><hr-import session-token=${TOKEN}></hr-import></div>`);
    const el = wrap.querySelector('hr-import')!;
    await waitForText(el, 'HR-Anwendung auswählen');
  });

  it('prefers the locale attribute, and re-renders when it changes', async () => {
    document.documentElement.lang = 'en';
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="de"></hr-import>`);
    await waitForText(el, 'HR-Anwendung auswählen');
    el.locale = 'en';
    await waitForText(el, 'Choose an HR application');
    el.setAttribute('locale', 'de');
    await waitForText(el, 'HR-Anwendung auswählen');
  });

  it('keeps a message the admin wrote when the language changes', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="en"></hr-import>`);
    (await findByRole(el, 'button', 'Sample directory')).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /Ada Lovelace/)).click();
    (await findByRole(el, 'button', 'Next')).click();
    await findByRole(el, 'combobox', 'Invite all selected users as');
    (await findByRole(el, 'button', 'Next')).click();
    const subject = await findByRole<HTMLInputElement>(el, 'textbox', 'Subject');
    // In English, msg()'s default is the shared one the BFF falls back to.
    expect(subject.value).to.equal(DEFAULT_SUBJECT);
    subject.value = 'Hello from {{inviterName}}';
    subject.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.locale = 'de';
    await waitForText(el, 'Einladung verfassen');
    expect((await findByRole<HTMLInputElement>(el, 'textbox', 'Betreff')).value).to.equal('Hello from {{inviterName}}');
  });

  it('labels roles in its language when the host gave that label, else with the default one', async () => {
    bff.uninstall();
    bff = new FakeBff({
      roles: [
        { id: 'member', label: 'User', labels: { de: 'Mitglied', fr: 'Membre' } },
        { id: 'admin', label: 'Admin' },
      ],
    }).install();
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="de"></hr-import>`);
    (await findByRole(el, 'button', 'Sample directory')).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /Ada Lovelace/)).click();
    (await findByRole(el, 'button', 'Weiter')).click();
    const roles = await findByRole<HTMLSelectElement>(el, 'combobox', 'Alle ausgewählten Benutzer einladen als');
    expect([...roles.options].map((o) => o.textContent!.trim())).to.deep.equal(['Mitglied', 'Admin']);
    el.locale = 'en';
    await waitUntil(() => [...roles.options].map((o) => o.textContent!.trim()).join() === 'User,Admin', 'roles not labelled in English');
  });

  it('names providers in its language when the providers file does, through to the contacts step', async () => {
    bff.uninstall();
    bff = new FakeBff({
      providers: [
        { id: 'sample', type: 'sample', name: 'Sample directory', names: { de: 'Beispielverzeichnis', es: 'Directorio de ejemplo' }, connection: 'ready' },
      ],
    }).install();
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="de"></hr-import>`);
    await findByRole(el, 'button', /Beispielverzeichnis/);
    el.locale = 'fr';
    // No French name: the default one.
    await findByRole(el, 'button', /Sample directory/);
    el.locale = 'es';
    (await findByRole(el, 'button', /Directorio de ejemplo/)).click();
    expect(await heading(el)).to.equal('Seleccionar contactos de Directorio de ejemplo');
  });

  it('turns the contact list to the new language too, with the list open', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="en"></hr-import>`);
    (await findByRole(el, 'button', 'Sample directory')).click();
    await findByRole(el, 'checkbox', /Ada Lovelace/);
    await waitForText(el, 'All departments');
    el.locale = 'de';
    await waitForText(el, 'Alle Abteilungen');
    expect(visibleText(el)).not.to.include('All departments');
  });

  it("follows a change of the page's lang", async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await waitForText(el, 'Choose an HR application');
    document.documentElement.lang = 'de';
    await waitForText(el, 'HR-Anwendung auswählen');
  });

  it('falls back to English for a language it does not speak', async () => {
    document.documentElement.lang = 'ja';
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    expect(await heading(el)).to.equal('Choose an HR application');
  });

  /** Walks to the import with Ada selected; answers the language the import asks the mail in. */
  async function mailLocaleOf(el: HrImport, next: string, roleOfAll: string, importContacts: string): Promise<unknown> {
    (await findByRole(el, 'button', 'Sample directory')).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /Ada Lovelace/)).click();
    (await findByRole(el, 'button', next)).click();
    await findByRole(el, 'combobox', roleOfAll);
    (await findByRole(el, 'button', next)).click();
    (await findByRole(el, 'button', importContacts)).click();
    await waitUntil(() => bff.requestsTo('POST', '/imports').length > 0, 'no import request');
    return (bff.requestsTo('POST', '/imports').at(-1)!.body as { locale?: string }).locale;
  }

  it('asks for the invite mail in the language it speaks', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="de"></hr-import>`);
    expect(await mailLocaleOf(el, 'Weiter', 'Alle ausgewählten Benutzer einladen als', 'Kontakte importieren')).to.equal('de');
  });

  it('asks for English mail where it speaks English, whatever the page’s language', async () => {
    document.documentElement.lang = 'ja';
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    expect(await mailLocaleOf(el, 'Next', 'Invite all selected users as', 'Import Contacts')).to.equal('en');
  });

  it('translates the steps after the first, and the errors the widget writes itself', async () => {
    bff.hang('POST /imports');
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale="de" request-timeout="300"></hr-import>`);
    (await findByRole(el, 'button', 'Sample directory')).click();
    await waitForText(el, 'Kontakte aus Sample directory auswählen');
    // The contact list belongs to another part of the widget; its checkbox names are its own.
    const box = await findByRole<HTMLInputElement>(el, 'checkbox', /Ada Lovelace/);
    box.click();
    (await findByRole(el, 'button', 'Weiter')).click();
    await findByRole(el, 'combobox', 'Alle ausgewählten Benutzer einladen als');
    (await findByRole(el, 'button', 'Weiter')).click();
    // The invitation's default text is in the admin's language too, placeholders kept.
    const subject = await findByRole<HTMLInputElement>(el, 'textbox', 'Betreff');
    expect(subject.value).to.equal('Willkommen bei {{targetName}}');
    await waitForText(el, 'Willkommen bei Acme Labs');
    (await findByRole(el, 'button', 'Kontakte importieren')).click();
    const alert = await findByRole(el, 'alert');
    await waitForText(alert, 'Der Server hat zu lange nicht geantwortet');
    expect(getByRole(el, 'button', 'Erneut versuchen')).to.exist;
  });
});

describe('hr-import: every step in every language', () => {
  /** Each step's heading as the admin walks the flow to its confirmation, axe run on each. */
  async function walk(locale: string): Promise<string[]> {
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' },
      { id: 'csv', type: 'csv', name: 'CSV file', connection: 'needs_credentials' },
    ];
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} locale=${locale}></hr-import>`);
    const root = el.shadowRoot!;
    const headings: string[] = [];
    /** Once the step shows `ready`: its heading noted, axe clean. */
    const step = async (ready: () => Element | null | undefined) => {
      await waitUntil(ready, `${locale}: step ${headings.length + 1} did not show`);
      // Another language's texts arrive with its chunk, which may land after the step shows.
      const inEnglish = locale === 'en' ? undefined : english[headings.length];
      if (inEnglish)
        await waitUntil(async () => (await heading(el)) !== inEnglish, `${locale}: step ${headings.length + 1} stays in English`, {
          timeout: 1000,
        }).catch(() => undefined);
      headings.push(await heading(el));
      await expectAccessible(el);
    };
    const primary = () => root.querySelector<HTMLButtonElement>('.footer .btn.primary:not(:disabled)');
    const picker = () => root.querySelector('hr-provider-picker')?.shadowRoot;
    await step(() => picker()?.querySelector('button[data-provider="sample"]'));
    picker()!.querySelector<HTMLButtonElement>('button[data-provider="csv"]')!.click();
    await step(() => picker()?.querySelector('hr-import-csv-upload')?.shadowRoot?.querySelector('form'));
    picker()!.querySelector('hr-import-csv-upload')!.shadowRoot!.querySelector<HTMLButtonElement>('.actions .btn')!.click();
    (await waitUntil(() => picker()?.querySelector('button[data-provider="sample"]')),
    picker()!.querySelector<HTMLButtonElement>('button[data-provider="sample"]')!).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /Ada Lovelace/)).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /Donald Knuth/)).click();
    await step(primary);
    primary()!.click();
    await step(() => root.querySelector('hr-role-assigner'));
    primary()!.click();
    await step(() => root.querySelector('hr-message-composer'));
    primary()!.click();
    await step(() => root.querySelector('hr-import-summary'));
    return headings;
  }

  let english: string[] = [];
  for (const locale of ['en', 'de', 'fr', 'es']) {
    it(`is axe clean from the provider to the confirmation in ${locale}, every heading in that language`, async () => {
      if (locale !== 'en' && !english.length) english = await walk('en');
      const headings = await walk(locale);
      expect(headings).to.have.length(6);
      if (locale === 'en') english = headings;
      // Names from HR stay as they are; every heading around them is translated.
      else for (const [i, h] of headings.entries()) expect(h, `${locale}, step ${i + 1}`).not.to.equal(english[i]);
    });
  }

  it('is axe clean from the provider to the confirmation in dark', async () => {
    document.documentElement.style.colorScheme = 'dark';
    expect(await walk('en')).to.have.length(6);
  });
});
