import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { live } from 'lit/directives/live.js';
import type { Role, RoleRule, SyncCondition, SyncField } from '../../api/types.js';
import { define } from '../../define.js';
import { HrRoleRulesChangeEvent } from '../../events/sync.js';
import { FIELD_LABELS } from '../../model/sync-rule.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { roleRulesStyles } from './role-rules.styles.js';

const FIELDS = Object.keys(FIELD_LABELS) as SyncField[];
/** The contract's limit of role rules per sync rule. */
const MAX_RULES = 50;

/**
 * A sync rule's role rules: rows of "field is/contains value → role", added and removed; the
 * first row that matches gives the role, anyone else gets the default role. A row edits its first
 * condition; further conditions of a rule saved elsewhere are kept as they are.
 *
 * @summary Edit the role rules of a sync rule.
 * @event hr-role-rules-change - Internal: a row was added, removed or changed.
 */
export class HrRoleRules extends LitElement {
  static override styles = [sharedStyles, roleRulesStyles];
  static override properties = {
    roles: { attribute: false },
    rules: { attribute: false },
    defaultRole: { attribute: 'default-role' },
  };

  /** The roles the target offers. */
  declare roles: readonly Role[];
  declare rules: readonly RoleRule[];
  /** The role a new row starts with: the rule's default role. */
  declare defaultRole: string;

  constructor() {
    super();
    this.roles = [];
    this.rules = [];
    this.defaultRole = '';
    updateWhenLocaleChanges(this);
  }

  private change(rules: readonly RoleRule[]) {
    this.rules = rules;
    this.dispatchEvent(new HrRoleRulesChangeEvent(rules));
  }

  private handleAdd() {
    const role = this.roles.find((r) => r.id !== this.defaultRole)?.id ?? this.defaultRole;
    this.change([...this.rules, { conditions: [{ field: 'department', operator: 'is', value: '' }], role }]);
    // The new row's first field takes the focus, so a keyboard user goes on where the row appeared.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.rule:last-child select')?.focus());
  }

  private handleRemove(index: number) {
    this.change(this.rules.filter((_, i) => i !== index));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#add')?.focus());
  }

  private handleCondition(index: number, patch: Partial<SyncCondition>) {
    this.change(
      this.rules.map((rule, i) => {
        if (i !== index) return rule;
        const [first, ...rest] = rule.conditions;
        return { ...rule, conditions: [{ ...first!, ...patch }, ...rest] };
      }),
    );
  }

  private handleRole(index: number, role: string) {
    this.change(this.rules.map((rule, i) => (i === index ? { ...rule, role } : rule)));
  }

  private renderRule(rule: RoleRule, index: number) {
    const condition = rule.conditions[0]!;
    const n = index + 1;
    const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;
    return html`<li class="rule">
      <select aria-label=${msg(str`Field of role rule ${n}`)} .value=${live(condition.field)} @change=${(e: Event) => this.handleCondition(index, { field: value(e) as SyncField })}>
        ${FIELDS.map((f) => html`<option .value=${f} ?selected=${f === condition.field}>${FIELD_LABELS[f]}</option>`)}
      </select>
      <select aria-label=${msg(str`Comparison of role rule ${n}`)} .value=${live(condition.operator)} @change=${(e: Event) => this.handleCondition(index, { operator: value(e) as SyncCondition['operator'] })}>
        <option value="is" ?selected=${condition.operator === 'is'}>${msg('is')}</option>
        <option value="contains" ?selected=${condition.operator === 'contains'}>${msg('contains')}</option>
      </select>
      <input
        class="value"
        type="text"
        maxlength="200"
        aria-label=${msg(str`Value of role rule ${n}`)}
        .value=${live(condition.value)}
        @change=${(e: Event) => this.handleCondition(index, { value: value(e).trim() })}
      />
      <select aria-label=${msg(str`Role given by role rule ${n}`)} .value=${live(rule.role)} @change=${(e: Event) => this.handleRole(index, value(e))}>
        ${this.roles.map((r) => html`<option .value=${r.id} ?selected=${r.id === rule.role}>${r.label}</option>`)}
      </select>
      <button type="button" class="btn link remove" @click=${() => this.handleRemove(index)}>${msg(str`Remove role rule ${n}`)}</button>
      ${rule.conditions.length > 1
        ? html`<p class="muted hint value">${msg(str`and ${rule.conditions.length - 1} more conditions`)}</p>`
        : nothing}
    </li>`;
  }

  override render() {
    return html`
      ${this.rules.length
        ? html`<p class="hint muted">${msg('The first role rule that matches gives the role; everyone else gets the default role.')}</p>
            <ol class="rules" aria-label=${msg('Role rules')}>${this.rules.map((rule, i) => this.renderRule(rule, i))}</ol>`
        : nothing}
      <button id="add" type="button" class="btn" ?disabled=${this.rules.length >= MAX_RULES} @click=${this.handleAdd}>${msg('Add a role rule')}</button>
    `;
  }
}

define('hr-role-rules', HrRoleRules);

declare global {
  interface HTMLElementTagNameMap {
    'hr-role-rules': HrRoleRules;
  }
}
