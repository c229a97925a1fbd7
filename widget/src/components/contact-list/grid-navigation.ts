import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowWindow } from './row-window.js';

/** The rows of a virtualized grid: a `RowWindowController` in the contact list. */
export interface GridRows {
  /** The grid as rendered; null while the list shows no rows. */
  readonly grid: HTMLElement | null;
  /** The rows rendered now; null before any. */
  readonly current: RowWindow | null;
  /** Rows a Page key moves by. */
  readonly screenful: number;
  /** Scrolls row `index` of `total` into view. */
  reveal(index: number, total: number): void;
}

/** Where each key moves the focused row, from row `at` of rows 0 to `last`. */
const MOVES: Record<string, (at: number, screenful: number, last: number) => number> = {
  ArrowUp: (at) => at - 1,
  ArrowDown: (at) => at + 1,
  PageUp: (at, screenful) => at - screenful,
  PageDown: (at, screenful) => at + screenful,
  Home: () => 0,
  End: (_at, _screenful, last) => last,
};

/**
 * The keyboard of a grid with one row per item, most of them not rendered: the grid is one tab
 * stop, held by one row (`index`, a roving tabindex). Arrow Up/Down move it by one row, Page
 * Up/Down by a screenful, Home/End (or Ctrl+Home/End) to the first and last row of all, scrolled
 * into view; Space on a row without a checkbox to toggle (yet) does nothing. Bound to the grid
 * with `@keydown`, `@focusin` and `@pointerdown` set to the controller.
 */
export class GridNavigation implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #rows: GridRows;
  readonly #count: () => number;
  #index = 0;

  /** `count` is how many rows the grid has, rendered or not. */
  constructor(host: ReactiveControllerHost & HTMLElement, rows: GridRows, count: () => number) {
    this.#host = host;
    this.#rows = rows;
    this.#count = count;
    host.addController(this);
  }

  /** The row that holds the grid's tab stop. */
  get index(): number {
    return this.#index;
  }

  set index(index: number) {
    if (index === this.#index) return;
    this.#index = index;
    this.#host.requestUpdate();
  }

  /** Whether the tab stop's row is rendered: if not, the grid itself takes the tab stop. */
  get rendered(): boolean {
    const range = this.#rows.current;
    return !!range && this.#index >= range.first && this.#index <= range.last;
  }

  hostUpdated() {
    // A placeholder row that had focus has loaded: hand focus on to its checkbox.
    const active = this.#host.shadowRoot?.activeElement;
    if (active?.getAttribute('role') === 'gridcell') active.querySelector<HTMLInputElement>('input:not([disabled])')?.focus();
  }

  handleEvent(event: Event) {
    if (event.type === 'keydown') return this.#keydown(event as KeyboardEvent);
    // Tabbing into the grid itself: the tab stop's row was scrolled out of the DOM, so the first
    // row in view takes its place.
    if (event.type === 'focusin' && event.target === this.#rows.grid)
      return void this.focusRow(this.rendered ? this.#index : (this.#rows.current?.firstVisible ?? 0));
    // A click (before the focus lands) or the focus coming to a row makes that row the tab stop.
    const row = (event.target as HTMLElement).closest<HTMLElement>('[role="row"]');
    if (row) this.index = Number(row.dataset.index);
  }

  /** Scrolls any row into view, the last of 100,000 included, and focuses it. */
  async focusRow(index: number): Promise<void> {
    this.index = index;
    const grid = this.#rows.grid;
    if (!grid) return;
    this.#rows.reveal(index, this.#count());
    await this.#host.updateComplete;
    const row = grid.querySelector<HTMLElement>(`[role="row"][data-index="${index}"]`);
    const target = row?.querySelector<HTMLElement>('input:not([disabled])') ?? row?.querySelector<HTMLElement>('[role="gridcell"]');
    target?.focus({ preventScroll: true });
  }

  #keydown(event: KeyboardEvent) {
    const target = event.target as HTMLElement;
    if (event.key === ' ' && target.getAttribute('role') === 'gridcell') {
      // A cell has the focus when its row has no checkbox to toggle (yet): don't scroll the list.
      event.preventDefault();
      target.querySelector<HTMLInputElement>('input:not([disabled])')?.click();
      return;
    }
    const move = MOVES[event.key];
    const count = this.#count();
    if (!move || event.altKey || event.metaKey || count === 0) return;
    event.preventDefault();
    void this.focusRow(Math.max(0, Math.min(count - 1, move(this.#index, this.#rows.screenful, count - 1))));
  }
}
