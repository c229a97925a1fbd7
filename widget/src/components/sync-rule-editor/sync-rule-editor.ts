import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, TaskStatus, initialState } from '@lit/task';
import { live } from 'lit/directives/live.js';
import type { Role, RoleRule, Seats, SyncDryRun, SyncRule, SyncRuleInput } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import {
  HrSeatsChangeEvent,
  HrSyncCloseEvent,
  HrSyncRuleSavedEvent,
  HrSyncShowUpdatesEvent,
  type HrReportsToChangeEvent,
  type HrRoleRulesChangeEvent,
} from '../../events/sync.js';
import { formatNumber } from '../../locales/localize.js';
import { SCHEDULES, describeScope, ruleInput, type SyncDraft } from '../../model/sync-rule.js';
import { roleLabel } from '../../locales/labels.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { syncStyles } from '../../styles/sync.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';
import '../manager-picker/manager-picker.js';
import '../role-rules/role-rules.js';
import '../seat-meter/seat-meter.js';
import { syncRuleEditorStyles } from './sync-rule-editor.styles.js';

/** A role rule the server would refuse: a condition without a value. */
const incomplete = (rule: RoleRule) => rule.conditions.some((c) => !c.value.trim());

/**
 * Keep in sync: the rule made from the import flow (or a saved one, to edit), with what it would
 * do now. Who is in scope is said in words; the admin picks the default role, role rules, what
 * happens to joiners and leavers and how often it runs. A dry run, repeated as the rule changes
 * (the previous one aborted), shows the matches, who would be invited with which role and the
 * seats that takes; Save is refused with the reason while the rule does not fit the plan.
 *
 * @summary Create or edit a sync rule, with its dry run.
 * @event hr-sync-rule-saved - Internal: the rule was saved; `rule` is the saved rule.
 * @event hr-sync-close - Internal: the admin went back (Back, Escape) without saving.
 * @event hr-sync-show-updates - Internal: the admin asked for the Updates view after saving.
 */
