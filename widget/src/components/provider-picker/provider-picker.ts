import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { getLocale } from '../../locales/localize.js';
import { labelIn } from '../../locales/labels.js';
import { Task, initialState } from '@lit/task';
import type { ConnectionState, ProviderInfo } from '../../api/types.js';
import { toApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrProviderSelectEvent, type FreshDirectory, type HrConnectionChangeEvent, type HrCsvConfirmEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { providerPickerStyles } from './provider-picker.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';

const STATE_TEXT: Record<Exclude<ConnectionState, 'ready'>, () => string> = {
  needs_credentials: () => msg('Needs connection'),
  error: () => msg('Error'),
};

/** The outcome of "Test connection" (or of "Disconnect" when it failed), per provider. */
type Check = { state: 'pending'; text: string } | { state: 'ok'; sample: number } | { state: 'error'; message: string; code: string };

/**
 * A directory this close to going stale is checked first: the contacts asked for a moment later
 * would otherwise find it stale and wait for a whole refresh in the BFF.
 */
const FRESH_MARGIN_MS = 60_000;

/** A provider the admin's organization connects itself (the BFF says which fields it needs, or it signs in). */
const ownConnection = (p: ProviderInfo) => p.oauth === true || (p.fields !== undefined && p.fields.length > 0);

/**
 * The connect form, loaded on first use like the CSV upload: most sessions pick a provider that
 * is connected already, and the first load has a budget to keep.
 */
const loadConnectForm = () => void import('../provider-connect/provider-connect.js');

/**
 * The logo of each provider type simple-icons has (logos.generated.ts), in a chunk of its own
 * (vite.config.ts): the first load has a budget to keep, and the initial shows until it is in.
 */
let logos: Promise<void> | undefined;
let LOGOS: typeof import('./logos.generated.js').LOGOS | undefined;

/** A provider whose directory is a CSV file the admin uploads (hr-import-csv-upload). */
const isCsv = (p: ProviderInfo) => p.type === 'csv';

/**
 * The HR applications configured for this deployment, one button each (the article's step 5).
 * A ready provider is picked with its button. One the admin's organization connects itself opens
 * the connect form while it needs credentials, and offers Test connection and Disconnect once
 * ready. Others that are not ready are shown with their state and cannot be picked.
 *
 * Set `reconnect` to a provider its organization connects itself and the picker opens straight
 * on its connect form (its stored credentials were refused); once saved, the provider is picked.
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
    _uploading: { state: true },
    _checks: { state: true },
    _notice: { state: true },
    reconnect: { attribute: false },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _providers = new Task(this, {
    task: async ([api], { signal }) => {
      if (!api) return initialState;
      const { items } = await api.listProviders(signal);
      this._listedAt = Date.now();
      return items;
    },
    args: () => [this._api.value] as const,
  });

  /** When the provider list was answered: its directories' `freshFor` counts from then. */
  private _listedAt = 0;

  /** The provider whose button gets focus once the list shows again. */
  private _focusId: string | null = null;

  /** The provider whose connect form is open. */
  declare private _connecting: ProviderInfo | null;
  /** The CSV provider whose upload form is open. */
  declare private _uploading: ProviderInfo | null;
  declare private _checks: ReadonlyMap<string, Check>;
  /** Announced politely: what the last connect or disconnect did. */
  declare private _notice: string;
  /** The provider whose credentials the provider refused: its form opens, and saving picks it. */
  declare reconnect: ProviderInfo | null;

  constructor() {
    super();
    this._connecting = null;
    this._uploading = null;
    this._checks = new Map();
    this._notice = '';
    this.reconnect = null;
    updateWhenLocaleChanges(this);
  }

  override connectedCallback() {
    super.connectedCallback();
    logos ??= import('./logos.generated.js').then(
      (m) => void (LOGOS = m.LOGOS),
      // Without the chunk (a deploy replaced it, the network dropped) the initials stay.
      () => (logos = undefined),
    );
    if (!LOGOS) void logos.then(() => this.requestUpdate());
  }

  override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('reconnect') && this.reconnect && ownConnection(this.reconnect)) {
      this._notice = '';
      loadConnectForm();
      this._connecting = this.reconnect;
    }
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
    // A CSV provider always opens its upload form: a new file, or on with the last one.
    if (isCsv(provider)) {
      // Loaded on first use: most deployments have an integration and never show the upload.
      void import('../csv-upload/csv-upload.js');
      this._notice = '';
      this._uploading = provider;
      return;
    }
    if (provider.connection === 'ready') {
      this.dispatchEvent(new HrProviderSelectEvent(provider, this.freshDirectory(provider)));
      return;
    }
    this._notice = '';
    loadConnectForm();
    this._connecting = provider;
  }

  /**
   * The provider's cached directory if it is still fresh for a while (by the list's answer and
   * this page's clock, so the two clocks need not agree): the contacts can then be listed without
   * asking for the directory's state first.
   */
  private freshDirectory(provider: ProviderInfo): FreshDirectory | null {
    const directory = provider.directory;
    if (!directory) return null;
    const until = this._listedAt + directory.freshFor * 1000 - FRESH_MARGIN_MS;
    return Date.now() < until ? { syncedAt: directory.syncedAt, until } : null;
  }

  private handleConnected(event: HrConnectionChangeEvent) {
    // Reconnecting interrupted an import: go straight back to its contacts with the new credentials.
    if (event.connection === 'ready' && this.reconnect?.id === event.provider.id) {
      this._connecting = null;
      this.dispatchEvent(new HrProviderSelectEvent({ ...event.provider, connection: event.connection }));
      return;
    }
    this.closeForm(event.provider);
    this._notice = msg(str`${event.provider.name} is connected.`);
    this.setCheck(event.provider.id, null);
    void this._providers.run();
  }

  private handleCsvConfirm(event: HrCsvConfirmEvent) {
    this._uploading = null;
    this.dispatchEvent(new HrProviderSelectEvent(event.provider));
  }

  private closeForm(provider: ProviderInfo) {
    this._connecting = null;
    this._uploading = null;
    this._focusId = provider.id;
  }

  private async handleTest(provider: ProviderInfo) {
    const api = this._api.value;
    if (!api) return;
    this.setCheck(provider.id, { state: 'pending', text: msg(str`Testing the connection to ${provider.name}…`) });
    try {
      const { sample } = await api.testConnection(provider.id);
      this.setCheck(provider.id, { state: 'ok', sample });
    } catch (error) {
      const { message, code } = toApiError(error);
      this.setCheck(provider.id, { state: 'error', message, code });
    }
  }

  private async handleDisconnect(provider: ProviderInfo) {
    const api = this._api.value;
    if (!api) return;
    this.setCheck(provider.id, { state: 'pending', text: msg(str`Disconnecting ${provider.name}…`) });
    try {
      await api.deleteConnection(provider.id);
      this.setCheck(provider.id, null);
      this._notice = msg(str`${provider.name} is disconnected.`);
      this._focusId = provider.id;
      void this._providers.run();
    } catch (error) {
      const { message, code } = toApiError(error);
      this.setCheck(provider.id, { state: 'error', message, code });
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
      const sample = check.sample;
      return html`<span class="check ok" role="status"
        >${sample === 1 ? msg('Connection works: 1 person on the first page.') : msg(str`Connection works: ${sample} people on the first page.`)}</span
      >`;
    }
    // Refused credentials (wrong, revoked, expired) are fixed by entering new ones: offer that here.
    const reconnect =
      check.code === 'provider_auth'
        ? html`<button type="button" class="btn link" @click=${() => this.handlePick({ ...provider, connection: 'needs_credentials' })}>
            ${msg(str`Reconnect ${provider.name}`)}
          </button>`
        : nothing;
    return html`<span class="check error" role="alert">${check.message}</span>${reconnect}`;
  }

  private renderActions(provider: ProviderInfo) {
    const busy = this._checks.get(provider.id)?.state === 'pending';
    return html`
      <span class="actions">
        <button
          type="button"
          class="btn link"
          aria-label=${msg(str`Test connection to ${provider.name}`)}
          ?disabled=${busy}
          @click=${() => this.handleTest(provider)}
        >
          ${msg('Test connection')}
        </button>
        <button
          type="button"
          class="btn link"
          aria-label=${msg(str`Disconnect ${provider.name}`)}
          ?disabled=${busy}
          @click=${() => this.handleDisconnect(provider)}
        >
          ${msg('Disconnect')}
        </button>
      </span>
    `;
  }

  /** The host's logo, else the brand's (decoration: the name is beside it), else the name's initial. */
  private renderLogo(provider: ProviderInfo) {
    const logo = LOGOS?.[provider.type];
    // The host's own logo first: alt="" as it is decoration, the name being beside it.
    if (provider.logoUrl) return html`<span class="logo brand"><img alt="" src=${provider.logoUrl} /></span>`;
    return logo
      ? html`<span class="logo brand"
          ><svg role="img" aria-hidden="true" viewBox="0 0 24 24" fill="#${logo.hex}"><path d=${logo.path}></path></svg
        ></span>`
      : html`<span class="logo" aria-hidden="true">${provider.name.trim().charAt(0).toUpperCase()}</span>`;
  }

  private renderProvider(provider: ProviderInfo) {
    const stateId = `provider-${provider.id}-state`;
    const ready = provider.connection === 'ready';
    const own = ownConnection(provider);
    // The whole card is clickable (the button stretches over it), but the button's own text is
    // just the provider's name: that is its accessible name; the state is its description.
    return html`
      <li class="provider ${provider.connection} ${own ? 'own' : ''}" part="provider">
        ${this.renderLogo(provider)}
        <span class="text">
          <button
            type="button"
            class="name"
            data-provider=${provider.id}
            ?disabled=${!ready && !own && !isCsv(provider)}
            aria-describedby=${ready ? nothing : stateId}
            @click=${() => this.handlePick(provider)}
          >
            ${provider.name}
          </button>
          ${
            provider.connection === 'ready'
              ? nothing
              : html`<span class="state ${provider.connection}" id=${stateId}
                  >${isCsv(provider) ? msg('Upload a file') : STATE_TEXT[provider.connection]()}</span
                >`
          }
          ${own && ready ? this.renderActions(provider) : nothing} ${this.renderCheck(provider)}
        </span>
      </li>
    `;
  }

  private renderList(providers: ProviderInfo[]) {
    return providers.length
      ? html`<ul class="providers" part="list" role="list" aria-label=${msg('HR applications')}>
          ${
            // Named in the widget's language as listed (a switch renders them again), and picked so:
            // every step after reads the picked provider's name.
            providers.map((p) => this.renderProvider({ ...p, name: labelIn(p.name, p.names, getLocale()) }))
          }
        </ul>`
      : html`<p class="muted" role="status">${msg('No HR applications are configured for this deployment.')}</p>`;
  }

  override render() {
    if (this._uploading) {
      const provider = this._uploading;
      return html`<hr-import-csv-upload
        exportparts="form, mapping, preview"
        .provider=${provider}
        @hr-csv-confirm=${this.handleCsvConfirm}
        @hr-csv-cancel=${() => this.closeForm(provider)}
      ></hr-import-csv-upload>`;
    }
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
        initial: () => html`<p class="loading">${msg('Waiting for a session…')}</p>`,
        // A reload after connecting keeps the list on screen (and the focus in it).
        pending: () =>
          this._providers.value ? this.renderList(this._providers.value) : html`<p class="loading" role="status">${msg('Loading HR applications…')}</p>`,
        error: (error) => retryAlert(error, () => this._providers.run()),
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
