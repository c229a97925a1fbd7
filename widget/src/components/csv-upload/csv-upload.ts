import { LitElement, html, nothing } from 'lit';
import { ContextConsumer } from '@lit/context';
import { Task, initialState } from '@lit/task';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import type { CsvColumnMapping, CsvContactField, CsvUploadPreview, ProviderInfo } from '../../api/types.js';
import { toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';
import { define } from '../../define.js';
import { HrCsvCancelEvent, HrCsvConfirmEvent, HrHeadingEvent } from '../../events/internal.js';
import { sharedStyles } from '../../styles/shared.styles.js';
import { csvUploadStyles } from './csv-upload.styles.js';

/** The BFF's limit (bff/services/csv-uploads.ts), checked here too so a huge file is not sent for nothing. */
const MAX_BYTES = 10 * 1024 * 1024;

/**
 * The contact fields a column can fill, in the order the mapping form asks them: the BFF's own
 * list (bff/contract/uploads.ts CSV_CONTACT_FIELDS), as the keys of the mapping it answers with.
 */
const fieldsOf = (mapping: CsvColumnMapping) => Object.keys(mapping) as CsvContactField[];

function fieldLabel(field: CsvContactField): string {
  switch (field) {
    case 'email':
      return msg('Email (required)');
    case 'firstName':
      return msg('First name');
    case 'lastName':
      return msg('Last name');
    case 'displayName':
      return msg('Display name');
    case 'title':
      return msg('Job title');
    case 'department':
      return msg('Department');
    case 'location':
      return msg('Location');
    case 'employmentType':
      return msg('Employment type');
    case 'manager':
      return msg('Manager');
    case 'status':
      return msg('Status');
    case 'id':
      return msg('Employee ID');
  }
}

/**
 * Why the email column matters, said where the preview would be when none is chosen. The BFF
 * sends the same notice (`no_email_column`) in its own words; the widget says it in the page's language.
 */
const noEmailColumn = () =>
  msg(
    'No column of this file is recognised as the email address. Each invitation is sent to that address, and it is how people already invited or already members are recognised: choose the column that holds the work email.',
  );

const sameMapping = (a: CsvColumnMapping, b: CsvColumnMapping) => fieldsOf(b).every((f) => a[f] === b[f]);

/**
 * Uploads a CSV file as the organization's directory, the fallback when no integration exists:
 * choose (or drop) a file with a header row, check which column holds which contact field (one
 * select each, guessed from the header by the BFF), see the first rows under that mapping with
 * how many rows have no email or repeat one, and confirm. The confirmed rows replace the
 * organization's previous upload.
 *
 * @summary Upload a CSV file of people and map its columns to contact fields.
 * @event hr-csv-confirm - Internal (not composed): the file's rows are now the directory.
 * @event hr-csv-cancel - Internal (not composed): the admin went back without confirming.
 * @csspart form - The file chooser.
 * @csspart mapping - The column selects.
 * @csspart preview - The preview table.
 */
export class HrImportCsvUpload extends LitElement {
  static override styles = [sharedStyles, csvUploadStyles];
  static override properties = {
    _upload: { state: true },
    _mapping: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _over: { state: true },
    provider: { attribute: false },
  };

  private readonly _api = new ContextConsumer(this, { context: apiContext, subscribe: true });

  private readonly _preview = new Task(this, {
    task: async ([api, provider, upload, mapping], { signal }) => {
      if (!api || !provider || !upload || !mapping) return initialState;
      // The upload's own answer already previews the mapping it guessed.
      if (sameMapping(mapping, upload.mapping)) return upload;
      if (!mapping.email) return initialState;
      return api.previewCsv(provider.id, upload.id, mapping, signal);
    },
    args: () => [this._api.value, this.provider, this._upload, this._mapping] as const,
  });

  /** The upload's answer: its columns, guessed mapping and first rows. */
  declare private _upload: CsvUploadPreview | null;
  declare private _mapping: CsvColumnMapping | null;
  /** What is running: reading the file or confirming it. */
  declare private _busy: 'uploading' | 'confirming' | null;
  declare private _error: ApiError | null;
  /** A file is dragged over the drop zone. */
  declare private _over: boolean;

  /** The CSV provider the file is for. */
  declare provider: ProviderInfo | null;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
    this._upload = null;
    this._mapping = null;
    this._busy = null;
    this._error = null;
    this._over = false;
    this.provider = null;
  }

  override updated() {
    // The upload is the whole step while it shows: the step's heading says so (in the language
    // of this render, so a switch follows), not "Choose an HR application" above it.
    this.dispatchEvent(new HrHeadingEvent(msg('Upload a CSV file')));
  }

  private handleBack() {
    this.dispatchEvent(new HrHeadingEvent(''));
    this.dispatchEvent(new HrCsvCancelEvent());
  }

  private async handleFile(file: File | undefined) {
    const api = this._api.value;
    const provider = this.provider;
    if (!api || !provider || !file || this._busy) return;
    this._error = null;
    if (file.size > MAX_BYTES) {
      this._error = toApiError(new Error(msg(str`${file.name} is larger than 10 MB; split it or remove columns you do not need.`)));
      return;
    }
    this._busy = 'uploading';
    try {
      const upload = await api.uploadCsv(provider.id, file);
      this._upload = upload;
      this._mapping = upload.mapping;
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._busy = null;
    }
  }

  private handleChange(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    void this.handleFile(input.files?.[0]);
    // The same file chosen again (after fixing it in a spreadsheet) must fire change again.
    input.value = '';
  }

  private handleChoose() {
    if (this._busy) return;
    this.renderRoot.querySelector<HTMLInputElement>('#csv-file')?.click();
  }

  private handleDragOver(event: DragEvent) {
    event.preventDefault();
    this._over = true;
  }

  private handleDrop(event: DragEvent) {
    event.preventDefault();
    this._over = false;
    void this.handleFile(event.dataTransfer?.files[0]);
  }

  private handleMapping(field: CsvContactField, event: Event) {
    if (!this._mapping) return;
    const value = (event.currentTarget as HTMLSelectElement).value;
    this._mapping = { ...this._mapping, [field]: value || null };
    this._error = null;
  }

  private async handleConfirm() {
    const api = this._api.value;
    const { provider, _upload: upload, _mapping: mapping } = this;
    if (!api || !provider || !upload || !mapping?.email || this._busy) return;
    this._busy = 'confirming';
    this._error = null;
    try {
      const { counts } = await api.confirmCsv(provider.id, upload.id, mapping);
      this.dispatchEvent(new HrCsvConfirmEvent({ ...provider, connection: 'ready' }, counts));
    } catch (error) {
      this._error = toApiError(error);
    } finally {
      this._busy = null;
    }
  }

  private handleChooseAnother() {
    this._upload = null;
    this._mapping = null;
    this._error = null;
  }

  private renderError() {
    return this._error ? html`<div class="alert" role="alert">${this._error.message}</div>` : nothing;
  }

  private renderFileStep(provider: ProviderInfo) {
    const busy = this._busy === 'uploading';
    return html`
      <form part="form" aria-label=${msg('Upload a CSV file')} @submit=${(e: Event) => e.preventDefault()}>
        <p class="muted" id="csv-hint">
          ${msg('The first row names the columns (Email, First name, Last name, Department, …). One person a row, up to 100,000 rows and 10 MB.')}
        </p>
        <div class="drop ${this._over ? 'over' : ''}" @dragover=${this.handleDragOver} @dragleave=${() => (this._over = false)} @drop=${this.handleDrop}>
          <svg
            class="icon"
            aria-hidden="true"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.75"
            stroke-linecap="round"
            stroke-linejoin="round"
          >
            <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"></path>
            <path d="M14 3v5h5M12 18v-6M9 15l3-3 3 3"></path>
          </svg>
          <p class="drop-text">
            ${msg(html`Drop a CSV file here or <button type="button" class="btn choose" @click=${this.handleChoose}>choose a file</button>`)}
          </p>
          <!-- The native input, hidden: the button above opens it, a drop or a pick fills it. -->
          <input
            id="csv-file"
            type="file"
            hidden
            aria-label=${msg('CSV file')}
            accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
            @change=${this.handleChange}
          />
        </div>
        ${busy ? html`<p role="status">${msg('Reading the file…')}</p>` : nothing} ${this.renderError()}
        <div class="actions">
          ${
            provider.connection === 'ready'
              ? html`<button type="button" class="btn primary" ?disabled=${busy} @click=${() => this.dispatchEvent(new HrCsvConfirmEvent(provider, null))}>
                  ${msg('Continue with the last upload')}
                </button>`
              : nothing
          }
          <button type="button" class="btn" ?disabled=${busy} @click=${this.handleBack}>${msg('Back')}</button>
        </div>
      </form>
    `;
  }

  private renderSelect(field: CsvContactField, columns: readonly string[], mapping: CsvColumnMapping) {
    const value = mapping[field];
    const required = field === 'email';
    return html`
      <div class="map">
        <label for="map-${field}">${fieldLabel(field)}</label>
        <select
          id="map-${field}"
          ?required=${required}
          aria-invalid=${required && !value ? 'true' : 'false'}
          @change=${(e: Event) => this.handleMapping(field, e)}
        >
          <option value="" ?selected=${!value}>${required ? msg('Choose a column') : msg('Not in the file')}</option>
          ${columns.map((c) => html`<option .value=${c} ?selected=${c === value}>${c}</option>`)}
        </select>
      </div>
    `;
  }

  private renderNoEmail() {
    return html`<div class="alert" role="alert">${noEmailColumn()}</div>`;
  }

  private renderPreview(answer: CsvUploadPreview) {
    const { counts } = answer;
    return html`
      ${answer.notices.some((n) => n.code === 'no_email_column') ? this.renderNoEmail() : nothing}
      <p role="status">
        ${msg(str`${counts.rows} rows: ${counts.contacts} contacts, ${counts.withoutEmail} without an email (listed, but they cannot be invited), ${counts.duplicates} repeating an email or ID.`)}
      </p>
      ${
        answer.ragged.length
          ? html`<p class="muted">
              ${msg(
                str`${counts.ragged} rows have more or fewer cells than the header (lines ${answer.ragged
                  .slice(0, 5)
                  .map((r) => r.line)
                  .join(', ')}); check them in the preview.`,
              )}
            </p>`
          : nothing
      }
      <!-- Focusable: a table wider than the step scrolls sideways, with the keyboard too. -->
      <div class="table" part="preview" role="region" aria-labelledby="csv-preview" tabindex="0">
        <table>
          <caption id="csv-preview">
            ${msg(str`The first ${answer.preview.length} rows as they will be imported`)}
          </caption>
          <thead>
            <tr>
              <th scope="col">${msg('Line')}</th>
              <th scope="col">${msg('Name')}</th>
              <th scope="col">${msg('Email')}</th>
              <th scope="col">${msg('Job title')}</th>
              <th scope="col">${msg('Department')}</th>
              <th scope="col">${msg('Location')}</th>
              <th scope="col">${msg('Status')}</th>
            </tr>
          </thead>
          <tbody>
            ${answer.preview.map(
              ({ line, contact: c }) =>
                html`<tr class=${c.email ? '' : 'no-email'}>
                  <td>${line}</td>
                  <td>${c.displayName}</td>
                  <td>${c.email ?? msg('No email')}</td>
                  <td>${c.title ?? ''}</td>
                  <td>${c.department ?? ''}</td>
                  <td>${c.location ?? ''}</td>
                  <td>${c.status === 'inactive' ? msg('Inactive') : msg('Active')}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  private renderMappingStep(upload: CsvUploadPreview, mapping: CsvColumnMapping) {
    const confirming = this._busy === 'confirming';
    return html`
      <div class="step">
        <h3 id="csv-heading">${msg('Match the columns')}</h3>
        <fieldset class="mapping" part="mapping">
          <legend>${msg('Which column holds each field')}</legend>
          ${fieldsOf(upload.mapping).map((f) => this.renderSelect(f, upload.columns, mapping))}
        </fieldset>
        ${this._preview.render({
          initial: () =>
            html`${mapping.email ? nothing : this.renderNoEmail()}
              <p class="muted">${msg('Choose the column that holds the email addresses to see the preview.')}</p>`,
          pending: () =>
            html`<p class="loading" role="status">${msg('Updating the preview…')}</p>
              ${this._preview.value ? this.renderPreview(this._preview.value) : nothing}`,
          complete: (answer) => this.renderPreview(answer),
          error: (error) => html`<div class="alert" role="alert">${toApiError(error).message}</div>`,
        })}
        ${this.renderError()}
        <div class="actions">
          <button type="button" class="btn primary" ?disabled=${!mapping.email || confirming} @click=${this.handleConfirm}>
            ${confirming ? msg('Saving the contacts…') : msg('Use these contacts')}
          </button>
          <button type="button" class="btn" ?disabled=${confirming} @click=${this.handleChooseAnother}>${msg('Choose another file')}</button>
          <button type="button" class="btn" ?disabled=${confirming} @click=${this.handleBack}>${msg('Back')}</button>
        </div>
      </div>
    `;
  }

  override render() {
    const provider = this.provider;
    if (!provider) return nothing;
    return this._upload && this._mapping ? this.renderMappingStep(this._upload, this._mapping) : this.renderFileStep(provider);
  }
}

define('hr-import-csv-upload', HrImportCsvUpload);

declare global {
  interface HTMLElementTagNameMap {
    'hr-import-csv-upload': HrImportCsvUpload;
  }
}
