import { expect } from '@open-wc/testing';
import { noSelection, selectAll, emptyQuery, withContact } from '../../model/selection.js';
import { checkRefusal, seatLimitMessage, selectAllRefusal } from './seat-rules.js';

describe('seat rules', () => {
  it('say how many more users the plan allows', () => {
    expect(seatLimitMessage(0)).to.equal("Your plan's user limit allows no more users");
    expect(seatLimitMessage(-3)).to.equal("Your plan's user limit allows no more users");
    expect(seatLimitMessage(1)).to.equal("Your plan's user limit allows 1 more user");
    expect(seatLimitMessage(12)).to.equal("Your plan's user limit allows 12 more users");
  });

  it('allow Select All while every selectable match fits in the seats left', () => {
    expect(selectAllRefusal(26, 26)).to.equal('');
    expect(selectAllRefusal(0, 0)).to.equal('');
    expect(selectAllRefusal(5, Number.POSITIVE_INFINITY)).to.equal('');
  });

  it('refuse Select All past the seats left, with the number that matched', () => {
    expect(selectAllRefusal(26, 10)).to.equal("Your plan's user limit allows 10 more users; 26 contacts match.");
    expect(selectAllRefusal(1, 0)).to.equal("Your plan's user limit allows no more users; 1 contact matches.");
    expect(selectAllRefusal(98_000, 500)).to.equal("Your plan's user limit allows 500 more users; 98,000 contacts match.");
  });

  it('refuse checking one more contact once the selection has taken every seat left', () => {
    const two = withContact(withContact(noSelection(), 'a', true), 'b', true);
    expect(checkRefusal(two, 3)).to.equal('');
    expect(checkRefusal(two, 2)).to.equal("Your plan's user limit allows 2 more users.");
    // A Select All counts what it covers, not what is loaded.
    const all = { ...selectAll(emptyQuery(), 40), except: new Set(['a']) };
    expect(checkRefusal(all, 40)).to.equal('');
    expect(checkRefusal(all, 39)).to.equal("Your plan's user limit allows 39 more users.");
  });
});
