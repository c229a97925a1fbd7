/**
 * A directory's searchable columns packed in memory (copy.ts keeps them), and what a search
 * counts over them: its matching rows, `total`, how many have an address, the seats taken and the
 * facets, each with the SQL's semantics (queries.ts `contactMatches`, `listFacets`, `countTaken`).
 *
 * The folded text of every person is one string, a NUL after each (no folded text holds one,
 * bff/text.ts `plainText`, so no match spans two people); each other column is a code a person.
 */
import type { ContactFacets } from '../../../contract/index.js';
import type { DirectoryQuery } from './queries.js';
import { searchWords, type MatchCounts } from './search.js';

const SEPARATOR = '\u0000';
/** The code of a row without a department, location or employment type; a filter on a value nobody has is `ABSENT`, which no row holds. */
const NONE = -1;
const ABSENT = -2;

/** A column of few distinct values, each row's as a code into `values`. */
interface Coded {
  codes: Int32Array;
  values: string[];
}

/** A directory's searchable columns, packed. */
export interface Copy {
  /** Characters of its text and addresses, what it is measured by: its codes and masks are a few bytes a person more. */
  chars: number;
  text: string;
  /** Where each row's text starts in `text`; one more entry past the end, so row r is `starts[r]` to `starts[r + 1] - 1`. */
  starts: Uint32Array;
  /** Each row's address as seats are held by (`email_normalized`). */
  emails: (string | null)[];
  /** 1 where the row has an address. */
  reachable: Uint8Array;
  /** The matching rows of its last `searches` searches (`matchingRows`). */
  matched: Map<string, Uint32Array>;
  searches: number;
  status: Coded;
  department: Coded;
  location: Coded;
  employmentType: Coded;
}

/** A row as a copy is read from `directory_contacts`, after the key it is read in order of. */
export interface CopyRow {
  after: string;
  status: string;
  department: string | null;
  location: string | null;
  employment_type: string | null;
  email_normalized: string | null;
  search_text: string;
}

/** A copy being read, a row at a time. */
export class CopyBuilder {
  private readonly texts: string[] = [];
  private readonly emails: (string | null)[] = [];
  private readonly status = new Column();
  private readonly department = new Column();
  private readonly location = new Column();
  private readonly employmentType = new Column();

  push(r: CopyRow) {
    this.texts.push(r.search_text);
    this.emails.push(r.email_normalized);
    this.status.push(r.status);
    this.department.push(r.department);
    this.location.push(r.location);
    this.employmentType.push(r.employment_type);
  }

  /** The copy, keeping the matching rows of its last `searches` searches. */
  packed(searches: number): Copy {
    const { texts, emails } = this;
    const starts = new Uint32Array(texts.length + 1);
    let at = 0;
    texts.forEach((t, i) => {
      starts[i] = at;
      at += t.length + 1;
    });
    starts[texts.length] = at;
    const text = texts.join(SEPARATOR) + SEPARATOR;
    return {
      chars: text.length + emails.reduce((n, e) => n + (e?.length ?? 0), 0),
      text,
      starts,
      emails,
      reachable: Uint8Array.from(emails, (e) => (e === null ? 0 : 1)),
      matched: new Map(),
      searches,
      status: this.status.packed(),
      department: this.department.packed(),
      location: this.location.packed(),
      employmentType: this.employmentType.packed(),
    };
  }
}

/** A column being read: each value's code, the values once each. */
class Column {
  private readonly values: string[] = [];
  private readonly known = new Map<string, number>();
  private readonly codes: number[] = [];
  push(value: string | null) {
    if (value === null) {
      this.codes.push(NONE);
      return;
    }
    let c = this.known.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(value);
      this.known.set(value, c);
    }
    this.codes.push(c);
  }
  packed(): Coded {
    return { codes: Int32Array.from(this.codes), values: this.values };
  }
}

/** The code a filter on `value` matches: null for no filter, `ABSENT` for a value no row holds. */
function wanted(column: Coded, value: string | undefined): number | null {
  if (!value) return null;
  const i = column.values.indexOf(value);
  return i === -1 ? ABSENT : i;
}

