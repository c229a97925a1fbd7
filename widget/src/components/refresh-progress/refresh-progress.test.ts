import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import type { ProviderInfo, RefreshStatus } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, refreshIdle, refreshSyncing } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { findByRole, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { HrImportRefreshProgress, HrRefreshReadyEvent } from './refresh-progress.js';

const WORKDAY: ProviderInfo = { id: 'workday', type: 'workday', name: 'Workday', connection: 'ready' };
const READY: RefreshStatus = { status: 'ready', fetched: 100_000, total: 100_000, syncedAt: '2026-11-24T12:00:00.000Z', stale: false };

let bff: FakeBff;

afterEach(() => bff.uninstall());

/** Mounted with a short poll interval; `hold` keeps it from moving on until the test looks. */
async function mount(options: ConstructorParameters<typeof FakeBff>[0], setup: (el: HrImportRefreshProgress) => void = () => {}) {
  bff = new FakeBff(options).install();
  return mountWithApi<HrImportRefreshProgress>('hr-import-refresh-progress', (el) => {
    el.provider = WORKDAY;
    el.pollInterval = 20;
    setup(el);
  });
}

describe('hr-import-refresh-progress', () => {
  it('starts a refresh when nothing is cached, and shows "Fetched N of TOTAL people" on a progressbar', async () => {
    const el = await mount(
      { refreshSteps: [refreshSyncing(0, 100_000), refreshSyncing(12_300, 100_000), refreshSyncing(12_300, 100_000), refreshSyncing(12_300, 100_000), READY] },
      (e) => (e.pollInterval = 150),
    );
    const ready = oneEvent(el, HrRefreshReadyEvent.eventName);
    const bar = await findByRole(el, 'progressbar', 'Fetching people from Workday');
    await waitForText(el, 'Fetched 12,300 of 100,000 people');
    expect(bar.getAttribute('aria-valuenow')).to.equal('12300');
    expect(bar.getAttribute('aria-valuemax')).to.equal('100000');
    expect(bar.getAttribute('aria-valuemin')).to.equal('0');
    await expectAccessible(el);
    expect(((await ready) as unknown as HrRefreshReadyEvent).status).to.deep.equal(READY);
    expect(bff.requests.map((r) => `${r.method} ${r.path}`).slice(0, 2)).to.deep.equal(['GET /providers/workday/refresh', 'POST /providers/workday/refresh']);
    await waitUntil(() => !queryByRole(el, 'progressbar'));
    getByRole(el, 'button', 'Refresh');
  });

  it('shows an indeterminate bar and the count alone when the provider does not tell its size', async () => {
    const el = await mount({ refreshSteps: [refreshSyncing(300, null), refreshSyncing(300, null), READY] }, (e) => (e.pollInterval = 200));
    const bar = await findByRole(el, 'progressbar', 'Fetching people from Workday');
    await waitForText(el, 'Fetched 300 people');
    expect(bar.hasAttribute('aria-valuenow')).to.equal(false);
    expect(bar.hasAttribute('aria-valuemax')).to.equal(false);
    expect(bar.getAttribute('aria-valuetext')).to.equal('Fetched 300 people');
  });

  it('says "1 person", not "1 people"', async () => {
    const el = await mount({ refreshSteps: [refreshSyncing(1, null), refreshSyncing(1, null), refreshSyncing(1, null), READY] }, (e) => (e.pollInterval = 200));
    await waitForText(el, 'Fetched 1 person');
    expect(visibleText(el)).not.to.include('people');
  });

  it('and "of 1 person" for a directory of one', async () => {
    const el = await mount({ refreshSteps: [refreshSyncing(0, 1), refreshSyncing(0, 1), refreshSyncing(0, 1), READY] }, (e) => (e.pollInterval = 200));
    await waitForText(el, 'Fetched 0 of 1 person');
  });

  it('is ready at once for a fresh directory, without starting a refresh', async () => {
    const el = await mount({ refreshState: READY });
    await oneEvent(el, HrRefreshReadyEvent.eventName);
    expect(bff.requestsTo('POST', '/providers/workday/refresh')).to.have.length(0);
    expect(queryByRole(el, 'progressbar')).to.equal(null);
  });

  it('refreshes a stale directory, and again on demand with Refresh', async () => {
    const el = await mount({ refreshState: { ...READY, stale: true }, refreshSteps: [refreshSyncing(10, 20), READY] });
    await oneEvent(el, HrRefreshReadyEvent.eventName);
    expect(bff.requestsTo('POST', '/providers/workday/refresh')).to.have.length(1);
    const again = oneEvent(el, HrRefreshReadyEvent.eventName);
    (await findByRole(el, 'button', 'Refresh')).click();
    await again;
    expect(bff.requestsTo('POST', '/providers/workday/refresh')).to.have.length(2);
    // The automatic refresh of a stale directory asks plainly; the button forces one.
    expect(bff.requestsTo('POST', '/providers/workday/refresh').map((r) => r.body ?? null)).to.deep.equal([null, { force: true }]);
  });

  it("shows the provider's message when the refresh fails, and Retry starts another", async () => {
    const failed: RefreshStatus = {
      ...refreshIdle(),
      status: 'error',
      error: { code: 'provider_auth', message: 'Workday: the credentials are missing, wrong or expired; reconnect. It said: invalid_client' },
    };
    const el = await mount({ refreshSteps: [refreshSyncing(0, null), failed] });
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.contain('It said: invalid_client');
    await expectAccessible(el);
    bff.refreshSteps = [refreshSyncing(5, 10), READY];
    const ready = oneEvent(el, HrRefreshReadyEvent.eventName);
    getByRole(el, 'button', 'Retry').click();
    await ready;
    expect(queryByRole(el, 'alert')).to.equal(null);
  });

  it('gives up following a refresh that outlasts its timeout, and offers Retry', async () => {
    const el = await mount({ refreshSteps: [refreshSyncing(1, 10)] }, (e) => (e.timeout = 100));
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.contain('taking too long');
    getByRole(el, 'button', 'Retry');
  });

  describe('for an uploaded CSV file', () => {
    const CSV: ProviderInfo = { id: 'csv', type: 'csv', name: 'CSV file', connection: 'ready' };
    const UPLOADED: RefreshStatus = { status: 'ready', fetched: 6, total: 6, syncedAt: '2026-11-24T12:00:00.000Z', stale: false };

    it('offers no Refresh (the file is the directory): it says when the file was uploaded and how to change it', async () => {
      const el = await mount({ refreshState: UPLOADED }, (e) => (e.provider = CSV));
      await oneEvent(el, HrRefreshReadyEvent.eventName);
      await waitForText(el, 'File uploaded');
      expect(visibleText(el)).to.include('go back and upload a new file');
      expect(queryByRole(el, 'button', 'Refresh')).to.equal(null);
      expect(bff.requestsTo('POST', '/providers/csv/refresh')).to.have.length(0);
      await expectAccessible(el);
    });
  });
});
