import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ImportRequest, ImportResult } from '../../api/types.js';
import { define } from '../../define.js';
import { HrImportCompleteEvent } from '../../events/hr-import-complete.js';
import type { HrImportErrorEvent } from '../../events/hr-import-error.js';
import { DEFAULT_BODY } from '../../model/message.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, directory, errorResponse, json, makeContact, refreshSyncing } from '../../test/fake-bff/index.js';
import { allElements, choose, findByRole, getByLabel, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import { HrImport } from './hr-import.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

function mount(token = TOKEN, extra: { timeout?: number } = {}) {
  return fixture<HrImport>(html`<hr-import session-token=${token} request-timeout=${extra.timeout ?? 20000}></hr-import>`);
}

/** The heading of the current step (the one focus moves to). */
async function heading(el: HrImport): Promise<string> {
  await el.updateComplete;
  return visibleText(el.shadowRoot!.getElementById('heading')!);
}

async function click(el: HrImport, role: string, name: string | RegExp) {
  (await findByRole(el, role, name)).click();
}

async function openContacts(el: HrImport) {
  await click(el, 'button', 'Sample directory');
  await findByRole(el, 'checkbox', 'Select Ada Lovelace');
}

async function check(el: HrImport, ...names: string[]) {
  for (const name of names) (await findByRole<HTMLInputElement>(el, 'checkbox', `Select ${name}`)).click();
}

async function toMessage(el: HrImport) {
  await click(el, 'button', 'Next');
  await findByRole(el, 'combobox', 'Invite all selected users as');
  await click(el, 'button', 'Next');
  await findByRole(el, 'textbox', 'Subject');
}

async function importedBody(): Promise<ImportRequest> {
  await waitUntil(() => bff.requestsTo('POST', '/imports').length > 0, 'no import request');
  return bff.requestsTo('POST', '/imports').at(-1)!.body as ImportRequest;
}

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
    const body = await importedBody();
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
    const body = await importedBody();
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

describe('hr-import: import', () => {
  it('sends the import with an Idempotency-Key, shows the confirmation and reports it to the page', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await toMessage(el);
    const subject = getByRole<HTMLInputElement>(el, 'textbox', 'Subject');
    subject.focus();
    subject.select();
    await sendKeys({ type: 'Welcome to {{targetName}}' });
    // Before Import Contacts, one line says what it will do.
    await waitForText(el, '2 people: 2 as User · 2 of 40 free seats');

    const caught = oneEvent(document, 'hr-import-complete');
    await click(el, 'button', 'Import Contacts');
    const event = await caught;

    const [request] = bff.requestsTo('POST', '/imports');
    expect(request!.headers.get('Idempotency-Key')).to.match(UUID);
    expect(request!.headers.get('Content-Type')).to.equal('application/json');
    expect(request!.body).to.deep.equal({
      provider: 'sample',
      selection: { ids: ['c001', 'c006'] },
      role: 'member',
      message: { subject: 'Welcome to {{targetName}}', body: DEFAULT_BODY },
      // The invite mail's language: the widget's own.
      locale: 'en',
    });
    expect(event).to.be.instanceOf(HrImportCompleteEvent);
    expect(event.bubbles && event.composed).to.be.true;
    expect(event.detail).to.include({ invited: 2 });
    expect(await heading(el)).to.equal('Contacts imported');
    await waitForText(el, '2 invited');
    await waitForText(el, '12 of 50 seats used · 38 remaining');
    expect(el.shadowRoot!.activeElement?.id).to.equal('heading');
    const summary = el.shadowRoot!.querySelector('hr-import-summary')!;
    await waitForText(summary, 'Ada Lovelace');
    expect(visibleText(summary)).to.include('Invitations are on their way by email.');
  });

  it('says no one was invited when someone else invited the selected people meanwhile, and tells the page', async () => {
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await toMessage(el);
    // Another admin invites both while this one writes the message.
    for (const c of bff.contacts.filter((c) => c.id === 'c001' || c.id === 'c006')) c.membership = 'invited';

    const caught = oneEvent(document, 'hr-import-complete');
    await click(el, 'button', 'Import Contacts');
    const event = await caught;
    expect(event.detail.invited).to.equal(0);
    expect(await heading(el)).to.equal('No one was invited');
    const summary = el.shadowRoot!.querySelector('hr-import-summary')!;
    await waitForText(summary, 'No invitation was sent');
    expect(visibleText(summary)).not.to.include('on their way');
    expect(visibleText(summary)).to.include('Already invited');
  });

  it('lists each skipped contact with its reason, and passes axe', async () => {
    const result: ImportResult = {
      id: 'imp_x',
      invited: 1,
      invites: [{ contactId: 'c001', name: 'Ada Lovelace', email: 'ada.c001@example.com', role: 'member' }],
      roles: [{ role: 'member', count: 1 }],
      skipped: [
        { contactId: 'c002', email: 'grace.c002@example.com', reason: 'already_member' },
        { contactId: 'c003', email: 'alan.c003@example.com', reason: 'already_invited' },
        { contactId: 'c004', email: null, reason: 'no_email' },
        { contactId: 'c006', email: 'bad@', reason: 'invalid_email' },
        { contactId: 'c007', email: 'margaret.c007@example.com', reason: 'duplicate' },
        { contactId: 'c999', email: null, reason: 'not_found' },
      ],
      seats: { limit: 50, used: 11, remaining: 39 },
    };
    bff.on('POST /imports', () => json(201, result));
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await toMessage(el);
    await click(el, 'button', 'Import Contacts');
    await waitForText(el, '1 invited');
    await waitForText(el, '6 skipped');
    const skipped = queryAllByRole(el, 'listitem').map(visibleText);
    expect(skipped).to.deep.include.members([
      'Grace Hopper grace.c002@example.com Already a member',
      'Alan Turing alan.c003@example.com Already invited',
      'Edsger Dijkstra No email address',
      'Donald Knuth bad@ Invalid email address',
      'Margaret Hamilton margaret.c007@example.com Listed twice',
      'c999 No longer in the directory',
    ]);
    await expectAccessible(el);
  });

  it('imports a Select All as a rule with exceptions', async () => {
    const el = await mount();
    await openContacts(el);
    await click(el, 'checkbox', 'Select All');
    await waitForText(el, '26 selected');
    await check(el, 'Ada Lovelace');
    await waitForText(el, '25 selected');
    await click(el, 'button', 'Next');
    await findByRole(el, 'combobox', 'Role for Donald Knuth');
    expect(queryByRole(el, 'combobox', 'Role for Ada Lovelace')).to.be.null;
    await click(el, 'button', 'Next');
    await click(el, 'button', 'Import Contacts');
    const body = await importedBody();
    expect(body.selection).to.deep.equal({ all: true, except: ['c001'] });
    await waitForText(el, '25 invited');
  });

  it('sends the search and filters of a Select All', async () => {
    const el = await mount();
    await openContacts(el);
    (await findByRole(el, 'searchbox', 'Search contacts')).focus();
    await sendKeys({ type: 'engineer' });
    await waitUntil(() => bff.contactRequests().at(-1)?.url.searchParams.get('search') === 'engineer');
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'Department'), 'Sales');
    await waitUntil(() => bff.contactRequests().at(-1)?.url.searchParams.get('department') === 'Sales');
    await waitUntil(() => !getByRole<HTMLInputElement>(el, 'checkbox', 'Select All').disabled);
    await click(el, 'checkbox', 'Select All');
    await toMessage(el);
    await click(el, 'button', 'Import Contacts');
    const body = await importedBody();
    expect(body.selection).to.deep.equal({ all: true, search: 'engineer', filters: { department: 'Sales' } });
  });

  it('stays on the message step when the server refuses for seats, keeping what was written', async () => {
    bff.on('POST /imports', () => errorResponse(409, 'seat_limit_exceeded', 'Not enough seats', { seats: { limit: 50, used: 49, remaining: 1 } }));
    const errors: Event[] = [];
    const el = await mount();
    el.addEventListener('hr-import-error', (e) => errors.push(e));
    await openContacts(el);
    await check(el, 'Ada Lovelace', 'Donald Knuth');
    await toMessage(el);
    const subject = getByRole<HTMLInputElement>(el, 'textbox', 'Subject');
    subject.focus();
    await sendKeys({ press: 'End' });
    await sendKeys({ type: '!' });
    await click(el, 'button', 'Import Contacts');
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include("Your plan's user limit allows 1 more user");
    expect(await heading(el)).to.equal('Write the invitation');
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Subject').value).to.equal('Join {{targetName}}!');
    await waitForText(el, '49 of 50 seats used · 1 remaining');
    expect(errors).to.have.length(0);
  });

  it('shows a server error with Retry, reports it, and retries with the same Idempotency-Key', async () => {
    let calls = 0;
    bff.on('POST /imports', () => (++calls === 1 ? errorResponse(503, 'provider_unavailable', 'The HR application did not answer.') : undefined));
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await toMessage(el);
    const failed = oneEvent(el, 'hr-import-error');
    await click(el, 'button', 'Import Contacts');
    const event = (await failed) as HrImportErrorEvent;
    expect(event.detail).to.deep.equal({ code: 'provider_unavailable', message: 'The HR application did not answer.', status: 503 });
    expect(event.composed).to.be.true;
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('The HR application did not answer.');
    await click(el, 'button', 'Retry');
    await waitForText(el, '1 invited');
    const [first, second] = bff.requestsTo('POST', '/imports');
    expect(second!.headers.get('Idempotency-Key')).to.equal(first!.headers.get('Idempotency-Key'));
  });

  it('waits as long as the server says while another attempt with the same key is in flight, then shows its result', async () => {
    let calls = 0;
    bff.on('POST /imports', () =>
      ++calls === 1
        ? errorResponse(409, 'idempotency_key_in_flight', 'An import with this Idempotency-Key is still running.', undefined, { 'Retry-After': '0' })
        : undefined,
    );
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await toMessage(el);
    const errors: Event[] = [];
    el.addEventListener('hr-import-error', (e) => errors.push(e));
    await click(el, 'button', 'Import Contacts');
    await waitForText(el, '1 invited');
    const [first, second] = bff.requestsTo('POST', '/imports');
    expect(second!.headers.get('Idempotency-Key')).to.equal(first!.headers.get('Idempotency-Key'));
    expect(errors).to.have.length(0);
  });

  it('reuses the key after a network failure, and uses a new one for the next import', async () => {
    let calls = 0;
    bff.on('POST /imports', () => {
      if (++calls === 1) throw new TypeError('Failed to fetch');
      return undefined;
    });
    const el = await mount();
    await openContacts(el);
    await check(el, 'Ada Lovelace');
    await toMessage(el);
    await click(el, 'button', 'Import Contacts');
    await waitForText(el, 'Could not reach the server');
    await click(el, 'button', 'Retry');
    await waitForText(el, '1 invited');
    await click(el, 'button', 'Done');
    await openContacts(el);
    await check(el, 'Donald Knuth');
    await toMessage(el);
    await click(el, 'button', 'Import Contacts');
    await waitForText(el, '1 invited');
    const keys = bff.requestsTo('POST', '/imports').map((r) => r.headers.get('Idempotency-Key'));
    expect(keys).to.have.length(3);
    expect(keys[1]).to.equal(keys[0]);
    expect(keys[2]).to.not.equal(keys[0]);
  });
});

