import { sendKeys } from '@web/test-runner-commands';
import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import type { ProviderInfo } from '../../api/types.js';
import type { HrCsvConfirmEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { choose, findByRole, getByLabel, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { HrImportCsvUpload } from './csv-upload.js';

const CSV: ProviderInfo = { id: 'csv', type: 'csv', name: 'CSV file', connection: 'needs_credentials' };
const STAFF =
  'Email,First Name,Last Name,Team,Location\nada@acme.test,Ada,Lovelace,Engineering,London\n,Alan,Turing,Research,London\ngrace@acme.test,Grace,Hopper,Engineering,New York\n';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff({ providers: [CSV] }).install();
});

afterEach(() => {
  bff.uninstall();
});

async function mount(provider = CSV): Promise<HrImportCsvUpload> {
  const el = await mountWithApi<HrImportCsvUpload>('hr-import-csv-upload', (e) => (e.provider = provider));
  await waitUntil(() => el.shadowRoot?.querySelector('input[type=file]'));
  return el;
}

/** Chooses a file in the file input, as the browser reports a user's choice. */
function chooseFile(el: HrImportCsvUpload, text: string, name = 'staff.csv'): void {
  // What the native file dialog does once the admin picks the file "choose a file" opened it on.
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
  const files = new DataTransfer();
  files.items.add(new File([text], name, { type: 'text/csv' }));
  input.files = files.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

const previewRows = (el: HrImportCsvUpload) =>
  [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => visibleText(td)));

describe('hr-import-csv-upload: choosing a file', () => {
  it('asks for a CSV file with a labelled file input and sends the file itself', async () => {
    const el = await mount();
    // The form is named; the step's heading above it says the same (hr-import.test.ts).
    expect(getByRole(el, 'form', 'Upload a CSV file')).to.exist;
    await expectAccessible(el);
    chooseFile(el, STAFF);
    await findByRole(el, 'heading', 'Match the columns');
    const [upload] = bff.requestsTo('POST', '/providers/csv/uploads');
    expect(upload!.headers.get('Content-Type')).to.equal('text/csv');
    expect(upload!.body).to.equal(STAFF);
  });

  it('offers a drop zone whose "choose a file" button opens the file dialog, and shows a file dragged over it', async () => {
    const el = await mount();
    const zone = el.shadowRoot!.querySelector<HTMLElement>('.drop')!;
    expect(visibleText(zone)).to.equal('Drop a CSV file here or choose a file');
    expect(getComputedStyle(zone).borderTopStyle).to.equal('dashed');
    expect(zone.querySelector('svg')!.getAttribute('aria-hidden')).to.equal('true');
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    expect(input.checkVisibility(), 'the native input is hidden').to.be.false;
    let opened = 0;
    input.addEventListener('click', (e) => {
      e.preventDefault(); // no real file dialog in a test
      opened++;
    });
    const choose = getByRole(el, 'button', 'choose a file');
    choose.focus();
    await sendKeys({ press: 'Enter' });
    expect(opened).to.equal(1);

    const before = getComputedStyle(zone).borderTopColor;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: new DataTransfer(), bubbles: true, cancelable: true }));
    await el.updateComplete;
    expect(getComputedStyle(zone).borderTopColor, 'the zone marks the file over it').not.to.equal(before);
    zone.dispatchEvent(new DragEvent('dragleave', { bubbles: true }));
    await el.updateComplete;
    expect(getComputedStyle(zone).borderTopColor).to.equal(before);
  });

  it('takes a dropped file too', async () => {
    const el = await mount();
    const files = new DataTransfer();
    files.items.add(new File([STAFF], 'staff.csv', { type: 'text/csv' }));
    el.shadowRoot!.querySelector('.drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    await findByRole(el, 'heading', 'Match the columns');
  });

  it("shows the BFF's refusal in the element and stays on the file step", async () => {
    bff.on('POST /providers/csv/uploads', () => errorResponse(400, 'csv_unterminated_quote', 'A quoted field opened on line 3 is never closed.'));
    const el = await mount();
    chooseFile(el, 'email\n"ada');
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.equal('A quoted field opened on line 3 is never closed.');
    expect(getByRole(el, 'button', /choose a file/)).to.exist;
    await expectAccessible(el);
  });

  it('offers to go on with the last upload when the organization has one, and Back', async () => {
    const el = await mount({ ...CSV, connection: 'ready' });
    setTimeout(() => getByRole(el, 'button', 'Continue with the last upload').click());
    const event = (await oneEvent(el, 'hr-csv-confirm')) as unknown as HrCsvConfirmEvent;
    expect([event.provider.id, event.counts, event.composed]).to.deep.equal(['csv', null, false]);
    setTimeout(() => getByRole(el, 'button', 'Back').click());
    await oneEvent(el, 'hr-csv-cancel');
    expect(bff.requestsTo('POST', '/providers/csv/uploads')).to.have.length(0);
  });
});

