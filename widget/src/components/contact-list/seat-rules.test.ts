import { expect } from '@open-wc/testing';
import { seatLimitMessage, surplusMessage } from './seat-rules.js';

describe('seat rules', () => {
  it('say how many more users the plan allows', () => {
    expect(seatLimitMessage(0)).to.equal("Your plan's user limit allows no more users");
    expect(seatLimitMessage(-3)).to.equal("Your plan's user limit allows no more users");
    expect(seatLimitMessage(1)).to.equal("Your plan's user limit allows 1 more user");
    expect(seatLimitMessage(12)).to.equal("Your plan's user limit allows 12 more users");
  });

  it('say nothing while the selection fits in the free seats', () => {
    expect(surplusMessage(18, 18)).to.equal('');
    expect(surplusMessage(0, 0)).to.equal('');
    expect(surplusMessage(5, Number.POSITIVE_INFINITY)).to.equal('');
  });

  it('say how many people to untick past the free seats', () => {
    expect(surplusMessage(20, 18)).to.equal('Untick 2 people: 18 seats are free');
    expect(surplusMessage(19, 18)).to.equal('Untick 1 person: 18 seats are free');
    expect(surplusMessage(3, 1)).to.equal('Untick 2 people: 1 seat is free');
    expect(surplusMessage(1, 0)).to.equal('Untick 1 person: no seats are free');
    expect(surplusMessage(98_000, 500)).to.equal('Untick 97,500 people: 500 seats are free');
  });
});
