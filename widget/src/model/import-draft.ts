/**
 * The import the admin is putting together in `<hr-import>`: the provider, the list's search and
 * selection, the roles and the message, and the rules that say what a change clears. A plain
 * value, changed only by the functions below (each returns a new draft), so the rules are tested
 * without a browser and the element holds the draft in one place.
 */
import type { Contact, ImportRequest, ProviderInfo, SessionInfo } from '../api/types.js';
import type { FreshDirectory } from '../events/internal.js';
import {
  emptyQuery,
  importSelection,
  includesId,
  isSelected,
  noSelection,
  queryFilters,
  selectedCount,
  type ContactQuery,
  type Selection,
} from './selection.js';
import type { SyncDraft } from './sync-rule.js';

export interface ImportDraft {
  readonly provider: ProviderInfo | null;
  /** When the directory the contact list shows was fetched; null until it is ready to list. */
  readonly directory: string | null;
  /** The provider's directory, fresh by the provider list: listed without a state check. */
  readonly fresh: FreshDirectory | null;
  /** The list's search and filters, to restore them when the admin comes back to the list. */
  readonly query: ContactQuery;
  readonly selection: Selection;
  /** The first page of the current query: the selected contacts of a Select All the roles step names. */
  readonly rows: readonly Contact[];
  /** Every contact loaded so far, by id: names for the roles step, preview and confirmation. */
  readonly known: ReadonlyMap<string, Contact>;
  /** The role every selected contact gets, unless `overrides` gives one another. */
  readonly role: string;
  readonly overrides: ReadonlyMap<string, string>;
  /** Null until the admin edits the message: the default, in the current language. */
  readonly subject: string | null;
  readonly body: string | null;
}

export interface Message {
  readonly subject: string;
  readonly body: string;
}

/** Everything the contacts and roles steps hold for one provider's directory, left empty (shared: nothing here is ever changed in place). */
const noContacts = {
  directory: null,
  fresh: null,
  query: emptyQuery(),
  selection: noSelection(),
  rows: [],
  known: new Map(),
  overrides: new Map(),
} satisfies Partial<ImportDraft>;

export const emptyDraft = (): ImportDraft => ({ ...noContacts, provider: null, role: '', subject: null, body: null });

/**
 * Another provider clears what was picked from the previous one's directory (the message stays);
 * the same one again keeps it. A directory the provider list says is fresh is listed at once,
 * instead of after a round trip for its state.
 */
export function withProvider(draft: ImportDraft, provider: ProviderInfo, fresh: FreshDirectory | null): ImportDraft {
  const kept = draft.provider?.id === provider.id ? draft : { ...draft, ...noContacts };
  return { ...kept, provider, fresh, directory: kept.directory ?? fresh?.syncedAt ?? null };
}

/** A newer fetch of the directory: the list loads it again, for the same search and selection. */
export function withDirectory(draft: ImportDraft, syncedAt: string | null | undefined): ImportDraft {
  return { ...draft, directory: syncedAt ?? '' };
}

export const withQuery = (draft: ImportDraft, query: ContactQuery): ImportDraft => ({ ...draft, query });

export const withSelection = (draft: ImportDraft, selection: Selection): ImportDraft => ({ ...draft, selection });

/** The list loaded contacts: the current query's first page, and names to keep. */
export function withContacts(draft: ImportDraft, contacts: readonly Contact[]): ImportDraft {
  const known = new Map(draft.known);
  for (const contact of contacts) known.set(contact.id, contact);
  return { ...draft, rows: contacts, known };
}

export const withRoles = (draft: ImportDraft, role: string, overrides: ReadonlyMap<string, string>): ImportDraft => ({ ...draft, role, overrides });

export const withMessage = (draft: ImportDraft, subject: string, body: string): ImportDraft => ({ ...draft, subject, body });

/** The session's target decides the roles: a role it does not offer becomes its default. */
export function forSession(draft: ImportDraft, session: SessionInfo): ImportDraft {
  return session.target.roles.some((r) => r.id === draft.role) ? draft : { ...draft, role: session.target.defaultRole };
}

/** After Done: a new import from the start, with the target's default role. */
export function nextImport(session: SessionInfo | undefined): ImportDraft {
  const draft = emptyDraft();
  return session ? { ...draft, role: session.target.defaultRole } : draft;
}

/** The message to send: what the admin wrote, else the default (`defaults`, in their language). */
export function messageOf(draft: ImportDraft, defaults: Message): Message {
  return { subject: draft.subject ?? defaults.subject, body: draft.body ?? defaults.body };
}

const contactOf = (draft: ImportDraft) => (id: string) => draft.known.get(id);

export const selectedTotal = (draft: ImportDraft): number => selectedCount(draft.selection);

/** The selected contacts the widget has loaded, and how many more the selection holds. */
export function selectedContacts(draft: ImportDraft): { shown: Contact[]; more: number } {
  const selection = draft.selection;
  const ticked = [...selection.ids].map((id) => draft.known.get(id)).filter((c): c is Contact => !!c);
  const ruled = selection.rule ? [...draft.known.values()].filter((c) => !selection.ids.has(c.id) && isSelected(selection, c)) : [];
  const shown = [...ticked, ...ruled];
  return { shown, more: Math.max(0, selectedCount(selection) - shown.length) };
}

/**
 * How many of the selected would be invited as each role, in the order of `roles` (the target's),
 * leaving out roles no one gets: the review line before Import Contacts.
 */
export function roleCounts(draft: ImportDraft, roles: readonly { id: string }[]): { role: string; count: number }[] {
  const counts = new Map<string, number>();
  let overridden = 0;
  for (const [id, role] of draft.overrides) {
    if (role === draft.role || !includesId(draft.selection, id, contactOf(draft))) continue;
    counts.set(role, (counts.get(role) ?? 0) + 1);
    overridden += 1;
  }
  const common = selectedTotal(draft) - overridden;
  if (common > 0) counts.set(draft.role, (counts.get(draft.role) ?? 0) + common);
  return roles.flatMap(({ id }) => (counts.get(id) ? [{ role: id, count: counts.get(id)! }] : []));
}

/** The import to send, or null while a provider or role is missing. Per-contact roles only where they differ. */
export function importRequest(draft: ImportDraft, message: Message, locale: ImportRequest['locale']): ImportRequest | null {
  if (!draft.provider || !draft.role) return null;
  const roles: Record<string, string> = {};
  for (const [id, role] of draft.overrides) {
    if (role !== draft.role && includesId(draft.selection, id, contactOf(draft))) roles[id] = role;
  }
  return {
    provider: draft.provider.id,
    selection: importSelection(draft.selection),
    role: draft.role,
    ...(Object.keys(roles).length ? { roles } : {}),
    message,
    ...(locale ? { locale } : {}),
  };
}

/** The rule Keep in sync starts from: the list's search and filters (not the ticked rows), since who matches them later joins too. */
export function syncDraftOf(draft: ImportDraft, message: Message): SyncDraft {
  const search = draft.query.search.trim();
  return {
    provider: draft.provider?.id ?? '',
    scope: { ...(search ? { search } : {}), filters: queryFilters(draft.query) },
    defaultRole: draft.role,
    message,
  };
}
