import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { CredentialField, ProviderInfo } from '../../../../bff/contract.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrConnectCancelEvent, HrConnectionChangeEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { providerConnectStyles } from './provider-connect.styles.js';

/**
 * Connects an HR application for the admin's organization: one labelled field per credential the
 * BFF asks for (secrets as password fields), sent once to the BFF, which stores them encrypted
 * and never sends them back. Labs and challenges of the same organization share the connection.
 *
 * @summary Enter the organization's credentials for an HR application.
 * @event hr-connection-change - Internal (not composed): the credentials were stored.
 * @event hr-connect-cancel - Internal (not composed): the admin went back without connecting.
 * @csspart form - The form.
 */
export class HrProviderConnect extends LitElement {
  static override styles = [sharedStyles, providerConnectStyles];
  static override properties = {
    _saving: { state: true },
    _error: { state: true },
    provider: { attribute: false },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private declare _saving: boolean;
  private declare _error: ApiError | null;

  /** The provider to connect; its `fields` say what to ask. */
  declare provider: ProviderInfo | null;

  constructor() {
    super();
    this._saving = false;
    this._error = null;
    this.provider = null;
    updateWhenLocaleChanges(this);
  }

  override firstUpdated() {
    this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  private async handleSubmit(event: SubmitEvent) {
    event.preventDefault();
    const api = this._api.value;
    const provider = this.provider;
    if (!api || !provider || this._saving) return;
    const form = new FormData(event.currentTarget as HTMLFormElement);
    // Only what the admin filled in: an empty optional field is left to the provider's default.
    const credentials = Object.fromEntries(
      (provider.fields ?? []).flatMap((f) => {
        const value = form.get(f.name);
        return typeof value === 'string' && value.trim() ? [[f.name, value]] : [];
      }),
    );
    this._saving = true;
    this._error = null;
    try {
      const { connection } = await api.saveConnection(provider.id, credentials);
      this.dispatchEvent(new HrConnectionChangeEvent(provider, connection));
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._saving = false;
    }
  }

  /** Fields the BFF refused by name (`details.fields[].path` is `credentials.<name>`). */
  private invalidFields(): Set<string> {
    const fields = (this._error?.details as { fields?: { path?: unknown }[] } | undefined)?.fields ?? [];
    return new Set(fields.flatMap((f) => (typeof f.path === 'string' && f.path.startsWith('credentials.') ? [f.path.slice('credentials.'.length)] : [])));
  }

  private renderField(field: CredentialField, invalid: boolean) {
    const id = `credential-${field.name}`;
    return html`
      <div class="row">
        <label class="field" for=${id}>${field.label}${field.required ? nothing : html` <span class="muted">${msg('(optional)')}</span>`}</label>
        <input
          id=${id}
          name=${field.name}
          type=${field.secret ? 'password' : 'text'}
          autocomplete="off"
          spellcheck="false"
          ?required=${field.required}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${invalid ? 'connect-error' : nothing}
        />
      </div>
    `;
  }

  override render() {
    const provider = this.provider;
    if (!provider) return nothing;
    const invalid = this.invalidFields();
    return html`
      <form part="form" aria-labelledby="connect-heading" @submit=${this.handleSubmit}>
        <h3 id="connect-heading">${msg(str`Connect ${provider.name}`)}</h3>
        <p class="muted" id="connect-hint">
          ${msg(
            'Credentials are stored encrypted for your organization and never shown again. Every lab and challenge of your organization uses this connection.',
          )}
        </p>
        ${(provider.fields ?? []).map((f) => this.renderField(f, invalid.has(f.name)))}
        ${this._error ? html`<div class="alert" role="alert" id="connect-error">${this._error.message}</div>` : nothing}
        <div class="actions">
          <button type="submit" class="btn primary" ?disabled=${this._saving}>${this._saving ? msg('Connecting…') : msg('Connect')}</button>
          <button type="button" class="btn" ?disabled=${this._saving} @click=${() => this.dispatchEvent(new HrConnectCancelEvent())}>${msg('Cancel')}</button>
        </div>
      </form>
    `;
  }
}

define('hr-provider-connect', HrProviderConnect);

declare global {
  interface HTMLElementTagNameMap {
    'hr-provider-connect': HrProviderConnect;
  }
}
