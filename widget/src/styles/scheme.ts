import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Whether the widget should be dark: the `color-scheme` it inherits from the page (or that the
 * host set on it) allows only dark, or allows both and the reader prefers dark. A page that
 * declares no scheme (`normal`) is a light page. The same choice the browser makes for its own
 * controls under `color-scheme`.
 */
export function prefersDark(el: Element): boolean {
  const words = getComputedStyle(el).colorScheme.split(/\s+/);
  if (!words.includes('dark')) return false;
  return !words.includes('light') || matchMedia('(prefers-color-scheme: dark)').matches;
}

type SchemeHost = ReactiveControllerHost & HTMLElement & { readonly hasUpdated: boolean };

/**
 * Follows the host's light or dark scheme: checked at the first render and when moved, and
 * again when the reader's preference changes or the page's root, its body or the element itself
 * changes its class, style or theme attribute (how pages switch schemes). Not on every render:
 * reading the computed scheme makes the browser bring the whole page's styles up to date there
 * and then, which cost the contacts step a style pass of its own each time it rendered.
 */
export class SchemeController implements ReactiveController {
  readonly #host: SchemeHost;
  #dark = false;
  #media: MediaQueryList | undefined;
  #observer: MutationObserver | undefined;
  readonly #check = () => {
    const dark = prefersDark(this.#host);
    if (dark === this.#dark) return;
    this.#dark = dark;
    this.#host.requestUpdate();
  };

  constructor(host: SchemeHost) {
    this.#host = host;
    host.addController(this);
  }

  get dark(): boolean {
    return this.#dark;
  }

  hostConnected() {
    this.#media = matchMedia('(prefers-color-scheme: dark)');
    this.#media.addEventListener('change', this.#check);
    this.#observer = new MutationObserver(this.#check);
    const options = { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme'] };
    for (const el of [document.documentElement, document.body, this.#host]) if (el) this.#observer.observe(el, options);
    // Moved in the page: its new place may have another scheme. (A first connection is read at
    // the first render, below, once the page's own stylesheets had their chance to come in.)
    if (this.#host.hasUpdated) this.#check();
  }

  hostDisconnected() {
    this.#media?.removeEventListener('change', this.#check);
    this.#observer?.disconnect();
  }

  hostUpdate() {
    // The page's own stylesheets may have come in since the element was connected.
    if (!this.#host.hasUpdated) this.#dark = prefersDark(this.#host);
  }
}
