import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, initialState } from '@lit/task';
import { repeat } from 'lit/directives/repeat.js';
import type { Role, SyncRule, SyncRun } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrSyncChangeEvent, HrSyncRuleEditEvent } from '../../events/sync.js';
import { formatDateTime, formatNumber } from '../../locales/localize.js';
import { describeRule, inputOf, skipReason } from '../../model/sync-rule.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { syncStyles } from '../../styles/sync.styles.js';
import { retryAlert } from '../../templates/retry-alert.js';

/** Reads of a Sync now's runs before the widget stops waiting (at 2 s, ten minutes). */
const MAX_POLLS = 300;

/** A run's report in one line: what it found, did and left out, and why. */
export function describeRun(run: SyncRun): string {
  const when = formatDateTime(new Date(run.finishedAt ?? run.startedAt));
  switch (run.status) {
    case 'running':
      return msg(str`Running since ${formatDateTime(new Date(run.startedAt))}…`);
    case 'held':
      return msg(str`${when}: held for your approval. ${run.error?.message ?? ''}`);
    case 'failed':
    case 'interrupted':
      return msg(str`${when}: did not finish. ${run.error?.message ?? ''}`);
  }
  const n = formatNumber;
  const report = msg(
    str`${when}: ${n(run.matched)} in scope, ${n(run.invited)} invited, ${n(run.joiners)} joiners waiting, ${n(run.leavers)} leavers, ${n(run.roleChanges)} role changes, ${n(run.revoked)} invitations revoked.`,
  );
  if (!run.skippedCount) return report;
  const reasons = new Map<string, number>();
  for (const s of run.skipped) reasons.set(skipReason(s.reason), (reasons.get(skipReason(s.reason)) ?? 0) + 1);
  const why = [...reasons].map(([reason, count]) => `${reason} (${n(count)})`).join(', ');
  return `${report} ${msg(str`${n(run.skippedCount)} left out: ${why}.`)}`;
}

/**
 * The target's sync rules, each in words with its last run's report: Sync now (then waits for
 * the run to end), Edit, Pause or Resume, Delete (asked first), and the recent runs on demand.
 *
 * @summary The sync rules and their runs.
 * @event hr-sync-rule-edit - Internal: the admin asked to edit a rule.
 * @event hr-sync-change - Internal: a rule ran, was paused, resumed or deleted.
 */
