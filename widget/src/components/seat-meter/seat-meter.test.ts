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

  it('draws the used seats and the selection on the bar', async () => {
    const el = await fixture<HrSeatMeter>(html`<hr-seat-meter .seats=${{ limit: 25, used: 20, remaining: 5 }} selected="3"></hr-seat-meter>`);
    await el.updateComplete;
    const bar = el.shadowRoot!.querySelector<HTMLElement>('.bar')!;
    const used = el.shadowRoot!.querySelector<HTMLElement>('.used')!;
    const selected = el.shadowRoot!.querySelector<HTMLElement>('.selected')!;
    const width = bar.getBoundingClientRect().width;
    expect(used.getBoundingClientRect().width / width).to.be.closeTo(0.8, 0.01);
    expect(selected.getBoundingClientRect().width / width).to.be.closeTo(0.12, 0.01);
    expect((selected.getBoundingClientRect().left - bar.getBoundingClientRect().left) / width).to.be.closeTo(0.8, 0.01);
  });

  it('says when no seat remains', async () => {
    const el = await fixture<HrSeatMeter>(html`<hr-seat-meter .seats=${{ limit: 5, used: 5, remaining: 0 }}></hr-seat-meter>`);
    expect(visibleText(getByRole(el, 'status'))).to.equal('5 of 5 seats used · no seats remaining');
  });

  it('renders nothing without seats', async () => {
    const el = await fixture<HrSeatMeter>(html`<hr-seat-meter></hr-seat-meter>`);
    expect(visibleText(el)).to.equal('');
  });

  it('has no axe violations', async () => {
    await expectAccessible(await fixture(html`<hr-seat-meter .seats=${{ limit: 25, used: 20, remaining: 5 }} selected="3"></hr-seat-meter>`));
  });
});
