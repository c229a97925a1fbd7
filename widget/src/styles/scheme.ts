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

/**
 * Follows the host's light or dark scheme: checked when connected and on every update, and
 * again when the reader's preference changes or the page's root or body changes its class,
 * style or theme attribute (how pages switch schemes).
 */
export class SchemeController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  #dark = false;
  #media: MediaQueryList | undefined;
  #observer: MutationObserver | undefined;
  readonly #check = () => {
    if (prefersDark(this.#host) !== this.#dark) this.#host.requestUpdate();
  };

  constructor(host: ReactiveControllerHost & HTMLElement) {
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
    this.#observer.observe(document.documentElement, options);
    if (document.body) this.#observer.observe(document.body, options);
  }

  hostDisconnected() {
    this.#media?.removeEventListener('change', this.#check);
    this.#observer?.disconnect();
  }

  hostUpdate() {
    this.#dark = prefersDark(this.#host);
  }
}
