/** <hr-import> step by step: the provider, the contacts, the roles, the message, and the session. */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import { define } from '../../define.js';
import type { HrImportErrorEvent } from '../../events/hr-import-error.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, directory, errorResponse, makeContact } from '../../test/fake-bff/index.js';
import { allElements, choose, findByRole, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import { HrImport } from './hr-import.js';
import { check, click, heading, importedBody, mount, openContacts, toMessage } from '../../test/flow.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

describe('hr-import: provider step', () => {
  it('lists one button per provider and shows the ones not connected as unavailable', async () => {
    const el = await mount();
    const sample = await findByRole<HTMLButtonElement>(el, 'button', 'Sample directory');
    const bamboo = getByRole<HTMLButtonElement>(el, 'button', 'BambooHR');
    const entra = getByRole<HTMLButtonElement>(el, 'button', 'Microsoft Entra ID');
    expect(sample.disabled).to.be.false;
    expect(bamboo.disabled).to.be.true;
    expect(entra.disabled).to.be.true;
    expect(visibleText(bamboo.closest('li')!)).to.include('Needs connection');
    expect(visibleText(entra.closest('li')!)).to.include('Error');
  });

  it('sends the session token as a bearer token on every request', async () => {
    const el = await mount();
    await openContacts(el);
    expect(bff.requests.length).to.be.greaterThan(3);
    for (const r of bff.requests) expect(r.headers.get('Authorization'), r.path).to.equal(`Bearer ${TOKEN}`);
  });

  it('shows the seats of the plan', async () => {
    const el = await mount();
    await waitForText(el, '10 of 50 seats used · 40 remaining');
    const status = queryAllByRole(el, 'status').find((s) => visibleText(s).includes('seats used'));
    expect(status?.getAttribute('aria-live')).to.equal('polite');
  });

  it('moves to the contacts on a click, focuses the new heading and reports the step', async () => {
    const el = await mount();
    const button = await findByRole(el, 'button', 'Sample directory');
    setTimeout(() => button.click());
    const event = await oneEvent(el, 'hr-import-step');
    expect(event.detail).to.deep.equal({ step: 'contacts' });
    expect(event.composed).to.be.true;
    await el.updateComplete;
    expect(await heading(el)).to.equal('Select contacts from Sample directory');
    expect(el.shadowRoot!.activeElement?.id).to.equal('heading');
  });

  it('heads the CSV upload "Upload a CSV file" in the widget’s language, and gives the step its heading back on Back', async () => {
    bff.providers = [...bff.providers, { id: 'csv', type: 'csv', name: 'CSV file', connection: 'needs_credentials' }];
    const leaked: Event[] = [];
    const listen = (e: Event) => leaked.push(e);
    document.addEventListener('hr-heading', listen);
    try {
      const el = await mount();
      const shown = (text: string) => waitUntil(() => visibleText(el.shadowRoot!.getElementById('heading')!) === text, `the heading is not "${text}"`);
      await click(el, 'button', 'CSV file');
      await shown('Upload a CSV file');
      expect(queryByRole(el, 'heading', 'Choose an HR application'), 'the list’s heading over the upload').to.be.null;
      await expectAccessible(el);
      el.setAttribute('locale', 'de');
      await shown('CSV-Datei hochladen');
      el.setAttribute('locale', 'en');
      await shown('Upload a CSV file');
      await click(el, 'button', 'Back');
      await shown('Choose an HR application');
      expect(leaked, 'the page never hears the parts’ headings').to.have.length(0);
    } finally {
      document.removeEventListener('hr-heading', listen);
    }
  });

  it('gives the provider step its own heading back after an upload was used and the admin comes Back from the contacts', async () => {
    bff.providers = [...bff.providers, { id: 'csv', type: 'csv', name: 'CSV file', connection: 'ready' }];
    const el = await mount();
    const shown = (text: string) => waitUntil(() => visibleText(el.shadowRoot!.getElementById('heading')!) === text, `the heading is not "${text}"`);
    await click(el, 'button', 'CSV file');
    await shown('Upload a CSV file');
    await click(el, 'button', 'Continue with the last upload');
    await shown('Select contacts from CSV file');
    await click(el, 'button', 'Back');
    await shown('Choose an HR application');
    await findByRole(el, 'button', 'Sample directory');
  });
});

describe('hr-import: selecting contacts', () => {
  it('keeps Next disabled until a contact is selected, and counts the selection', async () => {
    const el = await mount();
    await openContacts(el);
    const next = getByRole<HTMLButtonElement>(el, 'button', 'Next');
    expect(next.disabled).to.be.true;
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await waitForText(el, '2 selected');
    await el.updateComplete;
    expect(next.disabled).to.be.false;
  });

  it('keeps Next disabled with Select All past the free seats, saying how many to untick, until they are', async () => {
    bff.seats = { limit: 30, used: 6, remaining: 24 };
    const el = await mount();
    await openContacts(el);
    await click(el, 'checkbox', 'Select All');
    await waitForText(el, '26 selected');
    await waitForText(el, 'Untick 2 people: 24 seats are free');
    const next = getByRole<HTMLButtonElement>(el, 'button', 'Next');
    expect(next.disabled).to.be.true;
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await waitForText(el, '24 selected');
    await el.updateComplete;
    expect(next.disabled).to.be.false;
    expect(visibleText(el.shadowRoot!.querySelector('hr-contact-list')!.shadowRoot!.querySelector('[part="limit-message"]')!)).to.equal('');
    await toMessage(el);
    await click(el, 'button', 'Import Contacts');
    const body = await importedBody(bff);
    expect(body.selection).to.deep.equal({ all: true, except: ['c001', 'c006'] });
  });

  it('says a full plan as the contacts step opens, with the host’s upgrade link', async () => {
    bff.seats = { limit: 10, used: 10, remaining: 0 };
    const el = await fixture<HrImport>(
      html`<hr-import session-token=${TOKEN} upgrade-url="https://example.com/billing?plan=team" request-timeout="20000"></hr-import>`,
    );
    await click(el, 'button', 'Sample directory');
    await waitUntil(() => el.shadowRoot!.querySelector('[part="full-plan"]'), 'no full-plan notice');
    expect(visibleText(el.shadowRoot!.querySelector('[part="full-plan"]')!)).to.equal(
      'Your plan has no free seats. Upgrade it to invite people, or free seats by removing members. Upgrade plan',
    );
    const link = getByRole<HTMLAnchorElement>(el, 'link', 'Upgrade plan');
    expect(link.href).to.equal('https://example.com/billing?plan=team');
    expect(link.target).to.equal('_blank');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    await expectAccessible(el);
  });

  it('says a full plan without a link when the host gives none, or gives one that is no web page', async () => {
    bff.seats = { limit: 10, used: 10, remaining: 0 };
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} upgrade-url="javascript:alert(1)"></hr-import>`);
    await click(el, 'button', 'Sample directory');
    await waitForText(el, 'Your plan has no free seats. Ask whoever manages the plan to upgrade it, or free seats by removing members.');
    expect(queryByRole(el, 'link', 'Upgrade plan')).to.be.null;
  });

  it('has no axe violations on the contacts step', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await waitForText(el, '1 selected');
    await expectAccessible(el);
  });

  it('has no axe violations on the roles and message steps', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await click(el, 'button', 'Next');
    await findByRole(el, 'combobox', 'Role for Ada Lovelace');
    await expectAccessible(el);
    await click(el, 'button', 'Next');
    await findByRole(el, 'textbox', 'Subject');
    await expectAccessible(el);
  });

  it('keeps the selection and the search when going back from the roles step', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Donald Knuth');
    (await findByRole(el, 'searchbox', 'Search contacts')).focus();
    await sendKeys({ type: 'lovelace' });
    await waitUntil(() => queryAllByRole(el, 'checkbox', /^Select (?!All$)/).length === 1);
    await check(el, 'Ada Lovelace');
    await click(el, 'button', 'Next');
    await findByRole(el, 'combobox', 'Role for Donald Knuth');
    await click(el, 'button', 'Back');
    const ada = await findByRole<HTMLInputElement>(el, 'checkbox', 'Select Ada Lovelace');
    expect(ada.checked).to.be.true;
    expect(getByRole<HTMLInputElement>(el, 'searchbox', 'Search contacts').value).to.equal('lovelace');
    expect(queryAllByRole(el, 'checkbox', /^Select (?!All$)/)).to.have.length(1);
    await waitForText(el, '2 selected');
  });
});

describe('hr-import: roles', () => {
  it('"Invite all selected users as" sets every role; a per-contact choice is sent in roles', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace', 'Donald Knuth', 'Margaret Hamilton');
    await click(el, 'button', 'Next');
    const bulk = await findByRole<HTMLSelectElement>(el, 'combobox', 'Invite all selected users as');
    expect(bulk.value).to.equal('member');
    expect([...bulk.options].map((o) => o.textContent)).to.deep.equal(['User', 'Admin', 'Viewer']);

    const margaret = getByRole<HTMLSelectElement>(el, 'combobox', 'Role for Margaret Hamilton');
    choose(margaret, 'viewer');
    await el.updateComplete;
    choose(bulk, 'admin');
    await el.updateComplete;
    await waitUntil(() =>
      ['Ada Lovelace', 'Donald Knuth', 'Margaret Hamilton'].every((n) => getByRole<HTMLSelectElement>(el, 'combobox', `Role for ${n}`).value === 'admin'),
    );

    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'Role for Margaret Hamilton'), 'viewer');
    await click(el, 'button', 'Next');
    await findByRole(el, 'textbox', 'Subject');
    await click(el, 'button', 'Import Contacts');
    const body = await importedBody(bff);
    expect(body.role).to.equal('admin');
    expect(body.roles).to.deep.equal({ c007: 'viewer' });
    expect(body.selection).to.deep.equal({ ids: ['c001', 'c006', 'c007'] });
  });
});

describe('hr-import: message', () => {
  it('previews the message for the first selected contact with placeholders filled in', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Donald Knuth', 'Ada Lovelace');
    await toMessage(el);
    const preview = [...allElements(el)].find((e) => e.getAttribute('part') === 'preview')!;
    expect(visibleText(preview)).to.include('Join Acme Labs');
    expect(visibleText(preview)).to.include('Hi Donald, Iris Inviter has invited you to join Acme Labs.');
  });

  it('renders markup in a contact name as text, never as elements', async () => {
    bff.uninstall();
    const evil = '<img src=x onerror="window.__pwned=1">';
    bff = new FakeBff({ contacts: [makeContact(0, { firstName: evil, lastName: 'Evil', displayName: `${evil} Evil` }), ...directory().slice(1)] }).install();
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    await check(el, `${evil} Evil`);
    await toMessage(el);
    await waitForText(el, `Hi ${evil},`);
    expect([...allElements(el)].filter((e) => e.localName === 'img')).to.have.length(0);
    expect((window as unknown as { __pwned?: number }).__pwned).to.be.undefined;
  });
});

describe('hr-import: session and errors', () => {
  it('says the session expired and reports it when the BFF answers 401', async () => {
    const reported = oneEvent(document, 'hr-import-error');
    const el = await mount('expired-token');
    const event = (await reported) as HrImportErrorEvent;
    expect(event.detail.status).to.equal(401);
    expect(event.detail.code).to.equal('unauthorized');
    expect(await heading(el)).to.equal('Your session has expired');
  });

  it('ends the flow when the session expires midway', async () => {
    const el = await mount();
    await findByRole(el, 'button', 'Sample directory');
    bff.on('GET /providers/sample/contacts', () => errorResponse(401, 'unauthorized', 'Session expired'));
    const reported = oneEvent(el, 'hr-import-error');
    await click(el, 'button', 'Sample directory');
    await reported;
    await waitForText(el, 'Your session has expired');
  });

  it('gives up on a request that takes too long and offers Retry', async () => {
    bff.hang('GET /providers');
    const el = await mount(TOKEN, { timeout: 150 });
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('took too long');
    expect(getByRole(el, 'button', 'Retry')).to.exist;
  });

  it('dispatches hr-import-cancel from Cancel on every step (once a selection is discarded)', async () => {
    const el = await mount();
    await findByRole(el, 'button', 'Sample directory');
    setTimeout(() => getByRole(el, 'button', 'Cancel').click());
    const first = await oneEvent(document, 'hr-import-cancel');
    expect(first.bubbles && first.composed).to.be.true;
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await toMessage(el);
    getByRole(el, 'button', 'Cancel').click();
    const discard = await findByRole(el, 'button', 'Discard');
    setTimeout(() => discard.click());
    await oneEvent(el, 'hr-import-cancel');
  });

  it('can be defined twice without throwing', () => {
    expect(() => define('hr-import', class extends HTMLElement {})).not.to.throw();
    expect(customElements.get('hr-import')).to.equal(HrImport);
  });
});
