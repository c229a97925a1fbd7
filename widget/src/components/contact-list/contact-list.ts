import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from '../../directives/style-props.js';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { ContextConsumer } from '@lit/context';
import { Task, TaskStatus, initialState } from '@lit/task';
import type { Contact, ContactFacets, ContactPage, ProviderInfo } from '../../api/types.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { formatNumber } from '../../locales/localize.js';
import { HrContactsLoadedEvent, HrQueryChangeEvent, HrSelectionChangeEvent } from '../../events/internal.js';
import {
  emptyQuery,
  noSelection,
  queryFilters,
  ruleCount,
  ruleOf,
  sameQuery,
  selectAll,
  selectedCount,
  withContact,
  type ContactQuery,
  type Selection,
} from '../../model/selection.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { contactListStyles } from './contact-list.styles.js';
import { ContactPages } from './contact-pages.js';
import { GridNavigation } from './grid-navigation.js';
import { RowWindowController } from './row-window.js';
import { surplusMessage } from './seat-rules.js';
import { retryAlert } from '../../templates/retry-alert.js';
import { contactRow } from './contact-row.js';
import { selectionBar, unselected, type SelectionBarActions, type Undo } from './selection-bar.js';

export const SEARCH_DEBOUNCE_MS = 250;

/**
 * The contacts of one provider with search, filters and a checkbox each (the article's step 6).
 * The list is virtualized (row-window.ts): it is as tall as every match (`total` from the BFF), only the rows in
 * view are in the DOM, and the pages they need are fetched as they scroll into view (contact-pages.ts; a jump far
 * down asks for that page by offset). "Select All" selects every selectable contact matching
 * the search and filters, loaded or not, as a rule plus exceptions. The selection never exceeds
 * `remaining` (seat-rules.ts). Setting `query` or `selection` from outside restores them; changes are written
 * back to the properties and announced with internal events.
 *
 * Keyboard (grid-navigation.ts): the list is one tab stop (a grid, one row per contact); Arrow Up/Down move by one
 * row, Page Up/Down by a screenful, Home/End (or Ctrl+Home/End) to the first and last row of
 * the whole directory, Space checks or unchecks the focused row.
 *
 * @summary Search, filter and select contacts of an HR application.
 * @event hr-selection-change - Internal: the selection changed.
 * @event hr-query-change - Internal: the search or a filter changed.
 * @event hr-contacts-loaded - Internal: the first page of the current query, and the contacts checked one by one.
 * @csspart search - The search box.
 * @csspart list - The list of contacts.
 * @csspart row - Each contact.
 * @csspart selection-count - "N selected".
 * @csspart limit-message - The seat-limit warning.
 * @cssproperty [--hr-contact-list-max-height=26rem] - Height of the scrolling list.
 * @cssproperty [--hr-contact-selected-background=#eef7f1] - Background of a selected row (the scheme's success surface by default, dark in dark mode).
 */
export class HrContactList extends LitElement {
  static override styles = [sharedStyles, contactListStyles];
  static override properties = {
    _searchText: { state: true },
    _undo: { state: true },
    provider: { attribute: false },
    query: { attribute: false },
    selection: { attribute: false },
    remaining: { type: Number },
  };

  readonly #api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** The current query's contacts, page by page; its first page's status is the list's. */
  readonly #pages = new ContactPages(
    this,
    () => [this.#api.value, this.provider?.id, this.query],
    (page) => this.#firstPageShown(page),
  );

  /**
   * Counts for the department and location filters, each narrowed by the other filters (the BFF
   * leaves a filter's own choice out of its counts). Asked for once the first page of a query
   * has landed, not beside it: the rows are what the admin waits for, and the counts (a pass
   * over the whole directory in the BFF) would otherwise hold up the page there and add a second
   * layout of the step before the rows are shown.
   */
  readonly #facets = new Task(this, {
    task: async ([api, provider, listed], { signal }) => {
      if (!api || !provider || !listed || this.#pages.rehearsing) return initialState;
      return api.getFacets(provider, { search: listed.search, ...queryFilters(listed) }, signal);
    },
    // The query the first page landed for.
    args: () => [this.#api.value, this.provider?.id, this.#listed] as const,
  });

