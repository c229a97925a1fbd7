/**
 * A new search's counts and facets from a copy, in this process, of the columns they read (the
 * folded text, status, department, location, employment type and address), one per connection
 * and kept for one directory generation.
 *
 * In SQL both are a pass over every row of the connection testing each word: at 100,000 people,
 * facets took 20–22 ms on either database and PostgreSQL's `total` with its seats taken 20–30 ms,
 * where the page itself is a few milliseconds. Over the copy the same test is a string search
 * through one text of the whole directory, jumping from match to match, then a count per row
 * found: about 5 ms.
 *
 * Exact as a kept answer is (answers.ts): a copy is made under the directory's generation read
 * before it, is kept only if that generation still holds once it is made, and serves only
 * requests that read the same one, so any write to the directory (refresh, change, upload)
 * retires it. What is counted over a copy, with the SQL's semantics word for word, is in
 * copy-counts.ts. The seats a target holds among a search's matches (`countTaken`) are counted
 * in the same pass, from a mask of the copy's rows whose address holds a seat: made from the
 * target's seat holders (one read) under the seats' generation, and no later than the first of
 * their invites expires.
 *
 * Until a connection's copy for the current generation is made (0.3–0.6 s at 100,000 people on
 * this two-core machine, in the background, once per generation), its searches are counted in
 * SQL as before.
 */
import type { Kysely } from 'kysely';
import type { Database, Target } from '../../db/schema.js';
import { directoryScope, generationStamp } from '../../db/answer-generations.js';
import type { ContactFacets } from '../../../contract/index.js';
import { seatHolders } from '../targets.js';
import { listFacets, type DirectoryQuery } from './queries.js';
import type { MatchCounts } from './search.js';
import { countsOf, CopyBuilder, facetsOf, heldAmong, type Copy, type CopyRow } from './copy-counts.js';

/** Rows read a statement while a copy is made: some 10–20 ms of SQLite each. */
const READ_BATCH = 5_000;

export interface DirectoryCopyLimits {
  /** Characters of text and addresses kept over every copy; the least recently used copies are dropped beyond it (two bytes each at most). */
  chars: number;
  /**
   * Searches whose matching rows each copy keeps (`matchingRows`): a new search's page, seats
   * and facets each ask for them, and the text is searched once. Up to 400 KB each.
   */
  searches: number;
}

/**
 * Some 3 directories of 100,000 people (about 90 characters a person with the address), or 300 of
 * 1,000: up to 20–25 MB of heap for each 100,000 with the codes and kept matches beside the text.
 * A directory not among them is counted in SQL until it is copied again.
 */
export const DEFAULT_DIRECTORY_COPY_LIMITS: DirectoryCopyLimits = { chars: 30_000_000, searches: 16 };

/** Which rows of a copy hold a seat of one target: valid for its seats' generation, until `until` (ms). */
interface Held {
  seats: string;
  until: number;
  mask: Promise<Uint8Array>;
}

/** Targets whose masks a copy keeps: an organization's labs and challenges share its directory. */
const HELD_TARGETS = 64;

interface Entry {
  stamp: string;
  copy: Copy | null;
  /** Set while the copy is made, so one request makes it. */
  making: Promise<void> | null;
  /** By target (`type:id`), least recently used first. */
  held: Map<string, Held>;
  /** When it last served a search (ms). */
  usedAt: number;
}

/** A target's seats as the caller read them: their generation, and when the first live invite among them expires (ms). */
export interface SeatsStamp {
  stamp: string;
  until: number;
}

export interface DirectoryCopies {
  /**
   * `listFacets` for the directory under `stamp` (its generation, read before this), from the
   * connection's copy once one is made for that stamp, from SQL meanwhile (and then a copy is made).
   */
  facets(db: Kysely<Database>, connection: string, stamp: string, q: DirectoryQuery): Promise<ContactFacets>;
  /**
   * How many people the query matches and how many of them have an address, from the copy for
   * `stamp`; null while there is none (one is then made) or for a `flagged` query, whose shared
   * addresses it does not hold.
   */
  counts(db: Kysely<Database>, connection: string, stamp: string, q: DirectoryQuery): MatchCounts | null;
  /**
   * How many of the people the query matches hold a seat of the target (`countTaken`), from the
   * copy for `stamp` and the target's mask for `seats`; null where `counts` is.
   */
  taken(db: Kysely<Database>, connection: string, stamp: string, target: Target, seats: SeatsStamp, now: Date, q: DirectoryQuery): Promise<number | null>;
  /** Once the connection's copy being made is made or given up: whether one is held (tests, benchmarks). */
  settled(connection: string): Promise<boolean>;
}

/** A copy used within this long (ms) is not dropped for another (`admit`). */
const BUSY_MS = 60_000;
/** Directories refused a copy that are remembered at most. */
const REFUSED_KEPT = 1_000;

