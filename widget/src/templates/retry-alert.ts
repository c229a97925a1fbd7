import { html } from 'lit';
import { msg } from '@lit/localize';
import { toApiError } from '../api/client.js';

/**
 * What every failed request shows, in every part of the widget: the error's own message (the
 * BFF's, or the provider's passed on) and **Retry**, as the `error` part. One template, so each
 * failure looks and reads the same, and the page parses it once. `retry` is called with the
 * rendering element as `this`, like any listener in its templates.
 */
export function retryAlert(error: unknown, retry: (event: Event) => void) {
  return html`<div class="alert" role="alert" part="error">
    <div>${toApiError(error).message}</div>
    <button type="button" class="btn" @click=${retry}>${msg('Retry')}</button>
  </div>`;
}
