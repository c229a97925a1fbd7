/** The admin pressed Cancel; the host decides what to do (typically close its dialog). */
export class HrImportCancelEvent extends Event {
  static readonly eventName = 'hr-import-cancel';

  constructor() {
    super(HrImportCancelEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-import-cancel': HrImportCancelEvent;
  }
}
