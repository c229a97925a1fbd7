import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { msg, str } from '@lit/localize';
import type { Contact } from '../../api/types.js';
import { styleProps } from '../../directives/style-props.js';
import { canInvite, isSelected, type Selection } from '../../model/selection.js';

function initials(contact: Contact): string {
  const parts = [contact.firstName, contact.lastName].filter((p): p is string => !!p?.trim());
  const source = parts.length ? parts : contact.displayName.trim().split(/\s+/);
  return source
    .slice(0, 2)
    .map((p) => p.trim().charAt(0).toUpperCase())
    .join('');
}

/**
 * Row `index` of the contact list, placed `top` pixels down its track: the contact with its
 * checkbox, or a placeholder while its page loads. `tabStop` says whether the row holds the
 * grid's tab stop; `onChange` hears its checkbox.
 */
export function contactRow(
  index: number,
  top: number,
  contact: Contact | undefined,
  isTabStop: boolean,
  selection: Selection,
  onChange: (contact: Contact, event: Event) => void,
) {
  const tabStop = isTabStop ? 0 : -1;
  const selectable = !!contact && canInvite(contact);
  const selected = !!contact && isSelected(selection, contact);
  const state = !contact ? 'placeholder' : `${selectable ? '' : 'unavailable'} ${selected ? 'selected' : ''}`;
  // One cell element whether loaded or not: the focus stays on it when its page lands.
  return html`
    <div class="row ${state}" part="row" role="row" aria-rowindex=${index + 1} data-index=${index} style=${styleProps({ transform: `translateY(${top}px)` })}>
      <div class="cell" role="gridcell" tabindex=${selectable ? -1 : tabStop} aria-busy=${contact ? 'false' : 'true'}>
        ${contact ? contactLabel(contact, selectable, selected, tabStop, onChange) : html`<span class="avatar" aria-hidden="true"></span>${msg('Loading…')}`}
      </div>
    </div>
  `;
}

function contactLabel(contact: Contact, selectable: boolean, selected: boolean, tabStop: number, onChange: (contact: Contact, event: Event) => void) {
  const meta = [contact.title, contact.department, contact.location].filter(Boolean).join(' · ');
  // The details line's spans are there, empty or not: a template of their own each (the common
  // case) cost two more template instances a row, on every row scrolled into view.
  return html`
    <label>
      <input
        type="checkbox"
        aria-label=${msg(str`Select ${contact.displayName}`)}
        tabindex=${tabStop}
        .checked=${live(selected)}
        ?disabled=${!selectable}
        @change=${(e: Event) => onChange(contact, e)}
      />
      <span class="avatar" aria-hidden="true">${initials(contact)}</span>
      <span class="who">
        <span class="line">
          <span class="name">${contact.displayName}</span>
          ${contact.membership === 'member' ? html` <span class="marker member">${msg('Member')}</span>` : nothing}
          ${contact.membership === 'invited' ? html` <span class="marker invited">${msg('Invited')}</span>` : nothing}
          ${contact.email ? nothing : html` <span class="marker no-email">${msg('No email')}</span>`}
          ${contact.status === 'inactive' ? html` <span class="marker inactive">${msg('Inactive')}</span>` : nothing}
        </span>
        <span class="line details"><span class="meta">${meta}</span> <span class="email">${contact.email}</span></span>
      </span>
    </label>
  `;
}
