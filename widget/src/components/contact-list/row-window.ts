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
