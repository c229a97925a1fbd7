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
/** The contract's limit of conditions per role rule. */
const MAX_CONDITIONS = 10;

/**
 * A sync rule's role rules: rows of "field is/contains value [and …] → role", added and removed;
 * a row holds one or more conditions, all of which must hold. The first row that matches gives
 * the role, anyone else gets the default role.
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

  /** Changes the rule at `index` (its conditions or role); the others stay as they are. */
  private changeRule(index: number, patch: (rule: RoleRule) => Partial<RoleRule>) {
    this.change(this.rules.map((rule, i) => (i === index ? { ...rule, ...patch(rule) } : rule)));
  }

  private handleCondition(index: number, at: number, patch: Partial<SyncCondition>) {
    this.changeRule(index, (rule) => ({ conditions: rule.conditions.map((c, k) => (k === at ? { ...c, ...patch } : c)) }));
  }

  private handleAddCondition(index: number) {
    this.changeRule(index, (rule) => ({ conditions: [...rule.conditions, { field: 'title', operator: 'is', value: '' }] }));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`.rule:nth-child(${index + 1}) .condition:last-child select`)?.focus());
  }

  private handleRemoveCondition(index: number, at: number) {
    this.changeRule(index, (rule) => ({ conditions: rule.conditions.filter((_, k) => k !== at) }));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`.rule:nth-child(${index + 1}) .add-condition`)?.focus());
  }

  /** One "field is/contains value" of rule `n`; the first keeps the row's own labels, the others say which they are. */
  private renderCondition(condition: SyncCondition, index: number, at: number, count: number) {
    const n = index + 1;
    const m = at + 1;
    const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;
    const label = (first: string, other: string) => (at === 0 ? first : other);
    return html`<li class="condition">
      <select
        aria-label=${label(msg(str`Field of role rule ${n}`), msg(str`Field of condition ${m} of role rule ${n}`))}
        .value=${live(condition.field)}
        @change=${(e: Event) => this.handleCondition(index, at, { field: value(e) as SyncField })}
      >
        ${FIELDS.map((f) => html`<option .value=${f} ?selected=${f === condition.field}>${FIELD_LABELS[f]}</option>`)}
      </select>
      <select
        aria-label=${label(msg(str`Comparison of role rule ${n}`), msg(str`Comparison of condition ${m} of role rule ${n}`))}
        .value=${live(condition.operator)}
        @change=${(e: Event) => this.handleCondition(index, at, { operator: value(e) as SyncCondition['operator'] })}
      >
        <option value="is" ?selected=${condition.operator === 'is'}>${msg('is')}</option>
        <option value="contains" ?selected=${condition.operator === 'contains'}>${msg('contains')}</option>
      </select>
      <input
        class="value"
        type="text"
        maxlength="200"
        aria-label=${label(msg(str`Value of role rule ${n}`), msg(str`Value of condition ${m} of role rule ${n}`))}
        .value=${live(condition.value)}
        @change=${(e: Event) => this.handleCondition(index, at, { value: value(e).trim() })}
      />
      ${
        count > 1
          ? html`<button type="button" class="btn link" @click=${() => this.handleRemoveCondition(index, at)}>
              ${msg(str`Remove condition ${m} of role rule ${n}`)}
            </button>`
          : nothing
      }
    </li>`;
  }

  private renderRule(rule: RoleRule, index: number) {
    const n = index + 1;
    const count = rule.conditions.length;
    return html`<li class="rule">
      <ol class="conditions" aria-label=${msg(str`Conditions of role rule ${n}`)}>
        ${rule.conditions.map((c, at) => this.renderCondition(c, index, at, count))}
      </ol>
      ${count > 1 ? html`<p class="muted hint">${msg('All conditions must hold.')}</p>` : nothing}
      <div class="then">
        <button type="button" class="btn link add-condition" ?disabled=${count >= MAX_CONDITIONS} @click=${() => this.handleAddCondition(index)}>
          ${msg(str`Add condition to role rule ${n}`)}
        </button>
        <select
          aria-label=${msg(str`Role given by role rule ${n}`)}
          .value=${live(rule.role)}
          @change=${(e: Event) => this.changeRule(index, () => ({ role: (e.target as HTMLSelectElement).value }))}
        >
          ${this.roles.map((r) => html`<option .value=${r.id} ?selected=${r.id === rule.role}>${r.label}</option>`)}
        </select>
        <button type="button" class="btn link remove" @click=${() => this.handleRemove(index)}>${msg(str`Remove role rule ${n}`)}</button>
      </div>
    </li>`;
  }

  override render() {
    return html`
      ${
        this.rules.length
          ? html`<p class="hint muted">${msg('The first role rule that matches gives the role; everyone else gets the default role.')}</p>
              <ol class="rules" aria-label=${msg('Role rules')}>
                ${this.rules.map((rule, i) => this.renderRule(rule, i))}
              </ol>`
          : nothing
      }
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
