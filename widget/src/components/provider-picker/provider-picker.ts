import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task, initialState } from '@lit/task';
import type { ConnectionState, ProviderInfo } from '../../../../bff/contract.js';
import { toApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrProviderSelectEvent, type HrConnectionChangeEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import '../provider-connect/provider-connect.js';
import { providerPickerStyles } from './provider-picker.styles.js';

const STATE_TEXT: Record<Exclude<ConnectionState, 'ready'>, string> = {
  needs_credentials: 'Needs connection',
  error: 'Error',
};

/** The outcome of "Test connection" (or of "Disconnect" when it failed), per provider. */
type Check = { state: 'pending'; text: string } | { state: 'ok'; sample: number } | { state: 'error'; message: string };

/** A provider the admin's organization connects itself (the BFF says which fields it needs). */
const ownConnection = (p: ProviderInfo) => p.oauth === true || (p.fields !== undefined && p.fields.length > 0);

/**
 * The HR applications configured for this deployment, one button each (the article's step 5).
 * A ready provider is picked with its button. One the admin's organization connects itself opens
 * the connect form while it needs credentials, and offers Test connection and Disconnect once
 * ready. Others that are not ready are shown with their state and cannot be picked.
 *
 * @summary Pick the HR application to import contacts from, connecting it first if needed.
 * @event hr-provider-select - Internal (not composed): a ready provider was picked.
 * @csspart list - The list of providers.
 * @csspart provider - Each provider card.
 * @csspart form - The connect form.
 * @cssproperty [--hr-provider-logo-background=#e7f3ec] - Background of a provider's initial.
 * @cssproperty [--hr-provider-logo-color=#0f5132] - Color of a provider's initial.
 */
export class HrProviderPicker extends LitElement {
  static override styles = [sharedStyles, providerPickerStyles];
  static override properties = {
    _connecting: { state: true },
    _checks: { state: true },
    _notice: { state: true },
    reconnect: { attribute: false },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _providers = new Task(this, {
    task: async ([api], { signal }) => (api ? (await api.listProviders(signal)).items : initialState),
    args: () => [this._api.value] as const,
  });

  /** The provider whose button gets focus once the list shows again. */
  private _focusId: string | null = null;

  /** The provider whose connect form is open. */
  private declare _connecting: ProviderInfo | null;
  private declare _checks: ReadonlyMap<string, Check>;
  /** Announced politely: what the last connect or disconnect did. */
  private declare _notice: string;

  /** A provider whose stored credentials stopped working: its connect step opens, saying why. */
  declare reconnect: ProviderInfo | null;

  constructor() {
    super();
    this.reconnect = null;
    this._connecting = null;
    this._checks = new Map();
    this._notice = '';
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('reconnect') && this.reconnect) this._connecting = this.reconnect;
  }

  override updated() {
    if (this._focusId === null) return;
    const button = this.renderRoot.querySelector<HTMLButtonElement>(`button[data-provider="${CSS.escape(this._focusId)}"]`);
    if (button) {
      this._focusId = null;
      button.focus();
    }
  }

  private handlePick(provider: ProviderInfo) {
    if (provider.connection === 'ready') {
      this.dispatchEvent(new HrProviderSelectEvent(provider));
      return;
    }
    this._notice = '';
    this._connecting = provider;
  }

  private handleConnected(event: HrConnectionChangeEvent) {
    this.closeForm(event.provider);
    this._notice = `${event.provider.name} is connected.`;
    this.setCheck(event.provider.id, null);
    void this._providers.run();
  }

  private closeForm(provider: ProviderInfo) {
    this._connecting = null;
    this._focusId = provider.id;
  }

  private async handleTest(provider: ProviderInfo) {
    const api = this._api.value;
    if (!api) return;
    this.setCheck(provider.id, { state: 'pending', text: `Testing the connection to ${provider.name}…` });
    try {
      const { sample } = await api.testConnection(provider.id);
      this.setCheck(provider.id, { state: 'ok', sample });
    } catch (error) {
      this.setCheck(provider.id, { state: 'error', message: toApiError(error).message });
    }
  }

  private async handleDisconnect(provider: ProviderInfo) {
    const api = this._api.value;
    if (!api) return;
    this.setCheck(provider.id, { state: 'pending', text: `Disconnecting ${provider.name}…` });
    try {
      await api.deleteConnection(provider.id);
      this.setCheck(provider.id, null);
      this._notice = `${provider.name} is disconnected.`;
      this._focusId = provider.id;
      void this._providers.run();
    } catch (error) {
      this.setCheck(provider.id, { state: 'error', message: toApiError(error).message });
    }
  }

  private setCheck(id: string, check: Check | null) {
    const next = new Map(this._checks);
    if (check) next.set(id, check);
    else next.delete(id);
    this._checks = next;
  }

  private renderCheck(provider: ProviderInfo) {
    const check = this._checks.get(provider.id);
    if (!check) return nothing;
    if (check.state === 'pending') return html`<span class="check" role="status">${check.text}</span>`;
    if (check.state === 'ok') {
      return html`<span class="check ok" role="status">Connection works: ${check.sample} ${check.sample === 1 ? 'person' : 'people'} on the first page.</span>`;
    }
    return html`<span class="check error" role="alert">${check.message}</span>`;
  }

  private renderActions(provider: ProviderInfo) {
    const busy = this._checks.get(provider.id)?.state === 'pending';
    return html`
      <span class="actions">
        <button type="button" class="btn link" aria-label="Test connection to ${provider.name}" ?disabled=${busy} @click=${() => this.handleTest(provider)}>
          Test connection
        </button>
        <button type="button" class="btn link" aria-label="Disconnect ${provider.name}" ?disabled=${busy} @click=${() => this.handleDisconnect(provider)}>
          Disconnect
        </button>
      </span>
    `;
  }

  private renderProvider(provider: ProviderInfo) {
    const stateId = `provider-${provider.id}-state`;
    const ready = provider.connection === 'ready';
    const own = ownConnection(provider);
    // The whole card is clickable (the button stretches over it), but the button's own text is
    // just the provider's name: that is its accessible name; the state is its description.
    return html`
      <li class="provider ${provider.connection} ${own ? 'own' : ''}" part="provider">
        <span class="logo" aria-hidden="true">${provider.name.trim().charAt(0).toUpperCase()}</span>
        <span class="text">
          <button
            type="button"
            class="name"
            data-provider=${provider.id}
            ?disabled=${!ready && !own}
            aria-describedby=${ready ? nothing : stateId}
            @click=${() => this.handlePick(provider)}
          >
            ${provider.name}
          </button>
          ${provider.connection === 'ready'
            ? nothing
            : html`<span class="state ${provider.connection}" id=${stateId}>${STATE_TEXT[provider.connection]}</span>`}
          ${own && ready ? this.renderActions(provider) : nothing} ${this.renderCheck(provider)}
        </span>
      </li>
    `;
  }

  private renderList(providers: ProviderInfo[]) {
    return providers.length
      ? html`<ul class="providers" part="list" role="list" aria-label="HR applications">
          ${providers.map((p) => this.renderProvider(p))}
        </ul>`
      : html`<p class="muted">No HR applications are configured for this deployment.</p>`;
  }

  override render() {
    if (this._connecting) {
      const provider = this._connecting;
      return html`<hr-provider-connect
        exportparts="form"
        .provider=${provider}
        ?reconnect=${provider.id === this.reconnect?.id}
        @hr-connection-change=${this.handleConnected}
        @hr-connect-cancel=${() => this.closeForm(provider)}
      ></hr-provider-connect>`;
    }
    return html`
      <p class="sr-only" role="status">${this._notice}</p>
      ${this._providers.render({
        initial: () => html`<p class="loading">Waiting for a session…</p>`,
        // A reload after connecting keeps the list on screen (and the focus in it).
        pending: () =>
          this._providers.value ? this.renderList(this._providers.value) : html`<p class="loading" role="status">Loading HR applications…</p>`,
        error: (error) => html`
          <div class="alert" role="alert">
            <div>${toApiError(error).message}</div>
            <button type="button" class="btn" @click=${() => this._providers.run()}>Retry</button>
          </div>
        `,
        complete: (providers) => this.renderList(providers),
      })}
    `;
  }
}

define('hr-provider-picker', HrProviderPicker);

declare global {
  interface HTMLElementTagNameMap {
    'hr-provider-picker': HrProviderPicker;
  }
}
