/** <hr-import> sending the import: the confirmation, skipped people, Select All as a rule, seats, and retries with one Idempotency-Key. */
import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { ImportResult } from '../../api/types.js';
import { HrImportCompleteEvent } from '../../events/hr-import-complete.js';
import type { HrImportErrorEvent } from '../../events/hr-import-error.js';
import { DEFAULT_BODY } from '../../model/message.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse, json } from '../../test/fake-bff/index.js';
import { choose, findByRole, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import { check, click, heading, importedBody, mount, openContacts, toMessage } from '../../test/flow.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
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
    const body = await importedBody(bff);
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
    const body = await importedBody(bff);
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
