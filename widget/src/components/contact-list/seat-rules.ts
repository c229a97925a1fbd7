import { msg, str } from '@lit/localize';
import { formatNumber } from '../../locales/localize.js';

/**
 * The plan's seats against the selection. A selection may pass the seats left (`remaining`):
 * "Select All, then untick two" is how people pick 18 of 20. Until it fits, the admin is told how
 * many to untick and cannot go on; the BFF checks the seats again on import.
 */

/** The refusal shown when an import would pass the plan's user limit. */
export function seatLimitMessage(remaining: number): string {
  if (remaining <= 0) return msg("Your plan's user limit allows no more users");
  return remaining === 1 ? msg("Your plan's user limit allows 1 more user") : msg(str`Your plan's user limit allows ${remaining} more users`);
}

/** How many selected people take no seat: the ones to untick before going on. */
export const surplus = (selected: number, remaining: number): number => Math.max(0, selected - Math.max(0, remaining));

/** What to do about a selection past the free seats ("Untick 2 people: 18 seats are free"), or '' when it fits. */
export function surplusMessage(selected: number, remaining: number): string {
  const over = surplus(selected, remaining);
  if (over === 0) return '';
  const n = formatNumber(over);
  const free = formatNumber(Math.max(0, remaining));
  if (remaining <= 0) return over === 1 ? msg('Untick 1 person: no seats are free') : msg(str`Untick ${n} people: no seats are free`);
  if (remaining === 1) return over === 1 ? msg('Untick 1 person: 1 seat is free') : msg(str`Untick ${n} people: 1 seat is free`);
  return over === 1 ? msg(str`Untick 1 person: ${free} seats are free`) : msg(str`Untick ${n} people: ${free} seats are free`);
}
