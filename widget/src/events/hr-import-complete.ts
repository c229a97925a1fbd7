import type { ImportResult } from '../api/types.js';

/**
 * The import was written: `detail` is the BFF's answer (who was invited with which role, who was
 * skipped and why, seats). `detail.invited` is 0 when every contact was skipped: no mail was sent.
 */
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
