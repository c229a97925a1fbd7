/** <hr-import> while the directory refreshes, and when the provider refuses the credentials. */
import { expect } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse, refreshSyncing } from '../../test/fake-bff/index.js';
import { findByRole, getByLabel, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import { click, heading, mount, openContacts } from '../../test/flow.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

describe('hr-import: directory refresh', () => {
  it('shows the refresh progress in the contacts step and lists contacts once the directory is ready', async () => {
    bff.uninstall();
    bff = new FakeBff({ refreshSteps: [refreshSyncing(0, 30), refreshSyncing(12, 30)] }).install();
    bff.refreshSteps.push(bff.refreshReady());
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    const bar = await findByRole(el, 'progressbar', 'Fetching people from Sample directory');
    await waitForText(el, 'Fetched 12 of 30 people');
    expect(bar.getAttribute('aria-valuenow')).to.equal('12');
    // Nothing is listed while the directory is being fetched: the list would wait on it.
    expect(bff.contactRequests()).to.have.length(0);
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(queryByRole(el, 'progressbar')).to.equal(null);
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
  });

  it("shows a failed refresh with the provider's message and Retry, then the contacts", async () => {
    bff.uninstall();
    bff = new FakeBff({
      refreshSteps: [
        {
          status: 'error',
          fetched: 0,
          total: null,
          syncedAt: null,
          stale: true,
          error: { code: 'provider_unavailable', message: 'Sample HR: it is unavailable; try again later.' },
        },
      ],
    }).install();
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('Sample HR: it is unavailable; try again later.');
    expect(bff.contactRequests()).to.have.length(0);
    bff.refreshSteps = [bff.refreshReady()];
    await click(el, 'button', 'Retry');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
  });

  it('lists a directory the provider list says is fresh at once, without asking for its state', async () => {
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready', directory: { syncedAt: '2026-11-24T12:00:00.000Z', freshFor: 3600 } },
    ];
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(bff.requests.filter((r) => r.path === '/providers/sample/refresh')).to.have.length(0);
    // Refresh still fetches it again on demand, and the list follows.
    const before = bff.contactRequests().length;
    bff.refreshSteps = [bff.refreshReady('2026-11-24T13:00:00.000Z')];
    await click(el, 'button', 'Refresh');
    await waitUntil(() => bff.contactRequests().length > before, 'the list was not reloaded');
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
  });

  it('asks for the state of a directory about to go stale, and refreshes one that has', async () => {
    // A minute of freshness left is too little to count on: the list is asked for a moment later.
    bff.uninstall();
    bff = new FakeBff({ refreshState: { status: 'ready', fetched: 30, total: 30, syncedAt: '2026-11-24T11:00:00.000Z', stale: true } }).install();
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready', directory: { syncedAt: '2026-11-24T11:00:00.000Z', freshFor: 30 } },
    ];
    const el = await mount();
    await click(el, 'button', 'Sample directory');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(bff.requestsTo('GET', '/providers/sample/refresh')).to.have.length.greaterThan(0);
    expect(bff.requestsTo('POST', '/providers/sample/refresh')).to.have.length(1);
    // Nothing was listed before the refresh: the BFF would have held the list until it ended.
    const first = bff.requests.findIndex((r) => /\/contacts$/.test(r.path));
    const started = bff.requests.findIndex((r) => r.method === 'POST' && r.path === '/providers/sample/refresh');
    expect(first).to.be.greaterThan(started);
  });

  it('reloads the list after Refresh, keeping the search', async () => {
    const el = await mount();
    await openContacts(el);
    const before = bff.contactRequests().length;
    bff.refreshSteps = [bff.refreshReady('2026-11-24T13:00:00.000Z')];
    await click(el, 'button', 'Refresh');
    await waitUntil(() => bff.contactRequests().length > before, 'the list was not reloaded');
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
  });
});

describe('hr-import: the provider refuses the credentials', () => {
  const OWN = {
    id: 'bamboohr',
    type: 'bamboohr',
    name: 'BambooHR',
    connection: 'ready' as const,
    fields: [{ name: 'apiKey', label: 'API key', secret: true, required: true }],
  };
  const refused = (name: string) =>
    errorResponse(502, 'provider_auth', `${name}: the credentials are missing, wrong or expired; reconnect. It said: Invalid API key`);

  it('shows the provider’s message and Reconnect, which takes new credentials and lists the contacts', async () => {
    bff.providers = [OWN];
    let stored = false;
    bff.on('GET /providers/bamboohr/contacts', () => (stored ? undefined : refused('BambooHR')));
    bff.on('PUT /providers/bamboohr/connection', () => void (stored = true));
    const el = await mount();
    await click(el, 'button', 'BambooHR');
    await waitForText(el, 'It said: Invalid API key');
    await expectAccessible(el);

    await click(el, 'button', 'Reconnect BambooHR');
    await findByRole(el, 'heading', 'Connect BambooHR');
    getByLabel(el, 'API key').focus();
    await sendKeys({ type: 'new-key' });
    getByRole(el, 'button', 'Connect').click();

    // Saved, then straight back to the contacts, listed with the new credentials.
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    expect(await heading(el)).to.equal('Select contacts from BambooHR');
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection').map((r) => r.body)).to.deep.equal([{ credentials: { apiKey: 'new-key' } }]);
    expect(queryByRole(el, 'button', /^Reconnect/)).to.be.null;
  });

  it('offers Reconnect when the directory refresh itself is refused', async () => {
    bff.providers = [OWN];
    const failed = {
      status: 'error' as const,
      fetched: 0,
      total: null,
      syncedAt: null,
      stale: true,
      error: { code: 'provider_auth', message: 'BambooHR: the credentials are wrong. It said: Invalid API key' },
    };
    bff.refreshSteps = [failed];
    bff.refreshState = failed;
    const el = await mount();
    await click(el, 'button', 'BambooHR');
    await waitForText(el, 'It said: Invalid API key');
    await findByRole(el, 'button', 'Reconnect BambooHR');
  });

  it('offers Reconnect for a provider the organization signed in to, which reopens its sign-in', async () => {
    const entra = { id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'ready' as const, fields: [], oauth: true };
    bff.providers = [entra];
    bff.on('GET /providers/entra/contacts', () =>
      errorResponse(502, 'provider_auth', 'Microsoft Entra ID refused the credentials: AADSTS50173 the grant was revoked.'),
    );
    const el = await mount();
    await click(el, 'button', 'Microsoft Entra ID');
    await waitForText(el, 'AADSTS50173');
    await click(el, 'button', 'Reconnect Microsoft Entra ID');
    await findByRole(el, 'button', 'Sign in with Microsoft Entra ID');
    expect(visibleText(el)).to.include('expired or was revoked');
  });

  it('says who can renew credentials the deployment set, and offers no Reconnect', async () => {
    bff.providers = [{ id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'ready' }];
    bff.on('GET /providers/entra/contacts', () => refused('Microsoft Entra ID'));
    const el = await mount();
    await click(el, 'button', 'Microsoft Entra ID');
    await waitForText(el, 'ask its operator to renew them');
    expect(visibleText(el)).to.include('It said: Invalid API key');
    expect(queryByRole(el, 'button', /^Reconnect/)).to.be.null;
  });
});
