import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { ContextProvider } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, initialState } from '@lit/task';
import type { Contact, ImportRequest, ImportResult, ProviderInfo, Seats, SessionInfo } from '../../api/types.js';
import { ApiClient, DEFAULT_TIMEOUT_MS, newIdempotencyKey, toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrImportCancelEvent } from '../../events/hr-import-cancel.js';
import { HrImportCompleteEvent } from '../../events/hr-import-complete.js';
import { HrImportDoneEvent } from '../../events/hr-import-done.js';
import { HrImportErrorEvent } from '../../events/hr-import-error.js';
import { HrImportStepEvent, type HrImportStep } from '../../events/hr-import-step.js';
import type { HrSeatsChangeEvent } from '../../events/sync.js';
import type { SyncDraft } from '../../model/sync-rule.js';
import type {
  FreshDirectory,
  HrContactsLoadedEvent,
  HrMessageChangeEvent,
  HrProviderSelectEvent,
  HrQueryChangeEvent,
  HrRoleChangeEvent,
  HrSelectionChangeEvent,
} from '../../events/internal.js';
import {
  emptyQuery,
  importSelection,
  includesId,
  isSelected,
  queryFilters,
  noSelection,
  selectedCount,
  type ContactQuery,
  type Selection,
} from '../../model/selection.js';
import { SchemeController } from '../../styles/scheme.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { LocaleController, getLocale, mailLocale } from '../../locales/localize.js';
import '../provider-picker/provider-picker.js';
import type { HrRefreshFailedEvent, HrRefreshReadyEvent } from '../refresh-progress/refresh-progress.js';
import { seatLimitMessage } from '../contact-list/contact-list.js';
import '../refresh-progress/refresh-progress.js';
import '../seat-meter/seat-meter.js';
import { hrImportStyles } from './hr-import.styles.js';
import { rehearseContactsStep } from './rehearsal.js';
import { retryAlert } from '../../templates/retry-alert.js';

let laterSteps: Promise<unknown> | undefined;
/**
 * The roles, message and confirmation steps, in a chunk of their own: fetched in the first idle
 * moment of the contacts step (the admin spends seconds there), and awaited before the step that needs them, so
 * the first load holds only what the first two steps show.
 */
function loadLaterSteps(): Promise<unknown> {
  laterSteps ??= Promise.all([
    import('../role-assigner/role-assigner.js'),
    import('../message-composer/message-composer.js'),
    import('../import-summary/import-summary.js'),
  ]).catch((error: unknown) => {
    // A failed fetch (a deploy replaced the chunk, the network dropped) is tried again next time.
    laterSteps = undefined;
    throw error;
  });
  return laterSteps;
}

let syncParts: Promise<unknown> | undefined;
/** Keep in sync and Updates, in a chunk of their own: few sessions open them. */
function loadSync(): Promise<unknown> {
  syncParts ??= Promise.all([import('../sync-rule-editor/sync-rule-editor.js'), import('../sync-view/sync-view.js')]).catch((error: unknown) => {
    syncParts = undefined;
    throw error;
  });
  return syncParts;
}

/** The steps the indicator shows; labels are functions so they follow the locale. */
const INDICATOR: readonly { step: HrImportStep; label: () => string }[] = [
  { step: 'provider', label: () => msg('Provider') },
  { step: 'contacts', label: () => msg('Contacts') },
  { step: 'roles', label: () => msg('Roles') },
  { step: 'message', label: () => msg('Message') },
];
/** The contact list was rehearsed on this page already (one rehearsal serves every widget). */
let rehearsed = false;

const ORDER: readonly HrImportStep[] = ['provider', 'contacts', 'roles', 'message', 'confirmation'];

/**
 * The invitation's default text in the admin's language, the placeholders left as they are.
 * msg() needs the English written out here; it is model/message.ts's DEFAULT_SUBJECT and
 * DEFAULT_BODY, which the BFF falls back to (hr-import.test.ts and hr-import.host.test.ts check).
 */
const defaultSubject = () => msg('Join {{targetName}}');
const defaultBody = () => msg('Hi {{firstName}},\n\n{{inviterName}} has invited you to join {{targetName}}.\n\nFollow the link in this email to accept.');

/** How long before the session's expiry its token is refreshed (less for very short sessions). */
const REFRESH_MARGIN_MS = 60_000;

/** A new session token from the host: the same thing its backend got from `POST /api/sessions`. */
export type TokenProvider = () => Promise<string>;