export class HrSyncRuleEditor extends LitElement {
  static override styles = [sharedStyles, syncStyles, syncRuleEditorStyles];
  static override properties = {
    _rule: { state: true },
    _managerName: { state: true },
    _saving: { state: true },
    _saveError: { state: true },
    _saved: { state: true },
    roles: { attribute: false },
    draft: { attribute: false },
    managerName: { attribute: false },
    ruleId: { attribute: 'rule-id' },
    providerName: { attribute: 'provider-name' },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** What the rule would do now; re-run whenever the rule changes, the previous request aborted. */
  private readonly _dryRun = new Task(this, {
    task: async ([api, json], { signal }) => (api && json ? api.dryRunSyncRule(JSON.parse(json) as SyncRuleInput, signal) : initialState),
    // The rule as JSON: Task compares its arguments one by one, and a new object each render would run it every time.
    args: () => [this._api.value, this.valid() ? JSON.stringify(this._rule) : ''] as const,
  });

  /** The rule as edited. */
  declare private _rule: SyncRuleInput;
  /** The name of the manager the scope keeps to, as the directory gave it when chosen. */
  declare private _managerName: string;
  declare private _saving: boolean;
  declare private _saveError: ApiError | null;
  declare private _saved: SyncRule | null;

  /** The roles the target offers. */
  declare roles: readonly Role[];
  /** The rule to start from: made from the flow, or a saved rule's settings. */
  declare draft: SyncDraft | null;
  /** The saved rule's "reports to" manager, as the directory names them (`SyncRule.reportsToName`). */
  declare managerName: string;
  /** The saved rule being edited; empty for a new rule. */
  declare ruleId: string;
  /** The HR application the rule reads, as the admin knows it. */
  declare providerName: string;

  constructor() {
    super();
    this._managerName = '';
    this._saving = false;
    this._saveError = null;
    this._saved = null;
    this.roles = [];
    this.draft = null;
    this.ruleId = '';
    this.providerName = '';
    this.managerName = '';
    updateWhenLocaleChanges(this);
  }

  override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('draft') && this.draft) {
      this._rule = ruleInput(this.draft);
      this._managerName = this.managerName;
      this._saved = null;
      this._saveError = null;
    }
  }

  override firstUpdated() {
    // Focus moves into the panel, so the keyboard starts here and Escape reaches it.
    this.renderRoot.querySelector<HTMLElement>('#scope-heading')?.focus();
  }

  private valid(): boolean {
    return !!this._rule && !this._rule.roleRules.some(incomplete);
  }

  private edit(patch: Partial<SyncRuleInput>) {
    this._rule = { ...this._rule, ...patch };
    this._saveError = null;
  }

  private handleReportsTo(event: HrReportsToChangeEvent) {
    const { reportsTo: _previous, ...scope } = this._rule.scope;
    this._managerName = event.managerName;
    this.edit({ scope: event.reportsTo ? { ...scope, reportsTo: event.reportsTo } : scope });
  }

  private handleKeydown(event: KeyboardEvent) {
    if (event.key !== 'Escape' || event.defaultPrevented || this._saved) return;
    event.preventDefault();
    this.handleBack();
  }

  private handleBack() {
    this.dispatchEvent(new HrSyncCloseEvent());
  }

  private async handleSave() {
    const api = this._api.value;
    if (!api || this._saving) return;
    this._saving = true;
    this._saveError = null;
    try {
      const rule = await api.saveSyncRule(this.ruleId || null, this._rule);
      this._saved = rule;
      this.dispatchEvent(new HrSyncRuleSavedEvent(rule));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#saved')?.focus();
    } catch (error) {
      const e = toApiError(error);
      this._saveError = e;
      const seats = (e.details as { seats?: Seats } | null | undefined)?.seats;
      if (seats && typeof seats.remaining === 'number') this.dispatchEvent(new HrSeatsChangeEvent(seats));
    } finally {
      this._saving = false;
    }
  }

  /** Why Save is refused now, or null when it is not. */
  private refusal(): string | null {
    if (!this.valid()) return msg('Fill in a value for each role rule, or remove it.');
    const result = this._dryRun.value;
    if (!result) return this._dryRun.error ? msg('The check of the rule failed: retry it first.') : msg('Checking the rule…');
    if (!result.fits) return this.seatsText(result.seatsNeeded, result.seats.remaining);
    return null;
  }

  private seatsText(needed: number, free: number): string {
    return msg(
      str`This rule needs ${formatNumber(needed)} seats now; ${formatNumber(free)} are free. Narrow the contact list's search or filters, or free seats first.`,
    );
  }

  private renderScope() {
    const rule = this._rule;
    return html`<section aria-labelledby="scope-heading">
      <h3 id="scope-heading" tabindex="-1">${msg('Who is kept in sync')}</h3>
      <p class="scope">${describeScope(rule.scope, this._managerName)}</p>
      <hr-manager-picker
        .provider=${rule.provider}
        .value=${rule.scope.reportsTo ?? null}
        .managerName=${this._managerName}
        @hr-reports-to-change=${this.handleReportsTo}
      ></hr-manager-picker>
      <p class="note">
        ${
          this.providerName
            ? msg(str`From ${this.providerName}, with the contact list's search and filters; people who join later are included.`)
            : msg("With the contact list's search and filters; people who join later are included.")
        }
      </p>
    </section>`;
  }

  private renderRoles() {
    const rule = this._rule;
    return html`<section aria-labelledby="roles-heading">
      <h3 id="roles-heading">${msg('Roles')}</h3>
      <label class="field" for="default-role">${msg('Default role')}</label>
      <select
        id="default-role"
        class="narrow"
        .value=${live(rule.defaultRole)}
        @change=${(e: Event) => this.edit({ defaultRole: (e.target as HTMLSelectElement).value })}
      >
        ${this.roles.map((r) => html`<option .value=${r.id} ?selected=${r.id === rule.defaultRole}>${r.label}</option>`)}
      </select>
      <p class="note">${msg('"Invite all selected users as" on the roles step; role rules below can give others a different role.')}</p>
      <hr-role-rules
        .roles=${this.roles}
        .rules=${rule.roleRules}
        .defaultRole=${rule.defaultRole}
        @hr-role-rules-change=${(e: HrRoleRulesChangeEvent) => this.edit({ roleRules: [...e.rules] })}
      ></hr-role-rules>
    </section>`;
  }

  private radio(name: string, value: string, checked: boolean, label: string, pick: () => void) {
    return html`<label class="check"><input type="radio" name=${name} .value=${value} .checked=${live(checked)} @change=${pick} />${label}</label>`;
  }

  private renderModes() {
    const rule = this._rule;
    return html`<section aria-labelledby="modes-heading">
      <h3 id="modes-heading">${msg('What happens')}</h3>
      <fieldset>
        <legend>${msg('People who join')}</legend>
        <div class="choices">
          ${this.radio('joiners', 'auto', rule.joiners === 'auto', msg('Invite automatically'), () => this.edit({ joiners: 'auto' }))}
          ${this.radio('joiners', 'review', rule.joiners === 'review', msg('Ask me first'), () => this.edit({ joiners: 'review' }))}
        </div>
      </fieldset>
      <fieldset>
        <legend>${msg('People who leave')}</legend>
        <div class="choices">
          ${this.radio('leavers', 'review', rule.leavers === 'review', msg('Ask me first'), () => this.edit({ leavers: 'review' }))}
          ${this.radio('leavers', 'report', rule.leavers === 'report', msg('Report to the workspace'), () => this.edit({ leavers: 'report' }))}
        </div>
      </fieldset>
      <label class="field" for="schedule">${msg('How often')}</label>
      <select
        id="schedule"
        class="narrow"
        .value=${live(String(rule.intervalHours))}
        @change=${(e: Event) => this.edit({ intervalHours: Number((e.target as HTMLSelectElement).value) })}
      >
        ${SCHEDULES.map((s) => html`<option .value=${String(s.hours)} ?selected=${s.hours === rule.intervalHours}>${s.label()}</option>`)}
      </select>
      <p class="note">${msg(str`Invitations use the message of the message step: “${rule.message.subject}”.`)}</p>
    </section>`;
  }

  private renderDryRun(result: SyncDryRun) {
    const review = this._rule.joiners === 'review';
    return html`
      <ul class="figures">
        <li><strong>${formatNumber(result.matched)}</strong>${msg('match the rule')}</li>
        <li><strong>${formatNumber(result.toInvite)}</strong>${review ? msg('would wait for you to invite') : msg('would be invited now')}</li>
        <li><strong>${formatNumber(result.alreadyIn)}</strong>${msg('are members or invited')}</li>
      </ul>
      ${
        result.roles.length
          ? html`<ul class="by-role" aria-label=${msg('By role')}>
              ${result.roles.map((r) => html`<li>${msg(str`${formatNumber(r.count)} as ${roleLabel(this.roles, r.role)}`)}</li>`)}
            </ul>`
          : nothing
      }
      ${result.noEmail ? html`<p class="note">${msg(str`${formatNumber(result.noEmail)} have no email address and cannot be invited.`)}</p>` : nothing}
      <hr-seat-meter .seats=${result.seats} .selected=${result.seatsNeeded}></hr-seat-meter>
      <p class=${result.fits ? 'note' : 'warning'}>
        ${
          result.fits
            ? msg(str`Needs ${formatNumber(result.seatsNeeded)} seats; ${formatNumber(result.seats.remaining)} are free.`)
            : this.seatsText(result.seatsNeeded, result.seats.remaining)
        }
      </p>
    `;
  }

  private renderPreview() {
    return html`<section aria-labelledby="preview-heading" aria-busy=${this._dryRun.status === TaskStatus.PENDING ? 'true' : 'false'}>
      <h3 id="preview-heading">${msg('If you save now')}</h3>
      ${
        this.valid()
          ? this._dryRun.render({
              pending: () =>
                this._dryRun.value ? this.renderDryRun(this._dryRun.value) : html`<p class="loading" role="status">${msg('Checking the rule…')}</p>`,
              complete: (result) => this.renderDryRun(result),
              error: (error) => retryAlert(error, () => void this._dryRun.run()),
            })
          : html`<p class="note">${msg('Fill in a value for each role rule, or remove it.')}</p>`
      }
    </section>`;
  }

  private renderSaveError() {
    const error = this._saveError;
    if (!error) return nothing;
    if (error.code === 'seat_limit_exceeded') {
      const details = error.details as { seats?: Seats; requested?: number } | null | undefined;
      return html`<div class="alert" role="alert" part="error">
        <strong>${msg('Not enough seats.')}</strong>
        ${this.seatsText(details?.requested ?? this._dryRun.value?.seatsNeeded ?? 0, details?.seats?.remaining ?? 0)}
      </div>`;
    }
    return retryAlert(error, this.handleSave);
  }

  private renderSaved(rule: SyncRule) {
    return html`<div class="success" id="saved" tabindex="-1" role="status">
        <strong>${this.ruleId ? msg('The rule is saved.') : msg('Keep in sync is on.')}</strong>
        ${rule.paused ? msg('It is paused.') : msg('Its first run starts now; what it finds waits for you in Updates.')}
      </div>
      <div class="actions">
        <span class="spacer"></span>
        <button type="button" class="btn primary" @click=${() => this.dispatchEvent(new HrSyncShowUpdatesEvent())}>${msg('Go to Updates')}</button>
      </div>`;
  }

  override render() {
    if (this._saved) return this.renderSaved(this._saved);
    if (!this._rule) return nothing;
    const refusal = this._saving ? null : this.refusal();
    return html`<div class="panel" @keydown=${this.handleKeydown}>
      ${this.renderScope()} ${this.renderRoles()} ${this.renderModes()} ${this.renderPreview()} ${this.renderSaveError()}
      <div class="actions">
        <button type="button" class="btn" @click=${this.handleBack}>${msg('Back')}</button>
        <span class="spacer"></span>
        <button type="button" class="btn primary" aria-describedby="refusal" ?disabled=${this._saving || refusal !== null} @click=${this.handleSave}>
          ${msg('Save rule')}
        </button>
        <p id="refusal" class="reason note">${this._saving ? msg('Saving…') : (refusal ?? '')}</p>
      </div>
    </div>`;
  }
}

define('hr-sync-rule-editor', HrSyncRuleEditor);

declare global {
  interface HTMLElementTagNameMap {
    'hr-sync-rule-editor': HrSyncRuleEditor;
  }
}
