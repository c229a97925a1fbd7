import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task, initialState } from '@lit/task';
import type { ConnectionState, ProviderInfo } from '../../../../bff/contract.js';
import { toApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrProviderSelectEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { providerPickerStyles } from './provider-picker.styles.js';

const STATE_TEXT: Record<Exclude<ConnectionState, 'ready'>, string> = {
  needs_credentials: 'Needs connection',
  error: 'Error',
};

/**
 * The HR applications configured for this deployment, one button each (the article's step 5).
 * A provider that is not connected is shown with its state and cannot be picked yet.
 *
 * @summary Pick the HR application to import contacts from.
 * @event hr-provider-select - Internal (not composed): a ready provider was picked.
 * @csspart list - The list of providers.
 * @csspart provider - Each provider card.
 * @cssproperty [--hr-provider-logo-background=#e7f3ec] - Background of a provider's initial.
 * @cssproperty [--hr-provider-logo-color=#0f5132] - Color of a provider's initial.
 */
export class HrProviderPicker extends LitElement {
  static override styles = [sharedStyles, providerPickerStyles];

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _providers = new Task(this, {
    task: async ([api], { signal }) => (api ? (await api.listProviders(signal)).items : initialState),
    args: () => [this._api.value] as const,
  });

  private handleSelect(provider: ProviderInfo) {
    this.dispatchEvent(new HrProviderSelectEvent(provider));
  }

  private renderProvider(provider: ProviderInfo) {
    const stateId = `provider-${provider.id}-state`;
    // The whole card is clickable (the button stretches over it), but the button's own text is
    // just the provider's name: that is its accessible name; the state is its description.
    return html`
      <li class="provider ${provider.connection}" part="provider">
        <span class="logo" aria-hidden="true">${provider.name.trim().charAt(0).toUpperCase()}</span>
        <span class="text">
          <button
            type="button"
            class="name"
            ?disabled=${provider.connection !== 'ready'}
            aria-describedby=${provider.connection === 'ready' ? nothing : stateId}
            @click=${() => this.handleSelect(provider)}
          >
            ${provider.name}
          </button>
          ${provider.connection === 'ready'
            ? nothing
            : html`<span class="state ${provider.connection}" id=${stateId}>${STATE_TEXT[provider.connection]}</span>`}
        </span>
      </li>
    `;
  }

  override render() {
    return this._providers.render({
      initial: () => html`<p class="loading">Waiting for a session…</p>`,
      pending: () => html`<p class="loading" role="status">Loading HR applications…</p>`,
      error: (error) => html`
        <div class="alert" role="alert">
          <div>${toApiError(error).message}</div>
          <button type="button" class="btn" @click=${() => this._providers.run()}>Retry</button>
        </div>
      `,
      complete: (providers) =>
        providers.length
          ? html`<ul class="providers" part="list" role="list" aria-label="HR applications">
              ${providers.map((p) => this.renderProvider(p))}
            </ul>`
          : html`<p class="muted">No HR applications are configured for this deployment.</p>`,
    });
  }
}

define('hr-provider-picker', HrProviderPicker);

declare global {
  interface HTMLElementTagNameMap {
    'hr-provider-picker': HrProviderPicker;
  }
}
