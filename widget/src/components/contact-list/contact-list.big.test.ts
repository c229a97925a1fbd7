/**
 * <hr-contact-list> over a directory of 100,000 people: the rows it renders, scrolling, keyboard
 * moves and Select All across pages it has not loaded. The rest: contact-list.test.ts.
 */
import { expect } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import { expectAccessible } from '../../test/axe.js';
import { generatedDirectory, type FakeBff } from '../../test/fake-bff/index.js';
import { box, findStatus, mount, onContactList, rowOf, scrollListTo, statusWith } from '../../test/contact-list-kit.js';
import { findByRole, getByRole, queryAllByRole, visibleText, waitForText } from '../../test/queries.js';
import { importSelection } from '../../model/selection.js';
import { HrContactList } from './contact-list.js';

let bff: FakeBff;
onContactList((b) => (bff = b));

describe('hr-contact-list: 100,000 contacts', () => {
  const SIZE = 100_000;
  const people = generatedDirectory(SIZE);

  async function mountBig(remaining = 200_000) {
    bff.generated = people;
    return mount(remaining);
  }

  const gridOf = (list: HrContactList) => getByRole(list, 'grid', 'Contacts');

  /** The list is scrollable once its first page has made it as tall as every row. */
  async function scrollableGrid(list: HrContactList): Promise<HTMLElement> {
    const grid = gridOf(list);
    await waitUntil(() => grid.scrollHeight > 1_000_000, 'the list never grew to 100,000 rows');
    return grid;
  }
  const focused = (list: HrContactList) => list.shadowRoot!.activeElement as HTMLElement | null;

  /** Whether the element is inside the list's scrolled viewport, where a sighted user sees it. */
  function inView(list: HrContactList, el: Element): boolean {
    const port = gridOf(list).getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return box.height > 0 && box.top >= port.top - 1 && box.bottom <= port.bottom + 1;
  }

  async function focusFirstRow(list: HrContactList) {
    box(list, 'Select All').focus();
    await sendKeys({ press: 'Tab' });
    await waitUntil(() => focused(list) === box(list, 'Select Ada Lovelace'), 'Tab did not reach the first row');
  }

  it('keeps only the rows in view in the DOM, out of a grid of 100,000', async () => {
    const list = await mountBig();
    const grid = gridOf(list);
    expect(grid.getAttribute('aria-rowcount')).to.equal('100000');
    await waitForText(list, '100,000 contacts');
    const rows = queryAllByRole(grid, 'row');
    expect(rows.length).to.be.greaterThan(5).and.lessThan(60);
    expect(rows.map((r) => r.getAttribute('aria-rowindex'))).to.include.members(['1', '2', '3']);
  });

  it('scrolls to a row in the middle, fetching only the page it needs, by offset', async () => {
    const list = await mountBig();
    const before = bff.contactRequests().length;
    const grid = await scrollableGrid(list);
    const middle = people.at(49_999);
    // Where row 50,000 sits: the list is as tall as every row.
    await scrollListTo(grid, (grid.scrollHeight / SIZE) * 49_999);
    const checkbox = await findByRole(list, 'checkbox', `Select ${middle.displayName}`);
    expect(rowOf(checkbox).getAttribute('aria-rowindex')).to.equal('50000');
    expect(inView(list, checkbox)).to.be.true;
    const fetched = bff.contactRequests().slice(before);
    expect(fetched.length).to.be.lessThan(4);
    expect(fetched.map((r) => r.url.searchParams.get('offset'))).to.include('49900');
  });

  it("never hands the focused row's element to another contact when it is scrolled away", async () => {
    const list = await mountBig();
    await focusFirstRow(list);
    const grid = gridOf(list);
    const held = focused(list)!;
    for (const row of [15, 16, 17, 40, 60_000]) {
      await scrollListTo(grid, (grid.scrollHeight / SIZE) * row);
      await findByRole(list, 'checkbox', `Select ${people.at(row).displayName}`);
      // Still Ada's checkbox, wherever it went; never a checkbox now naming someone else.
      expect(held.getAttribute('aria-label')).to.equal('Select Ada Lovelace');
      const now = focused(list);
      if (now?.getAttribute('role') !== 'grid' && now) expect(now.getAttribute('aria-label')).to.equal('Select Ada Lovelace');
    }
  });

  it('shows a placeholder row while its page loads', async () => {
    const list = await mountBig();
    const grid = await scrollableGrid(list);
    bff.hang('GET /providers/sample/contacts');
    await scrollListTo(grid, (grid.scrollHeight / SIZE) * 70_000);
    await waitUntil(() => queryAllByRole(grid, 'row').some((r) => r.getAttribute('aria-rowindex') === '70001'));
    const row = queryAllByRole(grid, 'row').find((r) => r.getAttribute('aria-rowindex') === '70001')!;
    expect(visibleText(row)).to.equal('Loading…');
    expect(queryAllByRole(row, 'checkbox')).to.have.length(0);
  });

  it('End focuses the last of 100,000 and shows it; Home goes back to the first', async () => {
    const list = await mountBig();
    await focusFirstRow(list);
    const last = people.at(SIZE - 1);
    await sendKeys({ press: 'End' });
    const checkbox = await findByRole(list, 'checkbox', `Select ${last.displayName}`, 5000);
    await waitUntil(() => focused(list) === checkbox, 'the last row did not get the focus');
    expect(rowOf(checkbox).getAttribute('aria-rowindex')).to.equal('100000');
    await waitUntil(() => inView(list, checkbox), 'the last row is not in view');
    expect(visibleText(rowOf(checkbox))).to.include(last.displayName);
    await sendKeys({ press: 'Home' });
    await waitUntil(() => focused(list)?.getAttribute('aria-label') === 'Select Ada Lovelace', 'Home did not reach the first row');
    expect(inView(list, focused(list)!)).to.be.true;
  });

  it('Control+End reaches the last row too', async () => {
    const list = await mountBig();
    await focusFirstRow(list);
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'End' });
    await sendKeys({ up: 'Control' });
    await waitUntil(() => focused(list)?.getAttribute('aria-label') === `Select ${people.at(SIZE - 1).displayName}`, 'Control+End missed the last row');
  });

  it('moves with the arrows and Page Down, and Space checks the focused row', async () => {
    const list = await mountBig();
    await focusFirstRow(list);
    // Row 2 is a member: its cell takes the focus, and Space does nothing there.
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => rowOf(focused(list)!).getAttribute('aria-rowindex') === '2');
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => rowOf(focused(list)!).getAttribute('aria-rowindex') === '5');
    const fifth = people.at(4);
    expect(focused(list)).to.equal(box(list, `Select ${fifth.displayName}`));
    await sendKeys({ press: 'Space' });
    await waitForText(list, '1 selected');
    expect(box(list, `Select ${fifth.displayName}`).checked).to.be.true;
    expect([...list.selection.ids]).to.deep.equal([fifth.id]);
    await sendKeys({ press: 'ArrowUp' });
    await waitUntil(() => rowOf(focused(list)!).getAttribute('aria-rowindex') === '4');
    await sendKeys({ press: 'PageDown' });
    await waitUntil(() => Number(rowOf(focused(list)!).getAttribute('aria-rowindex')) > 8, 'Page Down moved less than a screenful');
    expect(inView(list, focused(list)!)).to.be.true;
  });

  it('Select All is a rule over all 100,000 with its exceptions, never a list of ids', async () => {
    const list = await mountBig();
    const selectable = SIZE - 2 * (SIZE / 50) - Math.round(SIZE / 97) + 20; // members, invited, no email (overlaps counted once)
    box(list, 'Select All').click();
    const status = statusWith(list, /selected/);
    await waitUntil(() => /^[\d,]+ selected$/.test(visibleText(status)) && visibleText(status) !== '0 selected');
    const count = list.selection.rule!.selectable;
    expect(Math.abs(count - selectable)).to.be.lessThan(40);
    expect(visibleText(status)).to.equal(`${count.toLocaleString('en-US')} selected`);
    box(list, 'Select Ada Lovelace').click();
    await waitForText(status, `${(count - 1).toLocaleString('en-US')} selected`);
    expect(importSelection(list.selection)).to.deep.equal({ all: true, except: ['c001'] });
  });

  it('announces politely how many of a Select All past the seats to untick', async () => {
    const list = await mountBig(500);
    box(list, 'Select All').click();
    const status = await findStatus(list, /Untick/);
    expect(status.getAttribute('aria-live')).to.equal('polite');
    expect(visibleText(status)).to.match(/^Untick 9[\d,]+ people: 500 seats are free$/);
  });

  it('has no axe violations scrolled to the middle of 100,000', async () => {
    const list = await mountBig();
    const grid = await scrollableGrid(list);
    await scrollListTo(grid, grid.scrollHeight / 2);
    await findByRole(list, 'checkbox', `Select ${people.at(SIZE / 2).displayName}`);
    await expectAccessible(list);
  });
});