interface View {
  title: string;
  body: TemplateResult | typeof nothing;
  footer: TemplateResult;
}

/**
 * Imports contacts from an HR application into an organization, lab or challenge: pick the
 * application, select contacts (search, filters, Select All), give them roles, write the
 * invitation, press Import Contacts, see who was invited and who was skipped. The plan's user
 * limit is always shown and a selection past it is refused.
 *
 * The host backend creates a short-lived session (`POST /api/sessions`) and passes its token;
 * the widget only ever talks to the BFF at `api-base`.
 *
 * @summary Import contacts from HR applications and invite them.
 *
 * @event {HrImportCompleteEvent} hr-import-complete - Contacts were imported; `detail` is the ImportResult.
 * @event {HrImportCancelEvent} hr-import-cancel - The admin pressed Cancel.
 * @event {HrImportDoneEvent} hr-import-done - The admin pressed Done on the confirmation.
 * @event {HrImportErrorEvent} hr-import-error - The session expired, could not load, or an import failed; `detail` is `{ code, message, status }`.
 * @event {HrImportStepEvent} hr-import-step - The admin moved to another step; `detail` is `{ step }`.
 *
 * @csspart base - The card around everything.
 * @csspart header - Target, seat meter and step indicator.
 * @csspart steps - The step indicator.
 * @csspart heading - The heading of the current step.
 * @csspart body - The content of the current step.
 * @csspart footer - The buttons of the current step.
 * @csspart error - The alert of a failed request (the import, or the session), with Retry.
 * @csspart reconnect - What to do when the provider refuses the credentials (Reconnect).
 * @csspart provider - Each HR application on the first step.
 * @csspart search - The contact search box.
 * @csspart list - The contact list.
 * @csspart row - Each contact of the list.
 *
 * @cssproperty [--hr-font-family=system-ui, …] - Font of the widget.
 * @cssproperty [--hr-font-size=0.9375rem] - Base font size.
 * @cssproperty [--hr-color-accent=#157347] - Primary buttons, selection, current step.
 * @cssproperty [--hr-color-on-accent=#ffffff] - Text on the accent color.
 * @cssproperty [--hr-color-text=#1f2328] - Text.
 * @cssproperty [--hr-color-muted=#57606a] - Secondary text.
 * @cssproperty [--hr-color-border=#d0d7de] - Borders.
 * @cssproperty [--hr-color-surface=#ffffff] - Card and field background.
 * @cssproperty [--hr-color-subtle=#f6f8fa] - Toolbars, preview, unavailable rows.
 * @cssproperty [--hr-color-danger=#b42318] - Errors.
 * @cssproperty [--hr-color-focus=#0969da] - Focus ring.
 * @cssproperty [--hr-radius=8px] - Corner radius.
 * @cssproperty [--hr-card-padding=1.25rem] - Padding of the card.
 * @cssproperty [--hr-card-shadow] - Shadow of the card.
 * @cssproperty [--hr-contact-list-max-height=26rem] - Height of the scrolling contact list.
 */
export class HrImport extends LitElement {
  static override styles = [sharedStyles, hrImportStyles];
  static override properties = {
    _step: { state: true },
    _provider: { state: true },
    _selection: { state: true },
    _role: { state: true },
    _overrides: { state: true },
    _subject: { state: true },
    _body: { state: true },
    _submitting: { state: true },
    _importError: { state: true },
    _result: { state: true },
    _seats: { state: true },
    _expired: { state: true },
    _announcement: { state: true },
    _directory: { state: true },
    _authRefused: { state: true },
    _reconnect: { state: true },
    _hasRules: { state: true },
    sessionToken: { attribute: 'session-token' },
    apiBase: { attribute: 'api-base' },
    requestTimeout: { attribute: 'request-timeout', type: Number },
    locale: {},
    tokenProvider: { attribute: false },
  };

  private readonly _locale = new LocaleController(this);
  private readonly _scheme = new SchemeController(this);

  private readonly _apiProvider = new ContextProvider(this, { context: apiContext });
  private _api: ApiClient | undefined;

