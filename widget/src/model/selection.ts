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
 * A Select All: every selectable contact matching one search and filters, loaded or not, but the
 * exceptions. Kept as a rule, never as a list of ids, and resolved by the BFF on import.
 * `selectable` is how many that was when the rule's query was last listed (from its contact
 * page), so the count needs no further request. The rule outlives a change of the search or
 * filters: it still means the same people, who stay selected under any query.
 */
export interface SelectAllRule {
  readonly search: string;
  readonly filters: ContactFilters;
  readonly except: ReadonlySet<string>;
  readonly selectable: number;
}

/**
 * The selected contacts: a Select All rule, if any, and the contacts ticked one by one outside
 * of it (`ids`, never one the rule holds, so the two add up).
 */
export interface Selection {
  readonly ids: ReadonlySet<string>;
  readonly rule: SelectAllRule | null;
}

export const noSelection = (): Selection => ({ ids: new Set(), rule: null });

/** Whether a contact can be invited: not a member, not invited yet, and with an email. */
export function canInvite(contact: Contact): boolean {
  return contact.membership === null && contact.email !== null;
}

/** Lowercase without accents, as the BFF folds the text it searches (bff/services/text.ts foldForSearch). */
const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Whether a contact matches a rule's search and filters, exactly as the BFF decides (bff/services/
 * directory.ts contactMatches): active only unless `status` says otherwise, department and
 * location equal, and every word of the search (at most 8) somewhere in the name, email, title,
 * department or location. The list shows a rule's people ticked under any query with it.
 */
export function matchesRule(rule: Pick<SelectAllRule, 'search' | 'filters'>, contact: Contact): boolean {
  const { filters } = rule;
  const status = filters.status ?? 'active';
  if (status !== 'all' && contact.status !== status) return false;
  if (filters.department && contact.department !== filters.department) return false;
  if (filters.location && contact.location !== filters.location) return false;
  if (filters.employmentType && contact.employmentType !== filters.employmentType) return false;
  const words = fold(rule.search).trim().split(/\s+/).filter(Boolean).slice(0, 8);
  if (!words.length) return true;
  const text = fold([contact.displayName, contact.email ?? '', contact.title ?? '', contact.department ?? '', contact.location ?? ''].join(' '));
  return words.every((w) => text.includes(w));
}

/** Whether the rule is the Select All of this query. */
export function ruleOf(selection: Selection, query: ContactQuery): boolean {
  const rule = selection.rule;
  if (!rule) return false;
  const filters = queryFilters(query);
  return (
    rule.search === query.search.trim() &&
    rule.filters.department === filters.department &&
    rule.filters.location === filters.location &&
    rule.filters.status === filters.status &&
    !rule.filters.employmentType
  );
}

/** The search and filters a rule was made under, to list its people again. */
export function ruleQuery(rule: SelectAllRule): ContactQuery {
  return { search: rule.search, department: rule.filters.department ?? '', location: rule.filters.location ?? '', showInactive: rule.filters.status === 'all' };
}

/**
 * Select All under a query: its rule replaces any other, and of the contacts ticked one by one
 * (`ticked`, the ones the selection's ids name) those the rule does not hold stay selected.
 */
export function selectAll(query: ContactQuery, selectable: number, previous: Selection = noSelection(), ticked: readonly Contact[] = []): Selection {
  const rule: SelectAllRule = { search: query.search.trim(), filters: queryFilters(query), except: new Set(), selectable };
  const ids = new Set(previous.ids);
  for (const contact of ticked) if (matchesRule(rule, contact)) ids.delete(contact.id);
  return { ids, rule };
}

/** Whether a contact is selected: ticked one by one, or one of the rule's people and not an exception. */
export function isSelected(selection: Selection, contact: Contact): boolean {
  if (!canInvite(contact)) return false;
  if (selection.ids.has(contact.id)) return true;
  const rule = selection.rule;
  return !!rule && !rule.except.has(contact.id) && matchesRule(rule, contact);
}

/** How many the rule holds now. */
export const ruleCount = (rule: SelectAllRule | null): number => (rule ? Math.max(0, rule.selectable - rule.except.size) : 0);

export function selectedCount(selection: Selection): number {
  return selection.ids.size + ruleCount(selection.rule);
}

/** The selection with one contact checked or unchecked: an exception of the rule if it is one of its people, else one by one. */
export function withContact(selection: Selection, contact: Contact, selected: boolean): Selection {
  const rule = selection.rule;
  if (rule && matchesRule(rule, contact)) {
    const except = new Set(rule.except);
    if (selected) except.delete(contact.id);
    else except.add(contact.id);
    return { ...selection, rule: { ...rule, except } };
  }
  const ids = new Set(selection.ids);
  if (selected) ids.add(contact.id);
  else ids.delete(contact.id);
  return { ...selection, ids };
}

/**
 * Whether the contact with this id is in the selection. `contactOf` names the contacts loaded so
 * far; one it does not know is taken for one of the rule's people unless it is an exception.
 */
export function includesId(selection: Selection, id: string, contactOf: (id: string) => Contact | undefined = () => undefined): boolean {
  if (selection.ids.has(id)) return true;
  const contact = contactOf(id);
  if (contact) return isSelected(selection, contact);
  return !!selection.rule && !selection.rule.except.has(id);
}

/** The `selection` member of the import request: the rule with the contacts ticked outside it (`include`), or the ids. */
export function importSelection(selection: Selection): ImportRequest['selection'] {
  const rule = selection.rule;
  if (!rule) return { ids: [...selection.ids] };
  return {
    all: true,
    ...(rule.search ? { search: rule.search } : {}),
    ...(Object.keys(rule.filters).length ? { filters: { ...rule.filters } } : {}),
    ...(rule.except.size ? { except: [...rule.except] } : {}),
    ...(selection.ids.size ? { include: [...selection.ids] } : {}),
  };
}
