/**
 * Like Lit's styleMap, but CSP-safe from the first render. styleMap writes its first value as a
 * `style` attribute string, which a host page's Content-Security-Policy without 'unsafe-inline'
 * (style-src-attr) blocks; properties set through the CSSOM are not affected, so this directive
 * only ever uses `style.setProperty`. Use it as `style=${styleProps({ height: '10px' })}`.
 */
import { noChange } from 'lit';
import { Directive, directive, PartType, type AttributePart, type PartInfo } from 'lit/directive.js';

type Props = Readonly<Record<string, string | undefined>>;

/** Keys may be camelCase as with styleMap (`maxHeight`) or CSS names (`max-height`, `--custom`). */
const cssName = (key: string) => (key.startsWith('--') ? key : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));

class StylePropsDirective extends Directive {
  #previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('styleProps belongs in a style attribute');
  }

  render(_props: Props) {
    return noChange;
  }

  override update(part: AttributePart, [props]: [Props]) {
    const style = part.element.style;
    for (const name of this.#previous) if (!(name in props) || props[name] === undefined) style.removeProperty(cssName(name));
    this.#previous = new Set();
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) continue;
      style.setProperty(cssName(name), value);
      this.#previous.add(name);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