  private readonly _session = new Task(this, {
    task: async ([api], { signal }) => {
      if (!api) return initialState;
      // Asked beside the session, not after it: a target with sync rules opens on Updates. A BFF
      // that cannot tell leaves the import flow as it was.
      const rules = api.listSyncRules(signal).then(
        ({ items }) => items.length > 0 && loadSync().then(() => true),
        () => false,
      );
      const session = await api.getSession(signal);
      this._hasRules = await rules.catch(() => false);
      if (this._hasRules && this._step === 'provider') this._step = 'updates';
      return session;
    },
    args: () => [this._api] as const,
    onComplete: (session: SessionInfo) => this.handleSession(session),
    onError: (error: unknown) => this.handleSessionError(error),
  });

  /** Every contact loaded so far, by id: names for the roles step, preview and confirmation. */
  private readonly _known = new Map<string, Contact>();
  /** The submission in flight or last failed without an answer: a retry reuses its key. */
  private _pending: { key: string; json: string } | null = null;
  private _focusHeading = false;
  /** When the session's token is refreshed ahead of its expiry. */
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The session's expiry, to refresh again after a reconnect. */
  private _expiresAt: string | undefined;

  declare private _step: HrImportStep;
  declare private _provider: ProviderInfo | null;
  /**
   * The list's search and filters, kept to restore them when the admin comes back to the list.
   * Not reactive: the list already shows them, and each search re-rendered the whole widget.
   */
  private _query: ContactQuery = emptyQuery();
  declare private _selection: Selection;
  /**
   * Rows loaded for the current query. Not reactive: only the roles step reads them, and it
   * renders on the step change; a render of the whole widget each time a page landed was waste.
   */
  private _rows: readonly Contact[] = [];
  declare private _role: string;
  declare private _overrides: ReadonlyMap<string, string>;
  /** Null until the admin edits the message: the default, in the current language. */
  declare private _subject: string | null;
  declare private _body: string | null;
  declare private _submitting: boolean;
  declare private _importError: ApiError | null;
  declare private _result: ImportResult | null;
  declare private _seats: Seats | null;
  declare private _expired: boolean;
  declare private _announcement: string;
  /** When the directory the contact list shows was fetched; null until it is ready to list. */
  declare private _directory: string | null;
  /** The picked provider's directory, fresh by the provider list: listed without a state check. */
  private _fresh: FreshDirectory | null = null;
  /** The provider refused the credentials while listing contacts (`provider_auth`). */
  declare private _authRefused: boolean;
  /** The provider whose connect form the picker opens at once (Reconnect). */
  declare private _reconnect: ProviderInfo | null;
  /** The target has sync rules: Updates and the import flow are two tabs. */
  declare private _hasRules: boolean;
  /** The step Keep in sync was opened from, to go back to. */
  private _syncFrom: HrImportStep = 'roles';
  /** The rule Keep in sync starts from, made once as it opens (a new object each render would reset the editor). */
  private _syncDraft: SyncDraft | null = null;

  /** Session token from the host backend; every request sends it as a bearer token. */
  declare sessionToken: string;
  /** Base URL of the BFF. */
  declare apiBase: string;
  /** Milliseconds a request may take before it fails with a visible error. */
  declare requestTimeout: number;
  /**
   * Language of the widget (`en`, `de`, or a regional tag such as `de-CH`). Empty: the host
   * page's `lang` (the nearest ancestor's, else `<html lang>`), else English.
   */
  declare locale: string;
  /**
   * Returns a new session token (your backend calls `POST /api/sessions` again). Called shortly
   * before the session expires, and when the BFF answers 401 `session_expired`, after which the
   * failed request is sent once more. Without it an expired session ends the flow.
   */
  declare tokenProvider: TokenProvider | null;

