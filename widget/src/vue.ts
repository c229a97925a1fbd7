/**
 * `<hr-import>` in Vue 3 templates, for `vue-tsc` and Volar. A host imports this once, anywhere
 * in its app (or lists it in `compilerOptions.types`):
 *
 *     import '@hr-import/widget/vue';
 *
 * and `<hr-import :session-token="…" :tokenProvider.prop="…" @hr-import-complete="(e) => e.detail.invited">`
 * type-checks, each handler getting its event class (so `detail` is typed).
 *
 * A misspelled prop fails even with create-vue's default settings. Those leave `strictTemplates`
 * off, and then Volar hides "unknown property" errors (TS2353) for components and lets anything
 * through as a fallthrough attribute. So the element is declared as a generic functional
 * component: each prop the element does not know gets a message type that no value matches, a
 * plain type error (TS2322) that is reported whatever the template settings. HTML attributes,
 * `class`, `style`, `aria-*`, `data-*`, DOM events, `key` and `ref` stay allowed.
 *
 * Registered as `'hr-import'`, the tag Vue renders as a custom element (with
 * `isCustomElement`); a PascalCase `<HrImport>` would type-check but make Vue look for a Vue
 * component of that name at run time.
 *
 * A `.ts` file rather than a hand-written `.d.ts` for the reasons given in `react.ts`. Types
 * only: nothing here reaches the bundle.
 */
import type { HTMLAttributes, ReservedProps } from 'vue';
import type { HrImportEventMap, HrImportProperties } from './host-types.js';

export type { HrImportEventMap, HrImportProperties } from './host-types.js';

/** `hr-import-complete` → `hrImportComplete`, as Vue turns `@hr-import-complete` into a prop. */
type Camelize<Name extends string> = Name extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camelize<Tail>>}` : Name;

/** `onHrImportComplete` and the others: what `@hr-import-complete="…"` compiles to. */
export type HrImportVueEvents = {
  [Name in keyof HrImportEventMap as `on${Capitalize<Camelize<Name>>}`]?: (event: HrImportEventMap[Name]) => void;
};

/** Everything `<hr-import>` accepts in a template; `:session-token` is `sessionToken` here, as in Vue. */
export type HrImportVueProps = HTMLAttributes & ReservedProps & Partial<HrImportProperties> & HrImportVueEvents;

/**
 * `<hr-import>` for Volar: a prop it knows gets its type, a `data-*` attribute anything, and any
 * other prop a message type that no value matches (see above). The `__ctx` of the result is how
 * Volar reads a generic component's props back, so `@hr-import-complete` handlers get their event.
 */
export type HrImportVueComponent = <Props extends object>(props: {
  [Name in keyof Props]: Name extends keyof HrImportVueProps
    ? HrImportVueProps[Name]
    : Name extends `data-${string}` | `data${Capitalize<string>}`
      ? unknown
      : `${Name & string} is not a property of <hr-import>`;
}) => { __ctx?: { props?: HrImportVueProps } };

declare module 'vue' {
  interface GlobalComponents {
    'hr-import': HrImportVueComponent;
  }
}
