/**
 * Answers of the contact list kept between keystrokes, and exact: a page (items, `nextCursor`,
 * `total`, `selectable`) or the facets of a search, served again only while nothing that could
 * change it has changed.
 *
 * What an answer depends on is counted in `answer_generations` (bff/db/answer-generations.ts):
 * one number per directory and one per target's seats, each raised by every write that can
 * change it, in that write's transaction. A kept answer carries the numbers read before it was
 * computed, and is served only while they are still the ones in the database: one read of two
 * indexed rows per request, never a write. Every replica keeps answers of its own but reads the
 * shared numbers, so a write on one is seen by all at their next read.
 *
 * A page is kept in two parts, so that an import (a seat change) does not compute the search
 * again: the directory's part (people, `nextCursor`, `total`, how many have an address), valid
 * for the directory's number alone and shared by every target of the connection; and the
 * target's part (each person's seat on the page, the seats taken among the matches), valid for
 * both numbers. Facets count people, not seats: they are the directory's alone.
 *
 * The one change no write announces is time: a pending invite stops holding a seat when it
 * expires. The target's part is kept no longer than until the earliest expiry among the target's
 * live invites when it was computed.
 *
 * Why the numbers are read first: a write that commits after the read raises them, so whatever
 * the computation then saw is kept under numbers that are already out of date and never served;
 * a write committed before the read is in the computation too.
 */
import type { Kysely } from 'kysely';
import type { Database, Target } from '../../db/schema.js';
import type { ContactFacets, ContactPage } from '../../../contract/index.js';
import { pendingInvites, type InviteTarget } from '../../db/invites.js';
import { directoryScope, generationStamp, seatsScope } from '../../db/answer-generations.js';
import { createDirectoryCopies, type DirectoryCopies } from './copy.js';
import { countTaken, pageCountingTaken, seatsOf, withSeats, type DirectoryQuery, type PageQuery } from './queries.js';
import { searchWords } from './search.js';

/** When the first of the target's live invites expires (ms), or never. */
async function nextExpiry(db: Kysely<Database>, target: InviteTarget, now: Date): Promise<number> {
  const row = await pendingInvites(db, target, now)
    .select((eb) => eb.fn.min('invites.expires_at').as('next'))
    .executeTakeFirst();
  return row?.next ? Date.parse(row.next) : Infinity;
}

/**
 * The key of an answer: what it is, whose, and the query whole (every field the service reads, so
 * a field added to the query later is part of the key without a change here), its words folded
 * as the search folds them and its status as defaulted, so "Ada" and " ada" share one answer.
 */
function keyOf(...parts: [...string[], DirectoryQuery]): string {
  const q = parts.pop() as DirectoryQuery;
  const filters = { ...q.filters, status: q.filters?.status ?? 'active' };
  return JSON.stringify([...parts, { ...q, search: searchWords(q.search), filters }]);
}

export interface AnswerLimits {
  /** Answers kept at most. */
  entries: number;
  /** Their JSON text, in characters, at most: a page of 50 people is about 15,000. */
  chars: number;
}

/**
 * A few thousand pages (each kept as up to five entries: its people, its seats, the search's seats
 * taken, the target's next expiry, and the whole answer with its JSON text, which counts its
 * people a second time): every keystroke of dozens of admins, in some 45 MB of JSON at most.
 */
export const DEFAULT_ANSWER_LIMITS: AnswerLimits = { entries: 10_000, chars: 45_000_000 };

/**
 * The JSON of each kept answer, made once when it is kept (its size is measured by it) and sent
 * as it is by every request the answer serves: a page of 50 people is some 15,000 characters, and
 * stringifying it was the largest part of a kept answer's cost. Kept as UTF-8 bytes, which the
 * Node adapter writes as they are, where a string is measured and encoded again for each answer.
 * Kept answers are never changed once computed, so their JSON cannot go stale.
 */
const keptJson = new WeakMap<object, Uint8Array<ArrayBuffer>>();

/** `JSON.stringify(value)` as UTF-8, read from what was kept with it when it is a kept answer. */
export function answerJson(value: object): Uint8Array<ArrayBuffer> {
  let json = keptJson.get(value);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(value));
    keptJson.set(value, json);
  }
  return json;
}

interface Kept {
  stamp: string;
  /** Shared by the requests that arrive while it is being computed, so a burst of one search computes it once. */
  answer: Promise<{ value: unknown; until: number }>;
  /** When it was computed (ms): time before that may count invites it did not. */
  since: number;
  chars: number;
}

/** The generations of a target's answers (`generationStamp` of its directory and of its seats), read before they are computed. */
export interface AnswerStamps {
  directory: string;
  seats: string;
}

export interface AnswerCache {
  /**
   * `listContacts`, served from a kept answer while it is exact. `stamps` as the caller read them
   * with the rest of what it reads (listing.ts), before anything is computed; without, read here.
   */
  contacts(db: Kysely<Database>, target: Target, connection: string, q: PageQuery, now: Date, stamps?: AnswerStamps): Promise<ContactPage>;
  /** `listFacets`, served from a kept answer while it is exact; `stamp`: the directory's, as for `contacts`. */
  facets(db: Kysely<Database>, connection: string, q: DirectoryQuery, stamp?: string): Promise<ContactFacets>;
}

/**
 * This process's kept answers, the least recently used dropped beyond `limits`. One per app
 * (createApp), never shared between databases: the numbers are only meaningful in their own.
 */
