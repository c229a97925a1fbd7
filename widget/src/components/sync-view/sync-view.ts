import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, initialState } from '@lit/task';
import type { Role, SyncRule, SyncRuleInput } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrSeatsChangeEvent, type HrSyncRuleEditEvent } from '../../events/sync.js';
import { describeScope, inputOf } from '../../model/sync-rule.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { syncStyles } from '../../styles/sync.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';
import '../expired-invites/expired-invites.js';
import '../sync-rule-editor/sync-rule-editor.js';
import '../sync-rules/sync-rules.js';
import { describeRun } from '../sync-rules/sync-rules.js';
import '../sync-updates/sync-updates.js';

/**
 * The Updates view of a target with sync rules: runs the leaver safeguard held (first, to
 * approve), the updates to review, the rules with their runs, and the expired invites. Edit
 * opens the rule editor in its place. Whatever one part changes, the others read theirs again.
 *
 * @summary Updates: what keeping the target in sync asks of the admin.
 * @event hr-seats-change - Internal: seats changed (passed on from the parts).
 */
export class HrSyncView extends LitElement {
  static override styles = [sharedStyles, syncStyles];
  static override properties = {
    _editing: { state: true },
    _version: { state: true },
    _approving: { state: true },
    _error: { state: true },
    roles: { attribute: false },
    pollMs: { type: Number, attribute: 'poll-ms' },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _rules = new Task(this, {
    task: async ([api], { signal }) => (api ? (await api.listSyncRules(signal)).items : initialState),
    args: () => [this._api.value, this._version] as const,
  });

  /** The rule the editor is open for, and its settings as the editor starts from them. */
  declare private _editing: { rule: SyncRule; draft: SyncRuleInput } | null;
  /** Bumped whenever rules, runs or updates changed: every part reads its data again. */
  declare private _version: number;
  declare private _approving: boolean;
  declare private _error: ApiError | null;

  /** The roles the target offers. */
  declare roles: readonly Role[];
  /** Milliseconds between reads of a running Sync now. */
  declare pollMs: number;

  constructor() {
    super();
    this._editing = null;
    this._version = 0;
    this._approving = false;
    this._error = null;
    this.roles = [];
    this.pollMs = 2000;
    updateWhenLocaleChanges(this);
  }

  private handleChange() {
    this._version += 1;
  }

  private handleEdit(event: HrSyncRuleEditEvent) {
    this._editing = { rule: event.rule, draft: inputOf(event.rule) };
  }

  private async handleCloseEditor(saved: boolean) {
    this._editing = null;
    if (saved) this.handleChange();
    await this.updateComplete;
    // Back where the admin was: the rules.
    this.renderRoot.querySelector('hr-sync-rules')?.focusHeading();
  }

  /** The parts' seat changes, passed on to `<hr-import>` (their events stop at this shadow root). */
  private handleSeats(event: HrSeatsChangeEvent) {
    this.dispatchEvent(new HrSeatsChangeEvent(event.seats));
  }

  private async handleApproveRun(rule: SyncRule) {
    const api = this._api.value;
    const run = rule.lastRun;
    if (!api || !run || this._approving) return;
    this._approving = true;
    this._error = null;
    try {
      await api.approveSyncRun(rule.id, run.id);
      this.handleChange();
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._approving = false;
    }
  }

  /** Runs the safeguard stopped: shown first, they wait for the admin before anyone is treated as a leaver. */
  private renderHeld(rules: readonly SyncRule[]) {
    const held = rules.filter((r) => r.lastRun?.status === 'held');
    if (!held.length && !this._error) return nothing;
    return html`${this._error ? html`<div class="alert" role="alert">${this._error.message}</div>` : nothing}
    ${held.map(
      (rule) =>
        html`<section class="alert" aria-labelledby="held-${rule.id}">
          <h3 id="held-${rule.id}">${msg('A run is waiting for your approval')}</h3>
          <p>${describeScope(rule.scope, rule.reportsToName ?? '')}</p>
          <p>${describeRun(rule.lastRun!)}</p>
          <p>${msg('Approve to treat these people as the rule says; until then nothing changes for them.')}</p>
          <button type="button" class="btn" ?disabled=${this._approving} @click=${() => this.handleApproveRun(rule)}>${msg(str`Approve the held run`)}</button>
        </section>`,
    )}`;
  }

  private renderView(rules: readonly SyncRule[]) {
    return html`${this.renderHeld(rules)}
      <hr-sync-updates
        .roles=${this.roles}
        .version=${this._version}
        @hr-sync-change=${this.handleChange}
        @hr-seats-change=${this.handleSeats}
      ></hr-sync-updates>
      <hr-sync-rules
        .rules=${rules}
        .roles=${this.roles}
        .pollMs=${this.pollMs}
        @hr-sync-change=${this.handleChange}
        @hr-sync-rule-edit=${this.handleEdit}
      ></hr-sync-rules>
      <hr-expired-invites .version=${this._version} @hr-seats-change=${this.handleSeats}></hr-expired-invites>`;
  }

  override render() {
    const editing = this._editing;
    if (editing) {
      return html`<hr-sync-rule-editor
        .roles=${this.roles}
        .draft=${editing.draft}
        .managerName=${editing.rule.reportsToName ?? ''}
        rule-id=${editing.rule.id}
        @hr-sync-close=${() => this.handleCloseEditor(false)}
        @hr-seats-change=${this.handleSeats}
        @hr-sync-rule-saved=${(e: Event) => {
          e.stopPropagation();
          void this.handleCloseEditor(true);
        }}
      ></hr-sync-rule-editor>`;
    }
    return this._rules.render({
      pending: () => (this._rules.value ? this.renderView(this._rules.value) : html`<p class="loading" role="status">${msg('Loading…')}</p>`),
      complete: (rules) => this.renderView(rules),
      error: (error) => retryAlert(error, () => void this._rules.run()),
    });
  }
}

define('hr-sync-view', HrSyncView);

declare global {
  interface HTMLElementTagNameMap {
    'hr-sync-view': HrSyncView;
  }
}
