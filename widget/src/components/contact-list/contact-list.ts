import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from '../../directives/style-props.js';
import { msg, str } from '@lit/localize';
import { ContextConsumer } from '@lit/context';
import { Task, TaskStatus, initialState } from '@lit/task';
import type { Contact, ContactFacets, ContactPage, ProviderInfo } from '../../api/types.js';
import { isAbort, toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { formatNumber } from '../../locales/localize.js';
import { HrContactsLoadedEvent, HrQueryChangeEvent, HrSelectionChangeEvent } from '../../events/internal.js';
import {
  canInvite,
  emptyQuery,
  isSelected,
  noSelection,
  queryFilters,
  sameQuery,
  selectAll,
  selectedCount,
  withContact,
  type ContactQuery,
  type Selection,
} from '../../model/selection.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { contactListStyles } from './contact-list.styles.js';
import { rowWindow, scrollTopFor, type RowWindow } from './row-window.js';
import { retryAlert } from '../../templates/retry-alert.js';

export const PAGE_SIZE = 100;
export const SEARCH_DEBOUNCE_MS = 250;
/** Pages kept in memory (3,000 rows): enough for the view and its neighbours, bounded whatever the directory's size. */
export const PAGE_CACHE = 30;
/** Page requests at a time. */
const MAX_IN_FLIGHT = 2;

/** The refusal shown when a selection would pass the plan's user limit. */
export function seatLimitMessage(remaining: number): string {
  if (remaining <= 0) return msg("Your plan's user limit allows no more users");
  return remaining === 1 ? msg("Your plan's user limit allows 1 more user") : msg(str`Your plan's user limit allows ${remaining} more users`);
}

const count = formatNumber;

function initials(contact: Contact): string {
  const parts = [contact.firstName, contact.lastName].filter((p): p is string => !!p?.trim());
  const source = parts.length ? parts : contact.displayName.trim().split(/\s+/);
  return source
    .slice(0, 2)
    .map((p) => p.trim().charAt(0).toUpperCase())
    .join('');
}

/** Who a rehearsal lists: each line of a row filled (an active contact, not yet invited). */
const REHEARSAL_CONTACT = {
  id: 'rehearsal',
  displayName: 'Ada Lovelace',
  email: 'ada@example.com',
  title: 'Engineer',
  membership: null,
} as Contact;

interface CachedPage {
  readonly items: readonly Contact[];
  readonly nextCursor: string | null;
}

/** Keys that move the focused row, and how far. */
type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last';
const MOVES: Record<string, Move> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'first',
  End: 'last',
};

