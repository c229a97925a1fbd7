import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Task, TaskStatus, initialState } from '@lit/task';
import type { Contact, ContactPage } from '../../api/types.js';
import { isAbort, toApiError, type ApiClient, type ApiError } from '../../api/client.js';
import { queryFilters, type ContactQuery } from '../../model/selection.js';

export const PAGE_SIZE = 100;
/** Pages kept in memory (3,000 rows): enough for the view and its neighbours, bounded whatever the directory's size. */
export const PAGE_CACHE = 30;
/** Page requests at a time. */
const MAX_IN_FLIGHT = 2;

/** Who a rehearsal lists: each line of a row filled (an active contact, not yet invited). */
const REHEARSAL_PAGE: ContactPage = {
  items: [{ id: 'rehearsal', displayName: 'Ada Lovelace', email: 'ada@example.com', title: 'Engineer', membership: null } as Contact],
  nextCursor: null,
  total: 1,
  selectable: 1,
};

/** The rows a list shows, first to last. */
interface Rows {
  readonly first: number;
  readonly last: number;
}

interface CachedPage {
  readonly items: readonly Contact[];
  readonly nextCursor: string | null;
}

/**
 * One query's loading, like one run of a Task: the pages after the first are asked for with its
 * signal, and a page that lands for a run that is no longer the current one is dropped. A new
 * query or a disconnect aborts it.
 */
interface Run {
  readonly api: ApiClient;
  readonly provider: string;
  readonly query: ContactQuery;
  readonly controller: AbortController;
  /** Pages asked for and not answered yet. */
  readonly inFlight: Set<number>;
}

/** What is listed: the API client, the provider's id, and the search and filters. */
export type DirectoryArgs = readonly [api: ApiClient | undefined, provider: string | undefined, query: ContactQuery];

/** What the first page is asked for again when it changes: a query set anew with the same search and filters is no new query. */
type FirstPageArgs = readonly [ApiClient | undefined, string | undefined, string, string, string, boolean, ContactPage | null];

/**
 * The contacts of a provider's directory for one query, a page at a time, for a list that shows
 * any row of them. The first page comes from a Task (its status is the list's: loading, failed,
 * shown), and its total sizes the list; the pages the rows in view need are fetched as they come
 * into view, and the least recently used are let go past `PAGE_CACHE`.
 */
export class ContactPages implements ReactiveController {
  /** Matching contacts, and how many of them can be invited, as the BFF counted them last. */
  total = 0;
  selectable = 0;
  /** Whether a page has been shown yet: until then, a loading list shows no rows at all. */
  landed = false;
  /** Why the last page asked for failed; the first page's failure is the Task's. */
  error: ApiError | null = null;

  /** The first page of the current query. */
  readonly first: Task<FirstPageArgs, ContactPage>;

  readonly #host: ReactiveControllerHost;
  /** Loaded pages by number, least recently used first. */
  readonly #pages = new Map<number, CachedPage>();
  #run: Run | null = null;
  /** The page a rehearsal shows instead of asking the BFF (see `rehearse()`). */
  #rehearsal: ContactPage | null = null;
  /** The rows the list shows now: their pages are asked for first and kept. */
  #shown: Rows | null = null;

