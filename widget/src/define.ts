/**
 * Registers a custom element unless the tag is already taken: a host page may load the widget
 * twice (two bundles, or a bundle plus the demo), and `customElements.define` throws on a repeat.
 */
export function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
