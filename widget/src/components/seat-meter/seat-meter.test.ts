import { expect, fixture, html } from '@open-wc/testing';
import { expectAccessible } from '../../test/axe.js';
import { getByRole, visibleText } from '../../test/queries.js';
import { HrSeatMeter } from './seat-meter.js';

describe('hr-seat-meter', () => {
  it('says how many seats are used and remain, in a polite status region', async () => {
    const el = await fixture<HrSeatMeter>(html`<hr-seat-meter .seats=${{ limit: 25, used: 20, remaining: 5 }}></hr-seat-meter>`);
    const status = getByRole(el, 'status');
    expect(visibleText(status)).to.equal('20 of 25 seats used · 5 remaining');
    expect(status.getAttribute('aria-live')).to.equal('polite');
  });

  it('renders nothing without seats', async () => {
    const el = await fixture<HrSeatMeter>(html`<hr-seat-meter></hr-seat-meter>`);
    expect(visibleText(el)).to.equal('');
  });

  it('has no axe violations', async () => {
    await expectAccessible(await fixture(html`<hr-seat-meter .seats=${{ limit: 25, used: 20, remaining: 5 }} selected="3"></hr-seat-meter>`));
  });
});
