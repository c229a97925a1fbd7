import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { Task, TaskStatus, initialState } from '@lit/task';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Role, SyncUpdate, SyncUpdateKind, SyncUpdateList, SyncUpdateResult } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrSeatsChangeEvent, HrSyncChangeEvent } from '../../events/sync.js';
import { formatNumber } from '../../locales/localize.js';
import { roleLabel } from '../../locales/labels.js';
import { skipReason } from '../../model/sync-rule.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { syncStyles } from '../../styles/sync.styles.js';
import { checkAll, toggled } from '../../templates/check-all.js';
import { retryAlert } from '../../templates/retry-alert.js';
import '../seat-meter/seat-meter.js';
import { syncUpdatesStyles } from './sync-updates.styles.js';

/** Updates read at once; Show more reads the next as many. */
const PAGE = 200;

const KIND_LABELS: Readonly<Record<SyncUpdateKind, () => string>> = {
  joiner: () => msg('Joiners'),
  leaver: () => msg('Leavers'),
  role_change: () => msg('Role changes'),
};

/** Why someone is a leaver. */
const LEAVER_REASONS: Readonly<Record<NonNullable<SyncUpdate['reason']>, () => string>> = {
  terminated: () => msg('Left the company'),
  deleted: () => msg('Removed from HR'),
  out_of_scope: () => msg('No longer in scope'),
};

/**
 * Updates: what the sync rules found for the admin to act on — joiners to invite, leavers (and
 * why) to confirm, role changes to apply — filterable by kind with their counts. Each row is
 * approved or dismissed, or several at once; approving joiners takes seats like an import, and
 * those past the free seats stay with the reason.
 *
 * @summary Approve or dismiss what the sync rules found.
 * @event hr-seats-change - Internal: an approval changed the seats.
 * @event hr-sync-change - Internal: updates were approved or dismissed.
 * @cssproperty [--hr-updates-list-max-height=22rem] - Height of the scrolling list.
 */
