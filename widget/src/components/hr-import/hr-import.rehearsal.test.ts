// Its own file, so its own page: the contact list is rehearsed once per page.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { FakeBff, TOKEN } from '../../test/fake-bff.js';
import { findByRole } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';

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
