import { msg, str } from '@lit/localize';
import { formatNumber } from '../../locales/localize.js';
import { selectedCount, type Selection } from '../../model/selection.js';

/**
 * The plan's seats against the contact list's selection: the selection never grows past the
 * seats left (`remaining`), and each refusal says why. The BFF checks the seats again on import;
 * these rules are there so that the admin learns it while choosing, not after.
 */

/** The refusal shown when a selection would pass the plan's user limit. */
export function seatLimitMessage(remaining: number): string {
  if (remaining <= 0) return msg("Your plan's user limit allows no more users");
  return remaining === 1 ? msg("Your plan's user limit allows 1 more user") : msg(str`Your plan's user limit allows ${remaining} more users`);
}

/**
 * Why Select All is refused, or '' when it is allowed. Select All takes every selectable contact
 * matching the query, loaded or not: `selectable` of them, all of which need a seat.
 */
export function selectAllRefusal(selectable: number, remaining: number): string {
  if (selectable <= remaining) return '';
  return selectable === 1
    ? msg(str`${seatLimitMessage(remaining)}; 1 contact matches.`)
    : msg(str`${seatLimitMessage(remaining)}; ${formatNumber(selectable)} contacts match.`);
}

/** Why checking one more contact is refused, or '' when it is allowed. */
export function checkRefusal(selection: Selection, remaining: number): string {
  return selectedCount(selection) >= remaining ? `${seatLimitMessage(remaining)}.` : '';
}
