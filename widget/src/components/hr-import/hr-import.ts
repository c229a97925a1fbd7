import { LitElement, html, type PropertyValues } from 'lit';
import { ContextProvider } from '@lit/context';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import type { ImportResult, ProviderInfo, Seats } from '../../api/types.js';
import { DEFAULT_TIMEOUT_MS, type ApiError } from '../../api/client.js';
import { define } from '../../define.js';
import { HrImportCancelEvent } from '../../events/hr-import-cancel.js';
import { HrImportCompleteEvent } from '../../events/hr-import-complete.js';
import { HrImportDoneEvent } from '../../events/hr-import-done.js';
import { HrImportErrorEvent } from '../../events/hr-import-error.js';
import type { HrImportStep } from '../../events/hr-import-step.js';
import { HrContactsLoadedEvent, HrProviderSelectEvent, HrQueryChangeEvent, type HrHeadingEvent } from '../../events/internal.js';
import { emptyDraft, forSession, importRequest, messageOf, nextImport, selectedTotal, syncDraftOf, type ImportDraft } from '../../model/import-draft.js';
import type { SyncDraft } from '../../model/sync-rule.js';
import { SchemeController } from '../../styles/scheme.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { LocaleController, getLocale, mailLocale } from '../../locales/localize.js';
import { sessionIn } from '../../locales/labels.js';
import { hrImportStyles } from './hr-import.styles.js';
import { rehearseOnce } from './rehearsal.js';
import { retryAlert } from '../../templates/retry-alert.js';
import { draftContext } from './draft-context.js';
import { applyIntent, type DraftIntent } from './draft-intents.js';
import { header } from './header.js';
import { LATER_STEPS, NavigationController, loadSync } from './navigation.js';
import { SessionController, type TokenProvider } from './session.js';
import type { Submission } from './submission.js';
import { stateView, stepView, type StepActions, type View } from './steps.js';

export type { TokenProvider } from './session.js';

/**
 * The invitation's default text in the admin's language, the placeholders left as they are.
 * msg() needs the English written out here; it is model/message.ts's DEFAULT_SUBJECT and
 * DEFAULT_BODY, which the BFF falls back to (hr-import.test.ts and hr-import.language.test.ts check).
 */
const defaultMessage = () => ({
  subject: msg('Join {{targetName}}'),
  body: msg('Hi {{firstName}},\n\n{{inviterName}} has invited you to join {{targetName}}.\n\nFollow the link in this email to accept.'),
});

