/** The steps of `<hr-import>`, in order. */
export const HR_IMPORT_STEPS = ['provider', 'contacts', 'roles', 'message', 'confirmation'] as const;
export type HrImportStep = (typeof HR_IMPORT_STEPS)[number];

/** The admin moved to another step. */
export class HrImportStepEvent extends Event {
  static readonly eventName = 'hr-import-step';
  readonly detail: { step: HrImportStep };

  constructor(step: HrImportStep) {
    super(HrImportStepEvent.eventName, { bubbles: true, composed: true });
    this.detail = { step };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-import-step': HrImportStepEvent;
  }
}
