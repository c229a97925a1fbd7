import { html } from 'lit';
import { live } from 'lit/directives/live.js';

/** The ids checked after one checkbox changed. */
export function toggled(checked: ReadonlySet<string>, id: string, on: boolean): Set<string> {
  const next = new Set(checked);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/**
 * The "select every row shown" checkbox of a list with bulk actions: checked when all are,
 * mixed when some are. `change` gets the new checked ids.
 */
export function checkAll(label: string, ids: readonly string[], checked: ReadonlySet<string>, change: (next: Set<string>) => void) {
  const count = ids.filter((id) => checked.has(id)).length;
  return html`<label class="check">
    <input
      type="checkbox"
      .checked=${live(ids.length > 0 && count === ids.length)}
      .indeterminate=${count > 0 && count < ids.length}
      ?disabled=${ids.length === 0}
      @change=${(e: Event) => change((e.target as HTMLInputElement).checked ? new Set(ids) : new Set())}
    />${label}
  </label>`;
}