describe('hr-import: directory refresh', () => {
  it('shows the refresh progress in the contacts step and lists contacts once the directory is ready', async () => {
    bff.uninstall();
    bff = new FakeBff({ refreshSteps: [refreshSyncing(0, 30), refreshSyncing(12, 30)] }).install();
    bff.refreshSteps.push(bff.refreshReady());
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    const bar = await findByRole(el, 'progressbar', 'Fetching people from Sample directory');
    await waitForText(el, 'Fetched 12 of 30 people');
    expect(bar.getAttribute('aria-valuenow')).to.equal('12');
    // Nothing is listed while the directory is being fetched: the list would wait on it.
    expect(bff.contactRequests()).to.have.length(0);
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(queryByRole(el, 'progressbar')).to.equal(null);
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
  });

  it("shows a failed refresh with the provider's message and Retry, then the contacts", async () => {
    bff.uninstall();
    bff = new FakeBff({
      refreshSteps: [
        {
          status: 'error',
          fetched: 0,
          total: null,
          syncedAt: null,
          stale: true,
          error: { code: 'provider_unavailable', message: 'Sample HR: it is unavailable; try again later.' },
        },
      ],
    }).install();
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('Sample HR: it is unavailable; try again later.');
    expect(bff.contactRequests()).to.have.length(0);
    bff.refreshSteps = [bff.refreshReady()];
    await click(el, 'button', 'Retry');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
  });

  it('lists a directory the provider list says is fresh at once, without asking for its state', async () => {
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready', directory: { syncedAt: '2026-11-24T12:00:00.000Z', freshFor: 3600 } },
    ];
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(bff.requests.filter((r) => r.path === '/providers/sample/refresh')).to.have.length(0);
    // Refresh still fetches it again on demand, and the list follows.
    const before = bff.contactRequests().length;
    bff.refreshSteps = [bff.refreshReady('2026-11-24T13:00:00.000Z')];
    await click(el, 'button', 'Refresh');
    await waitUntil(() => bff.contactRequests().length > before, 'the list was not reloaded');
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
  });

  it('asks for the state of a directory about to go stale, and refreshes one that has', async () => {
    // A minute of freshness left is too little to count on: the list is asked for a moment later.
    bff.uninstall();
    bff = new FakeBff({ refreshState: { status: 'ready', fetched: 30, total: 30, syncedAt: '2026-11-24T11:00:00.000Z', stale: true } }).install();
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready', directory: { syncedAt: '2026-11-24T11:00:00.000Z', freshFor: 30 } },
    ];
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(bff.requestsTo('GET', '/providers/sample/refresh')).to.have.length.greaterThan(0);
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
    // Nothing was listed before the refresh: the BFF would have held the list until it ended.
    const first = bff.requests.findIndex((r) => /\/contacts$/.test(r.path));
    const started = bff.requests.findIndex((r) => r.method === 'POST' && r.path === '/providers/sample/refresh');
    expect(first).to.be.greaterThan(started);
  });

  it('reloads the list after Refresh, keeping the search', async () => {
    const el = await mount();
    await openContacts(el);
    const before = bff.contactRequests().length;
    bff.refreshSteps = [bff.refreshReady('2026-11-24T13:00:00.000Z')];
    await click(el, 'button', 'Refresh');
    await waitUntil(() => bff.contactRequests().length > before, 'the list was not reloaded');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
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

describe('hr-import: the provider refuses the credentials', () => {
  const OWN = {
    id: 'bamboohr',
    type: 'bamboohr',
    name: 'BambooHR',
    connection: 'ready' as const,
    fields: [{ name: 'apiKey', label: 'API key', secret: true, required: true }],
  };
  const refused = (name: string) =>
    errorResponse(502, 'provider_auth', `${name}: the credentials are missing, wrong or expired; reconnect. It said: Invalid API key`);

  it('shows the provider’s message and Reconnect, which takes new credentials and lists the contacts', async () => {
    bff.providers = [OWN];
    let stored = false;
    bff.on('GET /providers/bamboohr/contacts', () => (stored ? undefined : refused('BambooHR')));
    bff.on('PUT /providers/bamboohr/connection', () => void (stored = true));
    const el = await mount();
    await click(el, 'button', 'BambooHR');
    await waitForText(el, 'It said: Invalid API key');
    await expectAccessible(el);

    await click(el, 'button', 'Reconnect BambooHR');
    await findByRole(el, 'heading', 'Connect BambooHR');
    getByLabel(el, 'API key').focus();
    await sendKeys({ type: 'new-key' });
    getByRole(el, 'button', 'Connect').click();

    // Saved, then straight back to the contacts, listed with the new credentials.
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(await heading(el)).to.equal('Select contacts from BambooHR');
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection').map((r) => r.body)).to.deep.equal([{ credentials: { apiKey: 'new-key' } }]);
    expect(queryByRole(el, 'button', /^Reconnect/)).to.be.null;
  });

  it('offers Reconnect when the directory refresh itself is refused', async () => {
    bff.providers = [OWN];
    const failed = {
      status: 'error' as const,
      fetched: 0,
      total: null,
      syncedAt: null,
      stale: true,
      error: { code: 'provider_auth', message: 'BambooHR: the credentials are wrong. It said: Invalid API key' },
    };
    bff.refreshSteps = [failed];
    bff.refreshState = failed;
    const el = await mount();
    await click(el, 'button', 'BambooHR');
    await waitForText(el, 'It said: Invalid API key');
    await findByRole(el, 'button', 'Reconnect BambooHR');
  });

  it('offers Reconnect for a provider the organization signed in to, which reopens its sign-in', async () => {
    const entra = { id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'ready' as const, fields: [], oauth: true };
    bff.providers = [entra];
    bff.on('GET /providers/entra/contacts', () =>
      errorResponse(502, 'provider_auth', 'Microsoft Entra ID refused the credentials: AADSTS50173 the grant was revoked.'),
    );
    const el = await mount();
    await click(el, 'button', 'Microsoft Entra ID');
    await waitForText(el, 'AADSTS50173');
    await click(el, 'button', 'Reconnect Microsoft Entra ID');
    await findByRole(el, 'button', 'Sign in with Microsoft Entra ID');
    expect(visibleText(el)).to.include('expired or was revoked');
  });

  it('says who can renew credentials the deployment set, and offers no Reconnect', async () => {
    bff.providers = [{ id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'ready' }];
    bff.on('GET /providers/entra/contacts', () => refused('Microsoft Entra ID'));
    const el = await mount();
    await click(el, 'button', 'Microsoft Entra ID');
    await waitForText(el, 'ask its operator to renew them');
    expect(visibleText(el)).to.include('It said: Invalid API key');
    expect(queryByRole(el, 'button', /^Reconnect/)).to.be.null;
  });
});
