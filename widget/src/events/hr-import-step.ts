/**
 * The steps of `<hr-import>`: the import flow in order, then Keep in sync (the rule made from the
 * flow, opened from the roles or message step) and Updates (where a target with sync rules opens).
 */
export const HR_IMPORT_STEPS = ['provider', 'contacts', 'roles', 'message', 'confirmation', 'sync', 'updates'] as const;
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
