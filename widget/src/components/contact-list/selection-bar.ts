/** The line under the list's header: how many are selected, and what else to do with them. */
import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { formatNumber } from '../../locales/localize.js';
import { ruleCount, ruleOf, ruleQuery, type ContactQuery, type Selection } from '../../model/selection.js';

/** The selection before people were dropped from it, offered back with what happened. */
export interface Undo {
  readonly message: string;
  readonly selection: Selection;
}

/** Undo for a change that dropped `count` people from `before`. */
export const unselected = (before: Selection, count: number): Undo => ({
  selection: before,
  message: count === 1 ? msg('1 person unselected.') : msg(str`${formatNumber(count)} people unselected.`),
});

export interface SelectionBarActions {
  /** List a Select All's search and filters again. */
  show(query: ContactQuery): void;
  clear(): void;
  undo(): void;
}

/** "52 selected", and what else to do with the selection: show a Select All made under other filters, clear it, undo. */
export function selectionBar(selection: Selection, query: ContactQuery, selected: number, undo: Undo | null, on: SelectionBarActions) {
  const { rule } = selection;
  const elsewhere = rule && !ruleOf(selection, query) ? ruleCount(rule) : 0;
  return html`
    <p class="count" role="status" aria-live="polite" part="selection-count">
      <strong>${msg(str`${formatNumber(selected)} selected`)}</strong>${
        elsewhere
          ? html` <span class="muted"
              >${elsewhere === 1 ? msg('(1 by Select All under other filters)') : msg(str`(${formatNumber(elsewhere)} by Select All under other filters)`)}</span
            >`
          : nothing
      }
    </p>
    <span class="actions">
      ${elsewhere && rule ? html`<button type="button" class="btn link" @click=${() => on.show(ruleQuery(rule))}>${msg('Show them')}</button>` : nothing}
      ${selected ? html`<button type="button" class="btn link" @click=${on.clear}>${msg('Clear selection')}</button>` : nothing}
    </span>
    <p class="undo" role="status" aria-live="polite" part="undo" ?hidden=${!undo}>
      ${undo ? html`${undo.message} <button type="button" class="btn link" @click=${on.undo}>${msg('Undo')}</button>` : nothing}
    </p>
  `;
}
