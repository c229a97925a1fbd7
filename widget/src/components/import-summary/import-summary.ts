import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { Contact, ImportResult, Role, SkipReason } from '../../api/types.js';
import { define } from '../../define.js';
import { roleLabel } from '../../locales/labels.js';
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

/** The confirmation's title: it says an import happened only when someone was invited. */
export const summaryTitle = (result: ImportResult | null) => (result && result.invited === 0 ? msg('No one was invited') : msg('Contacts imported'));

/**
 * The confirmation after Import Contacts (the article's step 8): who was invited with which
 * role, and each contact skipped with its reason. When every contact was skipped it says that
 * no invitation was sent, in a neutral state, never that invitations are on their way.
 *
 * @summary Result of an import.
 * @csspart totals - The invited and skipped counts.
 * @csspart invited-list - The invited people and their roles.
 * @csspart skipped-list - The skipped contacts.
 * @cssproperty [--hr-skipped-list-max-height=18rem] - Height of each scrolling list (invited, not invited).
 */
export class HrImportSummary extends LitElement {
  static override styles = [sharedStyles, importSummaryStyles];
  static override properties = {
    result: { attribute: false },
    contacts: { attribute: false },
    roles: { attribute: false },
  };

  declare result: ImportResult | null;
  /** Contacts known to the widget, to name the skipped ones. */
  declare contacts: ReadonlyMap<string, Contact>;
  /** The target's roles, to name each invite's role by its label. */
  declare roles: readonly Role[];

  constructor() {
    super();
    this.result = null;
    this.contacts = new Map();
    this.roles = [];
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

  private renderInvited(result: ImportResult) {
    const unnamed = result.invited - result.invites.length;
    return html`
      <h3 id="invited-heading">${msg('Invited')}</h3>
      <p class="by-role">${result.roles.map((r) => msg(str`${r.count} as ${roleLabel(this.roles, r.role)}`)).join(' · ')}</p>
      <ul class="list" part="invited-list" role="list" aria-labelledby="invited-heading" tabindex="0">
        ${result.invites.map(
          (invite) => html`
            <li>
              <span class="who">
                <span class="name">${invite.name}</span>
                <span class="email">${invite.email}</span>
              </span>
              <span class="role">${roleLabel(this.roles, invite.role)}</span>
            </li>
          `,
        )}
        ${unnamed > 0 ? html`<li class="more">${msg(str`and ${unnamed} more`)}</li>` : nothing}
      </ul>
    `;
  }

  override render() {
    const result = this.result;
    if (!result) return nothing;
    const skipped = result.skipped.length;
    const none = result.invited === 0;
    return html`
      <div class="totals" part="totals">
        <p class="total ${none ? 'none' : 'invited'}">${msg(str`${result.invited} invited`)}</p>
        ${skipped ? html`<p class="total skipped">${msg(str`${skipped} skipped`)}</p>` : nothing}
      </div>
      ${none ? html`<p class="outcome" role="status">${msg('No invitation was sent: every selected contact was skipped, for the reasons below.')}</p>` : this.renderInvited(result)}
      ${
        skipped
          ? html`
              <h3 id="skipped-heading">${msg('Not invited')}</h3>
              <ul class="list skipped-list" part="skipped-list" role="list" aria-labelledby="skipped-heading" tabindex="0">
                ${result.skipped.map((item) => this.renderSkipped(item))}
              </ul>
            `
          : nothing
      }
      <p class="seats">
        ${none ? nothing : msg('Invitations are on their way by email.')}
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