export class HrSyncUpdates extends LitElement {
  static override styles = [sharedStyles, syncStyles, syncUpdatesStyles];
  static override properties = {
    _kind: { state: true },
    _pages: { state: true },
    _checked: { state: true },
    _busy: { state: true },
    _result: { state: true },
    _error: { state: true },
    roles: { attribute: false },
    version: { type: Number },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _updates = new Task(this, {
    task: async ([api, kind, , , pages], { signal }) => {
      if (!api) return initialState;
      // Every page shown so far, read again in order: after an action or a run the rows the
      // admin had opened stay listed, and counts and seats come with the last page.
      const filter = kind ? { kind } : {};
      let list = await api.listSyncUpdates({ ...filter, limit: PAGE }, signal);
      for (let page = 1; page < pages && list.nextCursor; page += 1) {
        const next = await api.listSyncUpdates({ ...filter, limit: PAGE, cursor: list.nextCursor }, signal);
        list = { ...next, items: [...list.items, ...next.items] };
      }
      return list;
    },
    args: () => [this._api.value, this._kind, this.version, this._reads, this._pages] as const,
  });

  /** Bumped to read the list again after an action. */
  private _reads = 0;
  /** The failed action, for Retry. */
  private _retry = () => {};

  /** The kind shown; null: every kind. */
  declare private _kind: SyncUpdateKind | null;
  /** Pages of updates shown, each of PAGE. */
  declare private _pages: number;
  declare private _checked: ReadonlySet<string>;
  declare private _busy: boolean;
  declare private _result: { approve: boolean; result: SyncUpdateResult } | null;
  declare private _error: ApiError | null;

  declare roles: readonly Role[];
  /** Changed by the view when rules ran or changed: the list is read again. */
  declare version: number;

  constructor() {
    super();
    this._kind = null;
    this._pages = 1;
    this._checked = new Set();
    this._busy = false;
    this._result = null;
    this._error = null;
    this.roles = [];
    this.version = 0;
    updateWhenLocaleChanges(this);
  }

  private handleKind(kind: SyncUpdateKind | null) {
    this._kind = kind;
    this._pages = 1;
    this._checked = new Set();
  }

  /** The next page, then focus on its first row, where a keyboard user goes on reading. */
  private async handleShowMore(shown: number) {
    this._pages += 1;
    // The task starts with the update the new page count asks for.
    await this.updateComplete;
    await this._updates.taskComplete.catch(() => undefined);
    await this.updateComplete;
    this.renderRoot.querySelectorAll<HTMLInputElement>('.rows input[type="checkbox"]')[shown]?.focus();
  }

  private async act(approve: boolean, ids: readonly string[]) {
    const api = this._api.value;
    if (!api || this._busy || !ids.length) return;
    this._busy = true;
    this._error = null;
    this._result = null;
    try {
      const result = await api.actOnSyncUpdates(approve ? 'approve' : 'dismiss', ids);
      this._result = { approve, result };
      this._checked = new Set([...this._checked].filter((id) => !ids.includes(id) || result.skipped.some((s) => s.id === id)));
      this._reads += 1;
      this.dispatchEvent(new HrSeatsChangeEvent(result.seats));
      this.dispatchEvent(new HrSyncChangeEvent());
    } catch (error) {
      this._error = toApiError(error);
      this._retry = () => void this.act(approve, ids);
    } finally {
      this._busy = false;
    }
  }

  private what(update: SyncUpdate): string {
    const role = (id: string | null) => roleLabel(this.roles, id);
    switch (update.kind) {
      case 'joiner':
        return msg(str`Joins: invite as ${role(update.role)}`);
      case 'leaver': {
        const reason = update.reason ? LEAVER_REASONS[update.reason]() : msg('Left');
        return update.membership === 'invited' ? msg(str`${reason}: their invitation is revoked`) : msg(str`${reason}: a member until you remove them`);
      }
      case 'role_change':
        return msg(str`Role: ${role(update.currentRole)} → ${role(update.role)}`);
    }
  }

  private renderRow(update: SyncUpdate) {
    const name = update.name ?? update.email;
    return html`<li>
      <input
        type="checkbox"
        aria-label=${msg(str`Select ${name}`)}
        .checked=${live(this._checked.has(update.id))}
        @change=${(e: Event) => (this._checked = toggled(this._checked, update.id, (e.target as HTMLInputElement).checked))}
      />
      <span class="who">
        <span class="name">${name}</span>
        <span class="email">${[update.email, update.title, update.department].filter(Boolean).join(' · ')}</span>
      </span>
      <span class="what">${this.what(update)}</span>
      <span class="row-actions">
        <button type="button" class="btn" aria-label=${msg(str`Approve ${name}`)} ?disabled=${this._busy} @click=${() => this.act(true, [update.id])}>
          ${msg('Approve')}
        </button>
        <button type="button" class="btn" aria-label=${msg(str`Dismiss ${name}`)} ?disabled=${this._busy} @click=${() => this.act(false, [update.id])}>
          ${msg('Dismiss')}
        </button>
      </span>
    </li>`;
  }

  /** Open updates of the kind shown, as the counts say. */
  private total(list: SyncUpdateList): number {
    return this._kind ? list.counts[this._kind] : list.counts.joiner + list.counts.leaver + list.counts.role_change;
  }

  private renderKinds(list: SyncUpdateList) {
    const all = list.counts.joiner + list.counts.leaver + list.counts.role_change;
    const button = (kind: SyncUpdateKind | null, label: string, n: number) =>
      html`<button type="button" class="btn" aria-pressed=${this._kind === kind ? 'true' : 'false'} @click=${() => this.handleKind(kind)}>
        ${label} (${formatNumber(n)})
      </button>`;
    return html`<div class="kinds" role="group" aria-label=${msg('Show')}>
      ${button(null, msg('All'), all)} ${(Object.keys(KIND_LABELS) as SyncUpdateKind[]).map((k) => button(k, KIND_LABELS[k](), list.counts[k]))}
    </div>`;
  }

  /** Joiners ticked past the free seats: said before the admin approves them. */
  private renderSeats(list: SyncUpdateList, joiners: number) {
    const free = list.seats.remaining;
    return html`<hr-seat-meter .seats=${list.seats} .selected=${joiners}></hr-seat-meter> ${
        joiners > free
          ? html`<p class="warning">
              ${msg(str`${formatNumber(joiners)} joiners are selected and ${formatNumber(free)} seats are free: approving invites ${formatNumber(free)}, the others stay here with the reason.`)}
            </p>`
          : nothing
      }`;
  }

  private renderResult() {
    if (this._error) return retryAlert(this._error, this._retry);
    if (!this._result) return nothing;
    const { approve, result } = this._result;
    const done = approve ? msg(str`${formatNumber(result.done)} approved.`) : msg(str`${formatNumber(result.done)} dismissed.`);
    const invited = result.invited ? msg(str`${formatNumber(result.invited)} invited.`) : '';
    return html`<div class=${result.skipped.length ? 'alert' : 'success'} role="status">
      ${done} ${invited}
      ${
        result.skipped.length
          ? html`${msg(str`${formatNumber(result.skipped.length)} left as they were:`)}
            ${[...new Set(result.skipped.map((s) => skipReason(s.reason)))].join(', ')}.`
          : nothing
      }
    </div>`;
  }

  private renderList(list: SyncUpdateList) {
    const items = list.items;
    const ids = items.map((u) => u.id);
    const checked = ids.filter((id) => this._checked.has(id));
    const joiners = items.filter((u) => u.kind === 'joiner' && this._checked.has(u.id)).length;
    return html`
      ${this.renderKinds(list)} ${this.renderSeats(list, joiners)} ${this.renderResult()}
      ${
        items.length
          ? html`<div class="toolbar">
                ${checkAll(msg('Select all shown'), ids, this._checked, (next) => (this._checked = next))}
                <span class="spacer"></span>
                <button type="button" class="btn primary" ?disabled=${this._busy || !checked.length} @click=${() => this.act(true, checked)}>
                  ${msg(str`Approve selected (${formatNumber(checked.length)})`)}
                </button>
                <button type="button" class="btn" ?disabled=${this._busy || !checked.length} @click=${() => this.act(false, checked)}>
                  ${msg(str`Dismiss selected (${formatNumber(checked.length)})`)}
                </button>
              </div>
              <ul class="rows" role="list" aria-label=${msg('Updates to review')} tabindex="0">
                ${repeat(
                  items,
                  (u) => u.id,
                  (u) => this.renderRow(u),
                )}
              </ul>
              ${
                list.nextCursor
                  ? html`<button
                      type="button"
                      class="btn"
                      ?disabled=${this._updates.status === TaskStatus.PENDING}
                      @click=${() => this.handleShowMore(items.length)}
                    >
                      ${msg(str`Show more (${formatNumber(items.length)} of ${formatNumber(this.total(list))} shown)`)}
                    </button>`
                  : nothing
              }`
          : html`<p class="muted">${this._kind ? msg('Nothing of this kind to review.') : msg('Nothing to review: everyone is in sync.')}</p>`
      }
    `;
  }

  override render() {
    return html`<section aria-labelledby="updates-heading">
      <h3 id="updates-heading">${msg('To review')}</h3>
      ${this._updates.render({
        pending: () => (this._updates.value ? this.renderList(this._updates.value) : html`<p class="loading" role="status">${msg('Loading…')}</p>`),
        complete: (list) => this.renderList(list),
        error: (error) => retryAlert(error, () => void this._updates.run()),
      })}
    </section>`;
  }
}

define('hr-sync-updates', HrSyncUpdates);

declare global {
  interface HTMLElementTagNameMap {
    'hr-sync-updates': HrSyncUpdates;
  }
}