export class HrSyncRules extends LitElement {
  static override styles = [sharedStyles, syncStyles];
  static override properties = {
    _busy: { state: true },
    _confirmDelete: { state: true },
    _runsOf: { state: true },
    _error: { state: true },
    rules: { attribute: false },
    roles: { attribute: false },
    pollMs: { type: Number, attribute: 'poll-ms' },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  /** The recent runs of the rule the admin opened them for. */
  private readonly _runs = new Task(this, {
    task: async ([api, id], { signal }) => (api && id ? (await api.listSyncRuns(id, signal)).items : initialState),
    args: () => [this._api.value, this._runsOf, this.rules] as const,
  });

  /** The rule an action is under way for (Sync now waits for its run). */
  declare private _busy: string | null;
  declare private _confirmDelete: string | null;
  declare private _runsOf: string | null;
  declare private _error: ApiError | null;

  declare rules: readonly SyncRule[];
  declare roles: readonly Role[];
  /** Milliseconds between reads of a running Sync now. */
  declare pollMs: number;

  constructor() {
    super();
    this._busy = null;
    this._confirmDelete = null;
    this._runsOf = null;
    this._error = null;
    this.rules = [];
    this.roles = [];
    this.pollMs = 2000;
    updateWhenLocaleChanges(this);
  }

  /** Moves the focus to the rules' heading (back from the editor). */
  focusHeading() {
    this.renderRoot.querySelector<HTMLElement>('#rules-heading')?.focus();
  }

  /** Runs an action for a rule, then tells the view to read everything again. */
  private async act(rule: SyncRule, action: () => Promise<unknown>) {
    if (this._busy) return;
    this._busy = rule.id;
    this._error = null;
    try {
      await action();
      this.dispatchEvent(new HrSyncChangeEvent());
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._busy = null;
    }
  }

  private handleSyncNow(rule: SyncRule) {
    const api = this._api.value;
    if (!api) return;
    void this.act(rule, async () => {
      const run = await api.runSyncRule(rule.id);
      for (let poll = 0; poll < MAX_POLLS && this.isConnected; poll++) {
        await new Promise((ok) => setTimeout(ok, this.pollMs));
        const { items } = await api.listSyncRuns(rule.id);
        if (items.find((r) => r.id === run.id)?.status !== 'running') return;
      }
    });
  }

  private handlePause(rule: SyncRule) {
    const api = this._api.value;
    if (api) void this.act(rule, () => api.saveSyncRule(rule.id, { ...inputOf(rule), paused: !rule.paused }));
  }

  private handleDelete(rule: SyncRule) {
    const api = this._api.value;
    this._confirmDelete = null;
    if (api) void this.act(rule, () => api.deleteSyncRule(rule.id));
  }

  private renderRuns() {
    return this._runs.render({
      pending: () => html`<p class="loading" role="status">${msg('Loading…')}</p>`,
      complete: (runs) =>
        runs.length
          ? html`<ul class="note">
              ${runs.map((run) => html`<li>${describeRun(run)}</li>`)}
            </ul>`
          : html`<p class="note">${msg('No runs yet.')}</p>`,
      error: (error) => retryAlert(error, () => void this._runs.run()),
    });
  }

  private renderRule(rule: SyncRule, index: number) {
    const busy = this._busy !== null;
    const n = index + 1;
    const status = rule.paused ? msg('Paused.') : rule.nextRunAt ? msg(str`Next run ${formatDateTime(new Date(rule.nextRunAt))}.`) : '';
    return html`<li>
      <div class="who">
        <h4>${msg(str`Rule ${n}`)}</h4>
        <p>${describeRule(inputOf(rule), this.roles, rule.reportsToName ?? '')}</p>
        <p class="note">${status} ${rule.lastRun ? msg(str`Last run: ${describeRun(rule.lastRun)}`) : msg('It has not run yet.')}</p>
        ${this._busy === rule.id ? html`<p class="note" role="status">${msg('Working…')}</p>` : nothing}
        ${this._runsOf === rule.id ? this.renderRuns() : nothing}
        ${
          this._confirmDelete === rule.id
            ? html`<div class="alert" role="alert">
                <p>${msg('Delete this rule? Its updates waiting for you go too; invitations it sent stay.')}</p>
                <button type="button" class="btn" @click=${() => this.handleDelete(rule)}>${msg(str`Delete rule ${n}`)}</button>
                <button type="button" class="btn" @click=${() => (this._confirmDelete = null)}>${msg('Keep it')}</button>
              </div>`
            : nothing
        }
        <div class="actions">
          <button type="button" class="btn" ?disabled=${busy || rule.paused} @click=${() => this.handleSyncNow(rule)}>${msg('Sync now')}</button>
          <button type="button" class="btn" ?disabled=${busy} @click=${() => this.dispatchEvent(new HrSyncRuleEditEvent(rule))}>${msg('Edit')}</button>
          <button type="button" class="btn" ?disabled=${busy} @click=${() => this.handlePause(rule)}>${rule.paused ? msg('Resume') : msg('Pause')}</button>
          <button type="button" class="btn" ?disabled=${busy} @click=${() => (this._confirmDelete = rule.id)}>${msg('Delete')}</button>
          <button
            type="button"
            class="btn link"
            aria-expanded=${this._runsOf === rule.id ? 'true' : 'false'}
            @click=${() => (this._runsOf = this._runsOf === rule.id ? null : rule.id)}
          >
            ${msg('Recent runs')}
          </button>
        </div>
      </div>
    </li>`;
  }

  override render() {
    return html`<section aria-labelledby="rules-heading">
      <h3 id="rules-heading" tabindex="-1">${msg('Sync rules')}</h3>
      ${this._error ? html`<div class="alert" role="alert" part="error">${this._error.message}</div>` : nothing}
      ${
        this.rules.length
          ? html`<ul class="rows" role="list" aria-label=${msg('Sync rules')}>
              ${repeat(
                this.rules,
                (r) => r.id,
                (r, i) => this.renderRule(r, i),
              )}
            </ul>`
          : html`<p class="muted">${msg('No sync rules: use Keep in sync on the roles or message step to add one.')}</p>`
      }
    </section>`;
  }
}

define('hr-sync-rules', HrSyncRules);

declare global {
  interface HTMLElementTagNameMap {
    'hr-sync-rules': HrSyncRules;
  }
}
