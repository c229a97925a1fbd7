/**
 * Personal data kept to what the flow needs (issue 20): a deployment may turn optional fields
 * off per provider and may scope a provider to part of the company (departments, locations,
 * employment types, active people only). People outside the scope are never stored, and a field
 * turned off is never stored; connectors that can choose the fields they fetch are told which to
 * leave out (`ConnectorSettings.omit`), and this wrapper makes it true for every connector.
 */
import type { ChangedContact, Connector, DirectoryContact, DirectoryChanges, DirectoryPage } from './types.js';
import { foldForSearch } from '../text.js';

/** Fields the flow works without: the list still shows name, email, department and status. */
export const OPTIONAL_FIELDS = ['title', 'location', 'managerId', 'personalEmail', 'avatarUrl'] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

export interface StoragePolicy {
  /** Optional fields turned off: neither fetched where the API lets us choose, nor stored. */
  omit: readonly OptionalField[];
  /** Who is stored at all; each list, when given, must contain the person's value (case and accents ignored). */
  scope: {
    departments?: readonly string[] | undefined;
    locations?: readonly string[] | undefined;
    employmentTypes?: readonly string[] | undefined;
    /** Terminated people are not stored (they are only ever shown with "Show inactive"). */
    activeOnly?: boolean | undefined;
  };
}

/**
 * The turned-off fields a connector may leave out of its requests: all of them but the ones the
 * scope reads (a location scope needs each person's location to know who is stored, and the
 * field is then dropped on arrival like any other).
 */
export const unfetched = (p: StoragePolicy): OptionalField[] => p.omit.filter((f) => !(f === 'location' && p.scope.locations));

/**
 * A provider's field list without the fields that give only turned-off optional fields, for a
 * connector whose API lets the request choose its fields: `sources` names, per optional field,
 * the provider fields it comes from (and no field that also gives another).
 */
export function fieldsToRequest<F extends string>(
  all: readonly F[],
  sources: Partial<Record<OptionalField, readonly F[]>>,
  omit: readonly OptionalField[] = [],
): F[] {
  const leftOut = new Set(omit.flatMap((f) => sources[f] ?? []));
  return all.filter((f) => !leftOut.has(f));
}

export const isEmptyPolicy = (p: StoragePolicy): boolean =>
  p.omit.length === 0 && !p.scope.departments && !p.scope.locations && !p.scope.employmentTypes && !p.scope.activeOnly;

/** The person as stored under the policy, or null when they are outside its scope. */
export function admit(policy: StoragePolicy, contact: DirectoryContact): DirectoryContact | null {
  return admitChange(policy, contact) as DirectoryContact | null;
}

/**
 * The same for a change that may carry only some fields (services/directory/changes.ts keeps the stored
 * value of a field a change leaves out): a scope field it leaves out did not change, and the
 * stored person was in scope, so only the fields it carries are checked.
 */
export function admitChange(policy: StoragePolicy, contact: ChangedContact): ChangedContact | null {
  const { scope } = policy;
  const within = (allowed: readonly string[] | undefined, value: string | null | undefined) => {
    if (!allowed || value === undefined) return true;
    if (value === null) return false;
    const folded = foldForSearch(value);
    return allowed.some((a) => foldForSearch(a) === folded);
  };
  if (scope.activeOnly && contact.status !== undefined && contact.status !== 'active') return null;
  if (!within(scope.departments, contact.department) || !within(scope.locations, contact.location) || !within(scope.employmentTypes, contact.employmentType))
    return null;
  if (policy.omit.length === 0) return contact;
  const out = { ...contact };
  for (const field of policy.omit) out[field] = null;
  return out;
}

function admitPage(policy: StoragePolicy, page: DirectoryPage): DirectoryPage {
  const contacts: DirectoryContact[] = [];
  for (const c of page.contacts) {
    const kept = admit(policy, c);
    if (kept) contacts.push(kept);
  }
  return { ...page, contacts };
}

/**
 * The connector with the policy applied to every page. In what changed, a person who moved out
 * of scope is reported as deleted, so an incremental refresh removes what it may no longer keep.
 */
export function minimized(connector: Connector, policy: StoragePolicy): Connector {
  if (isEmptyPolicy(policy)) return connector;
  const { pages, listChanges, changeWatermark } = connector;
  return {
    listContacts: async (options) => admitPage(policy, await connector.listContacts(options)),
    ...(pages && {
      async *pages(options) {
        for await (const page of pages.call(connector, options)) yield admitPage(policy, page);
      },
    }),
    ...(listChanges && {
      async *listChanges(options) {
        for await (const changes of listChanges.call(connector, options)) {
          const out: DirectoryChanges = { ...changes, contacts: [], deleted: [...changes.deleted] };
          for (const c of changes.contacts) {
            const kept = admitChange(policy, c);
            if (kept) out.contacts.push(kept);
            else out.deleted.push(c.id);
          }
          yield out;
        }
      },
    }),
    ...(changeWatermark && { changeWatermark: changeWatermark.bind(connector) }),
  };
}
