import { expect } from '@open-wc/testing';
import { MAX_TRACK_HEIGHT, rowWindow, scrollTopFor } from './row-window.js';

const view = (total: number, scrollTop: number) => ({ total, rowHeight: 56, viewHeight: 400, scrollTop });

describe('row window', () => {
  it('renders the rows in view and a few around them, each at its own place', () => {
    const w = rowWindow(view(100_000, 56 * 1000 + 10));
    expect([w.firstVisible, w.lastVisible]).to.deep.equal([1000, 1007]);
    expect([w.first, w.last]).to.deep.equal([996, 1011]);
    expect(w.top(1000)).to.equal(56 * 1000);
    expect(w.track).to.equal(5_600_000);
  });

  it("caps the track below the browsers' maximum height and still reaches the last row", () => {
    const total = 1_000_000; // 56 million pixels of rows
    const bottom = MAX_TRACK_HEIGHT - 400;
    const w = rowWindow(view(total, bottom));
    expect(w.track).to.equal(MAX_TRACK_HEIGHT);
    expect(w.lastVisible).to.equal(total - 1);
    // The last row's bottom meets the bottom of the view.
    expect(w.top(total - 1) + 56).to.be.closeTo(bottom + 400, 0.001);
    expect(scrollTopFor(total - 1, view(total, 0))).to.be.closeTo(bottom, 0.001);
    // A row in the middle, brought into view, is where the window puts it.
    const top = scrollTopFor(500_000, view(total, 0));
    const middle = rowWindow(view(total, top));
    expect(middle.lastVisible).to.equal(500_000);
    expect(middle.top(500_000) + 56).to.be.closeTo(top + 400, 0.001);
  });

  it('moves as little as possible to show a row', () => {
    expect(scrollTopFor(3, view(100, 0))).to.equal(0);
    expect(scrollTopFor(20, view(100, 0))).to.equal(21 * 56 - 400);
    expect(scrollTopFor(2, view(100, 560))).to.equal(112);
  });
});
