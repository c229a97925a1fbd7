import type { Contact, ContactFilters, ImportRequest } from '../api/types.js';

/** What the admin typed and picked above the contact list. Empty strings mean "any". */
export interface ContactQuery {
  readonly search: string;
  readonly department: string;
  readonly location: string;
  /** Terminated people are hidden unless asked for (`status=all`). */
  readonly showInactive: boolean;
}

export const emptyQuery = (): ContactQuery => ({ search: '', department: '', location: '', showInactive: false });

export function sameQuery(a: ContactQuery, b: ContactQuery): boolean {
  return a.search.trim() === b.search.trim() && a.department === b.department && a.location === b.location && a.showInactive === b.showInactive;
}

/** The BFF filters of a query, leaving out the empty ones. */
export function queryFilters(query: ContactQuery): ContactFilters {
  const filters: ContactFilters = {};
  if (query.department) filters.department = query.department;
  if (query.location) filters.location = query.location;
  if (query.showInactive) filters.status = 'all';
  return filters;
}

/**
 * The selected contacts. "Select All" is kept as a rule plus exceptions, never as a list of
 * ids: it means every selectable contact matching the search and filters, including the ones
 * not loaded yet, and the BFF resolves it. `selectable` is how many that was when the rule was
 * made (from the contact page), so the count needs no further request.
 */
export type Selection =
  | { readonly mode: 'ids'; readonly ids: ReadonlySet<string> }
  | {
      readonly mode: 'all';
      readonly search: string;
      readonly filters: ContactFilters;
      readonly except: ReadonlySet<string>;
      readonly selectable: number;
    };

export const noSelection = (): Selection => ({ mode: 'ids', ids: new Set() });

export function selectAll(query: ContactQuery, selectable: number): Selection {
  return { mode: 'all', search: query.search.trim(), filters: queryFilters(query), except: new Set(), selectable };
}

/** Whether a contact can be invited: not a member, not invited yet, and with an email. */
export function canInvite(contact: Contact): boolean {
  return contact.membership === null && contact.email !== null;
}

/** Whether a contact is selected; in 'all' mode the contact must come from the rule's query. */
export function isSelected(selection: Selection, contact: Contact): boolean {
  if (!canInvite(contact)) return false;
  return selection.mode === 'ids' ? selection.ids.has(contact.id) : !selection.except.has(contact.id);
}

export function selectedCount(selection: Selection): number {
  return selection.mode === 'ids' ? selection.ids.size : Math.max(0, selection.selectable - selection.except.size);
}

/** The selection with one contact checked or unchecked. */
export function withContact(selection: Selection, id: string, selected: boolean): Selection {
  if (selection.mode === 'ids') {
    const ids = new Set(selection.ids);
    if (selected) ids.add(id);
    else ids.delete(id);
    return { mode: 'ids', ids };
  }
  const except = new Set(selection.except);
  if (selected) except.delete(id);
  else except.add(id);
  return { ...selection, except };
}

/** Whether the contact with this id is in the selection (for 'all', one of the rule's contacts). */
export function includesId(selection: Selection, id: string): boolean {
  return selection.mode === 'ids' ? selection.ids.has(id) : !selection.except.has(id);
}

/** The `selection` member of the import request. */
export function importSelection(selection: Selection): ImportRequest['selection'] {
  if (selection.mode === 'ids') return { ids: [...selection.ids] };
  return {
    all: true,
    ...(selection.search ? { search: selection.search } : {}),
    ...(Object.keys(selection.filters).length ? { filters: { ...selection.filters } } : {}),
    ...(selection.except.size ? { except: [...selection.except] } : {}),
  };
}
