import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ContextProvider } from '@lit/context';
import { Task, initialState } from '@lit/task';
import type { Contact, ImportRequest, ImportResult, ProviderInfo, Seats, SessionInfo } from '../../../../bff/contract.js';
import { ApiClient, DEFAULT_TIMEOUT_MS, newIdempotencyKey, toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrImportCancelEvent } from '../../events/hr-import-cancel.js';
import { HrImportCompleteEvent } from '../../events/hr-import-complete.js';
import { HrImportDoneEvent } from '../../events/hr-import-done.js';
import { HrImportErrorEvent } from '../../events/hr-import-error.js';
import { HrImportStepEvent, type HrImportStep } from '../../events/hr-import-step.js';
import type {
  HrContactsLoadedEvent,
  HrMessageChangeEvent,
  HrProviderSelectEvent,
  HrProviderReconnectEvent,
  HrQueryChangeEvent,
  HrRoleChangeEvent,
  HrSelectionChangeEvent,
} from '../../events/internal.js';
import { DEFAULT_BODY, DEFAULT_SUBJECT } from '../../model/message.js';
import {
  emptyQuery,
  importSelection,
  includesId,
  isSelected,
  noSelection,
  selectedCount,
  type ContactQuery,
  type Selection,
} from '../../model/selection.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { seatLimitMessage } from '../contact-list/contact-list.js';
import '../import-summary/import-summary.js';
import '../message-composer/message-composer.js';
import '../provider-picker/provider-picker.js';
import '../role-assigner/role-assigner.js';
import '../seat-meter/seat-meter.js';
import { hrImportStyles } from './hr-import.styles.js';

