/**
 * The contacts listing, its search and its facets, computing what the BFF computes
 * (bff/services/directory/search.ts and queries.ts) over the fake's directory.
 */
import type { Answer, Contact } from '../../api/types.js';
import { answer, errorResponse } from './http.js';
import type { FakeState, Matches } from './state.js';

export interface ContactFilters {
  department?: string;
  location?: string;
  status?: string;
}

export const canInvite = (c: Contact) => c.membership === null && c.email !== null;

function fits(c: Contact, search: string | null, filters: ContactFilters): boolean {
  // As the BFF searches (bff/services/directory/search.ts): every word, folded, somewhere in these.
  const fold = (v: string) => v.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const words = fold(search ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8);
  const text = words.length ? fold([c.displayName, c.email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')) : '';
  const status = filters.status ?? 'active';
  return (
    words.every((w) => text.includes(w)) &&
    (!filters.department || c.department === filters.department) &&
    (!filters.location || c.location === filters.location) &&
    (status === 'all' || c.status === status)
  );
}

export function matching(state: FakeState, search: string | null, filters: ContactFilters): Contact[] {
  return state.contacts.filter((c) => fits(c, search, filters));
}

/** The matches of a query: over `contacts`, or positions in the generated directory. */
export function matches(state: FakeState, search: string | null, filters: ContactFilters): Matches {
  const generated = state.generated;
  if (!generated) {
    const list = matching(state, search, filters);
    return { size: list.length, at: (k) => list[k]!, selectable: list.filter(canInvite).length };
  }
  const key = JSON.stringify([search?.trim().toLowerCase() ?? '', filters.department, filters.location, filters.status]);
  let found = state.generatedMatches.get(key);
  if (!found) {
    const positions: number[] = [];
    let selectable = 0;
    for (let i = 0; i < generated.size; i++) {
      const c = generated.at(i);
      if (fits(c, search, filters)) {
        positions.push(i);
        if (canInvite(c)) selectable += 1;
      }
    }
    const everyone = positions.length === generated.size;
    const index = everyone ? null : Int32Array.from(positions);
    found = { size: positions.length, at: (k) => generated.at(index ? index[k]! : k), selectable };
    state.generatedMatches.set(key, found);
  }
  return found;
}

/**
 * As the BFF reads it (bff/services/directory/queries.ts sharedEmails): whether another person
 * of the directory has the contact's address, whatever its case. A generated directory's
 * addresses are unique.
 */
function sharedEmails(state: FakeState): (c: Contact) => boolean {
  if (state.generated) return () => false;
  const key = (c: Contact) => c.email?.trim().toLowerCase() || null;
  const counts = new Map<string, number>();
  for (const c of state.contacts) if (key(c)) counts.set(key(c)!, (counts.get(key(c)!) ?? 0) + 1);
  return (c) => (counts.get(key(c) ?? '') ?? 0) > 1;
}

/** `GET /providers/{provider}/contacts`: one page of the matches. */
export function page(state: FakeState, params: URLSearchParams): Response {
  if (params.has('offset') && params.has('cursor')) return errorResponse(400, 'invalid_request', 'Give cursor or offset, not both.');
  let found = matches(state, params.get('search'), {
    department: params.get('department') ?? undefined,
    location: params.get('location') ?? undefined,
    status: params.get('status') ?? undefined,
  });
  const shared = sharedEmails(state);
  if (params.get('flagged') === 'true') {
    // The people an import warns of: left the company, or an address another person has too.
    const list = Array.from({ length: found.size }, (_, k) => found.at(k)).filter((c) => c.status === 'inactive' || shared(c));
    found = { size: list.length, at: (k) => list[k]!, selectable: list.filter(canInvite).length };
  }
  const offset = Number(params.get('offset') ?? params.get('cursor') ?? 0);
  const limit = Number(params.get('limit') ?? 100);
  const end = Math.min(found.size, offset + limit);
  const items: Contact[] = [];
  for (let k = offset; k < end; k++) {
    const c = found.at(k);
    items.push({ ...c, sharedEmail: shared(c) });
  }
  return answer('/providers/{provider}/contacts', 'get', 200, {
    items,
    nextCursor: offset + limit < found.size ? String(offset + limit) : null,
    total: found.size,
    selectable: found.selectable,
  });
}

/** `GET /providers/{provider}/contacts/facets`. */
export function facets(state: FakeState, params: URLSearchParams): Answer<'/providers/{provider}/contacts/facets', 'get'> {
  const found = matches(state, params.get('search'), { status: params.get('status') ?? undefined });
  // As the BFF counts: each filter's counts under the other filter, never under itself.
  const chosen = { department: params.get('department'), location: params.get('location') };
  const count = (key: 'department' | 'location') => {
    const other = key === 'department' ? 'location' : 'department';
    const counts = new Map<string, number>();
    for (let k = 0; k < found.size; k++) {
      const c = found.at(k);
      const value = c[key];
      if (value && (!chosen[other] || c[other] === chosen[other])) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts].map(([value, n]) => ({ value, count: n }));
  };
  return { departments: count('department'), locations: count('location') };
}
