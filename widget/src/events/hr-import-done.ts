/**
 * The admin pressed Done on the confirmation; the widget has gone back to its first step. Hosts
 * showing the widget in a dialog close it here.
 */
export class HrImportDoneEvent extends Event {
  static readonly eventName = 'hr-import-done';

  constructor() {
    super(HrImportDoneEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-import-done': HrImportDoneEvent;
  }
}
