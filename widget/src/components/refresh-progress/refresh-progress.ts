import { LitElement, html, nothing } from 'lit';
import { styleProps } from '../../directives/style-props.js';
import { ContextConsumer } from '@lit/context';
import { Task, initialState } from '@lit/task';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { ProviderInfo, RefreshStatus } from '../../api/types.js';
import { ApiError, isAbort, toApiError, type ApiClient } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { formatDateTime, formatNumber } from '../../locales/localize.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { refreshProgressStyles } from './refresh-progress.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';

/**
 * The provider's directory is ready to be listed (after a refresh, or because the cache was
 * fresh). Bubbles inside `<hr-import>`'s shadow tree only, like the other events between parts.
 */
export class HrRefreshReadyEvent extends Event {
  static readonly eventName = 'hr-refresh-ready';
  readonly status: RefreshStatus;
  constructor(status: RefreshStatus) {
    super(HrRefreshReadyEvent.eventName, { bubbles: true, composed: false });
    this.status = status;
  }
}

/**
 * The refresh failed: the provider's error, so `<hr-import>` can offer what fits it (Reconnect
 * when the provider refused the credentials). Internal, like HrRefreshReadyEvent.
 */
export class HrRefreshFailedEvent extends Event {
  static readonly eventName = 'hr-refresh-failed';
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(HrRefreshFailedEvent.eventName, { bubbles: true, composed: false });
    this.error = error;
  }
}

/** How often the refresh's progress is asked for while it runs. */
export const DEFAULT_POLL_MS = 1000;
/** How long the widget follows one refresh before it gives up and offers to try again. */
export const DEFAULT_REFRESH_TIMEOUT_MS = 10 * 60_000;

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((ok, fail) => {
    const timer = setTimeout(ok, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), fail(signal.reason)), { once: true });
  });

/**
 * Gets a provider's directory ready for the contact list: asks the BFF how its cached copy is,
 * starts a refresh when there is none (or it is stale, or the last one failed), and shows the
 * refresh's progress until it is ready: "Fetched 12,300 of 100,000 people" with a progress bar
 * when the provider tells its size, a moving bar otherwise. A failure shows the provider's own
 * message and **Retry**; once ready, **Refresh** fetches the directory again on demand. A CSV
 * provider's directory is the uploaded file, so it offers no Refresh, only when the file was uploaded.
 *
 * @summary Progress of the directory refresh, and a Refresh action.
 * @fires hr-refresh-ready - {HrRefreshReadyEvent} The directory can be listed (internal).
 * @fires hr-refresh-failed - {HrRefreshFailedEvent} The refresh failed, with the provider's error (internal).
 * @csspart base - The progress or status line.
 * @csspart bar - The progress bar.
 * @csspart error - The alert of a failed refresh.
 * @cssproperty [--hr-refresh-track=#d0d7de] - Background of the progress bar (the border colour of the scheme by default).
 */