export function createAnswerCache(limits: AnswerLimits = DEFAULT_ANSWER_LIMITS, copies: DirectoryCopies = createDirectoryCopies()): AnswerCache {
  const kept = new Map<string, Kept>();
  let chars = 0;

  const drop = (key: string, entry: Kept) => {
    if (kept.get(key) !== entry) return;
    kept.delete(key);
    chars -= entry.chars;
  };

  function admit(key: string, entry: Kept, size: number) {
    // Replaced or dropped while it was computed: it is no longer the one kept.
    if (kept.get(key) !== entry) return;
    entry.chars = size;
    chars += size;
    for (const [k, e] of kept) {
      if (kept.size <= limits.entries && chars <= limits.chars) break;
      drop(k, e);
    }
  }

  /** `sent`: the answer a route sends whole, whose JSON is kept with it (`answerJson`); the parts it is made of are only measured. */
  async function remember<T>(key: string, stamp: string, at: number, compute: () => Promise<{ value: T; until: number }>, sent = false): Promise<T> {
    let entry = kept.get(key);
    if (entry && (entry.stamp !== stamp || at < entry.since)) {
      drop(key, entry);
      entry = undefined;
    }
    if (entry) {
      // Most recently used last: Map keeps insertion order, so the first entries are the ones to drop.
      kept.delete(key);
      kept.set(key, entry);
    } else {
      const answer = compute();
      const fresh: Kept = { stamp, answer, since: at, chars: 0 };
      entry = fresh;
      kept.set(key, fresh);
      answer.then(
        (a) => admit(key, fresh, sent ? answerJson(a.value as object).byteLength : JSON.stringify(a.value).length),
        () => drop(key, fresh),
      );
    }
    const { value, until } = await entry.answer;
    if (at < until) return value as T;
    // An invite it counted has expired since: computed again, and that one kept.
    drop(key, entry);
    return remember(key, stamp, at, compute, sent);
  }

  /** When the target's first live invite expires, kept while its seats' number holds. */
  const expiryOf = (db: Kysely<Database>, target: Target, seats: string, now: Date) =>
    remember(keyOf('expiry', target.type, target.id, {}), seats, now.getTime(), async () => {
      const next = await nextExpiry(db, target, now);
      return { value: next, until: next };
    });

  /** A page as the target sees it, from the directory's part and the target's, each kept on its own. */
  async function compose(db: Kysely<Database>, target: Target, connection: string, q: PageQuery, now: Date, { directory, seats }: AnswerStamps) {
    const at = now.getTime();
    // People and counts are the directory's alone: kept across imports, shared by every target.
    // Computed here, the page may count this target's seats taken in the same pass (PostgreSQL):
    // valid for this request's stamps, so used for its target part below and kept only there.
    let counted: ReturnType<typeof pageCountingTaken> | null = null;
    const page = remember(keyOf('page', connection, q), directory, 0, async () => {
      // A new search's `total` is counted over the directory's copy once it is made (copy.ts).
      counted = pageCountingTaken(db, target, connection, q, now, () => copies.counts(db, connection, directory, q));
      return { value: (await counted).page, until: Infinity };
    });
    // The target's part is what a seat change computes again: each person's seat on the page
    // (one read of at most `limit` addresses) and the seats taken among the matches (the same
    // for every page of a search), kept until the first live invite expires.
    const both = `${directory}.${seats}`;
    const [dir, taken, held] = await Promise.all([
      page,
      remember(keyOf('taken', target.type, target.id, connection, matchingOf(q)), both, at, async () => {
        const until = await expiryOf(db, target, seats, now);
        // Over the directory's copy once it is made (copy.ts); else in the page's pass where it was
        // counted there, or on its own.
        const value =
          (await copies.taken(db, connection, directory, target, { stamp: seats, until }, now, q)) ??
          (await counted?.then((c) => c.taken)) ??
          (await countTaken(db, target, connection, q, now));
        return { value, until };
      }),
      remember(keyOf('seats', target.type, target.id, connection, q), both, at, async () => {
        const [value, until] = await Promise.all([page.then((p) => seatsOf(db, target, p.emails, now)), expiryOf(db, target, seats, now)]);
        return { value, until };
      }),
    ]);
    return withSeats(dir, held, taken);
  }

  return {
    async contacts(db, target, connection, q, now, stamps) {
      const { directory, seats } = stamps ?? (await readStamps(db, target, connection));
      // The page as the target sees it, kept whole while both numbers hold: a keystroke typed again
      // is one lookup, and the same object, whose JSON is kept with it (`answerJson`).
      return remember(
        keyOf('answer', target.type, target.id, connection, q),
        `${directory}.${seats}`,
        now.getTime(),
        async () => {
          const [value, until] = await Promise.all([compose(db, target, connection, q, now, { directory, seats }), expiryOf(db, target, seats, now)]);
          return { value, until };
        },
        true,
      );
    },
    async facets(db, connection, q, directoryStamp) {
      const stamp = directoryStamp ?? (await generationStamp(db, [directoryScope(connection)]));
      const key = keyOf('facets', connection, q);
      // Facets count people, not seats: nothing about them expires. A new search's are counted
      // over the directory's copy in this process once it is made (copy.ts).
      return remember(key, stamp, 0, async () => ({ value: await copies.facets(db, connection, stamp, q), until: Infinity }), true);
    },
  };
}

/** What a page query matches, without where the page starts or its length: the same for every page of a search. */
function matchingOf(q: PageQuery): DirectoryQuery {
  const { cursor: _cursor, offset: _offset, limit: _limit, ...matching } = q;
  return matching;
}

/** Both stamps in one read, for a caller that has not read them with its own (bench/search.ts). */
async function readStamps(db: Kysely<Database>, target: Target, connection: string): Promise<AnswerStamps> {
  const [directory, seats] = (await generationStamp(db, [directoryScope(connection), seatsScope(target)])).split('.') as [string, string];
  return { directory, seats };
}