  constructor() {
    super();
    this._step = 'provider';
    this._provider = null;
    this._selection = noSelection();
    this._role = '';
    this._overrides = new Map();
    this._subject = null;
    this._body = null;
    this._submitting = false;
    this._importError = null;
    this._result = null;
    this._seats = null;
    this._expired = false;
    this._announcement = '';
    this._directory = null;
    this._authRefused = false;
    this._reconnect = null;
    this._hasRules = false;
    this.sessionToken = '';
    this.apiBase = '/api';
    this.requestTimeout = DEFAULT_TIMEOUT_MS;
    this.locale = '';
    this.tokenProvider = null;
    updateWhenLocaleChanges(this);
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this._expiresAt) this.scheduleRefresh(this._expiresAt);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this._refreshTimer);
  }

  override willUpdate(changed: PropertyValues<this>) {
    const tokenOnly = changed.has('sessionToken') && !changed.has('apiBase') && !changed.has('requestTimeout');
    if (tokenOnly && this._api && this.sessionToken && !this._expired) {
      // A new token for the same session (the host refreshed it): swap it in place, so nothing
      // loaded so far is fetched again.
      this._api.setToken(this.sessionToken);
    } else if (changed.has('sessionToken') || changed.has('apiBase') || changed.has('requestTimeout')) {
      this._api = this.sessionToken
        ? new ApiClient({
            base: this.apiBase || '/api',
            token: this.sessionToken,
            timeoutMs: this.requestTimeout > 0 ? this.requestTimeout : DEFAULT_TIMEOUT_MS,
            onError: (error) => this.handleApiError(error),
            refreshToken: () => this.tokenProvider?.() ?? null,
            onTokenRefreshed: () => this.handleRefreshed(),
          })
        : undefined;
      this._expired = false;
      this._apiProvider.setValue(this._api);
    }
  }

  override updated() {
    if (!rehearsed && this._step === 'provider' && this._session.value) this.rehearseContacts();
    if (this._focusHeading) {
      this._focusHeading = false;
      const heading = this.renderRoot.querySelector<HTMLElement>('#heading');
      if (heading && this.shadowRoot?.activeElement !== heading) heading.focus();
    }
  }

  /**
   * Once per page, while the admin is on the picker: the contacts step's first-use work is done
   * on an idle frame, not in the click that opens it (rehearsal.ts). Browsers without
   * requestIdleCallback (Safari) skip it: it only moves work, it adds nothing.
   */
  private rehearseContacts() {
    rehearsed = true;
    if (typeof requestIdleCallback !== 'function') return;
    requestIdleCallback(() => {
      const root = this.shadowRoot;
      // Already past the picker: the list has been shown for real.
      if (!root || this._step !== 'provider' || !this.isConnected) return;
      void rehearseContactsStep(root, root.querySelector<HTMLElement>('.body')?.clientWidth ?? 0);
    });
  }

  private handleSession(session: SessionInfo) {
    this._seats = session.seats;
    if (!session.target.roles.some((r) => r.id === this._role)) this._role = session.target.defaultRole;
    this.scheduleRefresh(session.expiresAt);
  }

  /** Refreshes the token shortly before `expiresAt`, when the host gave a way to. */
  private scheduleRefresh(expiresAt: string) {
    this._expiresAt = expiresAt;
    clearTimeout(this._refreshTimer);
    const left = Date.parse(expiresAt) - Date.now();
    if (!Number.isFinite(left) || !this.isConnected) return;
    const delay = Math.max(0, left - Math.min(REFRESH_MARGIN_MS, left / 5));
    this._refreshTimer = setTimeout(() => void this.refreshAhead(), Math.min(delay, 2 ** 31 - 1));
  }

  private refreshAhead() {
    if (!this._api || !this.tokenProvider || this._expired) return;
    // A failed refresh shows nothing yet: the next request's 401 asks again, and ends the flow
    // only if that fails too.
    this._api.refreshToken().catch(() => undefined);
  }

  /** A refreshed token: learn its session's new expiry (and fresh seats) to refresh again in time. */
  private async handleRefreshed() {
    const api = this._api;
    try {
      const session = await api?.getSession();
      if (!session || api !== this._api) return;
      this._seats = session.seats;
      this.scheduleRefresh(session.expiresAt);
    } catch {
      // Failures of this background read are reported by the client like any other.
    }
  }

  private handleSessionError(error: unknown) {
    const e = toApiError(error);
    if (e.status !== 401) this.reportError(e);
  }

  /** Any failed request: an expired session ends the flow wherever it happens. */
  private handleApiError(error: ApiError) {
    // Wrong or expired provider credentials are not the end: the contacts step offers Reconnect.
    if (error.code === 'provider_auth' && this._step === 'contacts') this._authRefused = true;
    if (error.status !== 401 || this._expired) return;
    this._expired = true;
    this.reportError(error);
  }

  private reportError(error: ApiError) {
    this.dispatchEvent(new HrImportErrorEvent({ code: error.code, message: error.message, status: error.status }));
  }

  /** Steps past the contacts wait for their elements' chunk (loadLaterSteps) before they show. */
  private async goToLater(step: HrImportStep) {
    await (step === 'sync' || step === 'updates' ? loadSync() : loadLaterSteps()).catch(() => undefined);
    this.goTo(step);
  }

  private goTo(step: HrImportStep) {
    // Once the list's first rows are up (an idle moment), not in the middle of rendering them.
    if (step === 'contacts') (globalThis.requestIdleCallback ?? setTimeout)(() => void loadLaterSteps().catch(() => undefined));
    this._step = step;
    this._importError = null;
    this._authRefused = false;
    this._reconnect = null;
    this._focusHeading = true;
    // The heading takes the focus now, while the page's layout is still clean: after the render,
    // focusing it forced a layout of the new step before its children had even rendered, and the
    // control that had the focus would be removed while focused, which forced another.
    this.renderRoot.querySelector<HTMLElement>('#heading')?.focus();
    this.dispatchEvent(new HrImportStepEvent(step));
  }

  private handleProviderSelect(event: HrProviderSelectEvent) {
    this._reconnect = null;
    if (this._provider?.id !== event.provider.id) this.forgetContacts();
    this._fresh = event.fresh;
    // Fresh already: the list comes up with the step, instead of after a round trip for the state.
    if (this._directory === null && event.fresh) this._directory = event.fresh.syncedAt;
    this._provider = event.provider;
    this.goTo('contacts');
  }

  /** The directory can be listed; a newer fetch reloads the list (query and selection kept). */
  private handleRefreshReady(event: HrRefreshReadyEvent) {
    this._directory = event.status.syncedAt ?? '';
  }

  private handleSelectionChange(event: HrSelectionChangeEvent) {
    this._selection = event.selection;
  }

  private handleQueryChange(event: HrQueryChangeEvent) {
    this._query = event.query;
  }

  private handleContactsLoaded(event: HrContactsLoadedEvent) {
    this._authRefused = false;
    this._rows = event.contacts;
    for (const contact of event.contacts) this._known.set(contact.id, contact);
  }

  private handleRoleChange(event: HrRoleChangeEvent) {
    this._role = event.role;
    this._overrides = event.overrides;
  }

  private handleMessageChange(event: HrMessageChangeEvent) {
    this._subject = event.subject;
    this._body = event.body;
  }

  /** Back to the picker, on the provider's connect form: new credentials, then its contacts again. */
  private handleReconnect() {
    const provider = this._provider;
    this.goTo('provider');
    this._reconnect = provider;
  }

  private handleKeepInSync() {
    this._syncFrom = this._step;
    // The rule covers the list's search and filters (not the ticked rows): who matches them later joins too.
    const search = this._query.search.trim();
    this._syncDraft = {
      provider: this._provider?.id ?? '',
      scope: { ...(search ? { search } : {}), filters: queryFilters(this._query) },
      defaultRole: this._role,
      message: this.message(),
    };
    void this.goToLater('sync');
  }

  private handleSeatsChange(event: HrSeatsChangeEvent) {
    this._seats = event.seats;
  }

  private handleCancel() {
    this.dispatchEvent(new HrImportCancelEvent());
  }

  /** Everything the contacts and roles steps hold for one provider's directory. */
  private forgetContacts() {
    this._directory = null;
    this._fresh = null;
    this._query = emptyQuery();
    this._selection = noSelection();
    this._rows = [];
    this._overrides = new Map();
    this._known.clear();
  }

  private handleDone() {
    this._provider = null;
    this.forgetContacts();
    this._subject = null;
    this._body = null;
    this._result = null;
    this._announcement = '';
    const session = this._session.value;
    if (session) this._role = session.target.defaultRole;
    this.goTo('provider');
    this.dispatchEvent(new HrImportDoneEvent());
  }

  private async handleSubmit() {
    const api = this._api;
    const request = this.buildRequest();
    if (!api || !request || this._submitting) return;
    const json = JSON.stringify(request);
    // One key per submission: retrying the same request after a lost answer must not import twice.
    if (this._pending?.json !== json) this._pending = { key: newIdempotencyKey(), json };
    const key = this._pending.key;
    this._submitting = true;
    this._importError = null;
    try {
      const result = await this.importWithKey(api, request, key);
      this._pending = null;
      this._result = result;
      this._seats = result.seats;
      const invited = result.invited;
      const skipped = result.skipped.length;
      this._announcement = skipped ? msg(str`${invited} invited, ${skipped} skipped.`) : msg(str`${invited} invited.`);
      await this.goToLater('confirmation');
      this.dispatchEvent(new HrImportCompleteEvent(result));
    } catch (error) {
      const e = toApiError(error);
      // The server answered: a new attempt is a new submission. Without an answer, keep the key.
      if (!e.retryable) this._pending = null;
      if (e.status === 401) return;
      this._importError = e;
      if (e.code === 'seat_limit_exceeded') {
        const seats = (e.details as { seats?: Seats } | null | undefined)?.seats;
        if (seats && typeof seats.remaining === 'number') this._seats = seats;
      } else {
        this.reportError(e);
      }
    } finally {
      this._submitting = false;
    }
  }

  /**
   * An attempt with this key still running (a double submit, a second tab) answers 409 in flight:
   * wait as the server says and ask again, and the finished import's answer comes back.
   */
  private async importWithKey(api: ApiClient, request: ImportRequest, key: string): Promise<ImportResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await api.createImport(request, key);
      } catch (error) {
        const apiError = toApiError(error);
        if (apiError.code !== 'idempotency_key_in_flight' || attempt >= 5) throw error;
        await new Promise((ok) => setTimeout(ok, apiError.retryAfterMs ?? 1000));
      }
    }
  }

  private buildRequest(): ImportRequest | null {
    if (!this._provider || !this._role) return null;
    const roles: Record<string, string> = {};
    for (const [id, role] of this._overrides) {
      if (role !== this._role && includesId(this._selection, id)) roles[id] = role;
    }
    const locale = mailLocale();
    return {
      provider: this._provider.id,
      selection: importSelection(this._selection),
      role: this._role,
      ...(Object.keys(roles).length ? { roles } : {}),
      message: this.message(),
      ...(locale ? { locale } : {}),
    };
  }

  private message(): { subject: string; body: string } {
    return { subject: this._subject ?? defaultSubject(), body: this._body ?? defaultBody() };
  }

  /** The selected contacts the widget has loaded, and how many more the selection holds. */
  private selectedContacts(): { shown: Contact[]; more: number } {
    const selection = this._selection;
    const shown =
      selection.mode === 'ids'
        ? [...selection.ids].map((id) => this._known.get(id)).filter((c): c is Contact => !!c)
        : this._rows.filter((c) => isSelected(selection, c));
    return { shown, more: Math.max(0, selectedCount(selection) - shown.length) };
  }

  private renderSteps() {
    const current = ORDER.indexOf(this._step);
    return html`
      <ol class="steps" part="steps" aria-label=${msg('Progress')}>
        ${INDICATOR.map(({ step, label }, i) => {
          const index = ORDER.indexOf(step);
          return html`<li class=${index < current ? 'done' : ''} aria-current=${index === current ? 'step' : nothing}>
            <span class="num">${i + 1}</span>${label()}
          </li>`;
        })}
      </ol>
    `;
  }

  private renderHeader(session: SessionInfo | undefined) {
    const selecting = this._step === 'contacts' || this._step === 'roles' || this._step === 'message';
    // Keep in sync and Updates show seats their own way (what a rule needs, the joiners ticked).
    const flow = ORDER.includes(this._step);
    return html`
      <header class="header" part="header">
        ${session ? html`<p class="target">${this.renderTarget(session)}</p>` : nothing} ${this._hasRules && session ? this.renderTabs() : nothing}
        ${
          this._seats && flow
            ? html`<hr-seat-meter .seats=${this._seats} .selected=${selecting ? selectedCount(this._selection) : 0}></hr-seat-meter>`
            : nothing
        }
        ${flow ? this.renderSteps() : nothing}
      </header>
    `;
  }

  /** Updates, and the import flow beside it, once the target has sync rules. */
  private renderTabs() {
    const updates = this._step === 'updates';
    return html`<nav class="tabs" part="tabs" aria-label=${msg('Views')}>
      <button type="button" class="btn link" aria-current=${updates ? 'page' : nothing} @click=${() => updates || this.goToLater('updates')}>
        ${msg('Updates')}
      </button>
      <button type="button" class="btn link" aria-current=${updates ? nothing : 'page'} @click=${() => updates && this.goTo('provider')}>
        ${msg('Import contacts')}
      </button>
    </nav>`;
  }

  private keepInSyncButton() {
    return html`<p class="keep-in-sync">
      <button type="button" class="btn" @click=${this.handleKeepInSync}>${msg('Keep in sync')}</button>
      <span class="muted">${msg('Save this selection as a rule: people who join later are added too.')}</span>
    </p>`;
  }

  /** "Invite people to the lab <strong>Robotics</strong>", the name kept as text in every language. */
  private renderTarget(session: SessionInfo) {
    const name = html`<strong>${session.target.name}</strong>`;
    switch (session.target.type) {
      case 'organization':
        return msg(html`Invite people to the organization ${name}`);
      case 'lab':
        return msg(html`Invite people to the lab ${name}`);
      case 'challenge':
        return msg(html`Invite people to the challenge ${name}`);
    }
  }

  private cancelButton() {
    return html`<button type="button" class="btn" @click=${this.handleCancel}>${msg('Cancel')}</button>`;
  }

  private backButton(to: HrImportStep) {
    return html`<button type="button" class="btn" @click=${() => this.goTo(to)}>${msg('Back')}</button>`;
  }

  private nextButton(to: HrImportStep, disabled: boolean) {
    return html`<button type="button" class="btn primary" ?disabled=${disabled} @click=${() => this.goToLater(to)}>${msg('Next')}</button>`;
  }

  private stateView(title: string, body: TemplateResult): View {
    return { title, body, footer: html`<span class="spacer"></span>${this.cancelButton()}` };
  }

  private stepView(session: SessionInfo): View {
    const count = selectedCount(this._selection);
    const remaining = this._seats?.remaining ?? session.seats.remaining;
    switch (this._step) {
      case 'provider':
        return this.stateView(
          msg('Choose an HR application'),
          html`<hr-provider-picker exportparts="provider" .reconnect=${this._reconnect} @hr-provider-select=${this.handleProviderSelect}></hr-provider-picker>`,
        );
      case 'contacts':
        return {
          title: this._provider ? msg(str`Select contacts from ${this._provider.name}`) : msg('Select contacts from the HR application'),
          body: html`<hr-import-refresh-progress
              .provider=${this._provider}
              .known=${this._fresh && Date.now() < this._fresh.until ? this._fresh.syncedAt : null}
              @hr-refresh-ready=${this.handleRefreshReady}
              @hr-refresh-failed=${(e: HrRefreshFailedEvent) => this.handleApiError(e.error)}
            ></hr-import-refresh-progress>
            ${
              this._directory === null
                ? nothing
                : keyed(
                    this._directory,
                    html`<hr-contact-list
                      exportparts="search, list, row, selection-count, limit-message"
                      .provider=${this._provider}
                      .query=${this._query}
                      .selection=${this._selection}
                      .remaining=${remaining}
                      @hr-selection-change=${this.handleSelectionChange}
                      @hr-query-change=${this.handleQueryChange}
                      @hr-contacts-loaded=${this.handleContactsLoaded}
                    ></hr-contact-list>`,
                  )
            }
            ${this.renderAuthRefused()}`,
          footer: html` ${this.cancelButton()}<span class="spacer"></span>${this.backButton('provider')} ${this.nextButton('roles', count === 0)} `,
        };
      case 'roles': {
        const { shown, more } = this.selectedContacts();
        return {
          title: msg('Assign roles'),
          body: html`<hr-role-assigner
              .roles=${session.target.roles}
              .commonRole=${this._role}
              .overrides=${this._overrides}
              .contacts=${shown}
              .more=${more}
              @hr-role-change=${this.handleRoleChange}
            ></hr-role-assigner>
            ${this.keepInSyncButton()}`,
          footer: html` ${this.cancelButton()}<span class="spacer"></span>${this.backButton('contacts')} ${this.nextButton('message', count === 0)} `,
        };
      }
      case 'message': {
        const { shown } = this.selectedContacts();
        const message = this.message();
        const valid = message.subject.trim() !== '' && message.body.trim() !== '';
        return {
          title: msg('Write the invitation'),
          body: html`
            <hr-message-composer
              .subject=${message.subject}
              .body=${message.body}
              .contact=${shown[0] ?? null}
              .targetName=${session.target.name}
              .inviterName=${session.inviter.name}
              @hr-message-change=${this.handleMessageChange}
            ></hr-message-composer>
            ${this.keepInSyncButton()} ${this.renderImportError(count)}
          `,
          footer: html`
            ${this.cancelButton()}<span class="spacer"></span>${this.backButton('roles')}
            <button type="button" class="btn primary" ?disabled=${this._submitting || !valid || count === 0} @click=${this.handleSubmit}>
              ${msg('Import Contacts')}
            </button>
            ${
              this._submitting
                ? html`<p class="footer-note" role="status">${count === 1 ? msg('Importing 1 contact…') : msg(str`Importing ${count} contacts…`)}</p>`
                : nothing
            }
          `,
        };
      }
      case 'sync':
        return this.stateView(
          msg('Keep in sync'),
          html`<hr-sync-rule-editor
            .roles=${session.target.roles}
            .draft=${this._syncDraft}
            provider-name=${this._provider?.name ?? ''}
            @hr-sync-close=${() => this.goTo(this._syncFrom)}
            @hr-sync-rule-saved=${() => (this._hasRules = true)}
            @hr-sync-show-updates=${() => this.goTo('updates')}
            @hr-seats-change=${this.handleSeatsChange}
          ></hr-sync-rule-editor>`,
        );
      case 'updates':
        return this.stateView(msg('Updates'), html`<hr-sync-view .roles=${session.target.roles} @hr-seats-change=${this.handleSeatsChange}></hr-sync-view>`);
      case 'confirmation':
        return {
          title: msg('Contacts imported'),
          body: html`<hr-import-summary .result=${this._result} .contacts=${this._known}></hr-import-summary>`,
          footer: html`<span class="spacer"></span> <button type="button" class="btn primary" @click=${this.handleDone}>${msg('Done')}</button>`,
        };
    }
  }

  /**
   * Beside the provider's own message (shown by the contact list): the way out. An organization's
   * own connection is reconnected here; the deployment's credentials only its operator can renew.
   */
  private renderAuthRefused() {
    const provider = this._provider;
    if (!this._authRefused || !provider) return nothing;
    const name = provider.name;
    // The organization's own connection (a key form or a sign-in) it can renew; the deployment's it cannot.
    if (!provider.fields?.length && !provider.oauth) {
      return html`<p class="reconnect muted" part="reconnect">
        ${msg(str`${name} is connected with this deployment's credentials; ask its operator to renew them.`)}
      </p>`;
    }
    return html`<div class="reconnect" part="reconnect">
      <p>
        ${
          provider.oauth
            ? msg(str`${name} no longer accepts your organization's sign-in: its access expired or was revoked.`)
            : msg(str`${name} no longer accepts the credentials your organization entered.`)
        }
      </p>
      <button type="button" class="btn primary" @click=${this.handleReconnect}>${msg(str`Reconnect ${name}`)}</button>
    </div>`;
  }

  private renderImportError(count: number) {
    const error = this._importError;
    if (!error) return nothing;
    if (error.code === 'seat_limit_exceeded') {
      const remaining = this._seats?.remaining ?? 0;
      const allows = `${seatLimitMessage(remaining)}.`;
      const selected = count === 1 ? msg('1 contact is selected.') : msg(str`${count} contacts are selected.`);
      return html`<div class="alert" role="alert" part="error">
        <strong>${msg('Not enough seats.')}</strong> ${allows} ${selected} ${msg('Go back to Contacts and select fewer.')}
      </div>`;
    }
    return retryAlert(error, this.handleSubmit);
  }

  private view(): View {
    if (this._expired) {
      return this.stateView(msg('Your session has expired'), html`<p>${msg('Your session has expired. Close this window and open it again to continue.')}</p>`);
    }
    return this._session.render({
      initial: () => this.stateView(msg('Import contacts'), html`<p class="loading">${msg('Waiting for a session…')}</p>`),
      pending: () => this.stateView(msg('Import contacts'), html`<p class="loading" role="status">${msg('Loading…')}</p>`),
      error: (error) =>
        this.stateView(
          msg('Import contacts'),
          retryAlert(error, () => this._session.run()),
        ),
      complete: (session) => this.stepView(session),
    }) as View;
  }

  override render() {
    const view = this.view();
    const session = this._expired ? undefined : this._session.value;
    return html`
      <section class="card scheme ${this._scheme.dark ? 'dark' : ''}" part="base" aria-labelledby="heading" lang=${getLocale()}>
        ${this.renderHeader(session)}
        <h2 id="heading" tabindex="-1" part="heading">${view.title}</h2>
        <div class="body" part="body">${view.body}</div>
        <footer class="footer" part="footer">${view.footer}</footer>
        <div class="sr-only" role="status" aria-live="polite">${this._announcement}</div>
      </section>
    `;
  }
}

define('hr-import', HrImport);

declare global {
  interface HTMLElementTagNameMap {
    'hr-import': HrImport;
  }
}
