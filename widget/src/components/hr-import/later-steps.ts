/**
 * The roles, message and confirmation steps, with their elements: a chunk of its own (vite.config.ts,
 * "steps"), loaded as the contacts step opens (navigation.ts), so the first load holds only what
 * the first two steps show.
 */
import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import type { ImportResult } from '../../api/types.js';
import { roleCounts, selectedContacts, selectedTotal } from '../../model/import-draft.js';
import { roleLabel } from '../../locales/labels.js';
import { seatLimitMessage } from '../contact-list/seat-rules.js';
import { retryAlert } from '../../templates/retry-alert.js';
import { formatNumber } from '../../locales/localize.js';
import { backButton, canGoOn, cancelButton, nextButton, type StepActions, type StepState, type View } from './steps.js';
import '../role-assigner/role-assigner.js';
import '../message-composer/message-composer.js';
import '../selection-review/selection-review.js';
import { summaryTitle } from '../import-summary/import-summary.js';

export { Submission } from './submission.js';

/** What a screen reader hears once the import is done. */
export const importedAnnouncement = ({ invited, skipped }: ImportResult): string =>
  skipped.length ? msg(str`${invited} invited, ${skipped.length} skipped.`) : msg(str`${invited} invited.`);

const keepInSyncButton = (a: StepActions) =>
  html`<p class="keep-in-sync">
    <button type="button" class="btn" @click=${a.keepInSync}>${msg('Keep in sync')}</button>
    <span class="muted">${msg('Save this selection as a rule: people who join later are added too.')}</span>
  </p>`;

export function rolesStep(s: StepState, a: StepActions): View {
  const { shown, more } = selectedContacts(s.draft);
  return {
    title: msg('Assign roles'),
    body: html`${selectionReview(s, a)}<hr-role-assigner
        .roles=${s.session.target.roles}
        .commonRole=${s.draft.role}
        .overrides=${s.draft.overrides}
        .contacts=${shown}
        .more=${more}
        @hr-role-change=${a.intend}
      ></hr-role-assigner>
      ${keepInSyncButton(a)}`,
    footer: html` ${cancelButton(a)}<span class="spacer"></span>${backButton(a, 'contacts')} ${nextButton(a, 'message', !canGoOn(s))} `,
  };
}

/** `message`: what the admin wrote, else the default in their language. */
export function messageStep(s: StepState, a: StepActions, message: { subject: string; body: string }): View {
  const count = selectedTotal(s.draft);
  const valid = message.subject.trim() !== '' && message.body.trim() !== '';
  return {
    title: msg('Write the invitation'),
    body: html`
      <hr-message-composer
        .subject=${message.subject}
        .body=${message.body}
        .contact=${selectedContacts(s.draft).shown[0] ?? null}
        .targetName=${s.session.target.name}
        .inviterName=${s.session.inviter.name}
        @hr-message-change=${a.intend}
      ></hr-message-composer>
      ${keepInSyncButton(a)} ${importError(s, a, count)} ${selectionReview(s, a)} ${review(s, count)}
    `,
    footer: html`
      ${cancelButton(a)}<span class="spacer"></span>${backButton(a, 'roles')}
      <button type="button" class="btn primary" ?disabled=${s.submitting || !valid || !canGoOn(s)} @click=${a.submit}>${msg('Import Contacts')}</button>
      ${
        s.submitting
          ? html`<p class="footer-note" role="status">${count === 1 ? msg('Importing 1 contact…') : msg(str`Importing ${count} contacts…`)}</p>`
          : nothing
      }
    `,
  };
}

/** Who of the selected left the company or shares an address, with Leave them out: on the roles step and again before Import Contacts. */
const selectionReview = (s: StepState, a: StepActions) =>
  html`<hr-selection-review exportparts="selection-warning" .draft=${s.draft} @hr-selection-change=${a.intend}></hr-selection-review>`;

/** The review line before Import Contacts: who is invited as what, and the seats it takes. */
function review(s: StepState, count: number) {
  if (count === 0) return nothing;
  const people = count === 1 ? msg('1 person') : msg(str`${formatNumber(count)} people`);
  const roles = roleCounts(s.draft, s.session.target.roles)
    .map((r) => msg(str`${formatNumber(r.count)} as ${roleLabel(s.session.target.roles, r.role)}`))
    .join(', ');
  const free = (s.seats ?? s.session.seats).remaining;
  return html`<p class="review" part="review">${people}: ${roles} · ${msg(str`${formatNumber(count)} of ${formatNumber(free)} free seats`)}</p>`;
}

function importError(s: StepState, a: StepActions, count: number) {
  const error = s.importError;
  if (!error) return nothing;
  if (error.code === 'seat_limit_exceeded') {
    const allows = `${seatLimitMessage(s.seats?.remaining ?? 0)}.`;
    const selected = count === 1 ? msg('1 contact is selected.') : msg(str`${count} contacts are selected.`);
    return html`<div class="alert" role="alert" part="error">
      <strong>${msg('Not enough seats.')}</strong> ${allows} ${selected} ${msg('Go back to Contacts and select fewer.')}
    </div>`;
  }
  return retryAlert(error, a.submit);
}

export const confirmationStep = (s: StepState, a: StepActions): View => ({
  title: summaryTitle(s.result),
  body: html`<hr-import-summary .result=${s.result} .contacts=${s.draft.known} .roles=${s.session.target.roles}></hr-import-summary>`,
  footer: html`<span class="spacer"></span> <button type="button" class="btn primary" @click=${a.done}>${msg('Done')}</button>`,
});

/**
 * Cancel's question while contacts are selected, in place of the footer's buttons: Keep editing
 * (focused, and what Escape does) or Discard. Here, not in the first chunk: it is only ever asked
 * once something is selected, and the element loads this chunk before it asks.
 */
export function discardPrompt(count: number, keep: () => void, discard: () => void) {
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    // Escape answers the question; it must not also close a dialog around the widget.
    e.preventDefault();
    e.stopPropagation();
    keep();
  };
  return html`<div class="discard" role="alertdialog" aria-labelledby="discard-question" @keydown=${onKey}>
    <p id="discard-question">${count === 1 ? msg('Discard 1 selected contact?') : msg(str`Discard ${formatNumber(count)} selected contacts?`)}</p>
    <span class="spacer"></span>
    <button type="button" class="btn" @click=${keep}>${msg('Keep editing')}</button>
    <button type="button" class="btn danger" @click=${discard}>${msg('Discard')}</button>
  </div>`;
}

/** Only a web page is linked: a host's `javascript:` or other scheme is left out, not followed. */
function upgradeLink(url: string): string | null {
  try {
    const parsed = new URL(url, document.baseURI);
    return url && (parsed.protocol === 'https:' || parsed.protocol === 'http:') ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A plan without a free seat, said as the contacts step opens (this chunk comes in with it) rather
 * than after the first tick: what the admin can do, and the host's upgrade page when it gave one.
 */
export function fullPlan(s: StepState) {
  if ((s.seats ?? s.session.seats).remaining > 0) return nothing;
  const href = upgradeLink(s.upgradeUrl);
  return html`<div class="alert full-plan" part="full-plan">
    <p>
      <strong>${msg('Your plan has no free seats.')}</strong>
      ${href ? msg('Upgrade it to invite people, or free seats by removing members.') : msg('Ask whoever manages the plan to upgrade it, or free seats by removing members.')}
    </p>
    ${href ? html`<a class="btn primary" href=${href} target="_blank" rel="noopener noreferrer">${msg('Upgrade plan')}</a>` : nothing}
  </div>`;
}
