/**
 * Finding elements the way a user (or assistive technology) does: by role and accessible name,
 * across shadow roots. A small subset of the accessible-name computation, enough for the widget.
 */
import { WAIT_MS, waitUntil } from './wait.js';

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Elements under `root`, descending into open shadow roots. */
export function* allElements(root: ParentNode): Generator<Element> {
  if (root instanceof Element && root.shadowRoot) yield* allElements(root.shadowRoot);
  for (const child of Array.from(root.children)) {
    yield child;
    yield* allElements(child);
  }
}

function composedParent(node: Node): Node | null {
  return node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentNode;
}

export function isHidden(el: Element): boolean {
  for (let n: Node | null = el; n; n = composedParent(n)) {
    if (n instanceof Element && n.getAttribute('aria-hidden') === 'true') return true;
  }
  return !el.checkVisibility();
}

export function roleOf(el: Element): string | null {
  const explicit = el.getAttribute('role');
  if (explicit) return explicit.split(/\s+/)[0]!;
  const tag = el.localName;
  if (tag === 'button') return 'button';
  if (tag === 'textarea') return 'textbox';
  if (tag === 'select') return (el as HTMLSelectElement).multiple || (el as HTMLSelectElement).size > 1 ? 'listbox' : 'combobox';
  if (tag === 'option') return 'option';
  if (/^h[1-6]$/.test(tag)) return 'heading';
  if (tag === 'ul' || tag === 'ol') return 'list';
  if (tag === 'li') return 'listitem';
  if (tag === 'a' && el.hasAttribute('href')) return 'link';
  // A form is a landmark only when it is named.
  if (tag === 'form' && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'))) return 'form';
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type;
    if (type === 'checkbox') return 'checkbox';
    if (type === 'search') return 'searchbox';
    if (type === 'text' || type === 'email') return 'textbox';
    if (type === 'button' || type === 'submit') return 'button';
  }
  return null;
}

function textOf(node: Node): string {
  if (node instanceof Text) return node.data;
  if (!(node instanceof Element)) return '';
  if (node.getAttribute('aria-hidden') === 'true' || node.localName === 'style') return '';
  const children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
  return Array.from(children, textOf).join('');
}

export function accessibleName(el: Element): string {
  const root = el.getRootNode() as Document | ShadowRoot;
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) {
    return normalize(
      labelledBy
        .split(/\s+/)
        .map((id) => root.getElementById(id))
        .map((n) => (n ? textOf(n) : ''))
        .join(' '),
    );
  }
  const label = el.getAttribute('aria-label');
  if (label?.trim()) return normalize(label);
  const labels = (el as HTMLInputElement).labels;
  if (labels?.length) return normalize(Array.from(labels, textOf).join(' '));
  const role = roleOf(el);
  if (role && ['button', 'heading', 'link', 'listitem', 'option'].includes(role)) return normalize(textOf(el));
  return normalize(el.getAttribute('title') ?? '');
}

/** What assistive technology reads after the name: the text of the elements `aria-describedby` names. */
export function accessibleDescription(el: Element): string {
  const root = el.getRootNode() as Document | ShadowRoot;
  const ids = el.getAttribute('aria-describedby')?.split(/\s+/).filter(Boolean) ?? [];
  return normalize(
    ids
      .map((id) => root.getElementById(id))
      .map((n) => (n ? textOf(n) : ''))
      .join(' '),
  );
}

export type NameMatcher = string | RegExp | undefined;

const matches = (name: string, matcher: NameMatcher) => (matcher === undefined ? true : typeof matcher === 'string' ? name === matcher : matcher.test(name));

export function queryAllByRole(root: ParentNode, role: string, name?: NameMatcher): HTMLElement[] {
  return [...allElements(root)].filter((el): el is HTMLElement => roleOf(el) === role && !isHidden(el) && matches(accessibleName(el), name));
}

export function queryByRole(root: ParentNode, role: string, name?: NameMatcher): HTMLElement | null {
  const found = queryAllByRole(root, role, name);
  if (found.length > 1) throw new Error(`${found.length} elements with role ${role} and name ${String(name)}`);
  return found[0] ?? null;
}

export function getByRole<T extends HTMLElement = HTMLElement>(root: ParentNode, role: string, name?: NameMatcher): T {
  const found = queryByRole(root, role, name);
  if (!found) {
    const names = queryAllByRole(root, role).map((el) => JSON.stringify(accessibleName(el)));
    throw new Error(`No ${role} named ${String(name)}; there are: ${names.join(', ') || 'none'}`);
  }
  return found as T;
}

export async function findByRole<T extends HTMLElement = HTMLElement>(root: ParentNode, role: string, name?: NameMatcher, timeout = WAIT_MS): Promise<T> {
  let found: HTMLElement | null = null;
  try {
    await waitUntil(() => (found = queryByRole(root, role, name)), undefined, { timeout });
  } catch {
    return getByRole<T>(root, role, name); // throws with the names that are there
  }
  return found! as T;
}

/** The form field labelled `label`, whatever its role (a password field has none). */
export function getByLabel<T extends HTMLElement = HTMLInputElement>(root: ParentNode, label: NameMatcher): T {
  const fields = [...allElements(root)].filter(
    (el): el is HTMLElement => ['input', 'select', 'textarea'].includes(el.localName) && !isHidden(el) && matches(accessibleName(el), label),
  );
  if (fields.length !== 1) throw new Error(`${fields.length} fields labelled ${String(label)}`);
  return fields[0] as T;
}

/** The text a sighted user reads in `el`, through shadow roots, whitespace collapsed. */
export function visibleText(el: Element): string {
  return normalize(textOf(el));
}

export async function waitForText(el: Element, text: string | RegExp, timeout = WAIT_MS): Promise<void> {
  const test = () => (typeof text === 'string' ? visibleText(el).includes(text) : text.test(visibleText(el)));
  try {
    await waitUntil(test, undefined, { timeout });
  } catch {
    throw new Error(`Text ${String(text)} did not appear; the element reads: ${visibleText(el)}`);
  }
}

/** Picks an option of a select the way the browser reports a user's choice. */
export function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  select.dispatchEvent(new Event('change', { bubbles: true }));
}