const INDICATOR: readonly { step: HrImportStep; label: string }[] = [
  { step: 'provider', label: 'Provider' },
  { step: 'contacts', label: 'Contacts' },
  { step: 'roles', label: 'Roles' },
  { step: 'message', label: 'Message' },
];
const ORDER: readonly HrImportStep[] = ['provider', 'contacts', 'roles', 'message', 'confirmation'];

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
 * @attr session-token - Session token from `POST /api/sessions` (property `sessionToken`).
 * @attr api-base - Base URL of the BFF, default `/api` (property `apiBase`).
 * @attr request-timeout - Milliseconds a request may take before it fails visibly, default 20000.
 *
 * @event hr-import-complete - {HrImportCompleteEvent} Contacts were imported; `detail` is the ImportResult.
 * @event hr-import-cancel - {HrImportCancelEvent} The admin pressed Cancel.
 * @event hr-import-done - {HrImportDoneEvent} The admin pressed Done on the confirmation.
 * @event hr-import-error - {HrImportErrorEvent} The session expired, could not load, or an import failed; `detail` is `{ code, message, status }`.
 * @event hr-import-step - {HrImportStepEvent} The admin moved to another step; `detail` is `{ step }`.
 *
 * @csspart base - The card around everything.
 * @csspart header - Target, seat meter and step indicator.
 * @csspart steps - The step indicator.
 * @csspart heading - The heading of the current step.
 * @csspart body - The content of the current step.
 * @csspart footer - The buttons of the current step.
 * @csspart error - An error of the import.
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
    _reconnect: { state: true },
    _query: { state: true },
    _selection: { state: true },
    _rows: { state: true },
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
    sessionToken: { attribute: 'session-token' },
    apiBase: { attribute: 'api-base' },
    requestTimeout: { attribute: 'request-timeout', type: Number },
  };

  private readonly _apiProvider = new ContextProvider(this, { context: apiContext });
  private _api: ApiClient | undefined;

  private readonly _session = new Task(this, {
    task: async ([api], { signal }) => (api ? api.getSession(signal) : initialState),
    args: () => [this._api] as const,
    onComplete: (session: SessionInfo) => this.handleSession(session),
    onError: (error: unknown) => this.handleSessionError(error),
  });

  /** Every contact loaded so far, by id: names for the roles step, preview and confirmation. */
  private readonly _known = new Map<string, Contact>();
  /** The submission in flight or last failed without an answer: a retry reuses its key. */
  private _pending: { key: string; json: string } | null = null;
  private _focusHeading = false;

  private declare _step: HrImportStep;
  private declare _provider: ProviderInfo | null;
  /** A provider whose credentials stopped working, to connect again. */
  private declare _reconnect: ProviderInfo | null;
  private declare _query: ContactQuery;
  private declare _selection: Selection;
  /** Rows loaded for the current query. */
  private declare _rows: readonly Contact[];
  private declare _role: string;
  private declare _overrides: ReadonlyMap<string, string>;
  private declare _subject: string;
  private declare _body: string;
  private declare _submitting: boolean;
  private declare _importError: ApiError | null;
  private declare _result: ImportResult | null;
  private declare _seats: Seats | null;
  private declare _expired: boolean;
  private declare _announcement: string;

  /** Session token from the host backend; every request sends it as a bearer token. */
  declare sessionToken: string;
  /** Base URL of the BFF. */
  declare apiBase: string;
  /** Milliseconds a request may take before it fails with a visible error. */
  declare requestTimeout: number;

  constructor() {
    super();
    this._step = 'provider';
    this._provider = null;
    this._reconnect = null;
    this._query = emptyQuery();
    this._selection = noSelection();
    this._rows = [];
    this._role = '';
    this._overrides = new Map();
    this._subject = DEFAULT_SUBJECT;
    this._body = DEFAULT_BODY;
    this._submitting = false;
    this._importError = null;
    this._result = null;
    this._seats = null;
    this._expired = false;
    this._announcement = '';
    this.sessionToken = '';
    this.apiBase = '/api';
    this.requestTimeout = DEFAULT_TIMEOUT_MS;
  }

  override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('sessionToken') || changed.has('apiBase') || changed.has('requestTimeout')) {
      this._api = this.sessionToken
        ? new ApiClient({
            base: this.apiBase || '/api',
            token: this.sessionToken,
            timeoutMs: this.requestTimeout > 0 ? this.requestTimeout : DEFAULT_TIMEOUT_MS,
            onError: (error) => this.handleApiError(error),
          })
        : undefined;
      this._expired = false;
      this._apiProvider.setValue(this._api);
    }
  }

  override updated() {
    if (this._focusHeading) {
      this._focusHeading = false;
      this.renderRoot.querySelector<HTMLElement>('#heading')?.focus();
    }
  }

  private handleSession(session: SessionInfo) {
    this._seats = session.seats;
    if (!session.target.roles.some((r) => r.id === this._role)) this._role = session.target.defaultRole;
  }

  private handleSessionError(error: unknown) {
    const e = toApiError(error);
    if (e.status !== 401) this.reportError(e);
  }

  /** Any failed request: an expired session ends the flow wherever it happens. */
  private handleApiError(error: ApiError) {
    if (error.status !== 401 || this._expired) return;
    this._expired = true;
    this.reportError(error);
  }

  private reportError(error: ApiError) {
    this.dispatchEvent(new HrImportErrorEvent({ code: error.code, message: error.message, status: error.status }));
  }

  private goTo(step: HrImportStep) {
    this._step = step;
    this._importError = null;
    this._focusHeading = true;
    this.dispatchEvent(new HrImportStepEvent(step));
  }

  /** The contacts step hit expired or revoked credentials: back to the provider step, its connect form open. */
  private handleReconnect(event: HrProviderReconnectEvent) {
    this._reconnect = event.provider;
    this.goTo('provider');
  }

  private handleProviderSelect(event: HrProviderSelectEvent) {
    this._reconnect = null;
    if (this._provider?.id !== event.provider.id) {
      this._query = emptyQuery();
      this._selection = noSelection();
      this._rows = [];
      this._overrides = new Map();
      this._known.clear();
    }
    this._provider = event.provider;
    this.goTo('contacts');
  }

  private handleSelectionChange(event: HrSelectionChangeEvent) {
    this._selection = event.selection;
  }

  private handleQueryChange(event: HrQueryChangeEvent) {
    this._query = event.query;
  }

  private handleContactsLoaded(event: HrContactsLoadedEvent) {
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

  private handleCancel() {
    this.dispatchEvent(new HrImportCancelEvent());
  }

  private handleDone() {
    this._provider = null;
    this._query = emptyQuery();
    this._selection = noSelection();
    this._rows = [];
    this._overrides = new Map();
    this._known.clear();
    this._subject = DEFAULT_SUBJECT;
    this._body = DEFAULT_BODY;
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
      this._announcement = `${result.invited} invited${result.skipped.length ? `, ${result.skipped.length} skipped` : ''}.`;
      this.goTo('confirmation');
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
        if (toApiError(error).code !== 'idempotency_key_in_flight' || attempt >= 5) throw error;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    }
  }

  private buildRequest(): ImportRequest | null {
    if (!this._provider || !this._role) return null;
    const roles: Record<string, string> = {};
    for (const [id, role] of this._overrides) {
      if (role !== this._role && includesId(this._selection, id)) roles[id] = role;
    }
    return {
      provider: this._provider.id,
      selection: importSelection(this._selection),
      role: this._role,
      ...(Object.keys(roles).length ? { roles } : {}),
      message: { subject: this._subject, body: this._body },
    };
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
      <ol class="steps" part="steps" aria-label="Progress">
        ${INDICATOR.map(({ step, label }, i) => {
          const index = ORDER.indexOf(step);
          return html`<li class=${index < current ? 'done' : ''} aria-current=${index === current ? 'step' : nothing}>
            <span class="num">${i + 1}</span>${label}
          </li>`;
        })}
      </ol>
    `;
  }

  private renderHeader(session: SessionInfo | undefined) {
    const selecting = this._step === 'contacts' || this._step === 'roles' || this._step === 'message';
    return html`
      <header class="header" part="header">
        ${session
          ? html`<p class="target">
              Invite people to the ${session.target.type} <strong>${session.target.name}</strong>
            </p>`
          : nothing}
        ${this._seats
          ? html`<hr-seat-meter
              .seats=${this._seats}
              .selected=${selecting ? selectedCount(this._selection) : 0}
            ></hr-seat-meter>`
          : nothing}
        ${this.renderSteps()}
      </header>
    `;
  }

  private cancelButton() {
    return html`<button type="button" class="btn" @click=${this.handleCancel}>Cancel</button>`;
  }

  private backButton(to: HrImportStep) {
    return html`<button type="button" class="btn" @click=${() => this.goTo(to)}>Back</button>`;
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
          'Choose an HR application',
          html`<hr-provider-picker
            exportparts="provider"
            .reconnect=${this._reconnect}
            @hr-provider-select=${this.handleProviderSelect}
          ></hr-provider-picker>`,
        );
      case 'contacts':
        return {
          title: `Select contacts from ${this._provider?.name ?? 'the HR application'}`,
          body: html`<hr-contact-list
            exportparts="search, list, row, selection-count, limit-message"
            .provider=${this._provider}
            .query=${this._query}
            .selection=${this._selection}
            .remaining=${remaining}
            @hr-selection-change=${this.handleSelectionChange}
            @hr-query-change=${this.handleQueryChange}
            @hr-contacts-loaded=${this.handleContactsLoaded}
            @hr-provider-reconnect=${this.handleReconnect}
          ></hr-contact-list>`,
          footer: html`
            ${this.cancelButton()}<span class="spacer"></span>${this.backButton('provider')}
            <button type="button" class="btn primary" ?disabled=${count === 0} @click=${() => this.goTo('roles')}>
              Next
            </button>
          `,
        };
      case 'roles': {
        const { shown, more } = this.selectedContacts();
        return {
          title: 'Assign roles',
          body: html`<hr-role-assigner
            .roles=${session.target.roles}
            .commonRole=${this._role}
            .overrides=${this._overrides}
            .contacts=${shown}
            .more=${more}
            @hr-role-change=${this.handleRoleChange}
          ></hr-role-assigner>`,
          footer: html`
            ${this.cancelButton()}<span class="spacer"></span>${this.backButton('contacts')}
            <button type="button" class="btn primary" ?disabled=${count === 0} @click=${() => this.goTo('message')}>
              Next
            </button>
          `,
        };
      }
      case 'message': {
        const { shown } = this.selectedContacts();
        const valid = this._subject.trim() !== '' && this._body.trim() !== '';
        return {
          title: 'Write the invitation',
          body: html`
            <hr-message-composer
              .subject=${this._subject}
              .body=${this._body}
              .contact=${shown[0] ?? null}
              .targetName=${session.target.name}
              .inviterName=${session.inviter.name}
              @hr-message-change=${this.handleMessageChange}
            ></hr-message-composer>
            ${this.renderImportError(count)}
          `,
          footer: html`
            ${this.cancelButton()}<span class="spacer"></span>${this.backButton('roles')}
            <button
              type="button"
              class="btn primary"
              ?disabled=${this._submitting || !valid || count === 0}
              @click=${this.handleSubmit}
            >
              Import Contacts
            </button>
            ${this._submitting ? html`<p class="footer-note" role="status">Importing ${count} contacts…</p>` : nothing}
          `,
        };
      }
      case 'confirmation':
        return {
          title: 'Contacts imported',
          body: html`<hr-import-summary .result=${this._result} .contacts=${this._known}></hr-import-summary>`,
          footer: html`<span class="spacer"></span>
            <button type="button" class="btn primary" @click=${this.handleDone}>Done</button>`,
        };
    }
  }

  private renderImportError(count: number) {
    const error = this._importError;
    if (!error) return nothing;
    if (error.code === 'seat_limit_exceeded') {
      const remaining = this._seats?.remaining ?? 0;
      return html`<div class="alert" role="alert" part="error">
        <strong>Not enough seats.</strong> ${seatLimitMessage(remaining)}, and ${count}
        ${count === 1 ? 'contact is' : 'contacts are'} selected. Go back to Contacts and select fewer.
      </div>`;
    }
    return html`<div class="alert" role="alert" part="error">
      <div>${error.message}</div>
      <button type="button" class="btn" ?disabled=${this._submitting} @click=${this.handleSubmit}>Retry</button>
    </div>`;
  }

  private view(): View {
    if (this._expired) {
      return this.stateView(
        'Your session has expired',
        html`<p>Your session has expired. Close this window and open it again to continue.</p>`,
      );
    }
    return this._session.render({
      initial: () => this.stateView('Import contacts', html`<p class="loading">Waiting for a session…</p>`),
      pending: () => this.stateView('Import contacts', html`<p class="loading" role="status">Loading…</p>`),
      error: (error) =>
        this.stateView(
          'Import contacts',
          html`<div class="alert" role="alert">
            <div>${toApiError(error).message}</div>
            <button type="button" class="btn" @click=${() => this._session.run()}>Retry</button>
          </div>`,
        ),
      complete: (session) => this.stepView(session),
    }) as View;
  }

  override render() {
    const view = this.view();
    const session = this._expired ? undefined : this._session.value;
    return html`
      <section class="card" part="base" aria-labelledby="heading">
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
