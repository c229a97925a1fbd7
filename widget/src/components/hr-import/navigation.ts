import type { ReactiveController, ReactiveElement } from 'lit';
import { HrImportStepEvent, type HrImportStep } from '../../events/hr-import-step.js';
import type * as LaterSteps from './later-steps.js';

/** The flow's steps in order; Keep in sync and Updates stand beside it. */
export const ORDER: readonly HrImportStep[] = ['provider', 'contacts', 'roles', 'message', 'confirmation'];

/** The roles, message and confirmation steps' render functions, once their chunk is in. */
export let LATER_STEPS: typeof LaterSteps | undefined;

let laterSteps: Promise<unknown> | undefined;
/**
 * The roles, message and confirmation steps, in a chunk of their own: fetched in the first idle
 * moment of the contacts step (the admin spends seconds there), and awaited before the step that needs them, so
 * the first load holds only what the first two steps show.
 */
function loadLaterSteps(): Promise<unknown> {
  laterSteps ??= import('./later-steps.js').then(
    (steps) => (LATER_STEPS = steps),
    (error: unknown) => {
      // A failed fetch (a deploy replaced the chunk, the network dropped) is tried again next time.
      laterSteps = undefined;
      throw error;
    },
  );
  return laterSteps;
}

let syncParts: Promise<unknown> | undefined;
/** Keep in sync and Updates, in a chunk of their own: few sessions open them. */
export function loadSync(): Promise<unknown> {
  syncParts ??= Promise.all([import('../sync-rule-editor/sync-rule-editor.js'), import('../sync-view/sync-view.js')]).catch((error: unknown) => {
    syncParts = undefined;
    throw error;
  });
  return syncParts;
}

/**
 * The current step, the move to another (its chunk loaded first, the page told), and the focus
 * on the new step's heading.
 */
export class NavigationController implements ReactiveController {
  readonly #host: ReactiveElement;
  /** What the host clears as any step is left. */
  readonly #leave: () => void;
  #step: HrImportStep = 'provider';
  #focusHeading = false;

  constructor(host: ReactiveElement, leave: () => void) {
    this.#host = host;
    this.#leave = leave;
    host.addController(this);
  }

  get step(): HrImportStep {
    return this.#step;
  }

  /** Opens on another step without a move (no focus, no event): the session of a target with sync rules opens on Updates. */
  set step(step: HrImportStep) {
    this.#step = step;
    this.#host.requestUpdate();
  }

  hostUpdated() {
    if (!this.#focusHeading) return;
    this.#focusHeading = false;
    const heading = this.#heading();
    if (heading && this.#host.shadowRoot?.activeElement !== heading) heading.focus();
  }

  /** The later steps' chunk (it also holds Cancel's question); a failed fetch is tried again next time. */
  readonly loadLater = (): Promise<unknown> => loadLaterSteps().catch(() => undefined);

  /** Steps past the contacts wait for their elements' chunk (loadLaterSteps) before they show. */
  readonly goToLater = async (step: HrImportStep): Promise<void> => {
    await (step === 'sync' || step === 'updates' ? loadSync().catch(() => undefined) : this.loadLater());
    this.goTo(step);
  };

  readonly goTo = (step: HrImportStep): void => {
    // Once the list's first rows are up (an idle moment), not in the middle of rendering them.
    // Rendered again when it is in: the contacts step shows a full plan's notice from it.
    if (step === 'contacts')
      (globalThis.requestIdleCallback ?? setTimeout)(
        () =>
          void loadLaterSteps().then(
            () => this.#host.requestUpdate(),
            () => undefined,
          ),
      );
    this.step = step;
    this.#leave();
    this.#focusHeading = true;
    // The heading takes the focus now, while the page's layout is still clean: after the render,
    // focusing it forced a layout of the new step before its children had even rendered, and the
    // control that had the focus would be removed while focused, which forced another.
    this.#heading()?.focus();
    this.#host.dispatchEvent(new HrImportStepEvent(step));
  };

  #heading() {
    return this.#host.renderRoot.querySelector<HTMLElement>('#heading');
  }
}