/** `clock`: the time in ms (tests move it). */
export function createDirectoryCopies(limits: DirectoryCopyLimits = DEFAULT_DIRECTORY_COPY_LIMITS, clock: () => number = Date.now): DirectoryCopies {
  const entries = new Map<string, Entry>();
  const sizeOf = (e: Entry) => e.copy?.chars ?? 0;

  /** Directories whose copy did not fit, and until when (ms) none is made for them. */
  const refused = new Map<string, number>();

  /**
   * Keeps a new copy within `limits.chars`, dropping the least recently used copies idle for
   * `BUSY_MS`. When the others are all in use, the new one is not kept and its directory is
   * counted in SQL for as long: with more large directories searched than fit, copying one at
   * every search would cost more than it saves.
   */
  function admit(connection: string, entry: Entry) {
    let chars = 0;
    for (const e of entries.values()) chars += sizeOf(e);
    const now = clock();
    // Map order is least recently used first (each use moves its entry last).
    for (const [key, e] of entries) {
      if (chars <= limits.chars) break;
      if (!e.copy || e === entry || now - e.usedAt < BUSY_MS) continue;
      chars -= sizeOf(e);
      entries.delete(key);
    }
    if (chars <= limits.chars) return;
    entries.delete(connection);
    if (refused.size >= REFUSED_KEPT) for (const [key, until] of refused) if (until <= now) refused.delete(key);
    if (refused.size < REFUSED_KEPT) refused.set(connection, now + BUSY_MS);
  }

  async function make(db: Kysely<Database>, connection: string, entry: Entry) {
    try {
      const copy = await readCopy(db, connection, limits.searches);
      // Read in pieces, a copy is one state of the directory only if no write came between the
      // stamp and its last piece: each raises the generation, so the stamp read again tells.
      const unchanged = (await generationStamp(db, [directoryScope(connection)])) === entry.stamp;
      if (entries.get(connection) !== entry) return;
      if (!unchanged) entries.delete(connection);
      else {
        entry.copy = copy;
        admit(connection, entry);
      }
    } catch {
      // The SQL answers stand; the next request tries again.
      if (entries.get(connection) === entry) entries.delete(connection);
    } finally {
      entry.making = null;
    }
  }

  /** The connection's copy for `stamp` if made; else one is begun (unless under way) and null. */
  function copyOf(db: Kysely<Database>, connection: string, stamp: string): Copy | null {
    const now = clock();
    let entry = entries.get(connection);
    if (entry?.stamp !== stamp) {
      if ((refused.get(connection) ?? 0) > now) return null;
      refused.delete(connection);
      entry = { stamp, copy: null, making: null, held: new Map(), usedAt: now };
      entries.set(connection, entry);
      entry.making = make(db, connection, entry);
    } else {
      entries.delete(connection);
      entries.set(connection, entry);
    }
    entry.usedAt = now;
    return entry.copy;
  }

  return {
    async facets(db, connection, stamp, q) {
      const copy = copyOf(db, connection, stamp);
      return copy ? facetsOf(copy, q) : listFacets(db, connection, q);
    },
    counts(db, connection, stamp, q) {
      const copy = copyOf(db, connection, stamp);
      if (!copy || q.flagged) return null;
      const { total, reachable } = countsOf(copy, q);
      return { total, reachable };
    },
    async taken(db, connection, stamp, target, seats, now, q) {
      const entry = entries.get(connection);
      const copy = entry?.stamp === stamp ? entry.copy : null;
      if (!entry || !copy || q.flagged) return null;
      const key = `${target.type}:${target.id}`;
      let held = entry.held.get(key);
      entry.held.delete(key);
      if (!held || held.seats !== seats.stamp || now.getTime() >= held.until) {
        held = { seats: seats.stamp, until: seats.until, mask: heldMask(db, copy, target, now) };
        // A failed read is not kept: the next search reads again.
        held.mask.catch(() => entry.held.get(key) === held && entry.held.delete(key));
      }
      entry.held.set(key, held);
      if (entry.held.size > HELD_TARGETS) entry.held.delete(entry.held.keys().next().value!);
      try {
        return countsOf(copy, q, await held.mask).taken;
      } catch {
        return null;
      }
    },
    async settled(connection) {
      await entries.get(connection)?.making;
      return !!entries.get(connection)?.copy;
    },
  };
}

/**
 * The connection's searchable columns, read in pieces of `READ_BATCH` rows along its primary key
 * `(connection, contact_id)`, with the event loop let in between: a directory of 100,000 is some
 * 200–400 ms of reading, and SQLite's reads block the process while they run. Along the key, a
 * small directory in a file of many reads its own rows alone.
 */
async function readCopy(db: Kysely<Database>, connection: string, searches: number): Promise<Copy> {
  const copy = new CopyBuilder();
  let after: string | null = null;
  // Bounded by the directory itself: at most 250,000 people (limits.ts), READ_BATCH at a time.
  for (;;) {
    const rows: CopyRow[] = await db
      .selectFrom('directory_contacts')
      .select(['contact_id as after', 'status', 'department', 'location', 'employment_type', 'email_normalized', 'search_text'])
      .where('connection', '=', connection)
      .$if(after !== null, (qb) => qb.where('contact_id', '>', after!))
      .orderBy('contact_id')
      .limit(READ_BATCH)
      .execute();
    for (const r of rows) copy.push(r);
    if (rows.length < READ_BATCH) break;
    after = rows.at(-1)!.after;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return copy.packed(searches);
}

/** 1 for each row of the copy whose address holds a seat of the target now: its members and live invites (`seatHolders`). */
async function heldMask(db: Kysely<Database>, copy: Copy, target: Target, now: Date): Promise<Uint8Array> {
  return heldAmong(copy, new Set((await seatHolders(db, target, now).execute()).map((r) => r.email)));
}
