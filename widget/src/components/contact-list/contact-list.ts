import { LitElement, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { ContextConsumer } from '@lit/context';
import { Task, TaskStatus, initialState } from '@lit/task';
import { msg, str } from '@lit/localize';
import type { Contact, ContactFacets, ContactPage, ProviderInfo } from '../../../../bff/contract.js';
import { isAbort, toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrContactsLoadedEvent, HrProviderReconnectEvent, HrQueryChangeEvent, HrSelectionChangeEvent } from '../../events/internal.js';
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

export const PAGE_SIZE = 100;
export const SEARCH_DEBOUNCE_MS = 250;

/** The refusal shown when a selection would pass the plan's user limit. */
export function seatLimitMessage(remaining: number): string {
  if (remaining <= 0) return "Your plan's user limit allows no more users";
  return `Your plan's user limit allows ${remaining} more ${remaining === 1 ? 'user' : 'users'}`;
}

function initials(contact: Contact): string {
  const parts = [contact.firstName, contact.lastName].filter((p): p is string => !!p?.trim());
  const source = parts.length ? parts : contact.displayName.trim().split(/\s+/);
  return source
    .slice(0, 2)
    .map((p) => p.trim().charAt(0).toUpperCase())
    .join('');
}

/**
 * The contacts of one provider with search, filters and a checkbox each (the article's step 6).
 * "Select All" selects every selectable contact matching the search and filters, loaded or not.
 * The selection never exceeds `remaining`. Setting `query` or `selection` from outside restores
 * them; changes are written back to the properties and announced with internal events.
 *
 * @summary Search, filter and select contacts of an HR application.
 * @event hr-selection-change - Internal: the selection changed.
 * @event hr-query-change - Internal: the search or a filter changed.
 * @event hr-contacts-loaded - Internal: rows loaded for the current query.
 * @csspart search - The search box.
 * @csspart list - The list of contacts.
 * @csspart row - Each contact.
 * @csspart selection-count - "N selected".
 * @cssproperty [--hr-contact-list-max-height=26rem] - Height of the scrolling list.
 * @cssproperty [--hr-contact-selected-background=#eef7f1] - Background of a selected row.
 */
export class HrContactList extends LitElement {
  static override styles = [sharedStyles, contactListStyles];
  static override properties = {
    _searchText: { state: true },
    _rows: { state: true },
    _nextCursor: { state: true },
    _total: { state: true },
    _selectable: { state: true },
    _loadingMore: { state: true },
    _moreError: { state: true },
    _limitMessage: { state: true },
    _notice: { state: true },
    provider: { attribute: false },
    query: { attribute: false },
    selection: { attribute: false },
    remaining: { type: Number },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** First page of the current query; later pages come from "Load more". */
  private readonly _page = new Task(this, {
    task: async ([api, provider, search, department, location, showInactive], { signal }) => {
      if (!api || !provider) return initialState;
      this._moreAbort?.abort();
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
      ] as const,
    onComplete: (page: ContactPage) => this.handlePage(page, false),
  });

  /** Counts for the department and location filters. */
  private readonly _facets = new Task(this, {
    task: async ([api, provider, search, showInactive], { signal }) => {
      if (!api || !provider) return initialState;
      return api.getFacets(provider, { search, status: showInactive ? 'all' : undefined }, signal);
    },
    args: () => [this._api.value, this.provider?.id, this.query.search.trim(), this.query.showInactive] as const,
  });

  private _searchTimer: number | undefined;
  private _moreAbort: AbortController | undefined;

  private declare _searchText: string;
  private declare _rows: readonly Contact[];
  private declare _nextCursor: string | null;
  private declare _total: number;
  private declare _selectable: number;
  private declare _loadingMore: boolean;
  private declare _moreError: ApiError | null;
  private declare _limitMessage: string;
  private declare _notice: string;

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
    this._rows = [];
    this._nextCursor = null;
    this._total = 0;
    this._selectable = 0;
    this._loadingMore = false;
    this._moreError = null;
    this._limitMessage = '';
    this._notice = '';
    this.provider = null;
    this.query = emptyQuery();
    this.selection = noSelection();
    this.remaining = Number.POSITIVE_INFINITY;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    // Restore the search box from a query set from outside, without fighting the admin's typing.
    if (changed.has('query') && this.query.search.trim() !== this._searchText.trim()) {
      this._searchText = this.query.search;
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.clearTimeout(this._searchTimer);
    this._moreAbort?.abort();
  }

  private handlePage(page: ContactPage, append: boolean) {
    this._rows = append ? [...this._rows, ...page.items] : page.items;
    this._nextCursor = page.nextCursor;
    this._total = page.total;
    this._selectable = page.selectable;
    this._moreError = null;
    // Coming back to a Select All: keep its count in step with the directory.
    const selection = this.selection;
    if (!append && selection.mode === 'all' && selection.selectable !== page.selectable) {
      this.setSelection({ ...selection, selectable: page.selectable });
    }
    this.dispatchEvent(new HrContactsLoadedEvent(this._rows));
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
      this._limitMessage = `${seatLimitMessage(this.remaining)}; ${this._selectable} contacts match.`;
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
    this.setSelection(withContact(this.selection, contact.id, checkbox.checked));
  }

  private async handleLoadMore() {
    const api = this._api.value;
    const provider = this.provider;
    const cursor = this._nextCursor;
    if (!api || !provider || !cursor || this._loadingMore) return;
    const controller = new AbortController();
    this._moreAbort = controller;
    this._loadingMore = true;
    this._moreError = null;
    const query = this.query;
    try {
      const page = await api.listContacts(
        provider.id,
        { ...queryFilters(query), search: query.search.trim(), cursor, limit: PAGE_SIZE },
        controller.signal,
      );
      if (!controller.signal.aborted && sameQuery(query, this.query)) this.handlePage(page, true);
    } catch (error) {
      if (!isAbort(error)) this._moreError = toApiError(error);
    } finally {
      if (this._moreAbort === controller) {
        this._loadingMore = false;
        this._moreAbort = undefined;
      }
    }
  }

  private setQuery(next: ContactQuery) {
    if (sameQuery(next, this.query)) return;
    this._limitMessage = '';
    // A Select All is a rule for one query: it would mean other people under a new one.
    if (this.selection.mode === 'all') {
      this.setSelection(noSelection());
      this._notice = 'Selection cleared because the search or filters changed.';
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
          ${options.map(
            (o) => html`<option .value=${o.value} ?selected=${o.value === value}>${o.value} (${o.count})</option>`,
          )}
        </select>
      </div>
    `;
  }

  private renderRow(contact: Contact) {
    const selectable = canInvite(contact);
    const selected = isSelected(this.selection, contact);
    const meta = [contact.title, contact.department, contact.location].filter(Boolean).join(' · ');
    return html`
      <li class="row ${selectable ? '' : 'unavailable'} ${selected ? 'selected' : ''}" part="row">
        <label>
          <input
            type="checkbox"
            aria-label="Select ${contact.displayName}"
            .checked=${live(selected)}
            ?disabled=${!selectable}
            @change=${(e: Event) => this.handleRowChange(contact, e)}
          />
          <span class="avatar" aria-hidden="true">${initials(contact)}</span>
          <span class="who">
            <span class="name">${contact.displayName}</span>
            ${meta ? html`<span class="meta">${meta}</span>` : nothing}
            ${contact.email ? html`<span class="email">${contact.email}</span>` : nothing}
            <span class="markers">
              ${contact.membership === 'member' ? html`<span class="marker member">Member</span>` : nothing}
              ${contact.membership === 'invited' ? html`<span class="marker invited">Invited</span>` : nothing}
              ${contact.email ? nothing : html`<span class="marker no-email">No email</span>`}
              ${contact.status === 'inactive' ? html`<span class="marker inactive">Inactive</span>` : nothing}
            </span>
          </span>
        </label>
      </li>
    `;
  }

  /** Expired or revoked credentials are not a dead end: the organization connects again. */
  private renderReconnect(error: ApiError) {
    const provider = this.provider;
    const own = provider && (provider.oauth || (provider.fields?.length ?? 0) > 0);
    if (error.code !== 'provider_auth' || !provider || !own) return nothing;
    return html`<button type="button" class="btn primary" @click=${() => this.dispatchEvent(new HrProviderReconnectEvent(provider))}>
      ${msg(str`Reconnect ${provider.name}`)}
    </button>`;
  }

  private renderList() {
    const pending = this._page.status === TaskStatus.PENDING;
    if (this._page.status === TaskStatus.ERROR) {
      const error = toApiError(this._page.error);
      return html`
        <div class="alert" role="alert">
          <div>${error.message}</div>
          ${this.renderReconnect(error)}
          <button type="button" class="btn" @click=${() => this._page.run()}>Retry</button>
        </div>
      `;
    }
    if (pending && !this._rows.length) return html`<p class="loading" role="status">Loading contacts…</p>`;
    return html`
      <ul class="list" part="list" role="list" aria-label="Contacts" aria-busy=${pending ? 'true' : 'false'}>
        ${repeat(
          this._rows,
          (c) => c.id,
          (c) => this.renderRow(c),
        )}
        ${this._rows.length || pending ? nothing : html`<li class="empty">No contacts match your search.</li>`}
      </ul>
      <div class="more">
        <span class="muted">Showing ${this._rows.length} of ${this._total}</span>
        ${this._nextCursor
          ? html`<button type="button" class="btn" ?disabled=${this._loadingMore} @click=${this.handleLoadMore}>
              ${this._loadingMore ? 'Loading…' : 'Load more'}
            </button>`
          : nothing}
      </div>
      ${this._moreError
        ? html`<div class="alert" role="alert">
            <div>${this._moreError.message}</div>
            <button type="button" class="btn" @click=${this.handleLoadMore}>Retry</button>
          </div>`
        : nothing}
    `;
  }

  override render() {
    const selection = this.selection;
    const count = selectedCount(selection);
    const ready = this._page.status === TaskStatus.COMPLETE;
    return html`
      <div class="toolbar">
        <div>
          <label class="sr-only" for="search">Search contacts</label>
          <input
            id="search"
            type="search"
            part="search"
            placeholder="Search by name, email or title"
            autocomplete="off"
            maxlength="200"
            .value=${live(this._searchText)}
            @input=${this.handleSearchInput}
            @keydown=${this.handleSearchKeydown}
          />
        </div>
        <div class="filters">
          ${this.renderFilter('department', 'Department', 'All departments')}
          ${this.renderFilter('location', 'Location', 'All locations')}
        </div>
        <label class="check">
          <input type="checkbox" .checked=${live(this.query.showInactive)} @change=${this.handleShowInactive} />
          Show inactive
        </label>
      </div>
      ${this._limitMessage
        ? html`<p class="alert limit" role="alert" part="limit-message">${this._limitMessage}</p>`
        : nothing}
      <div class="bar">
        <label class="check">
          <input
            type="checkbox"
            .checked=${live(selection.mode === 'all')}
            .indeterminate=${live(selection.mode === 'ids' && selection.ids.size > 0)}
            ?disabled=${!ready || this._selectable === 0}
            @change=${this.handleSelectAll}
          />
          Select All
        </label>
        <p class="count" role="status" aria-live="polite" part="selection-count">
          <strong>${count} selected</strong>${this._notice ? html`. ${this._notice}` : nothing}
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
