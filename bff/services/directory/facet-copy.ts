/**
 * The facets of a new search from a copy, in this process, of the four columns they read (folded
 * text, status, department, location), one per connection and kept for one directory generation.
 *
 * A facets read in SQL is one grouped pass over every row of the connection testing each word
 * (queries.ts `listFacets`): 20–22 ms at 100,000 people on either database, where a search's
 * page is a few milliseconds. Over the copy the same test is a string search through one text of
 * the whole directory, jumping from match to match, then a count per row found: a few ms.
 *
 * Exact as a kept answer is (answers.ts): a copy is made under the directory's generation read
 * before it, is kept only if that generation still holds once it is made, and serves only
 * requests that read the same one, so any write to the directory (refresh, change, upload)
 * retires it. A search's semantics are the SQL's, word for word: every
 * word a literal substring of `search_text` (`instr` on SQLite, LIKE on PostgreSQL). The text
 * joins the rows with a NUL, which no folded text holds (bff/text.ts `plainText`), so no match
 * spans two people.
 *
 * Until a connection's copy for the current generation is made (60–150 ms at 100,000 people, in
 * the background, once per generation), its facets are read in SQL as before.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dialectOf } from '../../db/connect.js';
import { directoryScope, generationStamp } from '../../db/answer-generations.js';
import type { ContactFacets } from '../../../contract/index.js';
import { listFacets, type DirectoryQuery } from './queries.js';
import { searchWords } from './search.js';

const SEPARATOR = '\u0000';
/** Rows read a statement while a copy is made: some 10–20 ms of SQLite each. */
const READ_BATCH = 5_000;
/** The code of a row without a department or location; a filter on a value nobody has is `ABSENT`, which no row holds. */
const NONE = -1;
const ABSENT = -2;

export interface FacetCopyLimits {
  /** Characters of folded text kept over every copy; the least recently used copies are dropped beyond it (two bytes each at most). */
  chars: number;
}

/** Some 30 directories of 100,000 people (about 60 characters a person): 180 MB at worst, ASCII text half that. */
export const DEFAULT_FACET_COPY_LIMITS: FacetCopyLimits = { chars: 90_000_000 };

/** A directory's searchable columns, packed. */
interface Copy {
  text: string;
  /** Where each row's text starts in `text`; one more entry past the end, so row r is `starts[r]` to `starts[r + 1] - 1`. */
  starts: Uint32Array;
  status: Uint8Array;
  department: Int32Array;
  location: Int32Array;
  statuses: string[];
  departments: string[];
  locations: string[];
}

interface Entry {
  stamp: string;
  copy: Copy | null;
  /** Set while the copy is made, so one request makes it. */
  making: Promise<void> | null;
}

export interface FacetCopies {
  /**
   * `listFacets` for the directory under `stamp` (its generation, read before this), from the
   * connection's copy once one is made for that stamp, from SQL meanwhile (and then a copy is made).
   */
  facets(db: Kysely<Database>, connection: string, stamp: string, q: DirectoryQuery): Promise<ContactFacets>;
  /** Once the connection's copy being made is made or given up: whether one is held (tests, benchmarks). */
  settled(connection: string): Promise<boolean>;
}

export function createFacetCopies(limits: FacetCopyLimits = DEFAULT_FACET_COPY_LIMITS): FacetCopies {
  const entries = new Map<string, Entry>();
  const sizeOf = (e: Entry) => e.copy?.text.length ?? 0;

  function trim() {
    let chars = 0;
    for (const e of entries.values()) chars += sizeOf(e);
    // Map order is least recently used first (each use moves its entry last).
    for (const [key, e] of entries) {
      if (chars <= limits.chars) break;
      if (!e.copy) continue;
      chars -= sizeOf(e);
      entries.delete(key);
    }
  }

  function make(db: Kysely<Database>, connection: string, entry: Entry) {
    entry.making = readCopy(db, connection).then(
      async (copy) => {
        // Read in pieces, a copy is one state of the directory only if no write came between the
        // stamp and its last piece: each raises the generation, so the stamp read again tells.
        const unchanged = (await generationStamp(db, [directoryScope(connection)])) === entry.stamp;
        entry.making = null;
        if (entries.get(connection) !== entry) return;
        if (!unchanged) {
          entries.delete(connection);
          return;
        }
        entry.copy = copy;
        trim();
      },
      // The SQL answers stand; the next request tries again.
      () => {
        if (entries.get(connection) === entry) entries.delete(connection);
      },
    );
  }

  return {
    async facets(db, connection, stamp, q) {
      let entry = entries.get(connection);
      if (entry?.stamp !== stamp) {
        entry = { stamp, copy: null, making: null };
        entries.set(connection, entry);
        make(db, connection, entry);
      } else {
        entries.delete(connection);
        entries.set(connection, entry);
      }
      return entry.copy ? facetsOf(entry.copy, q) : listFacets(db, connection, q);
    },
    async settled(connection) {
      await entries.get(connection)?.making;
      return !!entries.get(connection)?.copy;
    },
  };
}

