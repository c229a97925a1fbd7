import { LitElement, html, nothing } from 'lit';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { live } from 'lit/directives/live.js';
import type { Contact } from '../../api/types.js';
import { define } from '../../define.js';
import { HrMessageChangeEvent } from '../../events/internal.js';
import { BODY_MAX, DEFAULT_BODY, DEFAULT_SUBJECT, PLACEHOLDERS, SUBJECT_MAX, fillPlaceholders, firstNameOf, type Placeholder } from '../../model/message.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { messageComposerStyles } from './message-composer.styles.js';

type Field = 'subject' | 'body';

/**
 * The invitation's subject and body with placeholders, length limits and a live preview for
 * one contact (the article's step 7). Names come from HR systems: the preview is text only.
 *
 * @summary Compose the invitation message.
 * @event hr-message-change - Internal: the subject or body changed.
 * @csspart subject - The subject field.
 * @csspart body - The message field.
 * @csspart preview - The preview.
 */
export class HrMessageComposer extends LitElement {
  static override styles = [sharedStyles, messageComposerStyles];
  static override properties = {
    subject: {},
    body: {},
    contact: { attribute: false },
    targetName: { attribute: 'target-name' },
    inviterName: { attribute: 'inviter-name' },
  };

  /** The field a placeholder button inserts into: the one last focused. */
  private _lastField: Field = 'body';
  private _caret: { field: Field; at: number } | null = null;

  declare subject: string;
  declare body: string;
  /** The contact the preview is written for. */
  declare contact: Contact | null;
  declare targetName: string;
  declare inviterName: string;

  constructor() {
    super();
    this.subject = DEFAULT_SUBJECT;
    this.body = DEFAULT_BODY;
    this.contact = null;
    this.targetName = '';
    this.inviterName = '';
    updateWhenLocaleChanges(this);
  }

  override updated() {
    if (!this._caret) return;
    const { field, at } = this._caret;
    this._caret = null;
    const el = this.fieldElement(field);
    el?.focus();
    el?.setSelectionRange(at, at);
  }

  private fieldElement(field: Field): HTMLInputElement | HTMLTextAreaElement | null {
    return this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${field}`);
  }

  private handleInput(field: Field, event: Event) {
    this.set(field, (event.target as HTMLInputElement | HTMLTextAreaElement).value);
  }

  private handleInsert(name: Placeholder) {
    const field = this._lastField;
    const el = this.fieldElement(field);
    const value = field === 'subject' ? this.subject : this.body;
    const max = field === 'subject' ? SUBJECT_MAX : BODY_MAX;
    const token = `{{${name}}}`;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? start;
    const next = value.slice(0, start) + token + value.slice(end);
    if (next.length > max) return;
    this._caret = { field, at: start + token.length };
    this.set(field, next);
  }

  private set(field: Field, value: string) {
    if (field === 'subject') this.subject = value;
    else this.body = value;
    this.dispatchEvent(new HrMessageChangeEvent(this.subject, this.body));
  }

  private renderCounter(id: string, length: number, max: number) {
    return html`<span id=${id} class="counter ${length > max * 0.9 ? 'near' : ''}">${length} / ${max}</span>`;
  }

  private renderPreview() {
    const contact = this.contact;
    const values = {
      firstName: contact ? firstNameOf(contact.firstName, contact.displayName) : 'Alex',
      targetName: this.targetName,
      inviterName: this.inviterName,
    };
    return html`
      <section class="preview" part="preview" aria-labelledby="preview-heading">
        <h3 id="preview-heading">${contact ? msg(str`Preview for ${contact.displayName}`) : msg('Preview')}</h3>
        <p class="preview-subject">${fillPlaceholders(this.subject, values)}</p>
        <p class="preview-body">${fillPlaceholders(this.body, values)}</p>
      </section>
    `;
  }

  override render() {
    return html`
      <div class="layout">
        <div>
          <div class="field-row">
            <div class="label-line">
              <label class="field" for="subject">${msg('Subject')}</label>
              ${this.renderCounter('subject-count', this.subject.length, SUBJECT_MAX)}
            </div>
            <input
              id="subject"
              type="text"
              part="subject"
              maxlength=${SUBJECT_MAX}
              required
              aria-describedby="subject-count"
              .value=${live(this.subject)}
              @input=${(e: Event) => this.handleInput('subject', e)}
              @focus=${() => (this._lastField = 'subject')}
            />
            ${this.subject.trim() ? nothing : html`<p class="required">${msg('Enter a subject.')}</p>`}
          </div>
          <div class="field-row">
            <div class="label-line">
              <label class="field" for="body">${msg('Message')}</label>
              ${this.renderCounter('body-count', this.body.length, BODY_MAX)}
            </div>
            <textarea
              id="body"
              part="body"
              maxlength=${BODY_MAX}
              required
              aria-describedby="body-count"
              .value=${live(this.body)}
              @input=${(e: Event) => this.handleInput('body', e)}
              @focus=${() => (this._lastField = 'body')}
            ></textarea>
            ${this.body.trim() ? nothing : html`<p class="required">${msg('Enter a message.')}</p>`}
          </div>
          <div class="placeholders" role="group" aria-label=${msg('Insert a placeholder')}>
            <span class="muted" aria-hidden="true">${msg('Insert:')}</span>
            ${PLACEHOLDERS.map(
              (name) =>
                html`<button type="button" class="btn" @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.handleInsert(name)}>
                  <span class="sr-only">${msg('Insert')} </span>{{${name}}}
                </button>`,
            )}
          </div>
        </div>
        ${this.renderPreview()}
      </div>
    `;
  }
}

define('hr-message-composer', HrMessageComposer);

declare global {
  interface HTMLElementTagNameMap {
    'hr-message-composer': HrMessageComposer;
  }
}
