/**
 * Reading a whole directory: several offset pages in flight at once where the API lets us name
 * a page before the previous one has answered, one page after another everywhere else.
 *
 * Offset/limit APIs (Personio v1, Workday's REST workers, Unified.to) are read by planning the
 * pages: the first page alone, then, when it tells the total, exactly the pages up to it; when
 * it does not, pages ahead of the last answer (speculatively) until one comes back short. At most
 * `concurrency` requests are in flight, and pages are handed on in the provider's order (so "the
 * last word wins" for a person listed twice still means the provider's last), which holds at most
 * `concurrency` pages in memory. A throttled request pauses every request of its connector
 * through the shared HTTP client (http.ts), so the workers back off together.
 */
import { ProviderError, type Connector, type DirectoryChanges, type DirectoryContact, type DirectoryPage, type PagesOptions } from './types.js';

/** One offset page as a connector reads it. */
export interface OffsetPage {
  contacts: DirectoryContact[];
  /** Records in the answer, before normalization dropped any (a record without an id). */
  received: number;
  /** The directory's size when the provider tells it. */
  total: number | null;
}

export interface OffsetListing {
  /** The `limit` asked of every page: the provider's maximum. */
  pageSize: number;
  /** The page at `offset`; `page` (1-based) names it in errors. */
  fetch(offset: number, page: number, signal: AbortSignal): Promise<OffsetPage>;
}

const toDirectoryPage = (p: OffsetPage, total: number | null): DirectoryPage => ({ contacts: p.contacts, nextCursor: null, total });

/** Every page of an offset-paged listing, `concurrency` requests at most in flight, in order. */
export async function* offsetPages(listing: OffsetListing, { signal, concurrency }: PagesOptions): AsyncGenerator<DirectoryPage> {
  const { pageSize } = listing;
  const first = await listing.fetch(0, 1, signal);
  const total = first.total;
  yield toDirectoryPage(first, total);
  if (first.received === 0) return;
  // The provider's total wins when it gives one; without it a short page is the last.
  let last = total !== null ? Math.ceil(total / pageSize) : first.received < pageSize ? 1 : Infinity;
  if (last <= 1) return;

  // Requests still running when the listing ends (pages past a short one) or fails are cancelled.
  const abandon = new AbortController();
  const workers = AbortSignal.any([signal, abandon.signal]);
  const pending = new Map<number, Promise<OffsetPage>>();
  let next = 2;
  const fill = () => {
    const width = Math.max(1, Math.floor(concurrency));
    while (pending.size < width && next <= last) {
      const page = next++;
      const request = listing.fetch((page - 1) * pageSize, page, workers);
      // Awaited in order below; a page abandoned after the end must not surface as unhandled.
      request.catch(() => undefined);
      pending.set(page, request);
    }
  };
  try {
    for (let page = 2; page <= last; page++) {
      fill();
      const answer = await pending.get(page)!;
      pending.delete(page);
      if (total === null && answer.received < pageSize) last = page;
      // An empty page always ends it, so a provider that miscounts cannot keep us paging.
      if (answer.received === 0) last = page;
      fill();
      yield toDirectoryPage(answer, total);
    }
  } finally {
    abandon.abort();
  }
}

/** Every page a connector lists: concurrently where it can, else cursor after cursor. */
export async function* allPages(connector: Connector, options: PagesOptions): AsyncGenerator<DirectoryPage> {
  if (connector.pages && options.concurrency > 1) {
    yield* connector.pages(options);
    return;
  }
  let cursor: string | null = null;
  do {
    const page: DirectoryPage = await connector.listContacts({ cursor, signal: options.signal });
    yield page;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * How far a timestamp watermark reaches back before the refresh that set it: the provider's clock
 * and ours differ, and a record saved while the previous listing ran may carry a time just before
 * its start. Reading a few minutes twice costs a handful of records; missing them costs a stale
 * directory until the next full refresh.
 */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;

/** The watermark of a refresh started at `startedAt`, for providers that filter by last-update time. */
export function timeWatermark(startedAt: Date): string {
  return new Date(startedAt.getTime() - WATERMARK_OVERLAP_MS).toISOString();
}

/** A stored timestamp watermark, read back; anything else makes the refresh a full one. */
export function readTimeWatermark(provider: string, since: string): Date {
  const at = new Date(since);
  if (!/^\d{4}-\d\d-\d\dT/.test(since) || Number.isNaN(at.getTime()))
    throw new ProviderError('bad_response', `${provider}: the stored watermark "${since.slice(0, 40)}" is not a time.`);
  return at;
}

/**
 * The changes of a provider that can filter its listing by last-update time but never names who
 * was deleted (terminated people still come back, marked inactive): the listing's pages as
 * changes, then the next watermark. Deletions are left to the periodic full refresh.
 */
export async function* changedPages(pages: AsyncIterable<DirectoryPage>, startedAt: Date): AsyncGenerator<DirectoryChanges> {
  for await (const page of pages) yield { contacts: page.contacts, deleted: [], watermark: null };
  yield { contacts: [], deleted: [], watermark: timeWatermark(startedAt) };
}

/**
 * Pulls up to `depth` items of `source` ahead of its reader, so the next page's request is on the
 * wire while the reader writes the last one to the database: the provider's latency and the
 * insert overlap instead of adding up. Holds at most `depth` items beyond the one being read, and
 * asks the source for `most` items at most.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number, most = Infinity): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  // Never more than `most` asked of the source, read ahead or not: a bound on pages stays exact.
  let asked = 0;
  try {
    for (;;) {
      if (queue.length === 0 && asked >= most) return;
      // An async generator answers queued next() calls one after another, each after the last.
      while (queue.length <= depth && asked < most) {
        asked++;
        const next = it.next();
        // Awaited in order below; one that follows a failure must not surface as unhandled.
        next.catch(() => undefined);
        queue.push(next);
      }
      const step = await queue.shift()!;
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // Ends the source (its finally blocks cancel what it still has in flight) once the queued steps settle.
    await Promise.allSettled(queue);
    await it.return?.(undefined);
  }
}
