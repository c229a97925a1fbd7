/**
 * How a search finds people in the directory cache without reading all of it: the words an admin
 * typed, folded as `search_text` is, each matched as a substring through an index (SQLite FTS5
 * trigram, PostgreSQL pg_trgm; migrations/2026_12_02_130000_create_directory_search_indexes.ts).
 *
 * The semantics are LIKE's on both databases, '%word%' over folded text, for every word: the
 * indexes only narrow the rows LIKE then checks, so SQLite and PostgreSQL answer alike.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/connect.js';
import { foldForSearch, likePattern } from './text.js';

/** Words an admin typed, at most this many: more narrow nothing and would lengthen every query. */
const MAX_WORDS = 8;
/** The trigram indexes need this many characters; shorter words are checked on the rows already narrowed. */
const TRIGRAM = 3;

/** The words of a search, folded (lowercase, no accents), each to be found somewhere. */
export function searchWords(search: string | undefined): string[] {
  return foldForSearch(search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
}

/** An FTS5 query naming each word as a phrase, i.e. a literal substring under the trigram tokenizer. */
function ftsQuery(words: readonly string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
}

/**
 * How a query reaches the rows it reads:
 * - `page`: the first rows in name order. The trigram index lists the matching rows, so a rare
 *   word does not walk the whole directory in name order looking for 50 of them.
 * - `count`: every matching row (total, selectable, facets). One sequential pass over the table,
 *   which on SQLite beats fetching each of tens of thousands of index hits by rowid (about 3×,
 *   measured with bench/search.ts: a trigram hit list of 25,000 rows is read in under a
 *   millisecond, but visiting those rows is what costs).
 * - `seats`: the rows of the members and invites of a target, found through their own index
 *   (`countTaken`); the search only checks them.
 */
export type Access = 'page' | 'count' | 'seats';

/** Rows of `directory_contacts` whose `search_text` holds every word. */
export function matchesSearch(dialect: Dialect, words: readonly string[], access: Access) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> => {
    const checks: Expression<SqlBool>[] = words.map((w) => sql<SqlBool>`directory_contacts.search_text like ${likePattern(w)} escape '\\'`);
    const long = words.filter((w) => [...w].length >= TRIGRAM);
    // PostgreSQL's planner takes the GIN index for the LIKE itself when it pays; SQLite needs the FTS table named.
    if (dialect === 'sqlite' && access === 'page' && long.length > 0) {
      checks.unshift(sql<SqlBool>`directory_contacts.rowid in (select rowid from directory_contacts_search where directory_contacts_search match ${ftsQuery(long)})`);
    }
    return eb.and(checks);
  };
}

/**
 * The connection's rows. For `count` on SQLite the connection is checked on each row of one pass
 * (`+` keeps the planner off the `(connection, …)` indexes, whose random-order row lookups made a
 * count 7× slower than the pass itself).
 */
export function inConnection(dialect: Dialect, connection: string, access: Access) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> =>
    dialect === 'sqlite' && access === 'count' ? sql<SqlBool>`+directory_contacts.connection = ${connection}` : eb('directory_contacts.connection', '=', connection);
}