/** Words of the preview's cells that the layout split over two lines (a word cut in the middle). */
function wordsBroken(el: HrImportCsvUpload): string[] {
  const broken: string[] = [];
  for (const cell of el.shadowRoot!.querySelectorAll('.table th, .table td')) {
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode() as Text | null; node; node = texts.nextNode() as Text | null) {
      for (const word of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}

const CROWDED =
  'Email,First Name,Last Name,Title,Department,Location\n' +
  'maximiliane.wolfeschlegelsteinhausenbergerdorff@example.com,Maximiliane,Wolfeschlegelsteinhausenbergerdorff,Head of Talent Acquisition,People Operations,São Paulo\n' +
  'aarav.adeyemi@example.com,Aarav,Adeyemi,Principal Engineer,Research and Development,Berlin\n';

describe('hr-import-csv-upload: mapping and preview', () => {
  for (const width of [800, 320]) {
    it(`breaks no word of the preview in the middle in ${width} px, the table scrolling sideways instead`, async () => {
      const el = await mount();
      const column = el.parentElement!;
      column.style.width = `${width}px`;
      chooseFile(el, CROWDED);
      await waitUntil(() => previewRows(el).length === 2, 'no preview');
      expect(previewRows(el)[0]).to.include('Head of Talent Acquisition');
      expect(wordsBroken(el)).to.deep.equal([]);
      expect(column.scrollWidth, 'the column itself does not scroll').to.be.at.most(width);
      // A table that scrolls sideways is reached with the keyboard too.
      await expectAccessible(el);
    });
  }

  it('shows the guessed mapping and the first rows, previews a changed mapping, and confirms it', async () => {
    const el = await mount();
    chooseFile(el, STAFF);
    await findByRole(el, 'heading', 'Match the columns');
    expect(getByLabel<HTMLSelectElement>(el, 'Email (required)').value).to.equal('Email');
    expect(getByLabel<HTMLSelectElement>(el, 'First name').value).to.equal('First Name');
    expect(getByLabel<HTMLSelectElement>(el, 'Department').value).to.equal('');
    // Line, name, email, job title, department, location, status.
    expect(previewRows(el)).to.deep.equal([
      ['2', 'Ada Lovelace', 'ada@acme.test', '', '', 'London', 'Active'],
      ['3', 'Alan Turing', 'No email', '', '', 'London', 'Active'],
      ['4', 'Grace Hopper', 'grace@acme.test', '', '', 'New York', 'Active'],
    ]);
    expect(visibleText(el)).to.include('3 rows: 3 contacts, 1 without an email');
    await expectAccessible(el);

    choose(getByLabel<HTMLSelectElement>(el, 'Department'), 'Team');
    await waitUntil(() => previewRows(el)[0]?.[4] === 'Engineering', 'the preview shows the new department');
    const [preview] = bff.requestsTo('POST', '/providers/csv/uploads/up_00000000000000000001/preview');
    expect((preview!.body as { mapping: Record<string, unknown> }).mapping).to.include({ email: 'Email', department: 'Team', firstName: 'First Name' });

    setTimeout(() => getByRole(el, 'button', 'Use these contacts').click());
    const event = (await oneEvent(el, 'hr-csv-confirm')) as unknown as HrCsvConfirmEvent;
    expect(event.provider.connection).to.equal('ready');
    expect(event.counts).to.include({ rows: 3, withoutEmail: 1 });
    const [confirm] = bff.requestsTo('POST', '/providers/csv/uploads/up_00000000000000000001/confirm');
    expect((confirm!.body as { mapping: Record<string, unknown> }).mapping).to.include({ department: 'Team' });
  });

  it('needs an email column before it can preview or confirm', async () => {
    const el = await mount();
    chooseFile(el, 'Mail address,Name\nada@acme.test,Ada\n');
    const email = await waitUntil(() => queryByRole(el, 'heading', 'Match the columns')).then(() => getByLabel<HTMLSelectElement>(el, 'Email (required)'));
    expect(email.value).to.equal('');
    expect(email.getAttribute('aria-invalid')).to.equal('true');
    choose(getByLabel<HTMLSelectElement>(el, 'Display name'), 'Name');
    await waitForText(el, 'Choose the column that holds the email addresses');
    expect(getByRole<HTMLButtonElement>(el, 'button', 'Use these contacts').disabled).to.be.true;
    choose(email, 'Mail address');
    await waitUntil(() => previewRows(el)[0]?.[2] === 'ada@acme.test');
    expect(getByRole<HTMLButtonElement>(el, 'button', 'Use these contacts').disabled).to.be.false;
    await expectAccessible(el);
  });

  it('says when no email column was found, and why one is needed, until one is chosen', async () => {
    const el = await mount();
    chooseFile(el, 'Name,Private mail\nAda Lovelace,ada@home.test\n');
    await findByRole(el, 'heading', 'Match the columns');
    const notice = await findByRole(el, 'alert');
    expect(visibleText(notice)).to.include('No column of this file is recognised as the email address');
    expect(visibleText(notice)).to.include('Each invitation is sent to that address');
    // The rows still show, each without an email, and nothing can be confirmed yet.
    expect(previewRows(el)[0]?.[2]).to.equal('No email');
    expect(getByRole<HTMLButtonElement>(el, 'button', 'Use these contacts').disabled).to.be.true;
    await expectAccessible(el);
    choose(getByLabel<HTMLSelectElement>(el, 'Email (required)'), 'Private mail');
    await waitUntil(() => previewRows(el)[0]?.[2] === 'ada@home.test');
    expect(queryByRole(el, 'alert')).to.equal(null);
  });

  it('shows a refused confirmation and lets the admin choose another file', async () => {
    bff.on('POST /providers/csv/uploads/up_00000000000000000001/confirm', () =>
      errorResponse(404, 'upload_not_found', 'This upload is unknown or has expired; upload the file again.'),
    );
    const el = await mount();
    chooseFile(el, STAFF);
    (await findByRole(el, 'button', 'Use these contacts')).click();
    expect(visibleText(await findByRole(el, 'alert'))).to.include('upload the file again');
    getByRole(el, 'button', 'Choose another file').click();
    await waitUntil(() => queryByRole(el, 'form', 'Upload a CSV file'));
  });
});
