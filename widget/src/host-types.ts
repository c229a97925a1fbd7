/**
 * What a host page sets on `<hr-import>` and hears from it, as types: one list that the React
 * (`react.ts`) and Vue (`vue.ts`) entries both build on. Types only: nothing here reaches the
 * browser bundle.
 */
import type { HrImport } from './components/hr-import/hr-import.js';
import type { HrImportCancelEvent } from './events/hr-import-cancel.js';
import type { HrImportCompleteEvent } from './events/hr-import-complete.js';
import type { HrImportDoneEvent } from './events/hr-import-done.js';
import type { HrImportErrorEvent } from './events/hr-import-error.js';
import type { HrImportStepEvent } from './events/hr-import-step.js';

/** The public events of `<hr-import>` by name, each with its class (and so its `detail`). */
export interface HrImportEventMap {
  'hr-import-complete': HrImportCompleteEvent;
  'hr-import-done': HrImportDoneEvent;
  'hr-import-cancel': HrImportCancelEvent;
  'hr-import-error': HrImportErrorEvent;
  'hr-import-step': HrImportStepEvent;
}

/** The element's public properties, as the host's code sees them on the element. */
export type HrImportProperties = Pick<HrImport, 'sessionToken' | 'apiBase' | 'requestTimeout' | 'locale' | 'tokenProvider'>;

/**
 * What markup sets: the four attributes, and `tokenProvider`, a function, so a property only.
 * `request-timeout` takes a number (a framework that sets attributes writes it as text; the
 * element reads it back as a number).
 */
export interface HrImportAttributes {
  'session-token'?: HrImport['sessionToken'];
  'api-base'?: HrImport['apiBase'];
  'request-timeout'?: HrImport['requestTimeout'] | `${number}`;
  locale?: HrImport['locale'];
  tokenProvider?: HrImport['tokenProvider'];
}
