import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Which rows of a long list to render, and where, for rows of one fixed height. Only the rows in
 * view (and a few around them) are in the DOM; an empty track gives the list its full height.
 *
 * Browsers cap an element's height (Firefox near 17.9 million pixels, Chrome near 33.5 million),
 * which is what breaks long virtualized lists past a few hundred thousand rows. Past
 * `MAX_TRACK_HEIGHT` the track stops growing and one scrolled pixel stands for several pixels
 * of rows, so the first and the last row stay reachable whatever the count.
 */
export const MAX_TRACK_HEIGHT = 8_000_000;

export interface RowWindow {
  /** First and last row to render, overscan included. */
  readonly first: number;
  readonly last: number;
  /** First and last row at least partly in view. */
  readonly firstVisible: number;
  readonly lastVisible: number;
  /** Height of the scrolling track. */
  readonly track: number;
  /** Where row `index` goes, in the scroller's content coordinates. */
  top(index: number): number;
}

export interface Viewport {
  readonly total: number;
  readonly rowHeight: number;
  readonly viewHeight: number;
  readonly scrollTop: number;
}

const clamp = (n: number, min: number, max: number) => Math.max(min, Math.min(max, n));

/** Pixels of rows per scrolled pixel: 1 until the track is capped. */
function scale({ total, rowHeight, viewHeight }: Viewport): number {
  const content = total * rowHeight;
  const track = Math.min(content, MAX_TRACK_HEIGHT);
  return content <= track || track <= viewHeight ? 1 : (content - viewHeight) / (track - viewHeight);
}

export function rowWindow(view: Viewport, overscan = 4): RowWindow {
  const { total, rowHeight, viewHeight, scrollTop } = view;
  const offset = scrollTop * scale(view);
  const firstVisible = clamp(Math.floor(offset / rowHeight), 0, total - 1);
  const lastVisible = clamp(Math.ceil((offset + viewHeight) / rowHeight) - 1, firstVisible, total - 1);
  return {
    first: Math.max(0, firstVisible - overscan),
    last: Math.min(total - 1, lastVisible + overscan),
    firstVisible,
    lastVisible,
    track: Math.min(total * rowHeight, MAX_TRACK_HEIGHT),
    top: (index) => scrollTop + index * rowHeight - offset,
  };
}

/** The scroll position that brings a row fully into view, moving as little as possible. */
export function scrollTopFor(index: number, view: Viewport): number {
  const { rowHeight, viewHeight, scrollTop } = view;
  const ratio = scale(view);
  const offset = scrollTop * ratio;
  const rowTop = index * rowHeight;
  let next = offset;
  if (rowTop < offset) next = rowTop;
  else if (rowTop + rowHeight > offset + viewHeight) next = rowTop + rowHeight - viewHeight;
  return next / ratio;
}

type WindowHost = ReactiveControllerHost & { readonly hasUpdated: boolean };

/**
 * The row window of one scrolling list as it is laid out: its scroll position, its height and
 * its rows' height, which `window()` turns into the rows to render. A change of either height
 * renders the rows again.
 */
export class RowWindowController implements ReactiveController {
  /** The rows rendered at the last update; null before any. */
  current: RowWindow | null = null;

  readonly #host: WindowHost;
  readonly #grid: () => HTMLElement | null;
  #scrollTop = 0;
  /** The list's inner height with the stylesheet's defaults (26rem less its border), until measured. */
  #viewHeight = 414;
  /** From the stylesheet (3.5rem), measured on the first row rendered. */
  #rowHeight = 56;
  /**
   * Read when the browser has laid the list out anyway: reading sizes after each render instead
   * forced a layout of the whole step there.
   */
  readonly #resize = new ResizeObserver(() => this.#measure());
  #observed: HTMLElement | null = null;

  /** `grid` finds the scrolling list, rendered or not (a loading or empty list has none). */
  constructor(host: WindowHost, grid: () => HTMLElement | null) {
    this.#host = host;
    this.#grid = grid;
    host.addController(this);
  }

  get grid(): HTMLElement | null {
    return this.#grid();
  }

  /** Rows a Page key moves by: a screenful less one, so the row last seen stays in view. */
  get screenful(): number {
    return Math.max(1, Math.floor(this.#viewHeight / this.#rowHeight) - 1);
  }

  /** The rows to render out of `total` where the list is scrolled now, kept as `current`. */
  window(total: number): RowWindow {
    return (this.current = rowWindow(this.#viewport(total, this.#scrollTop)));
  }

  /** Scrolls row `index` of `total` into view, any row, the last of 100,000 included. */
  reveal(index: number, total: number) {
    const grid = this.#grid();
    if (!grid) return;
    grid.scrollTop = scrollTopFor(index, this.#viewport(total, grid.scrollTop));
    this.#scrollTop = grid.scrollTop;
    this.#host.requestUpdate();
  }

  /** Back to the top, laid out there at once: the scroll event that follows then has nothing to do. */
  toTop() {
    this.#scrollTop = 0;
    const grid = this.#grid();
    if (grid) grid.scrollTop = 0;
  }

  /** The list's scroll events (`@scroll=${controller}`). */
  handleEvent(event: Event) {
    const top = (event.target as HTMLElement).scrollTop;
    // A new query scrolls the list back to the top itself, and has laid its rows out for it.
    if (top === this.#scrollTop) return;
    this.#scrollTop = top;
    this.#host.requestUpdate();
  }

  hostConnected() {
    // Moved in the page: its list is observed again, as the observer was let go when it left.
    if (this.#host.hasUpdated) this.#observe();
  }

  hostUpdated() {
    this.#observe();
  }

  hostDisconnected() {
    this.#resize.disconnect();
    this.#observed = null;
  }

  #viewport(total: number, scrollTop: number): Viewport {
    return { total, rowHeight: this.#rowHeight, viewHeight: this.#viewHeight, scrollTop };
  }

  /** Watches the list rendered now. */
  #observe() {
    const grid = this.#grid();
    if (grid === this.#observed) return;
    if (this.#observed) this.#resize.unobserve(this.#observed);
    if (grid) this.#resize.observe(grid);
    this.#observed = grid;
  }

  #measure() {
    const grid = this.#grid();
    if (!grid) return;
    const row = grid.querySelector<HTMLElement>('[role="row"]');
    const rowHeight = row?.offsetHeight || this.#rowHeight;
    const viewHeight = grid.clientHeight || this.#viewHeight;
    if (rowHeight !== this.#rowHeight || viewHeight !== this.#viewHeight) {
      this.#rowHeight = rowHeight;
      this.#viewHeight = viewHeight;
      this.#host.requestUpdate();
    }
  }
}
