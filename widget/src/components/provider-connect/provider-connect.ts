import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { CredentialField, ProviderInfo } from '../../api/types.js';
import { isAbort, toApiError, type ApiClient, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrConnectCancelEvent, HrConnectionChangeEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { providerConnectStyles } from './provider-connect.styles.js';
import { openSignInWindow, waitForSignIn } from './sign-in-popup.js';

/**
 * Connects an HR application for the admin's organization: one labelled field per credential the
 * BFF asks for (secrets as password fields), sent once to the BFF, which stores them encrypted
 * and never sends them back. Labs and challenges of the same organization share the connection.
 * A provider connected by signing in (`oauth`) offers "Sign in with …" instead: a popup to the
 * provider, which reports back to this page through the BFF (see sign-in-popup.ts).
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
    _signingIn: { state: true },
    _signInProblem: { state: true },
    provider: { attribute: false },
    reconnect: { type: Boolean },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  declare private _saving: boolean;
  declare private _error: ApiError | null;
  declare private _signingIn: boolean;
  /** Why the last sign-in did not connect (blocked, closed, declined, refused). */
  declare private _signInProblem: string | null;
  /** Ends the sign-in in progress (and closes its window) when the form goes away. */
  private _signInAbort: AbortController | null = null;

  /** The provider to connect; its `fields` say what to ask. */
  declare provider: ProviderInfo | null;
  /** Its stored credentials stopped working (expired or revoked): say so, and ask again. */
  declare reconnect: boolean;

  constructor() {
    super();
    this._saving = false;
    this._error = null;
    this._signingIn = false;
    this._signInProblem = null;
    this.provider = null;
    updateWhenLocaleChanges(this);
    this.reconnect = false;
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._signInAbort?.abort();
  }

  override firstUpdated() {
    this.renderRoot.querySelector<HTMLInputElement>('input, button.primary')?.focus();
  }

  /** Opens the window now, inside the click, so popup blockers let it through; fills it once the BFF answers. */
  private handleSignIn() {
    const api = this._api.value;
    const provider = this.provider;
    if (!api || !provider || this._signingIn) return;
    const popup = openSignInWindow();
    if (!popup) {
      this._signInProblem = msg('The browser blocked the sign-in window. Allow pop-ups for this page, then press Sign in again.');
      return;
    }
    void this.signIn(api, provider, popup);
  }

  private async signIn(api: ApiClient, provider: ProviderInfo, popup: Window) {
    const abort = new AbortController();
    this._signInAbort = abort;
    this._signingIn = true;
    this._signInProblem = null;
    try {
      const { authorizeUrl, callbackOrigin } = await api.startSignIn(provider.id, window.location.origin, abort.signal);
      popup.location.href = authorizeUrl;
      const outcome = await waitForSignIn(popup, { origin: callbackOrigin, provider: provider.id, signal: abort.signal });
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'closed') {
        this._signInProblem = msg('The sign-in window was closed before the sign-in finished. Press Sign in to try again.');
        return;
      }
      if (!outcome.ok) {
        this._signInProblem = outcome.message ?? msg('The sign-in did not connect. Press Sign in to try again.');
        return;
      }
      // The message only says the window finished: the BFF's own state decides.
      const { items } = await api.listProviders(abort.signal);
      const connected = items.find((p) => p.id === provider.id);
      if (connected?.connection === 'ready') this.dispatchEvent(new HrConnectionChangeEvent(connected, 'ready'));
      else this._signInProblem = msg(str`${provider.name} is not connected yet. Press Sign in to try again.`);
    } catch (error) {
      if (!popup.closed) popup.close();
      if (!isAbort(error)) this._signInProblem = toApiError(error).message;
    } finally {
      this._signingIn = false;
      if (this._signInAbort === abort) this._signInAbort = null;
    }
  }

  private handleCancel() {
    this._signInAbort?.abort();
    this.dispatchEvent(new HrConnectCancelEvent());
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

  private renderReconnect(provider: ProviderInfo) {
    if (!this.reconnect) return nothing;
    return html`<div class="alert" role="alert" id="reconnect-reason">
      ${msg(str`The connection to ${provider.name} stopped working: its access expired or was revoked. Connect it again to go on.`)}
    </div>`;
  }

  private renderSignIn(provider: ProviderInfo) {
    return html`
      <div part="form" class="sign-in" role="group" aria-labelledby="connect-heading">
        <h3 id="connect-heading">${this.reconnect ? msg(str`Reconnect ${provider.name}`) : msg(str`Connect ${provider.name}`)}</h3>
        ${this.renderReconnect(provider)}
        <p class="muted">
          ${msg(str`Sign in to ${provider.name} in a new window with an account allowed to read your directory. Only the access it grants is kept, encrypted, for your organization; every lab and challenge of your organization uses it.`)}
        </p>
        ${this._signingIn ? html`<p role="status">${msg('Waiting for the sign-in window…')}</p>` : nothing}
        ${this._signInProblem ? html`<div class="alert" role="alert" id="connect-error">${this._signInProblem}</div>` : nothing}
        <div class="actions">
          <button type="button" class="btn primary" ?disabled=${this._signingIn} @click=${this.handleSignIn}>${msg(str`Sign in with ${provider.name}`)}</button>
          <button type="button" class="btn" @click=${this.handleCancel}>${msg('Cancel')}</button>
        </div>
      </div>
    `;
  }

  override render() {
    const provider = this.provider;
    if (!provider) return nothing;
    if (provider.oauth) return this.renderSignIn(provider);
    const invalid = this.invalidFields();
    return html`
      <form part="form" aria-labelledby="connect-heading" @submit=${this.handleSubmit}>
        <h3 id="connect-heading">${msg(str`Connect ${provider.name}`)}</h3>
        ${this.renderReconnect(provider)}
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
