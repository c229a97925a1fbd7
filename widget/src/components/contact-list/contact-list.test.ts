import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ProviderInfo } from '../../../../bff/contract.js';
import type { Selection } from '../../model/selection.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, directory } from '../../test/fake-bff.js';
import { mountWithApi } from '../../test/mount.js';
import { choose, findByRole, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { HrContactList } from './contact-list.js';

const PROVIDER: ProviderInfo = { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' };

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

async function mount(remaining = 40) {
  const list = await mountWithApi<HrContactList>('hr-contact-list', (el) => {
    el.provider = PROVIDER;
    el.remaining = remaining;
  });
  await findByRole(list, 'checkbox', 'Select Ada Lovelace');
  return list;
}

const box = (list: HrContactList, name: string) => getByRole<HTMLInputElement>(list, 'checkbox', name);
const rowText = (list: HrContactList, name: string) => visibleText(box(list, `Select ${name}`).closest('li')!);
const contactBoxes = (list: HrContactList) => queryAllByRole(list, 'checkbox', /^Select (?!All$)/) as HTMLInputElement[];

function lastContactsQuery(): URLSearchParams {
  return bff.contactRequests().at(-1)!.url.searchParams;
}

describe('hr-contact-list: rows', () => {
  it('shows a checkbox named "Select <name>" per active contact, 100 per page', async () => {
    const list = await mount();
    expect(contactBoxes(list)).to.have.length(29);
    expect(queryByRole(list, 'checkbox', 'Select Barbara Liskov')).to.be.null;
    expect(lastContactsQuery().get('limit')).to.equal('100');
    expect(lastContactsQuery().has('status')).to.be.false;
    expect(getByRole(list, 'list', 'Contacts')).to.exist;
  });

  it('shows title, department and email, and marks members, invited people and missing emails', async () => {
    const list = await mount();
    expect(rowText(list, 'Ada Lovelace')).to.equal('Ada Lovelace Manager · Engineering · London ada.c001@example.com');
    expect(rowText(list, 'Grace Hopper')).to.include('Member');
    expect(rowText(list, 'Alan Turing')).to.include('Invited');
    expect(rowText(list, 'Edsger Dijkstra')).to.include('No email');
  });

  it('disables the checkbox of members, invited people and contacts without email', async () => {
    const list = await mount();
    expect(box(list, 'Select Grace Hopper').disabled).to.be.true;
    expect(box(list, 'Select Alan Turing').disabled).to.be.true;
    expect(box(list, 'Select Edsger Dijkstra').disabled).to.be.true;
    expect(box(list, 'Select Ada Lovelace').disabled).to.be.false;
  });

  it('shows inactive contacts when asked, marked Inactive', async () => {
    const list = await mount();
    box(list, 'Show inactive').click();
    const barbara = await findByRole(list, 'checkbox', 'Select Barbara Liskov');
    expect(lastContactsQuery().get('status')).to.equal('all');
    expect(visibleText(barbara.closest('li')!)).to.include('Inactive');
  });

  it('follows nextCursor with Load more', async () => {
    bff.contacts = directory(150);
    const list = await mount();
    expect(contactBoxes(list)).to.have.length(100);
    await waitForText(list, 'Showing 100 of 149');
    getByRole(list, 'button', 'Load more').click();
    await waitUntil(() => contactBoxes(list).length === 149, 'second page not shown');
    expect(lastContactsQuery().get('cursor')).to.equal('100');
    expect(queryByRole(list, 'button', 'Load more')).to.be.null;
  });
});

describe('hr-contact-list: search and filters', () => {
  it('searches as the admin types, once the typing pauses', async () => {
    const list = await mount();
    const before = bff.contactRequests().length;
    getByRole(list, 'searchbox', 'Search contacts').focus();
    await sendKeys({ type: 'lovelace' });
    await waitUntil(() => contactBoxes(list).length === 1, 'search not applied');
    expect(bff.contactRequests().length - before).to.equal(1);
    expect(lastContactsQuery().get('search')).to.equal('lovelace');
    expect(box(list, 'Select Ada Lovelace')).to.exist;
  });

  it('filters by department and location with counts from the facets', async () => {
    const list = await mount();
    const department = getByRole<HTMLSelectElement>(list, 'combobox', 'Department');
    const location = getByRole<HTMLSelectElement>(list, 'combobox', 'Location');
    await waitUntil(() => department.options.length > 1);
    expect(department.options[0]!.textContent).to.equal('All departments');
    expect(location.options[0]!.textContent).to.equal('All locations');
    expect([...department.options].map((o) => o.textContent)).to.include('Sales (9)');
    choose(department, 'Sales');
    await waitUntil(() => contactBoxes(list).length === 9, 'department not applied');
    choose(location, 'Berlin');
    await waitUntil(() => lastContactsQuery().get('location') === 'Berlin');
    expect(lastContactsQuery().get('department')).to.equal('Sales');
  });
});

describe('hr-contact-list: Select All', () => {
  it('selects every selectable contact matching the query, as a rule', async () => {
    const list = await mount();
    let selection: Selection | undefined;
    list.addEventListener('hr-selection-change', (e) => (selection = e.selection));
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    expect(selection).to.deep.include({ mode: 'all', search: '', selectable: 26 });
    expect(box(list, 'Select All').checked).to.be.true;
    expect(box(list, 'Select Ada Lovelace').checked).to.be.true;
    expect(box(list, 'Select Grace Hopper').checked).to.be.false;
  });

  it('keeps a contact unchecked after Select All as an exception', async () => {
    const list = await mount();
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    box(list, 'Select Ada Lovelace').click();
    await waitForText(list, '25 selected');
    expect(list.selection.mode).to.equal('all');
    expect(list.selection.mode === 'all' && [...list.selection.except]).to.deep.equal(['c001']);
    expect(box(list, 'Select All').checked).to.be.true;
    box(list, 'Select Ada Lovelace').click();
    await waitForText(list, '26 selected');
  });

  it('is indeterminate with some contacts checked', async () => {
    const list = await mount();
    box(list, 'Select Ada Lovelace').click();
    await list.updateComplete;
    expect(box(list, 'Select All').indeterminate).to.be.true;
    expect(box(list, 'Select All').checked).to.be.false;
  });

  it('clears a Select All when the search changes, and says so', async () => {
    const list = await mount();
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    getByRole(list, 'searchbox', 'Search contacts').focus();
    await sendKeys({ type: 'engineer' });
    await waitForText(list, '0 selected');
    await waitForText(list, 'Selection cleared because the search or filters changed.');
    expect(list.selection).to.deep.equal({ mode: 'ids', ids: new Set() });
  });
});

describe('hr-contact-list: seat limit', () => {
  it('refuses to check a contact past the remaining seats', async () => {
    const list = await mount(2);
    box(list, 'Select Ada Lovelace').click();
    box(list, 'Select Donald Knuth').click();
    await waitForText(list, '2 selected');
    box(list, 'Select Margaret Hamilton').click();
    const alert = await findByRole(list, 'alert');
    expect(visibleText(alert)).to.include("Your plan's user limit allows 2 more users");
    expect(box(list, 'Select Margaret Hamilton').checked).to.be.false;
    await waitForText(list, '2 selected');
  });

  it('refuses Select All when more contacts match than seats remain', async () => {
    const list = await mount(10);
    box(list, 'Select All').click();
    const alert = await findByRole(list, 'alert');
    expect(visibleText(alert)).to.include("Your plan's user limit allows 10 more users");
    expect(box(list, 'Select All').checked).to.be.false;
    expect(list.selection.mode).to.equal('ids');
    await waitForText(list, '0 selected');
  });

  it('allows Select All when the matching contacts fit', async () => {
    const list = await mount(26);
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
  });
});

describe('hr-contact-list: accessibility', () => {
  it('has no axe violations with a selection and a refusal shown', async () => {
    const list = await mount(1);
    box(list, 'Select Ada Lovelace').click();
    box(list, 'Select Donald Knuth').click();
    await findByRole(list, 'alert');
    await expectAccessible(list);
  });
});