/**
 * The connection's searchable columns, read in pieces of `READ_BATCH` rows in a stable order
 * (SQLite's rowid, PostgreSQL's primary key), with the event loop let in between: a directory
 * of 100,000 is some 200 ms of reading, and SQLite's reads block the process while they run.
 */
async function readCopy(db: Kysely<Database>, connection: string): Promise<Copy> {
  const sqlite = dialectOf(db) === 'sqlite';
  const statuses = new Interned();
  const departments = new Interned();
  const locations = new Interned();
  const texts: string[] = [];
  const status: number[] = [];
  const department: number[] = [];
  const location: number[] = [];
  let after: string | number | null = null;
  // Bounded by the directory itself: at most 250,000 people (limits.ts), READ_BATCH at a time.
  for (;;) {
    const rows: { after: string | number; status: string; department: string | null; location: string | null; search_text: string }[] = sqlite
      ? (
          await sql<{ after: number; status: string; department: string | null; location: string | null; search_text: string }>`
            select rowid as after, status, department, location, search_text from directory_contacts
            where +connection = ${connection} and rowid > ${after ?? 0} order by rowid limit ${READ_BATCH}`.execute(db)
        ).rows
      : await db
          .selectFrom('directory_contacts')
          .select(['contact_id as after', 'status', 'department', 'location', 'search_text'])
          .where('connection', '=', connection)
          .$if(after !== null, (qb) => qb.where('contact_id', '>', String(after)))
          .orderBy('contact_id')
          .limit(READ_BATCH)
          .execute();
    for (const r of rows) {
      texts.push(r.search_text);
      status.push(statuses.code(r.status));
      department.push(r.department === null ? NONE : departments.code(r.department));
      location.push(r.location === null ? NONE : locations.code(r.location));
    }
    if (rows.length < READ_BATCH) break;
    after = rows.at(-1)!.after;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const starts = new Uint32Array(texts.length + 1);
  let at = 0;
  texts.forEach((t, i) => {
    starts[i] = at;
    at += t.length + 1;
  });
  starts[texts.length] = at;
  return {
    text: texts.join(SEPARATOR) + SEPARATOR,
    starts,
    status: Uint8Array.from(status),
    department: Int32Array.from(department),
    location: Int32Array.from(location),
    statuses: statuses.values,
    departments: departments.values,
    locations: locations.values,
  };
}

class Interned {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  code(value: string): number {
    let c = this.codes.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(value);
      this.codes.set(value, c);
    }
    return c;
  }
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

/** `listFacets`' answer over a copy: the same matches, the same narrowing by the other filter, the same order. */
export function facetsOf(copy: Copy, q: DirectoryQuery): ContactFacets {
  const words = searchWords(q.search);
  const wanted = q.filters?.status ?? 'active';
  const codeOf = (values: string[], value: string) => {
    const i = values.indexOf(value);
    return i === -1 ? ABSENT : i;
  };
  const statusCode = wanted === 'all' ? null : codeOf(copy.statuses, wanted);
  const department = q.filters?.department ? codeOf(copy.departments, q.filters.department) : null;
  const location = q.filters?.location ? codeOf(copy.locations, q.filters.location) : null;
  const byDepartment = new Uint32Array(copy.departments.length);
  const byLocation = new Uint32Array(copy.locations.length);
  const rows = copy.starts.length - 1;

  const count = (r: number) => {
    if (statusCode !== null && copy.status[r] !== statusCode) return;
    const d = copy.department[r]!;
    const l = copy.location[r]!;
    // Each filter's counts are narrowed by the other filter, never by itself (as listFacets).
    if (d !== NONE && (location === null || l === location)) byDepartment[d]!++;
    if (l !== NONE && (department === null || d === department)) byLocation[l]!++;
  };

  if (statusCode === ABSENT) {
    // Nobody has the status asked: nothing matches.
  } else if (words.length === 0) {
    for (let r = 0; r < rows; r++) count(r);
  } else {
    // The longest word is the rarest, mostly: its matches are found in the whole text, each row once,
    // and the other words checked in that row's text alone.
    const [first, ...rest] = [...words].sort((a, b) => b.length - a.length) as [string, ...string[]];
    let at = copy.text.indexOf(first);
    while (at !== -1) {
      const r = rowAt(copy.starts, at);
      const end = copy.starts[r + 1]! - 1;
      if (rest.length === 0 || rest.every((w) => rowHas(copy.text, copy.starts[r]!, end, w))) count(r);
      at = copy.text.indexOf(first, end + 1);
    }
  }

  const listed = (values: string[], counts: Uint32Array) =>
    values
      .map((value, i) => ({ value, count: counts[i]! }))
      .filter((f) => f.count > 0)
      // Byte order, as the databases sort with their C collation (and listFacets does).
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { departments: listed(copy.departments, byDepartment), locations: listed(copy.locations, byLocation) };
}

/** Whether the row's text (from `start` to `end`, exclusive) holds `word`: a search of that row alone, never of the text after it. */
const rowHas = (text: string, start: number, end: number, word: string): boolean => text.slice(start, end).includes(word);