/**
 * The contacts of one provider with search, filters and a checkbox each (the article's step 6).
 * The list is virtualized (row-window.ts): it is as tall as every match (`total` from the BFF), only the rows in
 * view are in the DOM, and the pages they need are fetched as they scroll into view (a jump far
 * down asks for that page by offset). "Select All" selects every selectable contact matching
 * the search and filters, loaded or not, as a rule plus exceptions. The selection never exceeds
 * `remaining`. Setting `query` or `selection` from outside restores them; changes are written
 * back to the properties and announced with internal events.
 *
 * Keyboard: the list is one tab stop (a grid, one row per contact); Arrow Up/Down move by one
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
    _total: { state: true },
    _selectable: { state: true },
    _pagesVersion: { state: true },
    _pageError: { state: true },
    _focusIndex: { state: true },
    _limitMessage: { state: true },
    _notice: { state: true },
    provider: { attribute: false },
    query: { attribute: false },
    selection: { attribute: false },
    remaining: { type: Number },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** First page of the current query: its total sizes the list; later pages load as they come into view. */
  private readonly _page = new Task(this, {
    task: async ([api, provider, search, department, location, showInactive, rehearsal], { signal }) => {
      if (rehearsal) return rehearsal;
      if (!api || !provider) return initialState;
      // Pages of the previous query still on their way are of no use any more.
      this._generation += 1;
      for (const controller of this._inFlight.values()) controller.abort();
      this._inFlight.clear();
      const query = { search, department, location, showInactive };
      return api.listContacts(provider, { ...queryFilters(query), search: search.trim(), limit: PAGE_SIZE }, signal);
    },
    args: () =>
      [
        this._api.value,
        this.provider?.id,
        this.query.search.trim(),
        this.query.department,
        this.query.location,
        this.query.showInactive,
        this._rehearsal,
      ] as const,
    onComplete: (page: ContactPage) => this.handleFirstPage(page),
  });

  /**
   * Counts for the department and location filters. Asked for once the first page of a search
   * has landed, not beside it: the rows are what the admin waits for, and the counts (a pass
   * over the whole directory in the BFF) would otherwise hold up the page there and add a second
   * layout of the step before the rows are shown.
   */
  private readonly _facets = new Task(this, {
    task: async ([api, provider, search, showInactive], { signal }) => {
      if (!api || !provider || search === undefined || this._rehearsal) return initialState;
      return api.getFacets(provider, { search, status: showInactive ? 'all' : undefined }, signal);
    },
    // The search the first page landed for: a filter changes neither, so the counts stay.
    args: () => [this._api.value, this.provider?.id, this._listed?.search, this._listed?.showInactive] as const,
  });

  /** The page a rehearsal shows instead of asking the BFF (see `rehearse()`). */
  private _rehearsal: ContactPage | null = null;
  private _searchTimer: number | undefined;
  /** Loaded pages by number, least recently used first. */
  private readonly _pages = new Map<number, CachedPage>();
  private readonly _inFlight = new Map<number, AbortController>();
  /** Bumped on every new query, so a page of an older one is dropped when it lands. */
  private _generation = 0;
  /** The rows rendered at the last update, and the scroll position and sizes they were laid out for. */
  private _range: RowWindow | null = null;
  private _scrollTop = 0;
  /** The list's inner height with the stylesheet's defaults (26rem less its border), until measured. */
  private _viewHeight = 414;
  /** From the stylesheet (3.5rem), measured on the first row rendered. */
  private _rowHeight = 56;
  /**
   * Row elements are keyed by row (`index + _keyShift`): while scrolling, a row keeps its element
   * and rows that come into view get new ones, which measured cheaper than reusing the elements
   * of rows that left (8.7 against 11.0 ms a frame through the whole list). A new search shifts
   * the keys so that its rows take over the elements of the rows shown before, in place: after a
   * scroll to the bottom, its first rows would otherwise all be built anew.
   */
  private _keyShift = 0;
  /** Contacts checked one by one: the host shows them in the roles step, loaded or not. */
  private readonly _checked = new Map<string, Contact>();
  private _firstItems: readonly Contact[] = [];
  /** The search and the inactive toggle of the first page shown last; null before one is. */
  private _listed: { search: string; showInactive: boolean } | null = null;
  /**
   * Sizes the row window from the list as laid out. Read when the browser has laid it out
   * anyway: reading sizes after each render instead forced a layout of the whole step there.
   */
  private readonly _resize = new ResizeObserver(() => this.measure());
  private _observed: HTMLElement | null = null;

  declare private _searchText: string;
  declare private _total: number;
  declare private _selectable: number;
  declare private _pagesVersion: number;
  declare private _pageError: ApiError | null;
  /** The row that holds the list's one tab stop. */
  declare private _focusIndex: number;
  declare private _limitMessage: string;
  declare private _notice: string;

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
    this._searchText = '';
    this._total = 0;
    this._selectable = 0;
    this._pagesVersion = 0;
    this._pageError = null;
    this._focusIndex = 0;
    this._limitMessage = '';
    this._notice = '';
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
    this.observeGrid();
    const range = this._range;
    if (range) this.loadRange(range.first, range.last);
    // A placeholder row that had focus has loaded: hand focus on to its checkbox.
    const active = this.shadowRoot?.activeElement;
    if (active?.getAttribute('role') === 'gridcell') {
      const input = active.querySelector<HTMLInputElement>('input:not([disabled])');
      if (input) input.focus();
    }
  }

  override connectedCallback() {
    super.connectedCallback();
    // Moved in the page: its grid is observed again, as the observer was let go below.
    if (this.hasUpdated) this.observeGrid();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._resize.disconnect();
    this._observed = null;
    window.clearTimeout(this._searchTimer);
    for (const controller of this._inFlight.values()) controller.abort();
    this._inFlight.clear();
  }

  /**
   * Shows one made-up contact instead of asking the BFF, for the contacts step's rehearsal
   * (hr-import/rehearsal.ts); resolves once its row is rendered. For a list that is never shown.
   */
  async rehearse(): Promise<void> {
    this._rehearsal = { items: [REHEARSAL_CONTACT], nextCursor: null, total: 1, selectable: 1 };
    // First render, then the render of its page (the task settles on a microtask).
    await this.updateComplete;
    await this._page.taskComplete;
    await this.updateComplete;
  }

  /** The contact at a row index, or undefined while its page is loading. */
  contactAt(index: number): Contact | undefined {
    return this._pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE];
  }

  private get _grid(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[role="grid"]');
  }

  private handleFirstPage(page: ContactPage) {
    // Not under the focus: an element that holds it must not turn into another contact's row.
    if (!this._grid?.contains(this.shadowRoot?.activeElement ?? null)) this._keyShift += this._range?.first ?? 0;
    this._pages.clear();
    this._pages.set(0, { items: page.items, nextCursor: page.nextCursor });
    this._pageError = null;
    this._firstItems = page.items;
    this.setTotal(page.total, page.selectable);
    this._focusIndex = 0;
    this._scrollTop = 0;
    const grid = this._grid;
    if (grid) grid.scrollTop = 0;
    this._pagesVersion += 1;
    // Coming back to a Select All: keep its count in step with the directory.
    const selection = this.selection;
    if (selection.mode === 'all' && selection.selectable !== page.selectable) {
      this.setSelection({ ...selection, selectable: page.selectable });
    }
    this.announceLoaded();
    this._listed = { search: this.query.search.trim(), showInactive: this.query.showInactive };
  }

  private setTotal(total: number, selectable: number) {
    this._total = total;
    this._selectable = selectable;
  }

  private announceLoaded() {
    const first = new Set(this._firstItems.map((c) => c.id));
    this.dispatchEvent(new HrContactsLoadedEvent([...this._firstItems, ...[...this._checked.values()].filter((c) => !first.has(c.id))]));
  }

  /** Watches the grid rendered now (the list's loading and empty states have none). */
  private observeGrid() {
    const grid = this._grid;
    if (grid === this._observed) return;
    if (this._observed) this._resize.unobserve(this._observed);
    if (grid) this._resize.observe(grid);
    this._observed = grid;
  }

  /** The list's height and its rows' height, as laid out; a change lays the rows out again. */
  private measure() {
    const grid = this._grid;
    if (!grid) return;
    const row = grid.querySelector<HTMLElement>('[role="row"]');
    const rowHeight = row?.offsetHeight || this._rowHeight;
    const viewHeight = grid.clientHeight || this._viewHeight;
    if (rowHeight !== this._rowHeight || viewHeight !== this._viewHeight) {
      this._rowHeight = rowHeight;
      this._viewHeight = viewHeight;
      this.requestUpdate();
    }
  }

  private handleScroll(event: Event) {
    const top = (event.target as HTMLElement).scrollTop;
    // A new search scrolls the list back to the top itself, and has laid its rows out for it.
    if (top === this._scrollTop) return;
    this._scrollTop = top;
    this.requestUpdate();
  }

  private viewport(scrollTop = this._scrollTop) {
    return { total: this._total, rowHeight: this._rowHeight, viewHeight: this._viewHeight, scrollTop };
  }

  /**
   * Fetches the pages the rendered rows need, two at a time. Flinging the list from top to
   * bottom passes a thousand pages: only the ones in view when a request is free are asked
   * for, so the BFF answers a handful instead of queueing them all (an aborted fetch would
   * still run there, so a request once sent is let finish, and its page is kept).
   */
  private loadRange(first: number, last: number) {
    if (this._page.status !== TaskStatus.COMPLETE || last < 0) return;
    const from = Math.floor(first / PAGE_SIZE);
    const to = Math.floor(Math.min(last, this._total - 1) / PAGE_SIZE);
    for (let n = from; n <= to; n++) {
      const cached = this._pages.get(n);
      if (cached) {
        // Most recently used goes last, so eviction takes the oldest.
        this._pages.delete(n);
        this._pages.set(n, cached);
      } else if (!this._inFlight.has(n) && this._inFlight.size < MAX_IN_FLIGHT) {
        void this.loadPage(n);
      }
    }
  }

  private async loadPage(n: number) {
    const api = this._api.value;
    const provider = this.provider;
    if (!api || !provider) return;
    const controller = new AbortController();
    this._inFlight.set(n, controller);
    const generation = this._generation;
    const query = this.query;
    // Reading on from the page before is keyset paging; a jump asks by position.
    const before = this._pages.get(n - 1)?.nextCursor;
    const where = before ? { cursor: before } : { offset: n * PAGE_SIZE };
    try {
      const page = await api.listContacts(provider.id, { ...queryFilters(query), search: query.search.trim(), ...where, limit: PAGE_SIZE }, controller.signal);
      if (controller.signal.aborted || generation !== this._generation) return;
      this._pages.set(n, { items: page.items, nextCursor: page.nextCursor });
      // Keep the pages in view (and the first); evict the least recently used of the others.
      const from = Math.floor((this._range?.first ?? 0) / PAGE_SIZE);
      const to = Math.floor((this._range?.last ?? 0) / PAGE_SIZE);
      while (this._pages.size > PAGE_CACHE) {
        const oldest = [...this._pages.keys()].find((k) => k !== 0 && (k < from || k > to));
        if (oldest === undefined) break;
        this._pages.delete(oldest);
      }
      this._pageError = null;
      this.setTotal(page.total, page.selectable);
      this._pagesVersion += 1;
    } catch (error) {
      if (!isAbort(error) && generation === this._generation) this._pageError = toApiError(error);
    } finally {
      if (this._inFlight.get(n) === controller) this._inFlight.delete(n);
      // A request is free: ask for what is in view now.
      if (this._range && !controller.signal.aborted) this.loadRange(this._range.first, this._range.last);
    }
  }

  private retryPages() {
    this._pageError = null;
    if (this._range) this.loadRange(this._range.first, this._range.last);
  }

  private handleSearchInput(event: Event) {
    this._searchText = (event.target as HTMLInputElement).value;
    window.clearTimeout(this._searchTimer);
    this._searchTimer = window.setTimeout(() => this.commitSearch(), SEARCH_DEBOUNCE_MS);
  }

  private handleSearchKeydown(event: KeyboardEvent) {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.commitSearch();
    }
  }

  private commitSearch() {
    window.clearTimeout(this._searchTimer);
    this.setQuery({ ...this.query, search: this._searchText });
  }

  private handleFilter(name: 'department' | 'location', event: Event) {
    this.setQuery({ ...this.query, [name]: (event.target as HTMLSelectElement).value });
  }

  private handleShowInactive(event: Event) {
    this.setQuery({ ...this.query, showInactive: (event.target as HTMLInputElement).checked });
  }

  private handleSelectAll(event: Event) {
    const checkbox = event.target as HTMLInputElement;
    this._notice = '';
    if (!checkbox.checked) {
      this._limitMessage = '';
      this.setSelection(noSelection());
      return;
    }
    if (this._selectable > this.remaining) {
      checkbox.checked = false;
      checkbox.indeterminate = this.selection.mode === 'ids' && this.selection.ids.size > 0;
      this._limitMessage =
        this._selectable === 1
          ? msg(str`${seatLimitMessage(this.remaining)}; 1 contact matches.`)
          : msg(str`${seatLimitMessage(this.remaining)}; ${count(this._selectable)} contacts match.`);
      return;
    }
    this._limitMessage = '';
    this.setSelection(selectAll(this.query, this._selectable));
  }

  private handleRowChange(contact: Contact, event: Event) {
    const checkbox = event.target as HTMLInputElement;
    this._notice = '';
    if (checkbox.checked && selectedCount(this.selection) >= this.remaining) {
      checkbox.checked = false;
      this._limitMessage = `${seatLimitMessage(this.remaining)}.`;
      return;
    }
    this._limitMessage = '';
    if (checkbox.checked) this._checked.set(contact.id, contact);
    else this._checked.delete(contact.id);
    this.setSelection(withContact(this.selection, contact.id, checkbox.checked));
    this.announceLoaded();
  }

  /** Arrow keys, Page Up/Down and Home/End move the focused row, scrolled into view. */
  private handleGridKeydown(event: KeyboardEvent) {
    const target = event.target as HTMLElement;
    if (event.key === ' ' && target.getAttribute('role') === 'gridcell') {
      // A cell has the focus when its row has no checkbox to toggle (yet): don't scroll the list.
      event.preventDefault();
      target.querySelector<HTMLInputElement>('input:not([disabled])')?.click();
      return;
    }
    const move = MOVES[event.key];
    if (!move || event.altKey || event.metaKey || this._total === 0) return;
    event.preventDefault();
    const page = Math.max(1, Math.floor(this._viewHeight / this._rowHeight) - 1);
    const at = this._focusIndex;
    const next = {
      up: at - 1,
      down: at + 1,
      pageUp: at - page,
      pageDown: at + page,
      first: 0,
      last: this._total - 1,
    }[move];
    void this.focusRow(Math.max(0, Math.min(this._total - 1, next)));
  }

  /** A click makes its row the tab stop before the focus lands on the row or the grid. */
  private handleGridPointerdown(event: PointerEvent) {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[role="row"]');
    if (row) this._focusIndex = Number(row.dataset.index);
  }

  /** Clicking or tabbing into a row makes it the list's tab stop. */
  private handleGridFocusin(event: FocusEvent) {
    const grid = this._grid;
    if (event.target === grid) {
      // The tab stop's row was scrolled out of the DOM: the first row in view takes its place.
      const range = this._range;
      const rendered = !!range && this._focusIndex >= range.first && this._focusIndex <= range.last;
      void this.focusRow(rendered ? this._focusIndex : (range?.firstVisible ?? 0));
      return;
    }
    const row = (event.target as HTMLElement).closest<HTMLElement>('[role="row"]');
    if (row) this._focusIndex = Number(row.dataset.index);
  }

  /** Scrolls any row into view, the last of 100,000 included, and focuses it. */
  async focusRow(index: number): Promise<void> {
    this._focusIndex = index;
    const grid = this._grid;
    if (!grid) return;
    grid.scrollTop = scrollTopFor(index, this.viewport(grid.scrollTop));
    this._scrollTop = grid.scrollTop;
    this.requestUpdate();
    await this.updateComplete;
    const row = grid.querySelector<HTMLElement>(`[role="row"][data-index="${index}"]`);
    const target = row?.querySelector<HTMLElement>('input:not([disabled])') ?? row?.querySelector<HTMLElement>('[role="gridcell"]');
    target?.focus({ preventScroll: true });
  }

  private setQuery(next: ContactQuery) {
    if (sameQuery(next, this.query)) return;
    this._limitMessage = '';
    // A Select All is a rule for one query: it would mean other people under a new one.
    if (this.selection.mode === 'all') {
      this.setSelection(noSelection());
      this._notice = msg('Selection cleared because the search or filters changed.');
    } else {
      this._notice = '';
    }
    this.query = next;
    this.dispatchEvent(new HrQueryChangeEvent(next));
  }

  private setSelection(next: Selection) {
    this.selection = next;
    this.dispatchEvent(new HrSelectionChangeEvent(next));
  }

  private renderFilter(name: 'department' | 'location', label: string, allLabel: string) {
    const facets: ContactFacets | undefined = this._facets.value;
    const options = (name === 'department' ? facets?.departments : facets?.locations) ?? [];
    const value = this.query[name];
    const known = !value || options.some((o) => o.value === value);
    return html`
      <div>
        <label class="field" for=${name}>${label}</label>
        <select id=${name} part="filter" @change=${(e: Event) => this.handleFilter(name, e)}>
          <option value="" ?selected=${!value}>${allLabel}</option>
          ${known ? nothing : html`<option .value=${value} selected>${value}</option>`}
          ${options.map((o) => html`<option .value=${o.value} ?selected=${o.value === value}>${o.value} (${o.count})</option>`)}
        </select>
      </div>
    `;
  }

  private renderRow(index: number, top: number) {
    const contact = this.contactAt(index);
    const tabStop = index === this._focusIndex ? 0 : -1;
    const selectable = !!contact && canInvite(contact);
    const selected = !!contact && isSelected(this.selection, contact);
    const state = !contact ? 'placeholder' : `${selectable ? '' : 'unavailable'} ${selected ? 'selected' : ''}`;
    // One cell element whether loaded or not: the focus stays on it when its page lands.
    return html`
      <div class="row ${state}" part="row" role="row" aria-rowindex=${index + 1} data-index=${index} style=${styleProps({ transform: `translateY(${top}px)` })}>
        <div class="cell" role="gridcell" tabindex=${selectable ? -1 : tabStop} aria-busy=${contact ? 'false' : 'true'}>
          ${contact ? this.renderContact(contact, selectable, selected, tabStop) : html`<span class="avatar" aria-hidden="true"></span>${msg('Loading…')}`}
        </div>
      </div>
    `;
  }

  private renderContact(contact: Contact, selectable: boolean, selected: boolean, tabStop: number) {
    const meta = [contact.title, contact.department, contact.location].filter(Boolean).join(' · ');
    // The details line's spans are there, empty or not: a template of their own each (the common
    // case) cost two more template instances a row, on every row scrolled into view.
    return html`
      <label>
        <input
          type="checkbox"
          aria-label=${msg(str`Select ${contact.displayName}`)}
          tabindex=${tabStop}
          .checked=${live(selected)}
          ?disabled=${!selectable}
          @change=${(e: Event) => this.handleRowChange(contact, e)}
        />
        <span class="avatar" aria-hidden="true">${initials(contact)}</span>
        <span class="who">
          <span class="line">
            <span class="name">${contact.displayName}</span>
            ${contact.membership === 'member' ? html` <span class="marker member">${msg('Member')}</span>` : nothing}
            ${contact.membership === 'invited' ? html` <span class="marker invited">${msg('Invited')}</span>` : nothing}
            ${contact.email ? nothing : html` <span class="marker no-email">${msg('No email')}</span>`}
            ${contact.status === 'inactive' ? html` <span class="marker inactive">${msg('Inactive')}</span>` : nothing}
          </span>
          <span class="line details"><span class="meta">${meta}</span> <span class="email">${contact.email}</span></span>
        </span>
      </label>
    `;
  }

  private renderList() {
    const pending = this._page.status === TaskStatus.PENDING;
    if (this._page.status === TaskStatus.ERROR) {
      return retryAlert(this._page.error, () => this._page.run());
    }
    if (pending && !this._pagesVersion) return html`<p class="loading" role="status">${msg('Loading contacts…')}</p>`;
    if (!this._total) {
      return html`<p class="list empty" part="list">${pending ? msg('Loading contacts…') : msg('No contacts match your search.')}</p>`;
    }
    const range = rowWindow(this.viewport());
    this._range = range;
    const rows: number[] = [];
    for (let i = range.first; i <= range.last; i++) rows.push(i);
    // The focused row's tab stop is gone when it is scrolled out of the DOM: the grid takes it.
    const focusRendered = this._focusIndex >= range.first && this._focusIndex <= range.last;
    return html`
      <div
        class="list"
        part="list"
        role="grid"
        aria-label=${msg('Contacts')}
        aria-rowcount=${this._total}
        aria-busy=${pending ? 'true' : 'false'}
        tabindex=${focusRendered ? -1 : 0}
        style=${styleProps({ '--_hr-rows': String(this._total) })}
        @scroll=${this.handleScroll}
        @keydown=${this.handleGridKeydown}
        @focusin=${this.handleGridFocusin}
        @pointerdown=${this.handleGridPointerdown}
      >
        <div class="track" aria-hidden="true" style=${styleProps({ height: `${range.track}px` })}></div>
        ${repeat(
          rows,
          (i) => i + this._keyShift,
          (i) => this.renderRow(i, range.top(i)),
        )}
      </div>
      <p class="more muted">${this._total === 1 ? msg('1 contact') : msg(str`${count(this._total)} contacts`)}</p>
      ${this._pageError ? retryAlert(this._pageError, this.retryPages) : nothing}
    `;
  }

  override render() {
    const selection = this.selection;
    const selected = selectedCount(selection);
    const ready = this._page.status === TaskStatus.COMPLETE;
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
            @input=${this.handleSearchInput}
            @keydown=${this.handleSearchKeydown}
          />
        </div>
        <div class="filters">
          ${this.renderFilter('department', msg('Department'), msg('All departments'))} ${this.renderFilter('location', msg('Location'), msg('All locations'))}
        </div>
        <label class="check">
          <input type="checkbox" .checked=${live(this.query.showInactive)} @change=${this.handleShowInactive} />
          ${msg('Show inactive')}
        </label>
      </div>
      <p class="alert limit" role="status" aria-live="polite" part="limit-message" ?hidden=${!this._limitMessage}>${this._limitMessage}</p>
      <div class="bar">
        <label class="check">
          <input
            type="checkbox"
            .checked=${live(selection.mode === 'all')}
            .indeterminate=${live(selection.mode === 'ids' && selection.ids.size > 0)}
            ?disabled=${!ready || this._selectable === 0}
            @change=${this.handleSelectAll}
          />
          ${msg('Select All')}
        </label>
        <p class="count" role="status" aria-live="polite" part="selection-count">
          <strong>${msg(str`${count(selected)} selected`)}</strong>${this._notice ? html`. ${this._notice}` : nothing}
        </p>
      </div>
      ${this.renderList()}
    `;
  }
}

define('hr-contact-list', HrContactList);

declare global {
  interface HTMLElementTagNameMap {
    'hr-contact-list': HrContactList;
  }
}