export class HrImportRefreshProgress extends LitElement {
  static override styles = [sharedStyles, refreshProgressStyles];
  static override properties = {
    provider: { attribute: false },
    known: { attribute: false },
    pollInterval: { attribute: 'poll-interval', type: Number },
    timeout: { type: Number },
    _progress: { state: true },
    _force: { state: true },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** Follows one refresh to its end; re-run (forced) by Refresh and Retry. */
  private readonly _refresh = new Task(this, {
    task: async ([api, provider, force], { signal }): Promise<RefreshStatus | typeof initialState> => {
      if (!api || !provider) return initialState;
      // Known fresh from the provider list: nothing to ask until Refresh is pressed. (Read here,
      // not an argument: that it stops being fresh later is no reason to start over.)
      const known = this.known;
      if (known !== null && force === 0) return { status: 'ready', fetched: 0, total: null, syncedAt: known, stale: false };
      return this.follow(api, provider, force > 0, signal);
    },
    args: () => [this._api.value, this.provider?.id, this._force] as const,
    onComplete: (status: RefreshStatus) => this.dispatchEvent(new HrRefreshReadyEvent(status)),
    onError: (error: unknown) => {
      if (!isAbort(error)) this.dispatchEvent(new HrRefreshFailedEvent(toApiError(error)));
    },
  });

  /** The HR application whose directory is refreshed. */
  declare provider: ProviderInfo | null;
  /** When its cached directory was fetched, if the host knows that copy to be fresh: shown as ready without asking the BFF. */
  declare known: string | null;
  /** Milliseconds between two progress requests. */
  declare pollInterval: number;
  /** Milliseconds a refresh may run before the widget stops waiting and offers Retry. */
  declare timeout: number;
  /** The last status seen while the refresh runs. */
  declare private _progress: RefreshStatus | null;
  /** Bumped by Refresh and Retry: a new run that starts a refresh whatever the cache's state. */
  declare private _force: number;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
    this.provider = null;
    this.known = null;
    this.pollInterval = DEFAULT_POLL_MS;
    this.timeout = DEFAULT_REFRESH_TIMEOUT_MS;
    this._progress = null;
    this._force = 0;
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    // Stop polling for a widget that is gone; the refresh itself goes on in the BFF.
    this._refresh.abort();
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this.hasUpdated) this._refresh.run();
  }

  private async follow(api: ApiClient, provider: string, force: boolean, signal: AbortSignal): Promise<RefreshStatus> {
    this._progress = null;
    // Refresh and Retry are the admin asking: forced, so the BFF refreshes even a fresh directory.
    let status = force ? await api.startRefresh(provider, signal, true) : await api.getRefresh(provider, signal);
    // Nothing cached, too old, or the last attempt failed: fetch it now rather than list stale people.
    if (!force && (status.status === 'idle' || status.status === 'error' || (status.status === 'ready' && status.stale))) {
      status = await api.startRefresh(provider, signal);
    }
    const deadline = Date.now() + this.timeout;
    while (status.status === 'syncing') {
      this._progress = status;
      if (Date.now() > deadline) {
        throw new ApiError(0, 'refresh_timeout', msg('The HR application is taking too long to send its directory. Try again later.'));
      }
      await wait(this.pollInterval, signal);
      status = await api.getRefresh(provider, signal);
    }
    if (status.status === 'error') {
      throw new ApiError(502, status.error?.code ?? 'provider_sync_failed', status.error?.message ?? msg('The directory could not be fetched.'));
    }
    return status;
  }

  private again() {
    this._force += 1;
  }

  private renderProgress() {
    const p = this._progress;
    if (!p) {
      return html`<div class="progress" part="base">
        <p class="text" role="status">${msg('Checking the directory…')}</p>
      </div>`;
    }
    const known = p.total !== null && p.total > 0;
    const fetched = known ? Math.min(p.fetched, p.total!) : p.fetched;
    const label = known
      ? p.total === 1
        ? msg(str`Fetched ${formatNumber(fetched)} of 1 person`)
        : msg(str`Fetched ${formatNumber(fetched)} of ${formatNumber(p.total!)} people`)
      : fetched === 1
        ? msg('Fetched 1 person')
        : msg(str`Fetched ${formatNumber(fetched)} people`);
    return html`<div class="progress" part="base">
      <p class="text" role="status" aria-live="polite">${label}</p>
      <div
        class="bar ${known ? '' : 'indeterminate'}"
        part="bar"
        role="progressbar"
        aria-label=${msg(str`Fetching people from ${this.provider?.name ?? ''}`)}
        aria-valuemin=${known ? 0 : nothing}
        aria-valuemax=${known ? p.total! : nothing}
        aria-valuenow=${known ? fetched : nothing}
        aria-valuetext=${label}
      >
        <div class="fill" style=${styleProps(known ? { width: `${(fetched / p.total!) * 100}%` } : {})}></div>
      </div>
    </div>`;
  }

  private renderReady(status: RefreshStatus) {
    const at = status.syncedAt ? formatDateTime(new Date(status.syncedAt)) : '';
    // An uploaded file is the directory itself: there is no application to fetch it from again,
    // so no Refresh. What an admin wants instead is a newer file, which is one step back.
    if (this.provider?.type === 'csv') {
      return html`<div class="ready" part="base">
        <p>${at ? msg(str`File uploaded ${at}`) : msg('File uploaded')}</p>
        <p class="muted">${msg('To change these contacts, go back and upload a new file.')}</p>
      </div>`;
    }
    return html`<div class="ready" part="base">
      <p>${at ? msg(str`Directory fetched ${at}`) : msg('Directory ready')}</p>
      <button type="button" class="btn link" @click=${this.again}>${msg('Refresh')}</button>
    </div>`;
  }

  override render() {
    return this._refresh.render({
      initial: () => nothing,
      pending: () => this.renderProgress(),
      complete: (status) => this.renderReady(status),
      error: (error) => {
        if (isAbort(error)) return nothing;
        return retryAlert(error, this.again);
      },
    });
  }
}

define('hr-import-refresh-progress', HrImportRefreshProgress);

declare global {
  interface HTMLElementTagNameMap {
    'hr-import-refresh-progress': HrImportRefreshProgress;
  }
  interface HTMLElementEventMap {
    'hr-refresh-ready': HrRefreshReadyEvent;
    'hr-refresh-failed': HrRefreshFailedEvent;
  }
}
