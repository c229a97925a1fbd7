/**
 * The steps `<hr-import>` shows first (provider, contacts) and those of the sync chunk (Keep in
 * sync, Updates), one render function each, with what they share with the later steps
 * (later-steps.ts). Each reads the element's state and calls its actions; none holds state.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { msg, str } from '@lit/localize';
import type { ImportResult, ProviderInfo, Seats, SessionInfo } from '../../api/types.js';
import type { ApiError } from '../../api/client.js';
import type { HrImportStep } from '../../events/hr-import-step.js';
import type { HrSeatsChangeEvent } from '../../events/sync.js';
import { selectedTotal, type ImportDraft, type Message } from '../../model/import-draft.js';
import type { SyncDraft } from '../../model/sync-rule.js';
import type { DraftIntent } from './draft-intents.js';
import { surplus } from '../contact-list/seat-rules.js';
import type { HrRefreshFailedEvent } from '../refresh-progress/refresh-progress.js';
import '../provider-picker/provider-picker.js';
import '../refresh-progress/refresh-progress.js';

export interface View {
  title: string;
  body: TemplateResult | typeof nothing;
  footer: TemplateResult;
}

/** What a step shows. */
export interface StepState {
  readonly session: SessionInfo;
  readonly draft: ImportDraft;
  readonly seats: Seats | null;
  /** The provider refused the credentials while listing contacts (`provider_auth`). */
  readonly authRefused: boolean;
  /** The provider whose connect form the picker opens at once (Reconnect). */
  readonly reconnect: ProviderInfo | null;
  readonly submitting: boolean;
  readonly importError: ApiError | null;
  readonly result: ImportResult | null;
  /** The rule Keep in sync starts from. */
  readonly syncDraft: SyncDraft | null;
  /** The host's link to a plan upgrade (`upgrade-url`), or ''. */
  readonly upgradeUrl: string;
  /** The heading a part that took the provider step over gave it (the CSV upload), or ''. */
  readonly heading: string;
}

/** What a step's buttons and parts ask of the element. */
export interface StepActions {
  /** A part's change of the draft (draft-intents.ts). */
  intend(intent: DraftIntent): void;
  goTo(step: HrImportStep): void;
  /** To a step of a chunk of its own, once it is loaded. */
  goToLater(step: HrImportStep): void;
  cancel(): void;
  apiError(error: ApiError): void;
  reconnect(): void;
  keepInSync(): void;
  submit(): void;
  done(): void;
  seatsChange(event: HrSeatsChangeEvent): void;
  ruleSaved(): void;
  syncClose(): void;
}

export const cancelButton = (a: StepActions) => html`<button type="button" class="btn" @click=${a.cancel}>${msg('Cancel')}</button>`;

export const backButton = (a: StepActions, to: HrImportStep) => html`<button type="button" class="btn" @click=${() => a.goTo(to)}>${msg('Back')}</button>`;

export const nextButton = (a: StepActions, to: HrImportStep, disabled: boolean) =>
  html`<button type="button" class="btn primary" ?disabled=${disabled} @click=${() => a.goToLater(to)}>${msg('Next')}</button>`;

/** A step whose only way on is inside it, or out (Cancel). */
export const stateView = (a: StepActions, title: string, body: TemplateResult): View => ({
  title,
  body,
  footer: html`<span class="spacer"></span>${cancelButton(a)}`,
});

export const providerStep = (s: StepState, a: StepActions): View =>
  stateView(
    a,
    s.heading || msg('Choose an HR application'),
    html`<hr-provider-picker exportparts="provider" .reconnect=${s.reconnect} @hr-provider-select=${a.intend}></hr-provider-picker>`,
  );

/** Whether the selection can be imported: someone is selected, and no more people than the free seats (the list says how many to untick). */
export const canGoOn = (s: StepState): boolean => {
  const selected = selectedTotal(s.draft);
  return selected > 0 && surplus(selected, (s.seats ?? s.session.seats).remaining) === 0;
};

