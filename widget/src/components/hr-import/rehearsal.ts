import type { ProviderInfo } from '../../api/types.js';
import { HrContactList } from '../contact-list/contact-list.js';
import { HrImportRefreshProgress } from '../refresh-progress/refresh-progress.js';

/** The refresh line reads only the provider's id once its directory is known. */
const REHEARSAL_PROVIDER = { id: 'rehearsal' } as ProviderInfo;

/**
 * Renders the contacts step's parts (the refresh line, and the list with one made-up contact)
 * out of sight (inert, hidden) in `root`, lays them out, and removes them. Nothing is fetched:
 * the refresh line is told its directory is fresh, the list is given its page. The parts' events
 * are internal (not composed) and nobody in `root` listens to them, so nothing is announced
 * either.
 *
 * Why: the first time a page shows these parts, the browser and Lit do work that is never done
 * again (parsing each template, building the elements' style sheets and style rules, compiling
 * and warming the code that renders rows). Done on an idle frame while the admin is still
 * choosing a provider, it is no longer part of the click that opens the contacts step.
 */
export async function rehearseContactsStep(root: ShadowRoot, width: number): Promise<void> {
  const progress = document.createElement('hr-import-refresh-progress');
  const list = document.createElement('hr-contact-list');
  // Another copy of the widget on the page defined the elements first: they are not ours to drive.
  if (!(progress instanceof HrImportRefreshProgress) || !(list instanceof HrContactList)) return;
  progress.provider = REHEARSAL_PROVIDER;
  progress.known = new Date().toISOString();
  // Ready as soon as it is told the directory is fresh; a second at most, should it never be
  // (no API to ask, the session gone meanwhile), so the stage never stays.
  const ready = new Promise((resolve) => {
    progress.addEventListener('hr-refresh-ready', resolve, { once: true });
    setTimeout(resolve, 1000);
  });

  const stage = document.createElement('div');
  // Inert and hidden: out of reach of the keyboard, the pointer and assistive technology.
  stage.inert = true;
  // Laid out like the real step but never shown, never scrollable, and moving nothing else.
  stage.style.cssText = `position:absolute;top:0;left:0;width:${width}px;height:0;overflow:hidden;visibility:hidden;contain:strict`;
  stage.append(progress, list);
  root.append(stage);
  try {
    await Promise.all([ready.then(() => progress.updateComplete), list.rehearse()]);
    list.renderRoot.querySelector('[role="row"]')?.getBoundingClientRect();
  } finally {
    stage.remove();
  }
}

/** The contact list was rehearsed on this page already (one rehearsal serves every widget). */
let rehearsed = false;

/**
 * Once per page, while the admin is on the picker: the contacts step's first-use work is done
 * on an idle frame, not in the click that opens it. Browsers without requestIdleCallback
 * (Safari) skip it: it only moves work, it adds nothing.
 */
export function rehearseOnce(host: HTMLElement, onPicker: () => boolean): void {
  if (rehearsed) return;
  rehearsed = true;
  if (typeof requestIdleCallback !== 'function') return;
  requestIdleCallback(() => {
    const root = host.shadowRoot;
    // Already past the picker: the list has been shown for real.
    if (!root || !onPicker() || !host.isConnected) return;
    void rehearseContactsStep(root, root.querySelector<HTMLElement>('.body')?.clientWidth ?? 0);
  });
}