  readonly #rows = new RowWindowController(this, () => this.renderRoot.querySelector<HTMLElement>('[role="grid"]'));
  readonly #nav = new GridNavigation(this, this.#rows, () => this.#pages.total);

  #searchTimer: number | undefined;
  /**
   * Row elements are keyed by row (`index + #keyShift`): while scrolling, a row keeps its element
   * and rows that come into view get new ones (cheaper through a whole scroll, see
   * docs/performance.md). A new search shifts the keys so that its rows take over the elements of
   * the rows shown before, in place: after a scroll to the bottom, its first rows would
   * otherwise all be built anew.
   */
  #keyShift = 0;
  /** Contacts checked one by one: the host shows them in the roles step, loaded or not. */
  readonly #checked = new Map<string, Contact>();
  #firstItems: readonly Contact[] = [];
  /** The query of the first page shown last; null before one is. */
  #listed: ContactQuery | null = null;

  declare private _searchText: string;
  /** The selection before the last action that dropped people from it, and what that action did: Undo puts it back. */
  declare private _undo: Undo | null;

  /** The provider whose contacts are listed. */
  declare provider: ProviderInfo | null;
  /** Search and filters; written back when the admin changes them. */
  declare query: ContactQuery;
  /** The selected contacts; written back when the admin changes it. */
  declare selection: Selection;
  /** Seats left on the plan: the selection may not grow past it. */
  declare remaining: number;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
    this._searchText = '';
    this._undo = null;
    this.provider = null;
    this.query = emptyQuery();
    this.selection = noSelection();
    this.remaining = Number.POSITIVE_INFINITY;
  }

  override willUpdate(changed: PropertyValues<this>) {
    // Restore the search box from a query set from outside, without fighting the admin's typing.
    if (changed.has('query') && this.query.search.trim() !== this._searchText.trim()) {
      this._searchText = this.query.search;
    }
  }

  override updated() {
    this.#pages.load(this.#rows.current);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.clearTimeout(this.#searchTimer);
  }

  /**
   * Shows one made-up contact instead of asking the BFF, for the contacts step's rehearsal
   * (hr-import/rehearsal.ts); resolves once its row is rendered. For a list that is never shown.
   */
  async rehearse(): Promise<void> {
    this.#pages.rehearse();
    // First render, then the render of its page (the task settles on a microtask).
    await this.updateComplete;
    await this.#pages.first.taskComplete;
    await this.updateComplete;
  }

  /** The contact at a row index, or undefined while its page is loading. */
  contactAt(index: number): Contact | undefined {
    return this.#pages.contactAt(index);
  }

  /** Scrolls any row into view, the last of 100,000 included, and focuses it. */
  focusRow(index: number): Promise<void> {
    return this.#nav.focusRow(index);
  }

  #firstPageShown(page: ContactPage) {
    // Not under the focus: an element that holds it must not turn into another contact's row.
    if (!this.#rows.grid?.contains(this.shadowRoot?.activeElement ?? null)) this.#keyShift += this.#rows.current?.first ?? 0;
    this.#firstItems = page.items;
    this.#nav.index = 0;
    this.#rows.toTop();
    // Back on a Select All's search and filters: keep its count in step with the directory.
    const { rule } = this.selection;
    if (rule && ruleOf(this.selection, this.query) && rule.selectable !== page.selectable) {
      this.#setSelection({ ...this.selection, rule: { ...rule, selectable: page.selectable } }, this._undo);
    }
    this.#announceLoaded();
    // A new object only for a new query: the counts are asked for again only then.
    if (!this.#listed || !sameQuery(this.#listed, this.query)) this.#listed = { ...this.query, search: this.query.search.trim() };
  }

  #announceLoaded() {
    const first = new Set(this.#firstItems.map((c) => c.id));
    this.dispatchEvent(new HrContactsLoadedEvent([...this.#firstItems, ...[...this.#checked.values()].filter((c) => !first.has(c.id))]));
  }

  #handleSearchInput(event: Event) {
    this._searchText = (event.target as HTMLInputElement).value;
    window.clearTimeout(this.#searchTimer);
    this.#searchTimer = window.setTimeout(() => this.#commitSearch(), SEARCH_DEBOUNCE_MS);
  }

  #handleSearchKeydown(event: KeyboardEvent) {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.#commitSearch();
    }
  }

  #commitSearch() {
    window.clearTimeout(this.#searchTimer);
    this.#setQuery({ ...this.query, search: this._searchText });
  }

  // A filter changed while a search was still being typed takes the typed text along: the query
  // it makes is the one the admin sees, and the search box keeps what they typed.
  #handleFilter(name: 'department' | 'location', event: Event) {
    this.#setQuery({ ...this.query, search: this._searchText, [name]: (event.target as HTMLSelectElement).value });
  }

  #handleShowInactive(event: Event) {
    this.#setQuery({ ...this.query, search: this._searchText, showInactive: (event.target as HTMLInputElement).checked });
  }

  #handleSelectAll(event: Event) {
    const before = this.selection;
    if ((event.target as HTMLInputElement).checked) {
      const next = selectAll(this.query, this.#pages.selectable, before, [...this.#checked.values()]);
      // Another search's Select All is replaced: its people are dropped, so Undo brings them back.
      const replaced = before.rule && !ruleOf(before, this.query) ? ruleCount(before.rule) : 0;
      this.#setSelection(next, replaced ? unselected(before, replaced) : null);
      return;
    }
    this.#setSelection({ ...before, rule: null }, unselected(before, ruleCount(before.rule)));
  }

  readonly #rowChange = (contact: Contact, event: Event) => {
    const checked = (event.target as HTMLInputElement).checked;
    if (checked) this.#checked.set(contact.id, contact);
    else this.#checked.delete(contact.id);
    this.#setSelection(withContact(this.selection, contact, checked));
    this.#announceLoaded();
  };

  #clearSelection() {
    const before = this.selection;
    this.#setSelection(noSelection(), unselected(before, selectedCount(before)));
  }

  #undo() {
    const undo = this._undo;
    if (!undo) return;
    this.#setSelection(undo.selection);
    // Back on the list: the focus had been on Undo, which is gone now.
    this.renderRoot.querySelector<HTMLElement>('#select-all')?.focus();
  }

  readonly #barActions: SelectionBarActions = {
    show: (query) => this.#setQuery(query),
    clear: () => this.#clearSelection(),
    undo: () => this.#undo(),
  };

  #setQuery(next: ContactQuery) {
    window.clearTimeout(this.#searchTimer);
    if (sameQuery(next, this.query)) return;
    // The selection stays as it is: ticked people stay ticked and a Select All stays a rule for
    // its own search and filters (model/selection.ts), whatever is listed now.
    this.query = next;
    this.dispatchEvent(new HrQueryChangeEvent(next));
  }

  /** A new selection; `undo` offers the one before when people were dropped from it, else the offer goes. */
  #setSelection(next: Selection, undo: Undo | null = null) {
    this._undo = undo;
    this.selection = next;
    this.dispatchEvent(new HrSelectionChangeEvent(next));
  }

  #renderFilter(name: 'department' | 'location', label: string, allLabel: string) {
    const facets: ContactFacets | undefined = this.#facets.value;
    const options = (name === 'department' ? facets?.departments : facets?.locations) ?? [];
    const value = this.query[name];
    const known = !value || options.some((o) => o.value === value);
    return html`
      <div>
        <label class="field" for=${name}>${label}</label>
        <select id=${name} part="filter" @change=${(e: Event) => this.#handleFilter(name, e)}>
          <option value="" .selected=${live(!value)}>${allLabel}</option>
          ${known ? nothing : html`<option .value=${value} selected>${value}</option>`}
          ${options.map((o) => html`<option .value=${o.value} .selected=${live(o.value === value)}>${o.value} (${o.count})</option>`)}
        </select>
      </div>
    `;
  }

  #renderList() {
    const pages = this.#pages;
    const total = pages.total;
    const pending = pages.first.status === TaskStatus.PENDING;
    if (pages.first.status === TaskStatus.ERROR) {
      return retryAlert(pages.first.error, () => pages.first.run());
    }
    if (pending && !pages.landed) return html`<p class="loading" role="status">${msg('Loading contacts…')}</p>`;
    if (!total) {
      return html`<p class="list empty" part="list">${pending ? msg('Loading contacts…') : msg('No contacts match your search.')}</p>`;
    }
    const range = this.#rows.window(total);
    const rows: number[] = [];
    for (let i = range.first; i <= range.last; i++) rows.push(i);
    return html`
      <div
        class="list"
        part="list"
        role="grid"
        aria-label=${msg('Contacts')}
        aria-rowcount=${total}
        aria-busy=${pending ? 'true' : 'false'}
        tabindex=${this.#nav.rendered ? -1 : 0}
        style=${styleProps({ '--_hr-rows': String(total) })}
        @scroll=${this.#rows}
        @keydown=${this.#nav}
        @focusin=${this.#nav}
        @pointerdown=${this.#nav}
      >
        <div class="track" aria-hidden="true" style=${styleProps({ height: `${range.track}px` })}></div>
        ${repeat(
          rows,
          (i) => i + this.#keyShift,
          (i) => contactRow(i, range.top(i), this.contactAt(i), i === this.#nav.index, this.selection, this.#rowChange),
        )}
      </div>
      <p class="more muted">${total === 1 ? msg('1 contact') : msg(str`${formatNumber(total)} contacts`)}</p>
      ${pages.error ? retryAlert(pages.error, pages.retry) : nothing}
    `;
  }

  override render() {
    const selection = this.selection;
    const selected = selectedCount(selection);
    const ready = this.#pages.first.status === TaskStatus.COMPLETE;
    const whole = ruleOf(selection, this.query);
    const surplus = surplusMessage(selected, this.remaining);
    return html`
      <div class="toolbar">
        <div>
          <label class="sr-only" for="search">${msg('Search contacts')}</label>
          <input
            id="search"
            type="search"
            part="search"
            placeholder=${msg('Search by name, email or title')}
            autocomplete="off"
            spellcheck="false"
            maxlength="200"
            .value=${live(this._searchText)}
            @input=${this.#handleSearchInput}
            @keydown=${this.#handleSearchKeydown}
          />
        </div>
        <div class="filters">
          ${this.#renderFilter('department', msg('Department'), msg('All departments'))}
          ${this.#renderFilter('location', msg('Location'), msg('All locations'))}
        </div>
        <label class="check">
          <input type="checkbox" .checked=${live(this.query.showInactive)} @change=${this.#handleShowInactive} />
          ${msg('Show inactive')}
        </label>
      </div>
      <p class="alert limit" role="status" aria-live="polite" part="limit-message" ?hidden=${!surplus}>${surplus}</p>
      <div class="bar">
        <label class="check">
          <input
            id="select-all"
            type="checkbox"
            .checked=${live(whole && selection.rule?.except.size === 0)}
            .indeterminate=${live(whole ? selection.rule?.except.size !== 0 : selected > 0)}
            ?disabled=${!ready || this.#pages.selectable === 0}
            @change=${this.#handleSelectAll}
          />
          ${msg('Select All')}
        </label>
        ${selectionBar(this.selection, this.query, selected, this._undo, this.#barActions)}
      </div>
      ${this.#renderList()}
    `;
  }
}

define('hr-contact-list', HrContactList);

declare global {
  interface HTMLElementTagNameMap {
    'hr-contact-list': HrContactList;
  }
}
