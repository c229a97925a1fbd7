import { expect, fixture, html as fixtureHtml } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { GridNavigation, type GridRows } from './grid-navigation.js';
import type { RowWindow } from './row-window.js';

/** Rows 0 to `last` rendered, `firstVisible` the first in view. */
const window = (first: number, last: number, firstVisible = first): RowWindow => ({ first, last, firstVisible, lastVisible: last, track: 0, top: () => 0 });

/** A grid of `count` rows, those of `shown` rendered; row 1's checkbox is disabled (a member, say) until `enabled`. */
class NavHost extends LitElement {
  count = 1000;
  enabled = false;
  readonly revealed: number[] = [];
  readonly rows: GridRows & { grid: HTMLElement | null; current: RowWindow } = {
    grid: null,
    current: window(0, 9),
    screenful: 4,
    reveal: (index, total) => this.revealed.push(index, total),
  };
  readonly nav = new GridNavigation(this, this.rows, () => this.count);

  override render() {
    const { first, last } = this.rows.current;
    const rows = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    return html`<div role="grid" tabindex=${this.nav.rendered ? -1 : 0} @keydown=${this.nav} @focusin=${this.nav} @pointerdown=${this.nav}>
      ${rows.map(
        (i) =>
          html`<div role="row" data-index=${i}>
            <div role="gridcell" tabindex="-1">
              <input type="checkbox" aria-label="row ${i}" tabindex=${i === this.nav.index ? 0 : -1} ?disabled=${i === 1 && !this.enabled} />
            </div>
          </div>`,
      )}
    </div>`;
  }

  override updated() {
    this.rows.grid = this.renderRoot.querySelector('[role="grid"]');
  }
}
customElements.define('test-grid-navigation-host', NavHost);

const focused = (host: NavHost) => host.shadowRoot!.activeElement as HTMLElement | null;
const press = (host: NavHost, key: string, init: KeyboardEventInit = {}) => {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init });
  focused(host)!.dispatchEvent(event);
  return event;
};

async function mount(): Promise<NavHost> {
  const host = await fixture<NavHost>(fixtureHtml`<test-grid-navigation-host></test-grid-navigation-host>`);
  await host.nav.focusRow(0);
  return host;
}

describe('GridNavigation', () => {
  it('moves the tab stop with the arrows, a screenful with Page keys, and to either end with Home and End', async () => {
    const host = await mount();
    expect(focused(host)!.getAttribute('aria-label')).to.equal('row 0');
    const moves: [string, number][] = [
      ['ArrowUp', 0],
      ['PageDown', 4],
      ['ArrowDown', 5],
      ['PageUp', 1],
      ['End', 999],
      ['ArrowDown', 999],
      ['Home', 0],
    ];
    for (const [key, row] of moves) {
      const event = press(host, key);
      await host.updateComplete;
      expect(event.defaultPrevented, key).to.be.true;
      expect(host.nav.index, key).to.equal(row);
      expect(host.revealed.slice(-2), key).to.deep.equal([row, 1000]);
    }
  });

  it('leaves keys with Alt or Meta, and an empty grid, to the browser', async () => {
    const host = await mount();
    expect(press(host, 'ArrowDown', { altKey: true }).defaultPrevented).to.be.false;
    expect(press(host, 'End', { metaKey: true }).defaultPrevented).to.be.false;
    host.count = 0;
    expect(press(host, 'ArrowDown').defaultPrevented).to.be.false;
    expect(host.nav.index).to.equal(0);
  });

  it('focuses the cell of a row without a checkbox to toggle, keeps Space from scrolling there, and hands the focus on once there is one', async () => {
    const host = await mount();
    press(host, 'ArrowDown');
    await host.updateComplete;
    expect(focused(host)!.getAttribute('role')).to.equal('gridcell');
    expect(press(host, ' ').defaultPrevented).to.be.true;
    host.enabled = true;
    host.requestUpdate();
    await host.updateComplete;
    expect(focused(host)!.getAttribute('aria-label')).to.equal('row 1');
  });

  it('gives the tab stop to the row clicked or focused', async () => {
    const host = await mount();
    const fifth = host.renderRoot.querySelector<HTMLElement>('[data-index="5"] input')!;
    fifth.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    expect(host.nav.index).to.equal(5);
    host.renderRoot.querySelector<HTMLElement>('[data-index="7"] input')!.focus();
    expect(host.nav.index).to.equal(7);
  });

  it('lets the grid hold the tab stop while its row is scrolled away, and hands it to the first row in view', async () => {
    const host = await mount();
    host.rows.current = window(46, 63, 50);
    host.requestUpdate();
    await host.updateComplete;
    expect(host.nav.rendered).to.be.false;
    const grid = host.rows.grid!;
    expect(grid.tabIndex).to.equal(0);
    grid.focus();
    await host.updateComplete;
    await host.updateComplete;
    expect(host.nav.index).to.equal(50);
    expect(focused(host)!.getAttribute('aria-label')).to.equal('row 50');
  });
});
