/** CSV uploads, as the BFF's upload routes answer them (comma-separated, no quoting: test files are simple). */
import type { Contact, CsvColumnMapping, CsvContactField, CsvUploadPreview } from '../../api/types.js';
// The BFF's own list, so the stand-in answers with the fields the real one does.
import { CSV_CONTACT_FIELDS as CSV_FIELDS } from '../../../../contract/uploads.js';
import { makeContact } from './data.js';
import { answer, errorResponse, type RecordedRequest } from './http.js';
import type { FakeState, Upload } from './state.js';

/**
 * `POST …/uploads` reads the file and guesses the mapping from exact header names; `…/preview`
 * maps the first five rows; `…/confirm` makes the rows the directory and the provider ready.
 */
export function csvUpload(state: FakeState, r: RecordedRequest, id: string | undefined, action: string | undefined): Response {
  const provider = r.path.split('/')[2]!;
  if (!id) {
    const [header, ...rows] = String(r.body ?? '')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    if (!header || !rows.length) return errorResponse(400, 'csv_no_rows', 'The file has a header row but no people below it.');
    id = `up_${String(state.uploads.size + 1).padStart(20, '0')}`;
    state.uploads.set(id, { columns: header, rows });
    const guess = (f: CsvContactField, names: string[]) => header.find((h) => names.includes(h.toLowerCase())) ?? null;
    const mapping = Object.fromEntries(CSV_FIELDS.map((f) => [f, guess(f, [f.toLowerCase(), f.replace(/([A-Z])/g, ' $1').toLowerCase()])])) as CsvColumnMapping;
    return answer('/providers/{provider}/uploads', 'post', 201, csvPreview(state, id, mapping));
  }
  const upload = state.uploads.get(id);
  if (!upload) return errorResponse(404, 'upload_not_found', 'This upload is unknown or has expired.');
  const mapping = {
    ...Object.fromEntries(CSV_FIELDS.map((f) => [f, null])),
    ...(r.body as { mapping: Partial<CsvColumnMapping> }).mapping,
  } as CsvColumnMapping;
  const preview = csvPreview(state, id, mapping);
  if (action === 'preview') return answer('/providers/{provider}/uploads/{upload}/preview', 'post', 200, preview);
  state.contacts = upload.rows.map((_, i) => csvContact(upload, mapping, i));
  state.providers = state.providers.map((p) => (p.id === provider ? { ...p, connection: 'ready' } : p));
  return answer('/providers/{provider}/uploads/{upload}/confirm', 'post', 200, { connection: 'ready', counts: preview.counts });
}

function csvContact(upload: Upload, mapping: CsvColumnMapping, i: number): Contact {
  const get = (f: CsvContactField) => (mapping[f] ? upload.rows[i]![upload.columns.indexOf(mapping[f]!)] || null : null);
  const name = get('displayName') ?? ([get('firstName'), get('lastName')].filter(Boolean).join(' ') || get('email') || `row ${i + 2}`);
  return makeContact(i, {
    id: get('id') ?? `csv_${i}`,
    firstName: get('firstName'),
    lastName: get('lastName'),
    displayName: name,
    email: get('email'),
    title: get('title'),
    department: get('department'),
    location: get('location'),
  });
}

function csvPreview(state: FakeState, id: string, mapping: CsvColumnMapping): CsvUploadPreview {
  const upload = state.uploads.get(id)!;
  const contacts = upload.rows.map((_, i) => csvContact(upload, mapping, i));
  const withoutEmail = contacts.filter((c) => !c.email).length;
  return {
    id,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    delimiter: ',',
    columns: upload.columns,
    mapping,
    preview: contacts.slice(0, 5).map(({ membership: _, ...contact }, i) => ({ line: i + 2, contact })),
    counts: { rows: contacts.length, contacts: contacts.length, withoutEmail, duplicates: 0, ragged: 0 },
    ragged: [],
    // As the BFF words it (bff/services/csv-uploads.ts NO_EMAIL_COLUMN); the widget says it in its own words.
    notices: mapping.email ? [] : [{ code: 'no_email_column', message: 'No column of this file looks like an email address.' }],
  };
}
