import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { ProviderInfo } from '../../api/types.js';
import type { HrProviderSelectEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { accessibleName, findByRole, getByLabel, getByRole, queryAllByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { HrProviderPicker } from './provider-picker.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

describe('hr-provider-picker', () => {
  it('lists the providers, the unconnected ones disabled with their state', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await findByRole(el, 'button', 'Sample directory');
    const description = (b: HTMLElement) => {
      const id = b.getAttribute('aria-describedby');
      return id ? visibleText(el.shadowRoot!.getElementById(id)!) : null;
    };
    expect(queryAllByRole(el, 'button').map((b) => [accessibleName(b), (b as HTMLButtonElement).disabled, description(b)])).to.deep.equal([
      ['Sample directory', false, null],
      ['BambooHR', true, 'Needs connection'],
      ['Microsoft Entra ID', true, 'Error'],
    ]);
    expect(visibleText(el)).to.include('BambooHR Needs connection');
    await expectAccessible(el);
  });

  it('shows the brand logo of the providers simple-icons has, as decoration, and the initial of the others', async () => {
    bff.providers = [
      { id: 'okta', type: 'okta', name: 'Okta', connection: 'ready' },
      { id: 'bob', type: 'hibob', name: 'HiBob', connection: 'ready' },
      { id: 'bamboohr', type: 'bamboohr', name: 'BambooHR', connection: 'ready' },
    ];
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const okta = (await findByRole(el, 'button', 'Okta')).closest('li')!;
    await waitUntil(() => okta.querySelector('svg'), 'the logos did not arrive');
    const logo = okta.querySelector('svg')!;
    expect(logo.getAttribute('role')).to.equal('img');
    expect(logo.getAttribute('aria-hidden')).to.equal('true');
    expect(logo.getAttribute('fill')).to.equal('#007DC1');
    expect(logo.querySelector('path')!.getAttribute('d')).to.match(/^M/);
    expect(logo.getBoundingClientRect().width).to.be.greaterThan(16);
    expect(getByRole(el, 'button', 'HiBob').closest('li')!.querySelector('svg')).to.exist;
    // No logo in simple-icons: the initial, hidden from assistive technology like the logos.
    const bamboo = getByRole(el, 'button', 'BambooHR').closest('li')!;
    expect(bamboo.querySelector('svg')).to.be.null;
    expect(bamboo.querySelector('.logo')!.textContent!.trim()).to.equal('B');
    expect(visibleText(okta)).to.equal('Okta');
    await expectAccessible(el);
  });

  it("shows the host's own logo for a provider when the providers file gives one, as decoration and never as markup", async () => {
    // A 1×1 SVG whose script would run if it were ever parsed as markup rather than loaded as an image.
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>window.ranLogoScript = true</script><rect width="1" height="1" fill="#c00"/></svg>';
    const logoUrl = `data:image/svg+xml;base64,${btoa(svg)}`;
    bff.providers = [
      { id: 'workday', type: 'workday', name: 'Workday', logoUrl, connection: 'ready' },
      { id: 'okta', type: 'okta', name: 'Okta', logoUrl, connection: 'ready' },
    ];
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const workday = (await findByRole(el, 'button', 'Workday')).closest('li')!;
    const img = workday.querySelector('.logo img') as HTMLImageElement;
    expect(img.getAttribute('src')).to.equal(logoUrl);
    expect(img.getAttribute('alt')).to.equal('');
    await waitUntil(() => img.complete && img.naturalWidth > 0, 'the logo did not load');
    expect(img.getBoundingClientRect().width).to.be.greaterThan(16);
    // The host's logo wins over the built-in one, and its script never ran.
    const okta = getByRole(el, 'button', 'Okta').closest('li')!;
    expect(okta.querySelector('.logo img')).to.exist;
    expect(okta.querySelector('.logo svg')).to.be.null;
    expect((window as { ranLogoScript?: boolean }).ranLogoScript).to.be.undefined;
    expect(visibleText(workday)).to.equal('Workday');
    await expectAccessible(el);
  });

  it('announces the pick inside the widget only', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const button = await findByRole(el, 'button', 'Sample directory');
    setTimeout(() => button.click());
    const event = (await oneEvent(el, 'hr-provider-select')) as unknown as HrProviderSelectEvent;
    expect(event.provider.id).to.equal('sample');
    expect(event.composed).to.be.false;
  });

  it('shows an error with Retry, which loads again', async () => {
    let calls = 0;
    bff.on('GET /providers', () => (++calls === 1 ? errorResponse(502, 'upstream_error', 'Configuration could not be read.') : undefined));
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('Configuration could not be read.');
    getByRole(el, 'button', 'Retry').click();
    await findByRole(el, 'button', 'Sample directory');
  });
});