  constructor(host: ReactiveControllerHost, args: () => DirectoryArgs, onFirstPage: (page: ContactPage) => void) {
    this.#host = host;
    host.addController(this);
    this.first = new Task(host, {
      task: async ([api, provider, search, department, location, showInactive, rehearsal], { signal }) => {
        if (rehearsal) return rehearsal;
        if (!api || !provider) return initialState;
        const query = { search, department, location, showInactive };
        // Pages of the previous query still on their way are of no use any more.
        this.#run?.controller.abort();
        this.#run = { api, provider, query, controller: new AbortController(), inFlight: new Set() };
        // The first page goes with the Task's own signal: the Task aborts it for a newer query.
        return api.listContacts(provider, { ...queryFilters(query), search: query.search, limit: PAGE_SIZE }, signal);
      },
      args: (): FirstPageArgs => {
        const [api, provider, query] = args();
        return [api, provider, query.search.trim(), query.department, query.location, query.showInactive, this.#rehearsal];
      },
      onComplete: (page) => {
        this.#pages.clear();
        this.#pages.set(0, page);
        this.#landed(page);
        onFirstPage(page);
      },
    });
  }

  /** Whether a rehearsal's made-up page is shown: nothing is asked of the BFF then. */
  get rehearsing(): boolean {
    return !!this.#rehearsal;
  }

  /** Lists one made-up contact instead of asking the BFF, for the contacts step's rehearsal. */
  rehearse() {
    this.#rehearsal = REHEARSAL_PAGE;
    this.#host.requestUpdate();
  }

  hostDisconnected() {
    // Its requests are let go; once moved back into the page, the list asks for them again.
    const run = this.#run;
    if (!run) return;
    run.controller.abort();
    this.#run = { ...run, controller: new AbortController(), inFlight: new Set() };
  }

  /** The contact at a row index, or undefined while its page is loading. */
  contactAt(index: number): Contact | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE];
  }

  /**
   * Fetches the pages the rows shown need, two at a time. Flinging the list from top to
   * bottom passes a thousand pages: only the ones in view when a request is free are asked
   * for, so the BFF answers a handful instead of queueing them all (an aborted fetch would
   * still run there, so a request once sent is let finish, and its page is kept).
   */
  load(shown: Rows | null) {
    this.#shown = shown;
    const run = this.#run;
    if (!run || !shown || this.first.status !== TaskStatus.COMPLETE || shown.last < 0) return;
    const to = Math.floor(Math.min(shown.last, this.total - 1) / PAGE_SIZE);
    for (let n = Math.floor(shown.first / PAGE_SIZE); n <= to; n++) {
      const cached = this.#pages.get(n);
      if (cached) {
        // Most recently used goes last, so eviction takes the oldest.
        this.#pages.delete(n);
        this.#pages.set(n, cached);
      } else if (!run.inFlight.has(n) && run.inFlight.size < MAX_IN_FLIGHT) {
        void this.#loadPage(run, n);
      }
    }
  }

  /** Asks again for the pages in view after a failure. */
  readonly retry = () => {
    this.error = null;
    this.#host.requestUpdate();
    this.load(this.#shown);
  };

  async #loadPage(run: Run, n: number) {
    run.inFlight.add(n);
    const { query } = run;
    // Reading on from the page before is keyset paging; a jump asks by position.
    const before = this.#pages.get(n - 1)?.nextCursor;
    const where = before ? { cursor: before } : { offset: n * PAGE_SIZE };
    try {
      const page = await run.api.listContacts(
        run.provider,
        { ...queryFilters(query), search: query.search, ...where, limit: PAGE_SIZE },
        run.controller.signal,
      );
      if (run !== this.#run) return;
      this.#pages.set(n, page);
      // Keep the pages in view (and the first); evict the least recently used of the others.
      const from = Math.floor((this.#shown?.first ?? 0) / PAGE_SIZE);
      const to = Math.floor((this.#shown?.last ?? 0) / PAGE_SIZE);
      while (this.#pages.size > PAGE_CACHE) {
        const oldest = [...this.#pages.keys()].find((k) => k !== 0 && (k < from || k > to));
        if (oldest === undefined) break;
        this.#pages.delete(oldest);
      }
      this.#landed(page);
    } catch (error) {
      if (run !== this.#run || isAbort(error)) return;
      this.error = toApiError(error);
      this.#host.requestUpdate();
    } finally {
      run.inFlight.delete(n);
      // A request is free: ask for what is in view now.
      if (run === this.#run) this.load(this.#shown);
    }
  }

  #landed(page: ContactPage) {
    this.error = null;
    this.total = page.total;
    this.selectable = page.selectable;
    this.landed = true;
    this.#host.requestUpdate();
  }
}
