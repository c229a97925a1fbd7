import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Contact, Role } from '../../api/types.js';
import { define } from '../../define.js';
import { roleLabel } from '../../locales/labels.js';
import { HrRoleChangeEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { roleAssignerStyles } from './role-assigner.styles.js';

/**
 * Roles for the selected contacts: "Invite all selected users as" sets one role for everyone
 * (and clears the per-contact choices); each listed contact has its own role control (the
 * article's "User" button). Contacts of a Select All that are not loaded count as "and N more".
 *
 * @summary Assign roles to the selected contacts.
 * @event hr-role-change - Internal: the role or a per-contact role changed.
 * @csspart bulk - The "Invite all selected users as" control.
 * @csspart list - The list of selected contacts.
 * @cssproperty [--hr-role-list-max-height=24rem] - Height of the scrolling list.
 */
export class HrRoleAssigner extends LitElement {
  static override styles = [sharedStyles, roleAssignerStyles];
  static override properties = {
    roles: { attribute: false },
    commonRole: { attribute: 'common-role' },
    overrides: { attribute: false },
    contacts: { attribute: false },
    more: { type: Number },
  };

  /** The roles the target offers. */
  declare roles: readonly Role[];
  /** The role of every selected contact without an override ("Invite all selected users as"). */
  declare commonRole: string;
  /** Per-contact roles that differ from `commonRole`, by contact id. */
  declare overrides: ReadonlyMap<string, string>;
  /** The selected contacts to list. */
  declare contacts: readonly Contact[];
  /** Selected contacts not listed (not loaded). */
  declare more: number;

  constructor() {
    super();
    this.roles = [];
    this.commonRole = '';
    this.overrides = new Map();
    this.contacts = [];
    this.more = 0;
    updateWhenLocaleChanges(this);
  }

  private handleBulk(event: Event) {
    this.commonRole = (event.target as HTMLSelectElement).value;
    this.overrides = new Map();
    this.dispatchEvent(new HrRoleChangeEvent(this.commonRole, this.overrides));
  }

  private handleOne(contact: Contact, event: Event) {
    const role = (event.target as HTMLSelectElement).value;
    const overrides = new Map(this.overrides);
    if (role === this.commonRole) overrides.delete(contact.id);
    else overrides.set(contact.id, role);
    this.overrides = overrides;
    this.dispatchEvent(new HrRoleChangeEvent(this.commonRole, overrides));
  }

  private roleOptions(value: string) {
    return this.roles.map((r) => html`<option .value=${r.id} ?selected=${r.id === value}>${r.label}</option>`);
  }

  private renderContact(contact: Contact) {
    const value = this.overrides.get(contact.id) ?? this.commonRole;
    return html`
      <li class="person">
        <span class="who">
          <span class="name">${contact.displayName}</span>
          ${contact.email ? html`<span class="email">${contact.email}</span>` : nothing}
        </span>
        <select aria-label=${msg(str`Role for ${contact.displayName}`)} .value=${live(value)} @change=${(e: Event) => this.handleOne(contact, e)}>
          ${this.roleOptions(value)}
        </select>
      </li>
    `;
  }

  /** "and 12 more contacts matching your selection will be invited as User." */
  private restText(): string {
    const more = this.more;
    const role = roleLabel(this.roles, this.commonRole);
    if (this.contacts.length) {
      return more === 1
        ? msg(str`and 1 more contact matching your selection will be invited as ${role}.`)
        : msg(str`and ${more} more contacts matching your selection will be invited as ${role}.`);
    }
    return more === 1
      ? msg(str`1 more contact matching your selection will be invited as ${role}.`)
      : msg(str`${more} more contacts matching your selection will be invited as ${role}.`);
  }

  override render() {
    return html`
      <div class="bulk" part="bulk">
        <label class="field" for="bulk">${msg('Invite all selected users as')}</label>
        <select id="bulk" .value=${live(this.commonRole)} @change=${this.handleBulk}>
          ${this.roleOptions(this.commonRole)}
        </select>
      </div>
      ${
        this.contacts.length
          ? html`<ul class="people" part="list" role="list" aria-label=${msg('Selected contacts')}>
              ${repeat(
                this.contacts,
                (c) => c.id,
                (c) => this.renderContact(c),
              )}
            </ul>`
          : nothing
      }
      ${this.more > 0 ? html`<p class="rest">${this.restText()}</p>` : nothing}
    `;
  }
}

define('hr-role-assigner', HrRoleAssigner);

declare global {
  interface HTMLElementTagNameMap {
    'hr-role-assigner': HrRoleAssigner;
  }
}