/** `fullPlan`: the notice of a plan without a free seat, from the later steps' chunk once it is in (later-steps.ts). */
export function contactsStep(s: StepState, a: StepActions, fullPlan: unknown = nothing): View {
  const { provider, fresh, directory, query, selection } = s.draft;
  return {
    title: provider ? msg(str`Select contacts from ${provider.name}`) : msg('Select contacts from the HR application'),
    body: html`${fullPlan}<hr-import-refresh-progress
        .provider=${provider}
        .known=${fresh && Date.now() < fresh.until ? fresh.syncedAt : null}
        @hr-refresh-ready=${a.intend}
        @hr-refresh-failed=${(e: HrRefreshFailedEvent) => a.apiError(e.error)}
      ></hr-import-refresh-progress>
      ${
        directory === null
          ? nothing
          : keyed(
              directory,
              html`<hr-contact-list
                exportparts="search, list, row, selection-count, limit-message"
                .provider=${provider}
                .query=${query}
                .selection=${selection}
                .remaining=${s.seats?.remaining ?? s.session.seats.remaining}
                @hr-selection-change=${a.intend}
                @hr-query-change=${a.intend}
                @hr-contacts-loaded=${a.intend}
              ></hr-contact-list>`,
            )
      }
      ${authRefused(s, a)}`,
    footer: html` ${cancelButton(a)}<span class="spacer"></span>${backButton(a, 'provider')} ${nextButton(a, 'roles', !canGoOn(s))} `,
  };
}

/**
 * Beside the provider's own message (shown by the contact list): the way out. An organization's
 * own connection is reconnected here; the deployment's credentials only its operator can renew.
 */
function authRefused(s: StepState, a: StepActions) {
  const provider = s.draft.provider;
  if (!s.authRefused || !provider) return nothing;
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
    <button type="button" class="btn primary" @click=${a.reconnect}>${msg(str`Reconnect ${name}`)}</button>
  </div>`;
}

export const syncStep = (s: StepState, a: StepActions): View =>
  stateView(
    a,
    msg('Keep in sync'),
    html`<hr-sync-rule-editor
      .roles=${s.session.target.roles}
      .draft=${s.syncDraft}
      provider-name=${s.draft.provider?.name ?? ''}
      @hr-sync-close=${a.syncClose}
      @hr-sync-rule-saved=${a.ruleSaved}
      @hr-sync-show-updates=${() => a.goTo('updates')}
      @hr-seats-change=${a.seatsChange}
    ></hr-sync-rule-editor>`,
  );

export const updatesStep = (s: StepState, a: StepActions): View =>
  stateView(a, msg('Updates'), html`<hr-sync-view .roles=${s.session.target.roles} @hr-seats-change=${a.seatsChange}></hr-sync-view>`);

/** The later steps' render functions (later-steps.ts), once their chunk is in. */
interface LaterSteps {
  fullPlan(s: StepState): unknown;
  rolesStep(s: StepState, a: StepActions): View;
  messageStep(s: StepState, a: StepActions, message: Message): View;
  confirmationStep(s: StepState, a: StepActions): View;
}

/** The step on screen: its render function, or a way out while its chunk is missing. */
export function stepView(step: HrImportStep, later: LaterSteps | undefined, a: StepActions, message: () => Message, state: StepState): View {
  switch (step) {
    case 'provider':
      return providerStep(state, a);
    case 'contacts':
      return contactsStep(state, a, later?.fullPlan(state));
    case 'sync':
      return syncStep(state, a);
    case 'updates':
      return updatesStep(state, a);
    case 'roles':
      if (later) return later.rolesStep(state, a);
      break;
    case 'message':
      if (later) return later.messageStep(state, a, message());
      break;
    case 'confirmation':
      if (later) return later.confirmationStep(state, a);
  }
  // Its chunk failed to load: the way out, until a step that has its parts.
  return stateView(a, msg('Import contacts'), html`<p class="loading">${msg('Loading…')}</p>`);
}
