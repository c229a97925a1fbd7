import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import type { ImportRequest } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, directory } from '../../test/fake-bff/index.js';
import { findByRole, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from '../hr-import/hr-import.js';

let bff: FakeBff;

/** Ada (c001) and Margaret (c007) share an address; Barbara (c005) has left; Donald (c006) is neither. */
const people = directory();
const MARGARET = people[6]!;

beforeEach(() => {
  const contacts = directory();
  contacts[6]!.email = 'ADA.c001@example.com';
  bff = new FakeBff({ contacts }).install();
});

afterEach(() => {
  bff.uninstall();
});

async function openContacts() {
  const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
  (await findByRole(el, 'button', 'Sample directory')).click();
  await findByRole(el, 'checkbox', 'Select Ada Lovelace');
  (await findByRole(el, 'checkbox', 'Show inactive')).click();
  await findByRole(el, 'checkbox', 'Select Barbara Liskov');
  return el;
}

async function tick(el: HrImport, ...names: string[]) {
  for (const name of names) (await findByRole<HTMLInputElement>(el, 'checkbox', `Select ${name}`)).click();
}

async function next(el: HrImport) {
  await waitUntil(() => !getByRole<HTMLButtonElement>(el, 'button', 'Next').disabled, 'Next stays disabled');
  getByRole(el, 'button', 'Next').click();
}

const warning = (el: HrImport) => queryByRole(el, 'group', 'Check who you are inviting');

async function importContacts(el: HrImport): Promise<ImportRequest> {
  await next(el);
  await findByRole(el, 'textbox', 'Subject');
  const button = getByRole<HTMLButtonElement>(el, 'button', 'Import Contacts');
  await waitUntil(() => !button.disabled, 'Import Contacts stays disabled');
  button.click();
  await waitUntil(() => bff.requestsTo('POST', '/imports').length > 0, 'no import request');
  return bff.requestsTo('POST', '/imports').at(-1)!.body as ImportRequest;
}

describe('hr-selection-review: ticked contacts', () => {
  it('says before Import Contacts who left the company and who shares an address, by name', async () => {
    const el = await openContacts();
    await tick(el, 'Ada Lovelace', 'Barbara Liskov', MARGARET.displayName, 'Donald Knuth');
    await next(el);
    await waitUntil(() => warning(el), 'no warning on the roles step');
    const text = visibleText(warning(el)!);
    expect(text).to.include('1 selected person has left the company.');
    expect(text).to.include('2 selected people share their email address with another person');
    for (const name of ['Ada Lovelace', 'Barbara Liskov', MARGARET.displayName]) expect(text).to.include(name);
    expect(text).not.to.include('Donald');
    await expectAccessible(el);
    // Said again on the message step, beside the review line.
    await next(el);
    await findByRole(el, 'textbox', 'Subject');
    await waitUntil(() => warning(el), 'no warning on the message step');
    expect(visibleText(warning(el)!)).to.include('1 selected person has left the company.');
  });

  it('leaves them out on request, so only the others are invited', async () => {
    const el = await openContacts();
    await tick(el, 'Ada Lovelace', 'Barbara Liskov', MARGARET.displayName, 'Donald Knuth');
    await next(el);
    (await findByRole(el, 'button', 'Leave them out')).click();
    await waitForText(el, '3 people left out of the invitation.');
    expect(warning(el)).to.be.null;
    // The focus moves from the button that went to the sentence that replaced it.
    const review = el.shadowRoot!.querySelector('hr-selection-review')!;
    expect(visibleText(review.shadowRoot!.activeElement!)).to.equal('3 people left out of the invitation.');
    expect(review.shadowRoot!.activeElement!.getAttribute('role')).to.equal('status');
    // The roles step lists only who is still invited.
    expect(queryByRole(el, 'combobox', 'Role for Ada Lovelace')).to.be.null;
    expect(getByRole(el, 'combobox', 'Role for Donald Knuth')).to.exist;
    const body = await importContacts(el);
    expect(body.selection).to.deep.equal({ ids: ['c006'] });
  });

  it('says nothing when no one selected needs a second look', async () => {
    const el = await openContacts();
    await tick(el, 'Donald Knuth');
    await next(el);
    await findByRole(el, 'combobox', 'Invite all selected users as');
    expect(warning(el)).to.be.null;
    expect(bff.contactRequests().some((r) => r.url.searchParams.has('flagged'))).to.be.false;
  });
});

describe('hr-selection-review: Select All', () => {
  it('asks the BFF who of the rule to warn of, and leaves them out as exceptions of the rule', async () => {
    const el = await openContacts();
    (await findByRole(el, 'checkbox', 'Select All')).click();
    await waitForText(el, '27 selected');
    // Unticked by hand already: not counted, and not asked again.
    await tick(el, MARGARET.displayName);
    await waitForText(el, '26 selected');
    await next(el);
    await waitUntil(() => warning(el), 'no warning for the Select All');
    const asked = bff.contactRequests().find((r) => r.url.searchParams.get('flagged') === 'true')!;
    expect(asked.url.searchParams.get('status')).to.equal('all');
    const text = visibleText(warning(el)!);
    expect(text).to.include('1 selected person has left the company.');
    expect(text).to.include('1 selected person shares their email address with another person');
    getByRole(el, 'button', 'Leave them out').click();
    await waitForText(el, '2 people left out of the invitation.');
    const body = await importContacts(el);
    expect(body.selection).to.deep.include({ all: true, filters: { status: 'all' } });
    expect([...('except' in body.selection ? body.selection.except! : [])].sort()).to.deep.equal(['c001', 'c005', 'c007']);
  });
});
