import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import type { Seats, SessionInfo } from '../../api/types.js';
import type { HrImportStep } from '../../events/hr-import-step.js';
import { ORDER } from './navigation.js';
import '../seat-meter/seat-meter.js';

/** The steps the indicator shows; labels are functions so they follow the locale. */
const INDICATOR: readonly { step: HrImportStep; label: () => string }[] = [
  { step: 'provider', label: () => msg('Provider') },
  { step: 'contacts', label: () => msg('Contacts') },
  { step: 'roles', label: () => msg('Roles') },
  { step: 'message', label: () => msg('Message') },
];

export interface HeaderState {
  readonly session: SessionInfo | undefined;
  readonly step: HrImportStep;
  readonly seats: Seats | null;
  /** How many contacts are selected. */
  readonly selected: number;
  /** The target has sync rules: Updates and the import flow are two tabs. */
  readonly hasRules: boolean;
  goTo(step: HrImportStep): void;
  goToLater(step: HrImportStep): void;
}

/** Target, seat meter and step indicator (or, once the target has sync rules, the tabs). */
export function header(h: HeaderState) {
  const selecting = h.step === 'contacts' || h.step === 'roles' || h.step === 'message';
  // Keep in sync and Updates show seats their own way (what a rule needs, the joiners ticked).
  const flow = ORDER.includes(h.step);
  return html`
    <header class="header" part="header">
      ${h.session ? html`<p class="target">${target(h.session)}</p>` : nothing} ${h.hasRules && h.session ? tabs(h) : nothing}
      ${h.seats && flow ? html`<hr-seat-meter .seats=${h.seats} .selected=${selecting ? h.selected : 0}></hr-seat-meter>` : nothing}
      ${flow ? steps(h) : nothing}
    </header>
  `;
}

/**
 * Where the admin is in the flow: the steps already passed are buttons back to them (until the
 * import is done), the ones ahead are text. The number is decoration (the list gives the order),
 * the separators are CSS, and a narrow widget shows only the current step's label.
 */
function steps(h: HeaderState) {
  const current = ORDER.indexOf(h.step);
  return html`
    <ol class="steps" part="steps" aria-label=${msg('Progress')}>
      ${INDICATOR.map(({ step, label }, i) => {
        const index = ORDER.indexOf(step);
        const inner = html`<span class="num" aria-hidden="true">${i + 1}</span><span class="label">${label()}</span>`;
        return html`<li class=${index < current ? 'done' : ''} aria-current=${index === current ? 'step' : nothing}>
          ${index < current && current < 4 ? html`<button type="button" class="step" @click=${() => h.goToLater(step)}>${inner}</button>` : inner}
        </li>`;
      })}
    </ol>
  `;
}

/** Updates, and the import flow beside it, once the target has sync rules. */
function tabs(h: HeaderState) {
  const updates = h.step === 'updates';
  return html`<nav class="tabs" part="tabs" aria-label=${msg('Views')}>
    <button type="button" class="btn link" aria-current=${updates ? 'page' : nothing} @click=${() => updates || h.goToLater('updates')}>
      ${msg('Updates')}
    </button>
    <button type="button" class="btn link" aria-current=${updates ? nothing : 'page'} @click=${() => updates && h.goTo('provider')}>
      ${msg('Import contacts')}
    </button>
  </nav>`;
}

/** "Invite people to the lab <strong>Robotics</strong>", the name kept as text in every language. */
function target(session: SessionInfo) {
  const name = html`<strong>${session.target.name}</strong>`;
  switch (session.target.type) {
    case 'organization':
      return msg(html`Invite people to the organization ${name}`);
    case 'lab':
      return msg(html`Invite people to the lab ${name}`);
    case 'challenge':
      return msg(html`Invite people to the challenge ${name}`);
  }
}
