/**
 * How a search finds people in the directory cache without reading all of it: the words an admin
 * typed, folded as `search_text` is, each matched as a substring through an index (SQLite FTS5
 * trigram, PostgreSQL pg_trgm; migrations/2026_12_02_130000_create_directory_search_indexes.ts).
 *
 * The semantics are a literal substring over folded text, for every word (LIKE '%word%' with `%`
 * and `_` taken literally; `instr` on SQLite): the indexes only narrow the rows that test then
 * checks, so SQLite and PostgreSQL answer alike.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ContactFilters } from '../../../contract/index.js';
import type { Dialect } from '../../db/connect.js';
import { foldForSearch, likePattern } from '../../text.js';

/** Words an admin typed, at most this many: more narrow nothing and would lengthen every query. */
const MAX_WORDS = 8;
/** The trigram indexes need this many characters; shorter words are checked on the rows already narrowed. */
const TRIGRAM = 3;

/** The words of a search, folded (lowercase, no accents), each to be found somewhere. */
export function searchWords(search: string | undefined): string[] {
  return foldForSearch(search ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_WORDS);
}

/** A phrase of an FTS5 query: a literal substring under the trigram tokenizer. */
const phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

const STATUSES = { active: [0], inactive: [1], all: [0, 1, 2] } as const;

/** The tag codes of a connection's rows of a status (`all`: any), with an address, without one, or either. */
function tagCodes(id: number, status: ContactFilters['status'], address: boolean | 'any'): number[] {
  return STATUSES[status ?? 'active'].flatMap((st) => (address === 'any' ? [0, 1] : [address ? 1 : 0]).map((a) => id * 6 + st * 2 + a));
}

const tagsOf = (codes: readonly number[]) => `tags : (${codes.map((n) => phrase(codeOf(n))).join(' OR ')})`;

/**
 * The SQLite FTS5 query for the rows of a connection (its id in directory_search_scopes) holding
 * every word, of a status (`all`: any), with an address or without one: the tag the migration's
 * triggers write is one code for all three (2026_12_02_130000_create_directory_search_indexes.ts).
 */
function ftsQuery(words: readonly string[], id: number, status: ContactFilters['status'], address: boolean | 'any'): string {
  return [...words.map((w) => `search_text : ${phrase(w)}`), tagsOf(tagCodes(id, status, address))].join(' AND ');
}

/** A number as three characters from U+4E00, as the migration's triggers write it. */
function codeOf(n: number): string {
  return String.fromCharCode(19968 + (n % 20000), 19968 + (Math.floor(n / 20000) % 20000), 19968 + Math.floor(n / 400000000));
}

/**
 * The id of a connection in the SQLite index's tags, or null while it has never had a row there,
 * and whether it is the only connection ever indexed. Read each time (one primary-key lookup): a
 * code kept in memory would outlive a restored or re-migrated database and silently count
 * another connection's people.
 */
async function scopeOf(db: Kysely<Database>, connection: string): Promise<{ id: number; alone: boolean } | null> {
  const row = await sql<{ id: number; others: number }>`select id, exists (select 1 from directory_search_scopes where connection <> ${connection}) as others
    from directory_search_scopes where connection = ${connection}`.execute(db);
  const found = row.rows[0];
  return found === undefined ? null : { id: Number(found.id), alone: !Number(found.others) };
}

/** What the SQLite index needs to answer a query on its own: the connection's code, the words, the status. */
export interface IndexPlan {
  /** The connection's id in directory_search_scopes. */
  id: number;
  /** Whether every row of the index is this connection's (no other connection was ever indexed). */
  alone: boolean;
  words: string[];
  status: ContactFilters['status'];
}

/**
 * Whether the SQLite index alone can answer a query (every word long enough for trigrams, no
 * department or location filter), and how; null when the rows must be read instead, or the
 * connection has never had a row indexed (then `empty`).
 */
export async function indexPlan(
  db: Kysely<Database>,
  connection: string,
  search: string | undefined,
  filters: ContactFilters | undefined,
): Promise<IndexPlan | 'empty' | null> {
  const words = searchWords(search);
  if (filters?.department || filters?.location || filters?.employmentType || words.some((w) => [...w].length < TRIGRAM)) return null;
  const scope = await scopeOf(db, connection);
  return scope === null ? 'empty' : { ...scope, words, status: filters?.status ?? 'active' };
}

/** How many people a query matches, and how many of them have an address (a page's `total` and `reachable`). */
export interface MatchCounts {
  total: number;
  reachable: number;
}

const countHits = async (db: Kysely<Database>, query: string) =>
  Number((await sql<{ n: number }>`select count(*) as n from directory_contacts_search where directory_contacts_search match ${query}`.execute(db)).rows[0]!.n);

/**
 * The exact number of a connection's people a query matches and how many of them have an
 * address, read from the FTS index alone (its hit lists, never the rows). Each row has one tag,
 * so when the connection is the only one indexed the wanted rows are the words' hits less the
 * other tags' (`NOT`): those lists (people without an address, of another status) are short,
 * where the wanted tag's list holds nearly everyone and walking it cost half of the count.
 */
