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
        ${contact ? contactLabel(index, contact, selectable, selected, tabStop, onChange) : html`<span class="avatar" aria-hidden="true"></span>${msg('Loading…')}`}
      </div>
    </div>
  `;
}

/**
 * Why inviting this person needs a second look, in words, or null: someone who left the company,
 * or an address another person of the directory has too (the invite may reach them instead).
 */
export function warningOf(contact: Contact): string | null {
  const left = contact.status === 'inactive' ? msg('Left the company') : '';
  const shared = contact.sharedEmail ? msg('Email shared with another person') : '';
  return left && shared ? `${left} · ${shared}` : left || shared || null;
}

function contactLabel(
  index: number,
  contact: Contact,
  selectable: boolean,
  selected: boolean,
  tabStop: number,
  onChange: (contact: Contact, event: Event) => void,
) {
  const meta = [contact.title, contact.department, contact.location].filter(Boolean).join(' · ');
  // The warning is the checkbox's description, heard before it is ticked; a template of its own
  // only on the rare row that has one.
  const warning = warningOf(contact);
  const warningId = `warning-${index}`;
  // The details line's spans are there, empty or not: a template of their own each (the common
  // case) cost two more template instances a row, on every row scrolled into view.
  return html`
    <label>
      <input
        type="checkbox"
        aria-label=${msg(str`Select ${contact.displayName}`)}
        aria-describedby=${warning ? warningId : nothing}
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
          ${warning ? html` <span class="marker warning" id=${warningId}>${warning}</span>` : nothing}
        </span>
        <span class="line details"><span class="meta">${meta}</span> <span class="email">${contact.email}</span></span>
      </span>
    </label>
  `;
}
