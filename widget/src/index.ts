/**
 * Entry of the widget: importing it registers every element (once, even if loaded twice) and
 * exposes the classes, events and the BFF types for hosts written in TypeScript.
 */
export { HrImport, type TokenProvider } from './components/hr-import/hr-import.js';
export { LOCALES } from './locales/localize.js';
export { HrContactList } from './components/contact-list/contact-list.js';
export { HrProviderPicker } from './components/provider-picker/provider-picker.js';
export { HrSeatMeter } from './components/seat-meter/seat-meter.js';
export { HrImportCancelEvent } from './events/hr-import-cancel.js';
export { HrImportCompleteEvent } from './events/hr-import-complete.js';
export { HrImportDoneEvent } from './events/hr-import-done.js';
export { HrImportErrorEvent, type HrImportErrorDetail } from './events/hr-import-error.js';
export { HR_IMPORT_STEPS, HrImportStepEvent, type HrImportStep } from './events/hr-import-step.js';
export { ApiClient, ApiError } from './api/client.js';
export { define } from './define.js';
export type { ContactQuery, Selection } from './model/selection.js';
export type {
  Contact,
  ContactFacets,
  ContactPage,
  ConnectionState,
  ImportRequest,
  ImportResult,
  Membership,
  ProviderInfo,
  Role,
  Seats,
  SessionInfo,
  SkipReason,
  TargetType,
} from './api/types.js';
