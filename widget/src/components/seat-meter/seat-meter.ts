import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { Seats } from '../../api/types.js';
import { define } from '../../define.js';
import { styleProps } from '../../directives/style-props.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { seatMeterStyles } from './seat-meter.styles.js';

/**
 * The plan's user limit: "X of Y seats used · Z remaining", with a bar that also shows the
 * current selection. A polite status region, so changes are announced.
 *
 * @summary Seats used and remaining on the target's plan.
 * @csspart base - The wrapper.
 * @csspart bar - The bar (decorative).
 * @cssproperty [--hr-seat-meter-track=#e4e8ec] - Background of the bar.
 * @cssproperty [--hr-seat-meter-used=#57606a] - Seats already used.
 */
export class HrSeatMeter extends LitElement {
  static override styles = [sharedStyles, seatMeterStyles];
  static override properties = {
    seats: { attribute: false },
    selected: { type: Number },
  };

  /** Seats of the target's plan, from the session or the last import. */
  declare seats: Seats | null;
  /** Contacts currently selected, drawn after the used seats. */
  declare selected: number;

  constructor() {
    super();
    this.seats = null;
    this.selected = 0;
    updateWhenLocaleChanges(this);
  }

  /** The bar's shares of the limit, as the widths its two parts take (set through the CSSOM: see styleProps). */
  private widths(seats: Seats): Record<string, string> {
    const limit = Math.max(seats.limit, 1);
    const used = Math.min(seats.used / limit, 1);
    const selected = Math.min(this.selected / limit, 1 - used);
    return { '--_hr-used': `${used * 100}%`, '--_hr-selected': `${selected * 100}%` };
  }

  override render() {
    const seats = this.seats;
    if (!seats) return nothing;
    return html`
      <div class="meter" part="base">
        <p class="text" role="status" aria-live="polite">
          <strong>${msg(str`${seats.used} of ${seats.limit} seats used`)}</strong> ·
          ${seats.remaining > 0 ? msg(str`${seats.remaining} remaining`) : msg('no seats remaining')}
        </p>
        <div class="bar" part="bar" aria-hidden="true" style=${styleProps(this.widths(seats))}>
          <div class="used"></div>
          <div class="selected"></div>
        </div>
      </div>
    `;
  }
}

define('hr-seat-meter', HrSeatMeter);

declare global {
  interface HTMLElementTagNameMap {
    'hr-seat-meter': HrSeatMeter;
  }
}