/** A provider each organization connects itself: the BFF names the fields to ask. */
const BAMBOO: ProviderInfo = {
  id: 'bamboohr',
  type: 'bamboohr',
  name: 'BambooHR',
  connection: 'needs_credentials',
  fields: [
    { name: 'companyDomain', label: 'Company domain', secret: false, required: true },
    { name: 'apiKey', label: 'API key', secret: true, required: true },
  ],
};

describe('hr-provider-picker: connecting a provider', () => {
  beforeEach(() => {
    bff.providers = [{ id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' }, BAMBOO];
  });

  /** Types BambooHR's credentials into the open connect form (without submitting it). */
  async function fillBamboo(el: HrProviderPicker, apiKey: string): Promise<void> {
    await findByRole(el, 'button', 'Connect');
    getByLabel(el, 'Company domain').focus();
    await sendKeys({ type: 'acme' });
    getByLabel(el, 'API key').focus();
    await sendKeys({ type: apiKey });
  }

  async function connectBamboo(el: HrProviderPicker): Promise<void> {
    (await findByRole(el, 'button', 'BambooHR')).click();
    await fillBamboo(el, 'key-123');
    getByRole(el, 'button', 'Connect').click();
    await findByRole(el, 'button', 'Disconnect BambooHR');
  }

  it('opens the connect form for a provider that needs credentials', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const button = await findByRole<HTMLButtonElement>(el, 'button', 'BambooHR');
    expect(button.disabled).to.be.false;
    expect(visibleText(button.closest('li')!)).to.include('Needs connection');
    button.click();
    await findByRole(el, 'heading', 'Connect BambooHR');
    expect(getByLabel(el, 'Company domain').type).to.equal('text');
    expect(getByLabel(el, 'API key').type).to.equal('password');
    await expectAccessible(el);
    getByRole(el, 'button', 'Cancel').click();
    await waitUntil(() => el.shadowRoot!.activeElement?.textContent?.trim() === 'BambooHR', 'focus not back on the provider');
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection')).to.have.length(0);
  });

  it('connects with the values entered, then shows the provider ready and picks it', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await connectBamboo(el);
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection')[0]!.body).to.deep.equal({ credentials: { companyDomain: 'acme', apiKey: 'key-123' } });
    await waitForText(el, 'BambooHR is connected.');
    const bamboo = getByRole<HTMLButtonElement>(el, 'button', 'BambooHR');
    expect(visibleText(bamboo.closest('li')!)).not.to.include('Needs connection');
    expect(bamboo.getAttribute('aria-describedby')).to.be.null;
    await expectAccessible(el);
    setTimeout(() => bamboo.click());
    const event = (await oneEvent(el, 'hr-provider-select')) as unknown as HrProviderSelectEvent;
    expect(event.provider).to.include({ id: 'bamboohr', connection: 'ready' });
  });

  it('tests the stored connection and says how many people it read', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await connectBamboo(el);
    getByRole(el, 'button', 'Test connection to BambooHR').click();
    await waitForText(el, 'Connection works: 30 people on the first page.');
    expect(bff.requestsTo('POST', '/providers/bamboohr/connection/test')).to.have.length(1);
  });

  it("shows the provider's own message when the test is refused", async () => {
    bff.on('POST /providers/bamboohr/connection/test', () =>
      errorResponse(502, 'provider_auth', 'BambooHR refused the API key: it is wrong or was revoked. Connect again with a valid key.'),
    );
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await connectBamboo(el);
    getByRole(el, 'button', 'Test connection to BambooHR').click();
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.equal('BambooHR refused the API key: it is wrong or was revoked. Connect again with a valid key.');
    await expectAccessible(el);

    // Not a dead end: Reconnect opens the form, and new credentials replace the refused ones.
    getByRole(el, 'button', 'Reconnect BambooHR').click();
    await findByRole(el, 'heading', 'Connect BambooHR');
    await fillBamboo(el, 'key-456');
    getByRole(el, 'button', 'Connect').click();
    await waitForText(el, 'BambooHR is connected.');
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection').map((r) => r.body)).to.deep.equal([
      { credentials: { companyDomain: 'acme', apiKey: 'key-123' } },
      { credentials: { companyDomain: 'acme', apiKey: 'key-456' } },
    ]);
    expect(queryByRole(el, 'alert')).to.be.null;
  });

  it('opens straight on the connect form of the provider to reconnect, and picks it once saved', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    el.reconnect = { ...BAMBOO, connection: 'ready' };
    await findByRole(el, 'heading', 'Connect BambooHR');
    await fillBamboo(el, 'key-789');
    setTimeout(() => getByRole(el, 'button', 'Connect').click());
    const event = (await oneEvent(el, 'hr-provider-select')) as unknown as HrProviderSelectEvent;
    expect(event.provider).to.include({ id: 'bamboohr', connection: 'ready' });
    expect(bff.requestsTo('PUT', '/providers/bamboohr/connection')).to.have.length(1);
  });

  it('disconnects, after which the provider needs credentials again', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await connectBamboo(el);
    getByRole(el, 'button', 'Disconnect BambooHR').click();
    await waitForText(el, 'BambooHR is disconnected.');
    await waitForText(el, 'BambooHR Needs connection');
    expect(bff.requestsTo('DELETE', '/providers/bamboohr/connection')).to.have.length(1);
    expect(queryByRole(el, 'button', 'Disconnect BambooHR')).to.be.null;
  });

  it('offers no connection actions for a provider the deployment configures', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    await findByRole(el, 'button', 'Sample directory');
    expect(queryAllByRole(el, 'button').map(accessibleName)).to.deep.equal(['Sample directory', 'BambooHR']);
  });
});

