import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { Contact, ImportResult, SkipReason } from '../../api/types.js';
import { define } from '../../define.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { importSummaryStyles } from './import-summary.styles.js';

/** Why a contact was not invited, in the admin's words; getters, so each read is in the current locale. */
export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = {
  get already_member() {
    return msg('Already a member');
  },
  get already_invited() {
    return msg('Already invited');
  },
  get no_email() {
    return msg('No email address');
  },
  get invalid_email() {
    return msg('Invalid email address');
  },
  get duplicate() {
    return msg('Listed twice');
  },
  get not_found() {
    return msg('No longer in the directory');
  },
};

/**
 * The confirmation after Import Contacts (the article's step 8): how many were invited, and
 * each contact skipped with its reason.
 *
 * @summary Result of an import.
 * @csspart totals - The invited and skipped counts.
 * @csspart skipped-list - The skipped contacts.
 * @cssproperty [--hr-skipped-list-max-height=18rem] - Height of the scrolling list.
 */
export class HrImportSummary extends LitElement {
  static override styles = [sharedStyles, importSummaryStyles];
  static override properties = {
    result: { attribute: false },
    contacts: { attribute: false },
  };

  declare result: ImportResult | null;
  /** Contacts known to the widget, to name the skipped ones. */
  declare contacts: ReadonlyMap<string, Contact>;

  constructor() {
    super();
    this.result = null;
    this.contacts = new Map();
    updateWhenLocaleChanges(this);
  }

  private renderSkipped(item: ImportResult['skipped'][number]) {
    const contact = this.contacts.get(item.contactId);
    const email = item.email ?? contact?.email ?? null;
    return html`
      <li>
        <span class="who">
          <span class="name">${contact?.displayName ?? email ?? item.contactId}</span>
          ${contact && email ? html`<span class="email">${email}</span>` : nothing}
        </span>
        <span class="reason">${SKIP_REASONS[item.reason] ?? item.reason}</span>
      </li>
    `;
  }

  override render() {
    const result = this.result;
    if (!result) return nothing;
    const skipped = result.skipped.length;
    return html`
      <div class="totals" part="totals">
        <p class="total invited">${msg(str`${result.invited} invited`)}</p>
        ${skipped ? html`<p class="total skipped">${msg(str`${skipped} skipped`)}</p>` : nothing}
      </div>
      ${
        skipped
          ? html`
              <h3 id="skipped-heading">${msg('Not invited')}</h3>
              <ul class="skipped-list" part="skipped-list" role="list" aria-labelledby="skipped-heading" tabindex="0">
                ${result.skipped.map((item) => this.renderSkipped(item))}
              </ul>
            `
          : nothing
      }
      <p class="seats">
        ${msg('Invitations are on their way by email.')}
        ${result.seats.remaining === 1 ? msg('1 seat remains on your plan.') : msg(str`${result.seats.remaining} seats remain on your plan.`)}
      </p>
    `;
  }
}

define('hr-import-summary', HrImportSummary);

declare global {
  interface HTMLElementTagNameMap {
    'hr-import-summary': HrImportSummary;
  }
}
