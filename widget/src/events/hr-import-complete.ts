import type { ImportResult } from '../api/types.js';

/** The import was written: `detail` is the BFF's answer (invited count, skipped contacts, seats). */
export class HrImportCompleteEvent extends Event {
  static readonly eventName = 'hr-import-complete';
  readonly detail: ImportResult;

  constructor(detail: ImportResult) {
    super(HrImportCompleteEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-import-complete': HrImportCompleteEvent;
  }
}