export async function countByIndex(db: Kysely<Database>, plan: IndexPlan): Promise<MatchCounts> {
  const wanted = tagCodes(plan.id, plan.status, true);
  const rest = [0, 1, 2, 3, 4, 5].map((k) => plan.id * 6 + k).filter((n) => !wanted.includes(n));
  const words = plan.words.map((w) => `search_text : ${phrase(w)}`).join(' AND ');
  const reachable = await countHits(db, plan.alone && words ? `(${words}) NOT ${tagsOf(rest)}` : ftsQuery(plan.words, plan.id, plan.status, true));
  return { total: reachable + (await countHits(db, ftsQuery(plan.words, plan.id, plan.status, false))), reachable };
}

/**
 * Below this many matches a page is read from the index's hits, sorted; above it, walking the
 * directory in name order finds 50 matches sooner than sorting them all (at 5,000 of 100,000,
 * one row in 20 matches: a page is about a thousand index entries away).
 */
export const HITS_FIRST = 5_000;

/** Whether a query's words have fewer than `HITS_FIRST` hits in the index (read no further than that). */
export async function fewHits(db: Kysely<Database>, plan: IndexPlan): Promise<boolean> {
  const row = await sql<{ n: number }>`select count(*) as n from (select rowid from directory_contacts_search
    where directory_contacts_search match ${ftsQuery(plan.words, plan.id, plan.status, 'any')} limit ${HITS_FIRST})`.execute(db);
  return Number(row.rows[0]!.n) < HITS_FIRST;
}

/**
 * How a query reaches the rows it reads:
 * - `walk`: a page, in name order along the `(connection, sort_name)` index, each row checked;
 *   right when matches are common (see `HITS_FIRST`).
 * - `hits`: a page of few matches, from the SQLite index's hits (the connection's `id` given), then sorted; a
 *   rare word does not walk the whole directory in name order looking for 50 of them.
 * - `count`: every matching row (total, selectable, facets). One sequential pass over the table,
 *   which on SQLite beats fetching each of tens of thousands of index hits by rowid (about 3×,
 *   measured with bench/search.ts: a trigram hit list of 25,000 rows is read in under a
 *   millisecond, but visiting those rows is what costs).
 * - `tally`: as `count`, for a count or facets that read only the columns of SQLite's
 *   `directory_contacts_facets_idx` (connection, status, department, location, search_text,
 *   email_normalized): one pass over that index, narrower than the rows.
 * - `seats`: the members and invites of a target, each found through `(connection,
 *   email_normalized, …)` (`countTaken`); on SQLite that index holds the status and text the
 *   search checks, so no row is read.
 */
export type Access = 'walk' | 'hits' | 'count' | 'tally' | 'seats';

/**
 * Rows of `directory_contacts` whose `search_text` holds every word. On SQLite `hits` reads
 * the index through the connection's `id`; the substring checks keep the answer exact either way.
 */
export function matchesSearch(dialect: Dialect, words: readonly string[], access: Access, id: number | null = null) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> => {
    // The same test on both: the word, literally, somewhere in the folded text. PostgreSQL's
    // trigram index serves LIKE; SQLite's LIKE folds ASCII case once more on every character,
    // where instr compares bytes (a pass over 100,000 people 23 → 16 ms, its floor 10 ms).
    const checks: Expression<SqlBool>[] = words.map((w) =>
      dialect === 'sqlite'
        ? sql<SqlBool>`instr(directory_contacts.search_text, ${w}) > 0`
        : sql<SqlBool>`directory_contacts.search_text like ${likePattern(w)} escape '\\'`,
    );
    const long = words.filter((w) => [...w].length >= TRIGRAM);
    // PostgreSQL's planner takes the GIN index for the LIKE itself when it pays, and may only when
    // the query names the index's predicate as written: staging rows are not in it
    // (migrations/2026_12_04_100000_index_directory_search_without_staging.ts).
    if (dialect === 'postgres' && long.length > 0) checks.push(sql<SqlBool>`substr(directory_contacts.connection, 1, 1) <> '~'`);
    // SQLite needs the FTS table named.
    if (dialect === 'sqlite' && access === 'hits' && long.length > 0 && id !== null) {
      checks.unshift(
        sql<SqlBool>`directory_contacts.rowid in (select rowid from directory_contacts_search where directory_contacts_search match ${ftsQuery(long, id, 'all', 'any')})`,
      );
    }
    return eb.and(checks);
  };
}

/**
 * The connection's rows. For `count` on SQLite the connection is checked on each row of one pass
 * (`+` keeps the planner off the `(connection, …)` indexes, whose random-order row lookups made a
 * count 7× slower than the pass itself); for `hits`, so that the planner starts from the hits.
 * `tally` and `seats` name it, for their covering indexes to be taken.
 */
export function inConnection(dialect: Dialect, connection: string, access: Access) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> =>
    dialect === 'sqlite' && (access === 'count' || access === 'hits')
      ? sql<SqlBool>`+directory_contacts.connection = ${connection}`
      : eb('directory_contacts.connection', '=', connection);
}
