import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { ProviderInfo } from '../../api/types.js';
import type { HrConnectionChangeEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { findByRole, getByLabel, getByRole, visibleText } from '../../test/queries.js';
import { HrProviderConnect } from './provider-connect.js';

const SALESFORCE: ProviderInfo = {
  id: 'salesforce',
  type: 'salesforce',
  name: 'Salesforce',
  connection: 'needs_credentials',
  fields: [
    { name: 'clientId', label: 'Client ID', secret: false, required: true },
    { name: 'clientSecret', label: 'Client secret', secret: true, required: true },
    { name: 'objects', label: 'Objects (User, Contact)', secret: false, required: false },
  ],
};

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff({ providers: [SALESFORCE] }).install();
});

afterEach(() => {
  bff.uninstall();
});

async function mount(): Promise<HrProviderConnect> {
  const el = await mountWithApi<HrProviderConnect>('hr-provider-connect', (e) => (e.provider = SALESFORCE));
  await findByRole(el, 'button', 'Connect');
  return el;
}

async function type(el: HrProviderConnect, label: string, text: string): Promise<void> {
  getByLabel(el, label).focus();
  await sendKeys({ type: text });
}

describe('hr-provider-connect: the form', () => {
  it('asks one labelled field per credential the BFF names, secrets as password fields', async () => {
    const el = await mount();
    expect(visibleText(getByRole(el, 'heading'))).to.equal('Connect Salesforce');
    const id = getByLabel(el, 'Client ID');
    const secret = getByLabel(el, 'Client secret');
    const objects = getByLabel(el, 'Objects (User, Contact) (optional)');
    expect([id.type, secret.type, objects.type]).to.deep.equal(['text', 'password', 'text']);
    expect([id.required, secret.required, objects.required]).to.deep.equal([true, true, false]);
    expect(el.shadowRoot!.activeElement).to.equal(id);
    await expectAccessible(el);
  });
});

describe('hr-provider-connect: connecting', () => {
  it('sends the values with PUT and announces the connection', async () => {
    const el = await mount();
    await type(el, 'Client ID', 'client-123');
    await type(el, 'Client secret', 's3cret value');
    setTimeout(() => getByRole(el, 'button', 'Connect').click());
    const event = (await oneEvent(el, 'hr-connection-change')) as unknown as HrConnectionChangeEvent;
    expect(event.connection).to.equal('ready');
    expect(event.provider.id).to.equal('salesforce');
    const [put] = bff.requestsTo('PUT', '/providers/salesforce/connection');
    // The optional field left empty is left out, for the provider's default.
    expect(put!.body).to.deep.equal({ credentials: { clientId: 'client-123', clientSecret: 's3cret value' } });
  });

  it("shows the BFF's refusal and marks the field it names", async () => {
    bff.on('PUT /providers/salesforce/connection', () =>
      errorResponse(400, 'invalid_request', 'Invalid credentials: credentials.clientSecret: Client secret is required', {
        fields: [{ path: 'credentials.clientSecret', message: 'Client secret is required' }],
      }),
    );
    const el = await mount();
    await type(el, 'Client ID', 'client-123');
    await type(el, 'Client secret', ' ');
    getByRole(el, 'button', 'Connect').click();
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('Client secret is required');
    await waitUntil(() => getByLabel(el, 'Client secret').getAttribute('aria-invalid') === 'true');
    expect(getByLabel(el, 'Client ID').getAttribute('aria-invalid')).to.equal('false');
    await expectAccessible(el);
  });

  it('goes back without sending anything on Cancel', async () => {
    const el = await mount();
    setTimeout(() => getByRole(el, 'button', 'Cancel').click());
    await oneEvent(el, 'hr-connect-cancel');
    expect(bff.requestsTo('PUT', '/providers/salesforce/connection')).to.have.length(0);
  });
});
