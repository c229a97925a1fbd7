/**
 * `<hr-import>` in React 19's JSX. A host imports this once, anywhere in its app:
 *
 *     import '@hr-import/widget/react';
 *
 * and `<hr-import session-token={…} tokenProvider={…} onhr-import-complete={(e) => e.detail.invited}>`
 * type-checks, each event handler getting its event class (so `detail` is typed), and a prop the
 * element does not have is an error.
 *
 * React 19 sets a prop on a custom element as a property when the element has one (else as an
 * attribute), and adds a prop `on<name>` holding a function as a listener for the event `<name>`,
 * exactly as spelled: https://react.dev/reference/react-dom/components#custom-html-elements.
 * The kebab-case attributes are the typed spelling, not the camelCase properties: an attribute
 * works even when React renders before the element is defined, where a camelCase prop would
 * become a lowercased attribute the element never reads.
 *
 * TypeScript never reports an unknown JSX attribute whose name has a hyphen (so that `data-*`
 * works), so a misspelled `session-token` goes unnoticed by the compiler; a misspelled event
 * handler does not, because its untyped `(e) => …` fails under `strict` (TS7006).
 *
 * A `.ts` file rather than a hand-written `.d.ts`: the build emits `react.d.ts` beside an empty
 * `react.js`, so the side-effect import above resolves in a bundler too, and this file is
 * type-checked with the rest of the widget. It imports types only: no code reaches the bundle.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { HrImport } from './components/hr-import/hr-import.js';
import type { HrImportAttributes, HrImportEventMap } from './host-types.js';

export type { HrImportAttributes, HrImportEventMap } from './host-types.js';

/** `on<event-name>` for each public event, with the event's own class. */
export type HrImportEventHandlers = {
  [Name in keyof HrImportEventMap as `on${Name}`]?: (event: HrImportEventMap[Name]) => void;
};

/** Everything `<hr-import>` accepts in JSX: the usual HTML props, its attributes, its events. */
export type HrImportJsxProps = DetailedHTMLProps<HTMLAttributes<HrImport>, HrImport> & HrImportAttributes & HrImportEventHandlers;

declare module 'react' {
  // React's JSX types live in a namespace: augmenting them takes one.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'hr-import': HrImportJsxProps;
    }
  }
}
