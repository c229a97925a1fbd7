/**
 * What the admin sees of the flow's frame: one surface in a host's dialog, the buttons in view
 * while the contact list is long, the step indicator as a way back, the 320 px layout, and
 * Cancel asking before it throws a selection away.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, directory, makeContact } from '../../test/fake-bff/index.js';
import { findByRole, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';
import { openContacts } from '../../test/flow.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff({ contacts: directory(100), seats: { limit: 200, used: 10, remaining: 190 } }).install();
});

afterEach(async () => {
  bff.uninstall();
  await setViewport({ width: 800, height: 600 });
});

/** The widget alone on the page. */
const mount = () => fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);

/**
 * The widget in a modal dialog of bounded height, the way a host embeds it (demo/demo.css): the
 * dialog a column, the widget taking what its title leaves, its own card flattened into the dialog.
 */
async function mountInDialog(): Promise<{ dialog: HTMLDialogElement; el: HrImport }> {
  const dialog = await fixture<HTMLDialogElement>(html`
    <dialog style="width: min(880px, 96vw); max-height: 92vh; padding: 0; border: 0; border-radius: 10px">
      <style>
        dialog[open] {
          display: flex;
          flex-direction: column;
        }
        dialog hr-import {
          flex: 1 1 auto;
          min-height: 0;
        }
        dialog hr-import::part(base) {
          border: 0;
          border-radius: 0;
          box-shadow: none;
        }
      </style>
      <h2 style="margin: 0; padding: 0.75rem 1rem">Add members from HR</h2>
      <hr-import session-token=${TOKEN}></hr-import>
    </dialog>
  `);
  dialog.showModal();
  return { dialog, el: dialog.querySelector('hr-import')! };
}

async function select(el: HrImport, ...names: string[]) {
  for (const name of names) (await findByRole<HTMLInputElement>(el, 'checkbox', `Select ${name}`)).click();
  await waitForText(el, `${names.length} selected`);
}

const inViewport = (r: DOMRect) => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;

describe('hr-import: the frame', () => {
  it('keeps Next and Back in view at 1280×900 in a dialog, with 100 contacts, the list scrolling inside the body', async () => {
    await setViewport({ width: 1280, height: 900 });
    const { dialog, el } = await mountInDialog();
    await openContacts(el);
    await select(el, 'Ada Lovelace');
    const next = getByRole(el, 'button', 'Next');
    const back = getByRole(el, 'button', 'Back');
    expect(inViewport(next.getBoundingClientRect()), 'Next in the viewport').to.be.true;
    expect(inViewport(back.getBoundingClientRect()), 'Back in the viewport').to.be.true;
    // Nothing scrolls but the body (and the list inside it): not the dialog, not the page.
    expect(dialog.scrollHeight).to.be.at.most(dialog.clientHeight + 1);
    expect(document.scrollingElement!.scrollHeight).to.be.at.most(innerHeight + 1);
    expect(el.getBoundingClientRect().bottom).to.be.at.most(dialog.getBoundingClientRect().bottom + 1);
  });

  it('is one surface in a host dialog: no bordered, rounded box around the flow inside it', async () => {
    const { el } = await mountInDialog();
    await findByRole(el, 'button', 'Sample directory');
    const base = el.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!;
    const style = getComputedStyle(base);
    expect(style.borderTopWidth).to.equal('0px');
    expect(style.boxShadow).to.equal('none');
    expect(style.borderTopLeftRadius).to.equal('0px');
  });

  it('shows the card on a page of its own, where it is the surface', async () => {
    const el = await mount();
    await findByRole(el, 'button', 'Sample directory');
    const style = getComputedStyle(el.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!);
    expect(style.borderTopWidth).to.equal('1px');
  });
});