/** The row whose text holds position `at`: the last start at or before it. */
function rowAt(starts: Uint32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether the row's text (from `start` to `end`, exclusive) holds `word`: a search of that row alone, never of the text after it. */
const rowHas = (text: string, start: number, end: number, word: string): boolean => text.slice(start, end).includes(word);

/**
 * The rows of the status asked (`active` unless said) whose text holds every word of the search,
 * in the copy's order. Kept for the copy's last few searches: a new search's counts, its seats
 * taken and its facets each go through them, and the text is searched once.
 */
function matchingRows(copy: Copy, q: DirectoryQuery): Uint32Array {
  const status = q.filters?.status ?? 'active';
  const words = searchWords(q.search);
  const key = JSON.stringify([status, words]);
  const kept = copy.matched.get(key);
  if (kept) {
    copy.matched.delete(key);
    copy.matched.set(key, kept);
    return kept;
  }
  const code = status === 'all' ? null : wanted(copy.status, status);
  const statuses = copy.status.codes;
  const rows: number[] = [];
  if (code === ABSENT) {
    // Nobody has the status asked.
  } else if (words.length === 0) {
    for (let r = 0; r < copy.starts.length - 1; r++) if (code === null || statuses[r] === code) rows.push(r);
  } else {
    // The longest word is mostly the rarest: its matches are found in the whole text, each row
    // once, and the other words checked in that row's text alone.
    const [first, ...rest] = [...words].sort((a, b) => b.length - a.length) as [string, ...string[]];
    let at = copy.text.indexOf(first);
    while (at !== -1) {
      const r = rowAt(copy.starts, at);
      const end = copy.starts[r + 1]! - 1;
      if ((code === null || statuses[r] === code) && rest.every((w) => rowHas(copy.text, copy.starts[r]!, end, w))) rows.push(r);
      at = copy.text.indexOf(first, end + 1);
    }
  }
  const matched = Uint32Array.from(rows);
  copy.matched.set(key, matched);
  if (copy.matched.size > copy.searches) copy.matched.delete(copy.matched.keys().next().value!);
  return matched;
}

/** `listFacets`' answer over a copy: the same matches, the same narrowing by the other filter, the same order. */
export function facetsOf(copy: Copy, q: DirectoryQuery): ContactFacets {
  const department = wanted(copy.department, q.filters?.department);
  const location = wanted(copy.location, q.filters?.location);
  const byDepartment = new Uint32Array(copy.department.values.length);
  const byLocation = new Uint32Array(copy.location.values.length);
  // The facets match on the search and status alone (listFacets): each filter's counts are
  // narrowed by the other filter, never by itself.
  for (const r of matchingRows(copy, q)) {
    const d = copy.department.codes[r]!;
    const l = copy.location.codes[r]!;
    if (d !== NONE && (location === null || l === location)) byDepartment[d]!++;
    if (l !== NONE && (department === null || d === department)) byLocation[l]!++;
  }
  const listed = (values: string[], counts: Uint32Array) =>
    values
      .map((value, i) => ({ value, count: counts[i]! }))
      .filter((f) => f.count > 0)
      // Byte order, as the databases sort with their C collation (and listFacets does).
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { departments: listed(copy.department.values, byDepartment), locations: listed(copy.location.values, byLocation) };
}

/** 1 for each row of the copy whose address is among `holders` (a target's seat holders). */
export function heldAmong(copy: Copy, holders: ReadonlySet<string>): Uint8Array {
  return Uint8Array.from(copy.emails, (e) => (e !== null && holders.has(e) ? 1 : 0));
}

/**
 * `total`, how many of them have an address, and with `held` how many hold a seat, as
 * `contactMatches` matches (every filter but `flagged`).
 */
export function countsOf(copy: Copy, q: DirectoryQuery, held?: Uint8Array): MatchCounts & { taken: number } {
  const filters = (
    [
      [copy.department, q.filters?.department],
      [copy.location, q.filters?.location],
      [copy.employmentType, q.filters?.employmentType],
    ] as const
  ).flatMap(([column, value]) => {
    const code = wanted(column, value);
    return code === null ? [] : [{ codes: column.codes, code }];
  });
  let total = 0;
  let reachable = 0;
  let taken = 0;
  rows: for (const r of matchingRows(copy, q)) {
    for (const f of filters) if (f.codes[r] !== f.code) continue rows;
    total++;
    reachable += copy.reachable[r]!;
    if (held) taken += held[r]!;
  }
  return { total, reachable, taken };
}
