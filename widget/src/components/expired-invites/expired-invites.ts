import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, initialState } from '@lit/task';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { InviteResendResult, InviteSummary } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrSeatsChangeEvent } from '../../events/sync.js';
import { formatDateTime, formatNumber } from '../../locales/localize.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { syncStyles } from '../../styles/sync.styles.js';
import { skipReason } from '../../model/sync-rule.js';
import { checkAll, toggled } from '../../templates/check-all.js';
import { retryAlert } from '../../templates/retry-alert.js';

/** Expired invites listed at once (the contract's page limit is 500). */
const PAGE = 200;

/**
 * Invites that expired before anyone accepted them, with a bulk Resend: each gets a new link and
 * expiry within the seats and the mail budget; what was not resent is listed with the reason.
 *
 * @summary Resend expired invites.
 * @event hr-seats-change - Internal: resent invites took seats again.
 */
export class HrExpiredInvites extends LitElement {
  static override styles = [sharedStyles, syncStyles];
  static override properties = {
    _checked: { state: true },
    _busy: { state: true },
    _result: { state: true },
    _error: { state: true },
    version: { type: Number },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _invites = new Task(this, {
    task: async ([api], { signal }) => (api ? (await api.listInvites({ status: 'expired', limit: PAGE }, signal)).items : initialState),
    args: () => [this._api.value, this.version, this._reads] as const,
  });

  /** Bumped to read the list again after a resend. */
  private _reads = 0;

  declare private _checked: ReadonlySet<string>;
  declare private _busy: boolean;
  declare private _result: InviteResendResult | null;
  declare private _error: ApiError | null;

  /** Changed by the view when something else changed invites: the list is read again. */
  declare version: number;

  constructor() {
    super();
    this._checked = new Set();
    this._busy = false;
    this._result = null;
    this._error = null;
    this.version = 0;
    updateWhenLocaleChanges(this);
  }

  private async handleResend() {
    const api = this._api.value;
    const ids = [...this._checked];
    if (!api || this._busy || !ids.length) return;
    this._busy = true;
    this._error = null;
    this._result = null;
    try {
      const result = await api.resendInvites(ids);
      this._result = result;
      this._checked = new Set(result.skipped.map((s) => s.id).filter((id) => this._checked.has(id)));
      this._reads += 1;
      this.dispatchEvent(new HrSeatsChangeEvent(result.seats));
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._busy = false;
    }
  }

  private renderResult(invites: readonly InviteSummary[]) {
    if (this._error) return retryAlert(this._error, this.handleResend);
    const result = this._result;
    if (!result) return nothing;
    const nameOf = (id: string) => invites.find((i) => i.id === id)?.name ?? invites.find((i) => i.id === id)?.email ?? id;
    return html`<div class=${result.skipped.length ? 'alert' : 'success'} role="status">
      ${msg(str`${formatNumber(result.resent.length)} resent.`)}
      ${
        result.skipped.length
          ? html`${msg(str`${formatNumber(result.skipped.length)} not resent:`)}
              <ul>
                ${result.skipped.map((s) => html`<li>${nameOf(s.id)}: ${skipReason(s.reason)}</li>`)}
              </ul>`
          : nothing
      }
    </div>`;
  }

  private renderRow(invite: InviteSummary) {
    const name = invite.name ?? invite.email;
    return html`<li>
      <input
        type="checkbox"
        aria-label=${msg(str`Select ${name}`)}
        .checked=${live(this._checked.has(invite.id))}
        @change=${(e: Event) => (this._checked = toggled(this._checked, invite.id, (e.target as HTMLInputElement).checked))}
      />
      <span class="who">
        <span class="name">${name}</span>
        ${invite.name ? html`<span class="email">${invite.email}</span>` : nothing}
      </span>
      <span class="what">${msg(str`Expired ${formatDateTime(new Date(invite.expiresAt))}`)}</span>
    </li>`;
  }

  private renderList(invites: readonly InviteSummary[]) {
    const ids = invites.map((i) => i.id);
    const count = ids.filter((id) => this._checked.has(id)).length;
    return html`${this.renderResult(invites)}
    ${
      invites.length
        ? html`<div class="toolbar">
              ${checkAll(msg('Select all expired invites'), ids, this._checked, (next) => (this._checked = next))}
              <span class="spacer"></span>
              <button type="button" class="btn primary" ?disabled=${this._busy || !count} @click=${this.handleResend}>
                ${msg(str`Resend (${formatNumber(count)})`)}
              </button>
            </div>
            <ul class="rows" role="list" aria-label=${msg('Expired invites')}>
              ${repeat(
                invites,
                (i) => i.id,
                (i) => this.renderRow(i),
              )}
            </ul>`
        : html`<p class="muted">${msg('No invites have expired.')}</p>`
    }`;
  }

  override render() {
    return html`<section aria-labelledby="expired-heading">
      <h3 id="expired-heading">${msg('Expired invites')}</h3>
      ${this._invites.render({
        pending: () => (this._invites.value ? this.renderList(this._invites.value) : html`<p class="loading" role="status">${msg('Loading…')}</p>`),
        complete: (invites) => this.renderList(invites),
        error: (error) => retryAlert(error, () => void this._invites.run()),
      })}
    </section>`;
  }
}

define('hr-expired-invites', HrExpiredInvites);

declare global {
  interface HTMLElementTagNameMap {
    'hr-expired-invites': HrExpiredInvites;
  }
}