/**
 * Imports contacts from an HR application into an organization, lab or challenge: pick the
 * application, select contacts (search, filters, Select All), give them roles, write the
 * invitation, press Import Contacts, see who was invited and who was skipped. The plan's user
 * limit is always shown, and a selection past it must be trimmed before going on (the host can
 * link to a plan upgrade with `upgrade-url`).
 *
 * The host backend creates a short-lived session (`POST /api/sessions`) and passes its token;
 * the widget only ever talks to the BFF at `api-base`.
 *
 * @summary Import contacts from HR applications and invite them.
 *
 * @event {HrImportCompleteEvent} hr-import-complete - Contacts were imported; `detail` is the ImportResult.
 * @event {HrImportCancelEvent} hr-import-cancel - The admin pressed Cancel (with contacts selected, once they chose Discard); also `requestCancel()`.
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
 * @csspart full-plan - The notice that the plan has no free seat, with the upgrade link (`upgrade-url`).
 * @csspart provider - Each HR application on the first step.
 * @csspart search - The contact search box.
 * @csspart list - The contact list.
 * @csspart row - Each contact of the list.
 * @csspart selection-warning - On the roles and message steps: selected people who left the company or share an address, with Leave them out.
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
    _seats: { state: true },
    _announcement: { state: true },
    _result: { state: true },
    _authRefused: { state: true },
    _reconnect: { state: true },
    _hasRules: { state: true },
    _discarding: { state: true },
    _heading: { state: true },
    sessionToken: { attribute: 'session-token' },
    apiBase: { attribute: 'api-base' },
    requestTimeout: { attribute: 'request-timeout', type: Number },
    locale: {},
    upgradeUrl: { attribute: 'upgrade-url' },
    tokenProvider: { attribute: false },
  };

  private readonly _locale = new LocaleController(this);
  private readonly _scheme = new SchemeController(this);

  /** The import being put together: changed only by the parts' intents (draft-intents.ts), the session, Done and the import's end. */
  private _draft: ImportDraft = emptyDraft();
  private readonly _draftProvider = new ContextProvider(this, { context: draftContext, initialValue: this._draft });

  private readonly _session = new SessionController(this, {
    load: async (api, signal) => {
      // Asked beside the session, not after it: a target with sync rules opens on Updates. A BFF
      // that cannot tell leaves the import flow as it was.
      const rules = api.listSyncRules(signal).then(
        ({ items }) => items.length > 0 && loadSync().then(() => true),
        () => false,
      );
      const session = await api.getSession(signal);
      this._hasRules = await rules.catch(() => false);
      if (this._hasRules && this._nav.step === 'provider') this._nav.step = 'updates';
      return session;
    },
    onSession: (session) => {
      this._seats = session.seats;
      this.setDraft(forSession(this._draft, session));
    },
    onSeats: (seats) => (this._seats = seats),
    onError: (error) => {
      // Wrong or expired provider credentials are not the end: the contacts step offers Reconnect.
      if (error.code === 'provider_auth' && this._nav.step === 'contacts') this._authRefused = true;
    },
    report: (error) => this.reportError(error),
  });

  private readonly _nav = new NavigationController(this, () => {
    if (this._submission) this._submission.error = null;
    this._discarding = false;
    this._authRefused = false;
    this._reconnect = null;
    this._heading = '';
  });

  /** Sending the import: made with the first submit, from the message step's chunk (later-steps.ts). */
  private _submission: Submission | undefined;

  private submit() {
    const later = LATER_STEPS;
    if (!later) return;
    this._submission ??= new later.Submission(this, {
      api: () => this._session.api,
      imported: async (result) => {
        this._result = result;
        this._seats = result.seats;
        this._announcement = later.importedAnnouncement(result);
        await this._nav.goToLater('confirmation');
        this.dispatchEvent(new HrImportCompleteEvent(result));
      },
      onSeats: (seats) => (this._seats = seats),
      report: (error) => this.reportError(error),
    });
    this._submission.submit(importRequest(this._draft, this.message(), mailLocale()));
  }

  /** What the steps' buttons and parts ask for (steps.ts). */
  private readonly _actions: StepActions = {
    intend: (intent) => this.intend(intent),
    goTo: this._nav.goTo,
    goToLater: (step) => void this._nav.goToLater(step),
    cancel: () => this.requestCancel(),
    apiError: (error) => this._session.failed(error),
    reconnect: () => {
      // Back to the picker, on the provider's connect form: new credentials, then its contacts again.
      const provider = this._draft.provider;
      this._nav.goTo('provider');
      this._reconnect = provider;
    },
    keepInSync: () => {
      this._syncFrom = this._nav.step;
      this._syncDraft = syncDraftOf(this._draft, this.message());
      void this._nav.goToLater('sync');
    },
    submit: () => this.submit(),
    done: () => {
      this.setDraft(nextImport(this._session.task.value));
      this._result = null;
      this._announcement = '';
      this._nav.goTo('provider');
      this.dispatchEvent(new HrImportDoneEvent());
    },
    seatsChange: (event) => (this._seats = event.seats),
    ruleSaved: () => (this._hasRules = true),
    syncClose: () => this._nav.goTo(this._syncFrom),
  };

  declare private _seats: Seats | null;
  declare private _announcement: string;
  declare private _result: ImportResult | null;
  declare private _authRefused: boolean;
  declare private _reconnect: ProviderInfo | null;
  declare private _hasRules: boolean;
  /** Cancel asks whether to discard the selection (later-steps.ts discardPrompt). */
  declare private _discarding: boolean;
  declare private _heading: string; // StepState.heading
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
   * Where an admin upgrades the plan (an `http(s)` URL, opened in a new tab). When the plan has
   * no free seat, the contacts step says so as it opens and links here; without it, the notice
   * only says what to do.
   */
  declare upgradeUrl: string;
  /**
   * Returns a new session token (your backend calls `POST /api/sessions` again). Called shortly
   * before the session expires, and when the BFF answers 401 `session_expired`, after which the
   * failed request is sent once more. Without it an expired session ends the flow.
   */
  declare tokenProvider: TokenProvider | null;

  constructor() {
    super();
    this._seats = null;
    this._announcement = '';
    this._result = null;
    this._authRefused = false;
    this._reconnect = null;
    this._hasRules = false;
    this._discarding = false;
    this._heading = '';
    this.sessionToken = '';
    this.apiBase = '/api';
    this.requestTimeout = DEFAULT_TIMEOUT_MS;
    this.locale = '';
    this.upgradeUrl = '';
    this.tokenProvider = null;
    updateWhenLocaleChanges(this);
  }

  override updated(changed: PropertyValues<this>) {
    super.updated(changed);
    if (this._nav.step === 'provider' && this._session.session) rehearseOnce(this, () => this._nav.step === 'provider');
  }

  /**
   * What Cancel does, for a host's own way out too (a dialog's close button or Escape): with
   * contacts selected it first asks whether to discard them, else `hr-import-cancel` at once.
   */
  requestCancel(): void {
    const count = selectedTotal(this._draft);
    if (!count || this._nav.step === 'confirmation') {
      this.dispatchEvent(new HrImportCancelEvent());
      return;
    }
    // The question is in the later steps' chunk, loaded by now unless the admin was very quick;
    // if it cannot be fetched, Cancel still cancels.
    void this._nav.loadLater().then(() => {
      if (LATER_STEPS) void this.discarding(true, '.discard .btn');
      else this.dispatchEvent(new HrImportCancelEvent());
    });
  }

  /** Opens or closes Cancel's question, the focus on its safe answer, or back on Cancel. */
  private async discarding(open: boolean, focus: string) {
    this._discarding = open;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(focus)?.focus();
  }

  private handleHeading(event: HrHeadingEvent) {
    event.stopPropagation();
    this._heading = event.heading;
  }

  private setDraft(draft: ImportDraft) {
    this._draft = draft;
    this._draftProvider.setValue(draft);
    this.requestUpdate();
  }

  /** A part's intent, applied to the draft: the one place the parts change it. */
  private intend(intent: DraftIntent) {
    const draft = applyIntent(this._draft, intent);
    // The list shows its own search and rows (the roles step reads them as it opens): a render of
    // the whole widget per search or page landed was waste.
    if (intent instanceof HrQueryChangeEvent || intent instanceof HrContactsLoadedEvent) {
      this._draft = draft;
      this._draftProvider.setValue(draft);
    } else {
      this.setDraft(draft);
    }
    if (intent instanceof HrContactsLoadedEvent) this._authRefused = false;
    if (intent instanceof HrProviderSelectEvent) {
      this._reconnect = null;
      this._nav.goTo('contacts');
    }
  }

  private message() {
    return messageOf(this._draft, defaultMessage());
  }

  private reportError(error: ApiError) {
    this.dispatchEvent(new HrImportErrorEvent({ code: error.code, message: error.message, status: error.status }));
  }

  private view(): View {
    const a = this._actions;
    if (this._session.expired) {
      return stateView(a, msg('Your session has expired'), html`<p>${msg('Your session has expired. Close this window and open it again to continue.')}</p>`);
    }
    return this._session.task.render({
      initial: () => stateView(a, msg('Import contacts'), html`<p class="loading">${msg('Waiting for a session…')}</p>`),
      pending: () => stateView(a, msg('Import contacts'), html`<p class="loading" role="status">${msg('Loading…')}</p>`),
      error: (error) =>
        stateView(
          a,
          msg('Import contacts'),
          retryAlert(error, () => this._session.task.run()),
        ),
      complete: (session) =>
        stepView(this._nav.step, LATER_STEPS, this._actions, () => this.message(), {
          session: sessionIn(session, getLocale()),
          draft: this._draft,
          seats: this._seats,
          authRefused: this._authRefused,
          reconnect: this._reconnect,
          submitting: this._submission?.submitting ?? false,
          importError: this._submission?.error ?? null,
          result: this._result,
          syncDraft: this._syncDraft,
          upgradeUrl: this.upgradeUrl,
          heading: this._heading,
        }),
    }) as View;
  }

  override render() {
    const view = this.view();
    return html`
      <section class="card scheme ${this._scheme.dark ? 'dark' : ''}" part="base" aria-labelledby="heading" lang=${getLocale()}>
        ${header({
          session: this._session.session,
          step: this._nav.step,
          seats: this._seats,
          selected: selectedTotal(this._draft),
          hasRules: this._hasRules,
          goTo: this._nav.goTo,
          goToLater: this._actions.goToLater,
        })}
        <h2 id="heading" tabindex="-1" part="heading">${view.title}</h2>
        <div class="body" part="body" @hr-heading=${this.handleHeading}>${view.body}</div>
        <footer class="footer" part="footer">
          ${
            this._discarding && LATER_STEPS
              ? LATER_STEPS.discardPrompt(
                  selectedTotal(this._draft),
                  () => void this.discarding(false, '.footer .btn'),
                  () => {
                    this._discarding = false;
                    this.dispatchEvent(new HrImportCancelEvent());
                  },
                )
              : view.footer
          }
        </footer>
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
