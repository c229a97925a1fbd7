import { expect, oneEvent } from '@open-wc/testing';
import type { HrProviderSelectEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse } from '../../test/fake-bff.js';
import { mountWithApi } from '../../test/mount.js';
import { accessibleName, findByRole, getByRole, queryAllByRole, visibleText } from '../../test/queries.js';
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
    expect(
      queryAllByRole(el, 'button').map((b) => [accessibleName(b), (b as HTMLButtonElement).disabled, description(b)]),
    ).to.deep.equal([
      ['Sample directory', false, null],
      ['BambooHR', true, 'Needs connection'],
      ['Microsoft Entra ID', true, 'Error'],
    ]);
    expect(visibleText(el)).to.include('BambooHR Needs connection');
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
