// Its own file, so its own page: the contact list is rehearsed once per page.
import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { FakeBff, TOKEN } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { findByRole, visibleText } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';
import { rehearseContactsStep } from './rehearsal.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

/** Stages the contact list was rehearsed on, in the element's shadow root: added, then removed. */
function watchStages(el: HrImport) {
  const stages = { added: 0, removed: 0 };
  new MutationObserver((records) => {
    for (const r of records) {
      stages.added += [...r.addedNodes].filter((n) => (n as Element).querySelector?.('hr-contact-list')).length;
      stages.removed += [...r.removedNodes].filter((n) => (n as Element).querySelector?.('hr-contact-list')).length;
    }
  }).observe(el.shadowRoot!, { childList: true });
  return stages;
}

describe('hr-import: the contact list is rehearsed while the admin chooses a provider', () => {
  it('once per page, on an idle frame, without a request, and the real list then works as before', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    const stages = watchStages(el);
    const provider = await findByRole(el, 'button', 'Sample directory');
    await waitUntil(() => stages.removed === 1, 'no rehearsal came and went', { timeout: 5000 });
    expect(stages.added).to.equal(1);
    expect(el.shadowRoot!.querySelector('hr-contact-list'), 'nothing left behind').to.be.null;
    expect(bff.contactRequests()).to.have.length(0);
    expect(bff.requests.filter((r) => /facets|refresh/.test(r.path))).to.have.length(0);

    // A second widget on the same page has nothing left to rehearse.
    const second = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    const secondStages = watchStages(second);
    await findByRole(second, 'button', 'Sample directory');
    await new Promise((resolve) => requestIdleCallback(() => setTimeout(resolve, 50)));
    expect(secondStages.added).to.equal(0);

    provider.click();
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(bff.contactRequests()).to.have.length(1);
  });
});

describe('rehearseContactsStep', () => {
  it('lays the step out out of sight and out of reach, asks the BFF nothing, and leaves nothing behind', async () => {
    const host = await mountWithApi<HTMLDivElement>('div');
    const root = host.attachShadow({ mode: 'open' });
    const escaped: string[] = [];
    for (const type of ['hr-contacts-loaded', 'hr-refresh-ready', 'hr-selection-change']) host.addEventListener(type, () => escaped.push(type));
    const added: { hidden: boolean; inert: boolean }[] = [];
    const removed: string[] = [];
    const watch = new MutationObserver((records) => {
      for (const record of records) {
        for (const stage of record.addedNodes as NodeListOf<HTMLElement>) {
          added.push({ hidden: getComputedStyle(stage).visibility === 'hidden', inert: stage.inert });
        }
        // What the stage showed when it was taken away: each part, rendered.
        for (const stage of record.removedNodes as NodeListOf<HTMLElement>) {
          for (const part of stage.children) removed.push(visibleText(part));
        }
      }
    });
    watch.observe(root, { childList: true });
    await rehearseContactsStep(root, 600);
    await new Promise((resolve) => setTimeout(resolve));
    watch.disconnect();
    expect(added).to.deep.equal([{ hidden: true, inert: true }]);
    expect(removed).to.have.length(2);
    expect(removed[0]).to.include('Refresh');
    expect(removed[1]).to.include('Ada Lovelace');
    expect(root.childNodes.length, 'nothing left behind').to.equal(0);
    expect(bff.requests, 'no request').to.have.length(0);
    expect(escaped).to.deep.equal([]);
  });
});

describe('rehearseContactsStep without an API to ask', () => {
  it('still ends, within a second, and leaves nothing behind', async () => {
    // No context provider around it: the refresh line never learns it is ready.
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const root = host.attachShadow({ mode: 'open' });
    const started = performance.now();
    await rehearseContactsStep(root, 600);
    expect(performance.now() - started).to.be.lessThan(2000);
    expect(root.childNodes.length).to.equal(0);
  });
});
