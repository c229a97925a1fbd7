import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { LitElement } from 'lit';
import { TaskStatus } from '@lit/task';
import type { ApiClient, ContactsParams } from '../../api/client.js';
import type { ContactPage } from '../../api/types.js';
import { emptyQuery, type ContactQuery } from '../../model/selection.js';
import { directory } from '../../test/fake-bff/index.js';
import { ContactPages, PAGE_CACHE, PAGE_SIZE } from './contact-pages.js';

/** One request to the fake API, answered when the test says so. */
interface Request {
  readonly params: ContactsParams;
  readonly signal: AbortSignal;
  answer(page: ContactPage): void;
}

const people = directory(PAGE_SIZE);

function page(total: number, nextCursor: string | null = null): ContactPage {
  return { items: people, nextCursor, total, selectable: total };
}

class PagesHost extends LitElement {
  readonly requests: Request[] = [];
  readonly api = {
    listContacts: (_provider: string, params: ContactsParams, signal: AbortSignal) =>
      // An abort is only recorded: an answer can be on its way already, and must then be dropped.
      new Promise<ContactPage>((resolve) => this.requests.push({ params, signal, answer: resolve })),
  } as unknown as ApiClient;
  query: ContactQuery = emptyQuery();
  firstPages = 0;
  readonly pages = new ContactPages(
    this,
    () => [this.api, 'sample', this.query],
    () => (this.firstPages += 1),
  );
}
customElements.define('test-contact-pages-host', PagesHost);

/** A host whose first page of `total` rows has landed. */
async function shown(total: number): Promise<PagesHost> {
  const host = await fixture<PagesHost>(html`<test-contact-pages-host></test-contact-pages-host>`);
  await waitUntil(() => host.requests.length === 1, 'no first page asked for');
  host.requests[0]!.answer(page(total, String(PAGE_SIZE)));
  await host.pages.first.taskComplete;
  return host;
}

const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('ContactPages', () => {
  it('lists the first page, then asks for the pages the rows shown need, two at a time', async () => {
    const host = await shown(10_000);
    expect(host.firstPages).to.equal(1);
    expect(host.pages.total).to.equal(10_000);
    expect(host.pages.contactAt(0)).to.equal(people[0]);
    expect(host.pages.contactAt(PAGE_SIZE)).to.be.undefined;
    host.pages.load({ first: 0, last: 5 * PAGE_SIZE });
    // Page 1 reads on with the cursor; page 2 is a jump, by offset; pages 3 to 5 wait.
    expect(host.requests.slice(1).map((r) => r.params.cursor ?? r.params.offset)).to.deep.equal([String(PAGE_SIZE), 2 * PAGE_SIZE]);
    host.requests[1]!.answer(page(10_000));
    await settle();
    expect(host.pages.contactAt(PAGE_SIZE)).to.equal(people[0]);
    // The request freed asks for the next page still missing.
    expect(host.requests.at(-1)!.params.offset).to.equal(3 * PAGE_SIZE);
  });

  it('aborts the pages of a query on a new one, and drops any that lands late', async () => {
    const host = await shown(10_000);
    host.pages.load({ first: 5 * PAGE_SIZE, last: 6 * PAGE_SIZE });
    const old = host.requests.slice(1);
    expect(old).to.have.length(2);
    host.query = { ...emptyQuery(), search: 'ada' };
    host.requestUpdate();
    await waitUntil(() => host.requests.length === 4, 'the new query was not asked for');
    expect(old.map((r) => r.signal.aborted)).to.deep.equal([true, true]);
    expect(host.pages.first.status).to.equal(TaskStatus.PENDING);
    host.requests[3]!.answer(page(3));
    await host.pages.first.taskComplete;
    expect(host.requests[3]!.params.search).to.equal('ada');
    // An old page that lands anyway is not the new query's.
    old[0]!.answer(page(10_000));
    await settle();
    expect(host.pages.total).to.equal(3);
    expect(host.pages.contactAt(5 * PAGE_SIZE)).to.be.undefined;
  });

  it('aborts its requests when the host leaves the page, and asks again once it is back', async () => {
    const host = await shown(10_000);
    host.pages.load({ first: 3 * PAGE_SIZE, last: 3 * PAGE_SIZE });
    const pending = host.requests[1]!;
    const parent = host.parentElement!;
    host.remove();
    expect(pending.signal.aborted).to.be.true;
    await settle();
    expect(host.pages.error).to.be.null;
    parent.append(host);
    host.pages.load({ first: 3 * PAGE_SIZE, last: 3 * PAGE_SIZE });
    expect(host.requests).to.have.length(3);
    expect(host.requests[2]!.signal.aborted).to.be.false;
    expect(host.requests[2]!.params.offset).to.equal(3 * PAGE_SIZE);
  });

  it(`keeps at most ${PAGE_CACHE} pages, the first and the ones shown among them`, async () => {
    const host = await shown(PAGE_SIZE * 100);
    for (let n = 1; n <= PAGE_CACHE + 5; n++) {
      host.pages.load({ first: n * PAGE_SIZE, last: n * PAGE_SIZE });
      host.requests.at(-1)!.answer(page(PAGE_SIZE * 100));
      await settle();
    }
    const kept = Array.from({ length: PAGE_CACHE + 6 }, (_, n) => n).filter((n) => host.pages.contactAt(n * PAGE_SIZE));
    expect(kept).to.have.length(PAGE_CACHE);
    expect(kept).to.include.members([0, PAGE_CACHE + 5]);
    expect(kept).not.to.include(1);
  });
});
