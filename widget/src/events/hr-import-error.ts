export interface HrImportErrorDetail {
  /** The BFF's error code (`unauthorized`, `seat_limit_exceeded`, …), or `network_error` / `timeout`. */
  code: string;
  message: string;
  /** HTTP status; 0 when no answer arrived. */
  status: number;
}

/** Something failed that the host may want to know about: an expired session, a failed import. */
export class HrImportErrorEvent extends Event {
  static readonly eventName = 'hr-import-error';
  readonly detail: HrImportErrorDetail;

  constructor(detail: HrImportErrorDetail) {
    super(HrImportErrorEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-import-error': HrImportErrorEvent;
  }
}