describe('hr-import: the step indicator', () => {
  it('makes the steps passed buttons back to them, marks the current one, and leaves the steps ahead as text', async () => {
    const el = await mount();
    await openContacts(el);
    await select(el, 'Ada Lovelace');
    getByRole(el, 'button', 'Next').click();
    await findByRole(el, 'combobox', 'Invite all selected users as');
    const steps = getByRole(el, 'list', 'Progress');
    expect(queryByRole(steps, 'button', 'Provider')).to.exist;
    expect(queryByRole(steps, 'button', 'Contacts')).to.exist;
    expect(queryByRole(steps, 'button', 'Roles'), 'the current step').to.be.null;
    expect(queryByRole(steps, 'button', 'Message'), 'a step ahead').to.be.null;
    const current = steps.querySelector('[aria-current="step"]')!;
    expect(visibleText(current)).to.include('Roles');

    // With the keyboard: Contacts, and the selection is still there.
    getByRole(steps, 'button', 'Contacts').focus();
    await sendKeys({ press: 'Enter' });
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(getByRole<HTMLInputElement>(el, 'checkbox', 'Select Ada Lovelace').checked).to.be.true;
    expect(visibleText(steps.querySelector('[aria-current="step"]')!)).to.include('Contacts');
    expect(queryByRole(steps, 'button', 'Roles'), 'a step ahead again').to.be.null;
    await expectAccessible(el);
  });

  it('stays on one line at 320 px, with no separator left as text', async () => {
    await setViewport({ width: 320, height: 640 });
    const el = await mount();
    await openContacts(el);
    const steps = getByRole(el, 'list', 'Progress');
    const items = [...steps.querySelectorAll('li')];
    const tops = new Set(items.map((li) => Math.round(li.getBoundingClientRect().top)));
    expect(tops.size, 'one line').to.equal(1);
    expect(steps.scrollWidth).to.be.at.most(steps.clientWidth);
    expect(steps.textContent).not.to.match(/[·•|]/);
    // The current step is named on screen; every step is in the list for a screen reader.
    expect(visibleText(steps)).to.include('Contacts');
    expect(visibleText(steps)).to.include('Message');
  });
});

describe('hr-import: at 320 px', () => {
  it('keeps the primary button on the row of Cancel and Back, inside the widget', async () => {
    await setViewport({ width: 320, height: 640 });
    const el = await mount();
    await openContacts(el);
    await select(el, 'Ada Lovelace');
    for (const step of ['contacts', 'roles', 'message']) {
      const primary = step === 'message' ? getByRole(el, 'button', 'Import Contacts') : getByRole(el, 'button', 'Next');
      const footer = el.shadowRoot!.querySelector('footer')!;
      const cancel = getByRole(footer, 'button', 'Cancel').getBoundingClientRect();
      const back = getByRole(footer, 'button', 'Back').getBoundingClientRect();
      const p = primary.getBoundingClientRect();
      // One row: the buttons' middles line up (a label that wraps makes its button taller, not lower).
      const middle = (r: DOMRect) => Math.round(r.top + r.height / 2);
      expect(middle(p), `${step}: primary on the row of Back`).to.equal(middle(back));
      expect(middle(cancel), `${step}: Cancel on that row`).to.equal(middle(back));
      expect(p.right, `${step}: inside the widget`).to.be.at.most(el.getBoundingClientRect().right);
      expect(p.left).to.be.greaterThan(back.right);
      if (step === 'message') break;
      primary.click();
      await findByRole(el, step === 'contacts' ? 'combobox' : 'textbox', step === 'contacts' ? 'Invite all selected users as' : 'Subject');
    }
  });
});

/** Where `inner` lies wholly within `outer` (a pixel of rounding allowed). */
const within = (inner: DOMRect, outer: { top: number; left: number; bottom: number; right: number }) =>
  inner.left >= outer.left - 1 && inner.right <= outer.right + 1 && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;

/** The row of the contact named `name`, with its parts. */
function rowOf(el: HrImport, name: string) {
  const row = getByRole(el, 'checkbox', `Select ${name}`).closest<HTMLElement>('[role="row"]')!;
  const part = (selector: string) => row.querySelector<HTMLElement>(selector);
  return { row, marker: part('.marker'), meta: part('.meta'), email: part('.email') };
}

/**
 * Details and email are apart when a gap separates their boxes on one line, or they sit on
 * lines of their own: "Berlin aarav.adeyemi@…" must never read as one run of text.
 */
function expectApart(meta: HTMLElement, email: HTMLElement, where: string) {
  const m = meta.getBoundingClientRect();
  const e = email.getBoundingClientRect();
  expect(m.width, `${where}: details shown`).to.be.greaterThan(0);
  expect(e.width, `${where}: email shown`).to.be.greaterThan(0);
  const sameLine = m.top < e.bottom && e.top < m.bottom;
  if (sameLine) expect(e.left - m.right, `${where}: the gap between details and email`).to.be.at.least(6);
  else expect(e.top, `${where}: the email on a line of its own`).to.be.at.least(m.bottom - 1);
}

