import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, initialState } from '@lit/task';
import { live } from 'lit/directives/live.js';
import type { Contact, SyncScope } from '../../api/types.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrReportsToChangeEvent } from '../../events/sync.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';
import { SEARCH_DEBOUNCE_MS } from '../contact-list/contact-list.js';
import { managerPickerStyles } from './manager-picker.styles.js';

/** Enough matches to pick from while typing; a longer list means the admin should type more. */
const MATCH_LIMIT = 8;

type ReportsTo = NonNullable<SyncScope['reportsTo']>;

/**
 * "Only people who report to…": a search of the directory through the contacts route (debounced,
 * the previous request aborted), its matches as a list of buttons (arrow keys move between them),
 * the chosen manager with Remove, and whether everyone below them counts too.
 *
 * @summary Choose the manager a sync rule's scope keeps to.
 * @event hr-reports-to-change - Internal: a manager was chosen or removed, or `indirect` changed.
 */
export class HrManagerPicker extends LitElement {
  static override styles = [sharedStyles, managerPickerStyles];
  static override properties = {
    _query: { state: true },
    provider: {},
    value: { attribute: false },
    managerName: { attribute: 'manager-name' },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** The people matching what was typed; Task aborts the previous request when the query changes. */
  private readonly _matches = new Task(this, {
    task: async ([api, provider, query], { signal }) => {
      if (!api || !provider || !query) return initialState;
      const page = await api.listContacts(provider, { search: query, limit: MATCH_LIMIT }, signal);
      return page.items;
    },
    args: () => [this._api.value, this.provider, this.value ? '' : this._query] as const,
  });

  private _searchTimer = 0;
  /** Where focus goes once the editor has taken a choice or a removal: the button that replaced the one pressed. */
  private _focusNext: string | null = null;
  /** What was typed, once typing paused. */
  declare private _query: string;

  /** The HR application searched. */
  declare provider: string;
  /** The manager chosen, or null. */
  declare value: ReportsTo | null;
  /** The chosen manager's name; their id when the name is not known (a rule saved elsewhere). */
  declare managerName: string;

  constructor() {
    super();
    this._query = '';
    this.provider = '';
    this.value = null;
    this.managerName = '';
    updateWhenLocaleChanges(this);
  }

  override updated(changed: PropertyValues<this>) {
    // The editor answers a choice by setting `value`; only then is the control the keyboard goes on with there.
    if (changed.has('value') && this._focusNext) {
      this.renderRoot.querySelector<HTMLElement>(this._focusNext)?.focus();
      this._focusNext = null;
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.clearTimeout(this._searchTimer);
  }

  private handleInput(event: Event) {
    const text = (event.target as HTMLInputElement).value.trim();
    window.clearTimeout(this._searchTimer);
    this._searchTimer = window.setTimeout(() => (this._query = text), SEARCH_DEBOUNCE_MS);
  }

  /** Down from the search box goes to the first match; Up and Down move between matches. */
  private handleKeydown(event: KeyboardEvent) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.matches button')];
    if (!buttons.length) return;
    const at = buttons.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLButtonElement);
    const next = event.key === 'ArrowDown' ? Math.min(at + 1, buttons.length - 1) : at - 1;
    event.preventDefault();
    if (next < 0) this.renderRoot.querySelector<HTMLInputElement>('#manager-search')?.focus();
    else buttons[next]!.focus();
  }

  private handleChoose(contact: Contact) {
    this._query = '';
    this._focusNext = '#manager-remove';
    this.dispatchEvent(new HrReportsToChangeEvent({ contactId: contact.id, indirect: false }, contact.displayName));
  }

  private handleRemove() {
    this._focusNext = '#manager-search';
    this.dispatchEvent(new HrReportsToChangeEvent(null, ''));
  }

  private handleIndirect(event: Event) {
    const indirect = (event.target as HTMLInputElement).checked;
    this.dispatchEvent(new HrReportsToChangeEvent({ ...this.value!, indirect }, this.managerName));
  }

  private renderMatches(contacts: readonly Contact[]) {
    if (!contacts.length) return html`<p class="note" role="status">${msg(str`No one matches “${this._query}”.`)}</p>`;
    return html`<ul class="matches" aria-label=${msg('Matching people')} @keydown=${this.handleKeydown}>
      ${contacts.map(
        (c) =>
          html`<li>
            <button type="button" class="btn link" @click=${() => this.handleChoose(c)}>
              ${c.displayName}${c.title ? html`<span class="muted"> · ${c.title}</span>` : nothing}
            </button>
          </li>`,
      )}
    </ul>`;
  }

  private renderChosen(value: ReportsTo) {
    const name = this.managerName || value.contactId;
    return html`<p class="chosen">
        <span>${msg(str`Reporting to ${name}`)}</span>
        <button id="manager-remove" type="button" class="btn link" aria-label=${msg(str`Remove ${name}`)} @click=${this.handleRemove}>${msg('Remove')}</button>
      </p>
      <label class="check">
        <input type="checkbox" .checked=${live(value.indirect)} @change=${this.handleIndirect} />
        ${msg("Include their reports' reports (everyone below them)")}
      </label>`;
  }

  override render() {
    if (this.value) return this.renderChosen(this.value);
    return html`<label class="field" for="manager-search">${msg('Only people who report to…')}</label>
      <input
        id="manager-search"
        type="search"
        maxlength="200"
        autocomplete="off"
        placeholder=${msg('Search for a manager')}
        @input=${this.handleInput}
        @keydown=${this.handleKeydown}
      />
      ${this._matches.render({
        complete: (contacts) => this.renderMatches(contacts),
        error: (error) => retryAlert(error, () => void this._matches.run()),
      })}`;
  }
}

define('hr-manager-picker', HrManagerPicker);

declare global {
  interface HTMLElementTagNameMap {
    'hr-manager-picker': HrManagerPicker;
  }
}
