import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, TaskStatus } from '@lit/task';
import type { ApiClient } from '../../api/client.js';
import type { Contact } from '../../api/types.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrSelectionChangeEvent } from '../../events/internal.js';
import { formatNumber } from '../../locales/localize.js';
import type { ImportDraft } from '../../model/import-draft.js';
import type { SelectAllRule } from '../../model/selection.js';
import { flaggedSelected, hasLeft, withoutContacts } from '../../model/warnings.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';
import { selectionReviewStyles } from './selection-review.styles.js';

/** The contract's page limit: a rule's flagged people are read 500 at a time. */
const PAGE = 500;
/** Names listed in the warning; the rest are counted. */
const NAMED = 5;

/**
 * A Select All's flagged people by its query and the directory's fetch, kept across the roles and
 * message steps (each renders its own review): the rule's exceptions are applied here, not asked.
 */
const flaggedOfRules = new Map<string, Promise<Contact[]>>();

function flaggedOfRule(api: ApiClient, provider: string, rule: SelectAllRule, directory: string): Promise<Contact[]> {
  const key = JSON.stringify([provider, directory, rule.search, rule.filters]);
  let found = flaggedOfRules.get(key);
  if (!found) {
    found = (async () => {
      const people: Contact[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.listContacts(provider, { ...rule.filters, search: rule.search, flagged: 'true', limit: PAGE, ...(cursor ? { cursor } : {}) });
        people.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return people;
    })();
    // A failed read is asked again by Retry, not remembered.
    found.catch(() => flaggedOfRules.delete(key));
    flaggedOfRules.set(key, found);
  }
  return found;
}

/**
 * The warning before Import Contacts: how many of the selected people have left the company or
 * share their address with another person, who they are, and **Leave them out**, which takes them
 * out of the selection (an intent the element applies, like a tick in the list). Ticked people are
 * known to the widget; a Select All's are asked of the BFF (`flagged=true`), as the widget holds
 * only the rows it loaded.
 *
 * @summary Warn of selected people who left or share an address, with a way to leave them out.
 * @event hr-selection-change - Internal: the selection without the people warned of.
 * @csspart selection-warning - The warning with its Leave them out button.
 */
export class HrSelectionReview extends LitElement {
  static override styles = [sharedStyles, selectionReviewStyles];
  static override properties = {
    _leftOut: { state: true },
    draft: { attribute: false },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _ruled = new Task(this, {
    task: async ([api, provider, directory]) => {
      const rule = this.draft?.selection.rule;
      return api && provider && rule ? flaggedOfRule(api, provider, rule, directory ?? '') : [];
    },
    // The rule's query, not the rule: leaving people out changes its exceptions, not who it flags.
    args: () => {
      const rule = this.draft?.selection.rule;
      return [this._api.value, this.draft?.provider?.id, this.draft?.directory, rule?.search, JSON.stringify(rule?.filters)] as const;
    },
  });

  /** Leave them out was pressed: the focus goes to what it says, once it is rendered. */
  private _focusLeftOut = false;

  /** How many the last Leave them out took out, said once the warning is gone. */
  declare private _leftOut: number;

  /** The import being put together: its selection, and the contacts loaded so far. */
  declare draft: ImportDraft | null;

  constructor() {
    super();
    this._leftOut = 0;
    this.draft = null;
    updateWhenLocaleChanges(this);
  }

  override updated() {
    // The button goes with the warning once the element hands down the new draft: the focus moves
    // to the sentence that replaced it.
    const said = this._focusLeftOut && this.renderRoot.querySelector<HTMLElement>('.left-out');
    if (!said) return;
    this._focusLeftOut = false;
    said.focus();
  }

  private handleLeaveOut() {
    const draft = this.draft;
    const flagged = this.flagged();
    if (!draft || !flagged.length) return;
    this._leftOut = flagged.length;
    this._focusLeftOut = true;
    this.dispatchEvent(new HrSelectionChangeEvent(withoutContacts(draft.selection, flagged)));
  }

  private flagged(): Contact[] {
    const draft = this.draft;
    if (!draft) return [];
    return flaggedSelected(draft.selection, [...draft.known.values(), ...(this._ruled.value ?? [])]);
  }

  private renderWarning(flagged: Contact[]) {
    const left = flagged.filter(hasLeft).length;
    const shared = flagged.filter((c) => c.sharedEmail).length;
    const names = flagged.slice(0, NAMED).map((c) => c.displayName);
    const more = flagged.length - names.length;
    return html`<div class="warning" role="group" aria-labelledby="warning-title" part="selection-warning">
      <p id="warning-title"><strong>${msg('Check who you are inviting')}</strong></p>
      <ul>
        ${left ? html`<li>${left === 1 ? msg('1 selected person has left the company.') : msg(str`${formatNumber(left)} selected people have left the company.`)}</li>` : nothing}
        ${
          shared
            ? html`<li>
                ${
                  shared === 1
                    ? msg('1 selected person shares their email address with another person: the invitation may reach someone else.')
                    : msg(str`${formatNumber(shared)} selected people share their email address with another person: the invitation may reach someone else.`)
                }
              </li>`
            : nothing
        }
      </ul>
      <p class="names">${names.join(', ')}${more ? ` ${msg(str`and ${formatNumber(more)} more`)}` : ''}</p>
      <button type="button" class="btn" @click=${this.handleLeaveOut}>${msg('Leave them out')}</button>
    </div>`;
  }

  override render() {
    // A Select All's check under way: no count until it is whole.
    if (this._ruled.status === TaskStatus.PENDING && this.draft?.selection.rule) return nothing;
    if (this._ruled.error) return retryAlert(this._ruled.error, () => void this._ruled.run());
    const flagged = this.flagged();
    if (flagged.length) return this.renderWarning(flagged);
    if (!this._leftOut) return nothing;
    return html`<p class="left-out" role="status" tabindex="-1">
      ${this._leftOut === 1 ? msg('1 person left out of the invitation.') : msg(str`${formatNumber(this._leftOut)} people left out of the invitation.`)}
    </p>`;
  }
}

define('hr-selection-review', HrSelectionReview);

declare global {
  interface HTMLElementTagNameMap {
    'hr-selection-review': HrSelectionReview;
  }
}