describe('hr-import: the contact rows', () => {
  /** A member, an invited person and one without email, each with a name and details long enough to crowd their row. */
  const crowded = () => [
    makeContact(0, { displayName: 'Maximiliane-Konstantina Wolfeschlegelsteinhausenbergerdorff', membership: 'member', title: 'Principal Staff Engineer' }),
    makeContact(1, { displayName: 'Bartholomew Featherstonehaugh-Cholmondeley', membership: 'invited', department: 'Research and Development' }),
    makeContact(2, { displayName: 'Aarav Adeyemi-Oyelaran-Castellanos', email: null, location: 'São Paulo' }),
    makeContact(3, {
      displayName: 'Aarav Adeyemi',
      title: 'Head of Talent Acquisition',
      department: 'People',
      location: 'Berlin',
      email: 'aarav.adeyemi@example.com',
    }),
  ];

  for (const width of [320, 1280]) {
    it(`lays the details and the email apart at ${width} px`, async () => {
      await setViewport({ width, height: 900 });
      bff.contacts = crowded();
      const el = await mount();
      (await findByRole(el, 'button', 'Sample directory')).click();
      await findByRole(el, 'checkbox', 'Select Aarav Adeyemi');
      for (const name of ['Aarav Adeyemi', 'Maximiliane-Konstantina Wolfeschlegelsteinhausenbergerdorff']) {
        const { meta, email } = rowOf(el, name);
        expectApart(meta!, email!, `${width} px, ${name}`);
      }
    });
  }

  it('shows the Member, Invited and No email markers whole at 320 px, however long the name', async () => {
    await setViewport({ width: 320, height: 640 });
    bff.contacts = crowded();
    const el = await mount();
    (await findByRole(el, 'button', 'Sample directory')).click();
    await findByRole(el, 'checkbox', 'Select Aarav Adeyemi');
    const viewport = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
    for (const [name, text] of [
      ['Maximiliane-Konstantina Wolfeschlegelsteinhausenbergerdorff', 'Member'],
      ['Bartholomew Featherstonehaugh-Cholmondeley', 'Invited'],
      ['Aarav Adeyemi-Oyelaran-Castellanos', 'No email'],
    ] as const) {
      const { row, marker } = rowOf(el, name);
      row.scrollIntoView({ block: 'nearest' });
      expect(visibleText(marker!), name).to.equal(text);
      const box = marker!.getBoundingClientRect();
      expect(within(box, row.getBoundingClientRect()), `${text}: inside its row`).to.be.true;
      expect(within(box, viewport), `${text}: inside the viewport`).to.be.true;
      // Not cut inside its own box either (no ellipsis, no hidden overflow).
      expect(marker!.scrollWidth, `${text}: its text whole`).to.be.at.most(marker!.clientWidth);
    }
  });
});

describe('hr-import: Cancel', () => {
  it('cancels at once when nothing is selected', async () => {
    const el = await mount();
    await openContacts(el);
    setTimeout(() => getByRole(el, 'button', 'Cancel').click());
    await oneEvent(el, 'hr-import-cancel');
    expect(queryByRole(el, 'button', 'Discard')).to.be.null;
  });

  it('asks before discarding a selection: Keep editing keeps it, Discard cancels', async () => {
    const el = await mount();
    await openContacts(el);
    await select(el, 'Ada Lovelace', 'Donald Knuth');
    let cancelled = 0;
    el.addEventListener('hr-import-cancel', () => cancelled++);
    getByRole(el, 'button', 'Cancel').click();
    const question = await findByRole(el, 'alertdialog', 'Discard 2 selected contacts?');
    const keep = getByRole(question, 'button', 'Keep editing');
    expect(el.shadowRoot!.activeElement, 'the safe answer has the focus').to.equal(keep);
    expect(cancelled).to.equal(0);
    await expectAccessible(el);

    keep.click();
    await findByRole(el, 'button', 'Next');
    expect(queryByRole(el, 'alertdialog')).to.be.null;
    expect(el.shadowRoot!.activeElement, 'back on Cancel').to.equal(getByRole(el, 'button', 'Cancel'));
    expect(getByRole<HTMLInputElement>(el, 'checkbox', 'Select Donald Knuth').checked).to.be.true;

    // Escape is Keep editing too.
    getByRole(el, 'button', 'Cancel').click();
    await findByRole(el, 'alertdialog', 'Discard 2 selected contacts?');
    await sendKeys({ press: 'Escape' });
    await findByRole(el, 'button', 'Next');
    expect(cancelled).to.equal(0);

    getByRole(el, 'button', 'Cancel').click();
    (await findByRole(el, 'button', 'Discard')).click();
    expect(cancelled).to.equal(1);
  });

  it('asks too when the host closes it with requestCancel (a dialog’s ×)', async () => {
    const el = await mount();
    await openContacts(el);
    await select(el, 'Ada Lovelace');
    let cancelled = 0;
    el.addEventListener('hr-import-cancel', () => cancelled++);
    el.requestCancel();
    await findByRole(el, 'alertdialog', 'Discard 1 selected contact?');
    expect(cancelled).to.equal(0);
  });
});