describe('hr-provider-picker: a CSV file as the directory', () => {
  beforeEach(() => {
    bff.providers = [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' },
      { id: 'csv', type: 'csv', name: 'CSV file', connection: 'needs_credentials' },
    ];
  });

  it('opens the upload for the CSV provider, and picks it once the file is confirmed', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    const button = await findByRole<HTMLButtonElement>(el, 'button', 'CSV file');
    expect(button.disabled).to.be.false;
    expect(visibleText(button.closest('li')!)).to.include('Upload a file');
    button.click();
    await findByRole(el, 'form', 'Upload a CSV file');
    // The hidden native input that "choose a file" opens, as the file dialog fills it.
    const input = el.shadowRoot!.querySelector('hr-import-csv-upload')!.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    const files = new DataTransfer();
    files.items.add(new File(['email,first name\nada@acme.test,Ada\n'], 'staff.csv', { type: 'text/csv' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change'));
    const confirm = await findByRole(el, 'button', 'Use these contacts');
    await expectAccessible(el);
    setTimeout(() => confirm.click());
    const event = (await oneEvent(el, 'hr-provider-select')) as unknown as HrProviderSelectEvent;
    expect(event.provider).to.include({ id: 'csv', connection: 'ready' });
    expect(bff.requestsTo('POST', '/providers/csv/uploads')).to.have.length(1);
  });

  it('goes back to the list with the focus on the CSV provider', async () => {
    const el = await mountWithApi<HrProviderPicker>('hr-provider-picker');
    (await findByRole(el, 'button', 'CSV file')).click();
    (await findByRole(el, 'button', 'Back')).click();
    await waitUntil(() => el.shadowRoot!.activeElement?.textContent?.trim() === 'CSV file', 'focus not back on the provider');
  });
});
