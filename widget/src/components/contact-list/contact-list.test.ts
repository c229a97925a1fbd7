/**
 * <hr-contact-list>: its rows, search and filters with their counts, Select All, the seat limit,
 * accessibility and the rehearsal. A directory of 100,000: contact-list.big.test.ts.
 */
import { expect } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { Selection } from '../../model/selection.js';
import { expectAccessible } from '../../test/axe.js';
import { directory, type FakeBff } from '../../test/fake-bff/index.js';
import { PROVIDER, box, contactBoxes, findStatus, lastContactsQuery, mount, onContactList, rowOf, rowText, scrollListTo } from '../../test/contact-list-kit.js';
import { mountWithApi } from '../../test/mount.js';
import { accessibleDescription, choose, findByRole, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { importSelection } from '../../model/selection.js';
import { HrContactList } from './contact-list.js';

let bff: FakeBff;
onContactList((b) => (bff = b));

describe('hr-contact-list: rows', () => {
  it('shows a grid of the active contacts, a checkbox named "Select <name>" per row, 100 per page', async () => {
    const list = await mount();
    const grid = getByRole(list, 'grid', 'Contacts');
    expect(grid.getAttribute('aria-rowcount')).to.equal('29');
    const rows = queryAllByRole(grid, 'row');
    expect(rows[0]!.getAttribute('aria-rowindex')).to.equal('1');
    expect(visibleText(rows[0]!)).to.include('Ada Lovelace');
    expect(visibleText(rows[1]!)).to.include('Grace Hopper');
    expect(queryByRole(list, 'checkbox', 'Select Barbara Liskov')).to.be.null;
    expect(lastContactsQuery().get('limit')).to.equal('100');
    expect(lastContactsQuery().has('status')).to.be.false;
    expect(lastContactsQuery().has('offset')).to.be.false;
    await waitForText(list, '29 contacts');
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

  it("shows inactive contacts when asked, warned of in words that are their checkbox's description", async () => {
    const list = await mount();
    box(list, 'Show inactive').click();
    const barbara = await findByRole(list, 'checkbox', 'Select Barbara Liskov');
    expect(lastContactsQuery().get('status')).to.equal('all');
    expect(visibleText(rowOf(barbara))).to.include('Left the company');
    expect(accessibleDescription(barbara)).to.equal('Left the company');
    expect(accessibleDescription(box(list, 'Select Ada Lovelace'))).to.equal('');
    await expectAccessible(list);
  });

  it('warns of an address another person of the directory has too, on both rows, before either is ticked', async () => {
    const people = directory();
    people[6]!.email = ' ADA.c001@example.com';
    bff.contacts = people;
    const list = await mount();
    const [ada, other] = [box(list, 'Select Ada Lovelace'), box(list, `Select ${people[6]!.displayName}`)];
    for (const checkbox of [ada, other]) {
      expect(visibleText(rowOf(checkbox))).to.include('Email shared with another person');
      expect(accessibleDescription(checkbox)).to.equal('Email shared with another person');
      expect(checkbox.checked).to.be.false;
    }
    expect(rowText(list, people[7]!.displayName)).not.to.include('shared');
    // A warning, not one of the neutral tags: outlined, in the warning colour.
    const warning = rowOf(ada).querySelector('.marker.warning')!;
    const member = rowOf(box(list, 'Select Grace Hopper')).querySelector('.marker')!;
    expect(getComputedStyle(warning).borderTopStyle).to.equal('solid');
    expect(getComputedStyle(warning).color).not.to.equal(getComputedStyle(member).color);
    await expectAccessible(list);
  });

  it('reads on with the keyset cursor as the admin scrolls', async () => {
    bff.contacts = directory(150);
    const list = await mount();
    await waitForText(list, '149 contacts');
    const grid = getByRole(list, 'grid', 'Contacts');
    await scrollListTo(grid, grid.scrollHeight);
    await findByRole(list, 'checkbox', 'Select Robin Milner 5');
    expect(lastContactsQuery().get('cursor')).to.equal('100');
    expect(lastContactsQuery().has('offset')).to.be.false;
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

  it('does not mark the names typed in the search box as misspelled', async () => {
    const list = await mount();
    expect(getByRole<HTMLInputElement>(list, 'searchbox', 'Search contacts').spellcheck).to.be.false;
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

describe("hr-contact-list: the filters' counts", () => {
  it('are asked for once the rows have landed, and again only for a new search', async () => {
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    // The first page is held back: the counts must wait for it rather than compete with it.
    bff.on('GET /providers/sample/contacts', async () => {
      await held;
      return undefined;
    });
    const list = await mountWithApi<HrContactList>('hr-contact-list', (el) => {
      el.provider = PROVIDER;
    });
    await waitUntil(() => bff.contactRequests().length === 1, 'the first page was not asked for');
    await new Promise((ok) => setTimeout(ok, 50));
    expect(bff.requestsTo('GET', '/providers/sample/contacts/facets')).to.have.length(0);
    release();
    const department = getByRole<HTMLSelectElement>(list, 'combobox', 'Department');
    await waitUntil(() => [...department.options].some((o) => o.textContent === 'Sales (9)'), 'no counts');
    getByRole<HTMLInputElement>(list, 'searchbox', 'Search contacts').focus();
    await sendKeys({ type: 'ada' });
    await waitUntil(() => bff.requestsTo('GET', '/providers/sample/contacts/facets').length === 2, 'no counts for the search');
    expect(bff.requestsTo('GET', '/providers/sample/contacts/facets')[1]!.url.searchParams.get('search')).to.equal('ada');
  });

  it("count each filter's options under the other filter, not under itself", async () => {
    const list = await mount();
    const department = getByRole<HTMLSelectElement>(list, 'combobox', 'Department');
    const location = getByRole<HTMLSelectElement>(list, 'combobox', 'Location');
    const labels = (select: HTMLSelectElement) =>
      [...select.options]
        .slice(1)
        .map((o) => o.textContent)
        .sort();
    await waitUntil(() => department.options.length > 1);
    // 29 active: Engineering 10, Sales 9, Support 10; London 14, Berlin 15.
    expect(labels(location)).to.deep.equal(['Berlin (15)', 'London (14)']);
    choose(department, 'Sales');
    await waitUntil(() => labels(location).join() === 'Berlin (5),London (4)', 'Location counts ignore the department');
    expect(labels(department), 'its own choice narrows nothing').to.deep.equal(['Engineering (10)', 'Sales (9)', 'Support (10)']);
    expect(bff.requestsTo('GET', '/providers/sample/contacts/facets').at(-1)!.url.searchParams.get('department')).to.equal('Sales');
    choose(location, 'Berlin');
    await waitUntil(() => labels(department).join() === 'Engineering (5),Sales (5),Support (5)', 'Department counts ignore the location');
    expect(department.value).to.equal('Sales');
  });
});

/** Department = Sales, then Select All: its 8 selectable people. Returns the Department filter. */
async function salesSelected(list: HrContactList): Promise<HTMLSelectElement> {
  const department = getByRole<HTMLSelectElement>(list, 'combobox', 'Department');
  await waitUntil(() => department.options.length > 1);
  choose(department, 'Sales');
  await waitUntil(() => contactBoxes(list).length === 9, 'department not applied');
  box(list, 'Select All').click();
  await waitForText(list, '8 selected');
  return department;
}

describe('hr-contact-list: Select All', () => {
  it('selects every selectable contact matching the query, as a rule', async () => {
    const list = await mount();
    let selection: Selection | undefined;
    list.addEventListener('hr-selection-change', (e) => (selection = e.selection));
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    expect(selection!.rule).to.deep.include({ search: '', selectable: 26 });
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
    expect([...list.selection.rule!.except]).to.deep.equal(['c001']);
    expect(box(list, 'Select All').indeterminate).to.be.true;
    box(list, 'Select Ada Lovelace').click();
    await waitForText(list, '26 selected');
    expect(box(list, 'Select All').checked).to.be.true;
  });

  it('is indeterminate with some contacts checked', async () => {
    const list = await mount();
    box(list, 'Select Ada Lovelace').click();
    await list.updateComplete;
    expect(box(list, 'Select All').indeterminate).to.be.true;
    expect(box(list, 'Select All').checked).to.be.false;
  });

  it('keeps a Select All through a filter change, its people ticked under the new filter, and imports exactly who is ticked', async () => {
    const list = await mount();
    const department = await salesSelected(list);
    choose(department, '');
    await waitForText(list, '29 contacts');
    // Still 8: the Sales people ticked, the others not, and a way back to them.
    await waitForText(list, '8 selected (8 by Select All under other filters)');
    expect(box(list, 'Select Linus Torvalds').checked, 'Sales').to.be.true;
    expect(box(list, 'Select Ada Lovelace').checked, 'Engineering').to.be.false;
    expect(box(list, 'Select All').indeterminate).to.be.true;
    // Ticking Ada adds her; unticking Linus here makes her an exception of the rule.
    box(list, 'Select Ada Lovelace').click();
    box(list, 'Select Linus Torvalds').click();
    await waitForText(list, '8 selected (7 by Select All under other filters)');
    expect(importSelection(list.selection)).to.deep.equal({ all: true, filters: { department: 'Sales' }, except: ['c008'], include: ['c001'] });
    getByRole(list, 'button', 'Show them').click();
    await waitUntil(() => contactBoxes(list).length === 9, 'the rule was not listed again');
    expect(department.value).to.equal('Sales');
    expect(box(list, 'Select Linus Torvalds').checked).to.be.false;
  });

  it('keeps people ticked one by one through a search change the same way', async () => {
    const list = await mount();
    box(list, 'Select Ada Lovelace').click();
    await waitForText(list, '1 selected');
    getByRole(list, 'searchbox', 'Search contacts').focus();
    await sendKeys({ type: 'knuth' });
    await waitUntil(() => contactBoxes(list).length === 1, 'search not applied');
    await waitForText(list, '1 selected');
    box(list, 'Select Donald Knuth').click();
    await waitForText(list, '2 selected');
    expect(importSelection(list.selection)).to.deep.equal({ ids: ['c001', 'c006'] });
  });

  it('offers Undo when unticking Select All drops people, and Undo brings them back', async () => {
    const list = await mount();
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    box(list, 'Select All').click();
    await waitForText(list, '0 selected');
    const status = await findStatus(list, /unselected/);
    expect(visibleText(status)).to.equal('26 people unselected. Undo');
    getByRole(status, 'button', 'Undo').click();
    await waitForText(list, '26 selected');
    expect(box(list, 'Select All').checked).to.be.true;
    expect(queryAllByRole(list, 'button', 'Undo')).to.have.length(0);
  });

  it('offers Undo for Clear selection, and when a Select All under other filters is replaced', async () => {
    const list = await mount();
    const department = await salesSelected(list);
    choose(department, 'Support');
    await waitUntil(() => contactBoxes(list).length === 10, 'department not applied');
    box(list, 'Select All').click();
    await waitForText(list, '9 selected');
    getByRole(await findStatus(list, /8 people unselected/), 'button', 'Undo').click();
    await waitForText(list, '8 selected (8 by Select All under other filters)');
    getByRole(list, 'button', 'Clear selection').click();
    await waitForText(list, '0 selected');
    getByRole(await findStatus(list, /8 people unselected/), 'button', 'Undo').click();
    await waitForText(list, '8 selected');
  });
});

describe('hr-contact-list: typing and filtering at once', () => {
  it('keeps the text typed into search when a filter changes right after', async () => {
    const list = await mount();
    const department = getByRole<HTMLSelectElement>(list, 'combobox', 'Department');
    await waitUntil(() => department.options.length > 1);
    const search = getByRole<HTMLInputElement>(list, 'searchbox', 'Search contacts');
    search.focus();
    await sendKeys({ type: 'engineer' });
    // Within the debounce: the filter goes with what was typed.
    choose(department, 'Sales');
    await list.updateComplete;
    expect(search.value).to.equal('engineer');
    await waitUntil(() => lastContactsQuery().get('department') === 'Sales');
    expect(lastContactsQuery().get('search')).to.equal('engineer');
    await new Promise((ok) => setTimeout(ok, 300));
    expect(search.value).to.equal('engineer');
  });
});

describe('hr-contact-list: seat limit', () => {
  it('lets ticking go past the free seats and says how many to untick', async () => {
    const list = await mount(2);
    box(list, 'Select Ada Lovelace').click();
    box(list, 'Select Donald Knuth').click();
    await waitForText(list, '2 selected');
    expect(queryAllByRole(list, 'status').some((el) => /Untick/.test(visibleText(el)))).to.be.false;
    box(list, 'Select Margaret Hamilton').click();
    expect(visibleText(await findStatus(list, /Untick/))).to.equal('Untick 1 person: 2 seats are free');
    expect(box(list, 'Select Margaret Hamilton').checked).to.be.true;
    await waitForText(list, '3 selected');
    box(list, 'Select Ada Lovelace').click();
    await waitUntil(() => !queryAllByRole(list, 'status').some((el) => /Untick/.test(visibleText(el))), 'the surplus stayed');
  });

  it('selects every match with Select All past the free seats, then asks to untick the surplus', async () => {
    const list = await mount(24);
    box(list, 'Select All').click();
    await waitForText(list, '26 selected');
    expect(box(list, 'Select All').checked).to.be.true;
    expect(visibleText(await findStatus(list, /Untick/))).to.equal('Untick 2 people: 24 seats are free');
    box(list, 'Select Ada Lovelace').click();
    expect(visibleText(await findStatus(list, /Untick/))).to.equal('Untick 1 person: 24 seats are free');
    box(list, 'Select Donald Knuth').click();
    await waitForText(list, '24 selected');
    await waitUntil(() => !queryAllByRole(list, 'status').some((el) => /Untick/.test(visibleText(el))), 'the surplus stayed');
  });
});

describe('hr-contact-list: accessibility', () => {
  it('has no axe violations with a selection past the seats and an Undo shown', async () => {
    const list = await mount(1);
    box(list, 'Select All').click();
    await findStatus(list, /Untick/);
    getByRole(list, 'button', 'Clear selection').click();
    await findStatus(list, /unselected/);
    await expectAccessible(list);
  });
});

describe('hr-contact-list: rehearsal', () => {
  it('shows one made-up contact without asking the BFF anything', async () => {
    // As the rehearsal has it: no provider, so nothing to ask for but the made-up page.
    const list = await mountWithApi<HrContactList>('hr-contact-list');
    await list.rehearse();
    expect(contactBoxes(list).map((b) => b.getAttribute('aria-label'))).to.deep.equal(['Select Ada Lovelace']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bff.requests, 'no request').to.have.length(0);
  });
});
