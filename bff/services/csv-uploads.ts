/**
 * CSV uploads: a file is parsed and held for its organization under an id (an hour), previewed
 * under a column mapping as often as the admin changes it, and on confirmation its rows become
 * that organization's directory of the CSV provider, replaced in one transaction like a refresh.
 * From there contacts, search, Select All and imports work as for any other provider.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { writeTransaction } from '../db/connect.js';
import type { CsvColumnMapping, CsvMappingRequest, CsvNotice, RefreshStatus, CsvUploadConfirmation, CsvUploadPreview } from '../../contract/index.js';
import { CSV_FIELDS, type CsvContact, guessMapping, mapRows, previewRows } from '../csv/map.js';
import { CSV_LIMITS, type CsvDelimiter, CsvError, type CsvTable, parseCsv } from '../csv/read.js';
import type { ProviderEntry, UploadProvider } from '../providers/registry.js';
import { AppError } from '../errors.js';
import { refreshStatus } from './directory/refresh.js';
import { cacheKeyOf, INSERT_BATCH, toRow } from './directory/rows.js';
import { admit } from '../connectors/minimize.js';
import { organizationScope } from './connections.js';
import type { TargetRef } from './targets.js';
import { directoryChanged } from '../db/answer-generations.js';

/** A company of 100,000 people with ten columns is about 15 MB; spreadsheets exported for this are far smaller. */
export const CSV_MAX_BYTES = 10 * 1024 * 1024;
export const CSV_MAX_ROWS = CSV_LIMITS.maxRows;
/** Long enough to fix a mapping, short enough that a forgotten upload does not linger. */
const UPLOAD_TTL_MS = 60 * 60_000;
const PREVIEW_ROWS = 5;
const RAGGED_SHOWN = 20;

export interface CsvUploadDeps {
  db: Kysely<Database>;
  now: () => Date;
}

/** The provider as a CSV provider, or 409: other providers read their directory from the application. */
export function uploadProvider(entry: ProviderEntry): UploadProvider {
  if (entry.configuredBy === 'upload') return entry;
  throw new AppError(409, 'not_a_csv_provider', `${entry.name} reads its directory from the application itself; only a CSV provider takes an uploaded file.`);
}

/**
 * The UTF-16 byte order a file is written in: its byte order mark says (Excel's "Unicode Text" and
 * several admin consoles write UTF-16 with one), or, without a mark, a start of ASCII text whose
 * every other byte is zero does.
 */
function utf16Order(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = bytes.subarray(0, Math.min(bytes.length, 256) & ~1);
  if (head.length < 4) return null;
  let le = true;
  let be = true;
  for (let i = 0; i < head.length; i += 2) {
    le &&= head[i] !== 0 && head[i + 1] === 0;
    be &&= head[i] === 0 && head[i + 1] !== 0;
  }
  return le ? 'utf-16le' : be ? 'utf-16be' : null;
}

/**
 * The file's text: UTF-16 (little or big endian) when its byte order mark says so; else UTF-8
 * (with or without a byte order mark), or, when the bytes are not valid UTF-8, Windows-1252,
 * which is what Excel writes for "CSV" on Windows. The UTF-16 mark is dropped here; the UTF-8 one
 * is dropped by parseCsv.
 */
export function decodeCsv(bytes: Uint8Array): string {
  const utf16 = utf16Order(bytes);
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch {
      throw new AppError(400, 'csv_not_text', 'The file says it is UTF-16 text but holds bytes that are not; export the sheet again as CSV (UTF-8).');
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function readTable(bytes: Uint8Array): CsvTable {
  try {
    const table = parseCsv(decodeCsv(bytes), CSV_LIMITS);
    if (table.rows.length === 0) throw new AppError(400, 'csv_no_rows', 'The file has a header row but no people below it.');
    return table;
  } catch (err) {
    // A broken bound is 413 payload_too_large like an oversized body; details name the bound.
    if (err instanceof CsvError) throw err.limit ? new AppError(413, 'payload_too_large', err.message, err.limit) : new AppError(400, err.code, err.message);
    throw err;
  }
}

/**
 * Said when no column is mapped to the email: the preview still shows the rows, but nobody can be
 * invited until one is, and the admin must learn that here rather than from a confirm that fails.
 */
export const NO_EMAIL_COLUMN: CsvNotice = {
  code: 'no_email_column',
  message:
    'No column of this file looks like an email address. The email is where each invitation is sent and how people already invited or already members are recognised, so choose the column that holds the work email before using these contacts.',
};

function answer(id: string, expiresAt: string, table: CsvTable, mapping: CsvColumnMapping): CsvUploadPreview {
  const strip = ({ line, ...contact }: CsvContact) => ({ line, contact });
  // Counting needs an email column; before one is chosen every row counts as without one.
  const { counts } = mapRows(table, mapping);
  return {
    id,
    expiresAt,
    delimiter: table.delimiter,
    columns: table.columns,
    mapping,
    preview: previewRows(table, mapping, PREVIEW_ROWS).map(strip),
    counts,
    ragged: table.ragged.slice(0, RAGGED_SHOWN),
    notices: mapping.email ? [] : [NO_EMAIL_COLUMN],
  };
}

/** `POST …/uploads`: parses the file, holds it for the session's organization, answers the guessed mapping's preview. */
export async function createUpload(deps: CsvUploadDeps, entry: ProviderEntry, ref: TargetRef, inviterId: string, bytes: Uint8Array): Promise<CsvUploadPreview> {
  const provider = uploadProvider(entry);
  const table = readTable(bytes);
  const scope = await organizationScope(deps.db, ref);
  const now = deps.now();
  const id = `up_${randomBytes(18).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + UPLOAD_TTL_MS).toISOString();
  await deps.db.transaction().execute(async (trx) => {
    // Forgotten uploads go as new ones come: no worker needed.
    await trx.deleteFrom('csv_uploads').where('expires_at', '<=', now.toISOString()).execute();
    await trx
      .insertInto('csv_uploads')
      .values({
        id,
        provider_id: provider.id,
        scope,
        inviter_id: inviterId,
        delimiter: table.delimiter,
        columns: JSON.stringify(table.columns),
        rows: JSON.stringify(table.rows),
        lines: JSON.stringify(table.lines),
        ragged: JSON.stringify(table.ragged),
        row_count: table.rows.length,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      })
      .execute();
  });
  return answer(id, expiresAt, table, guessMapping(table.columns));
}

/** An upload of this provider for the session's organization that has not expired; 404 otherwise, whoever else's it is. */
async function loadUpload(
  deps: CsvUploadDeps,
  provider: UploadProvider,
  ref: TargetRef,
  id: string,
): Promise<{ table: CsvTable; scope: string; expiresAt: string }> {
  const scope = await organizationScope(deps.db, ref);
  const row = await deps.db
    .selectFrom('csv_uploads')
    .selectAll()
    .where('id', '=', id)
    .where('provider_id', '=', provider.id)
    .where('scope', '=', scope)
    .where('expires_at', '>', deps.now().toISOString())
    .executeTakeFirst();
  if (!row) throw new AppError(404, 'upload_not_found', 'This upload is unknown or has expired (uploads are kept for an hour); upload the file again.');
  const table: CsvTable = {
    delimiter: row.delimiter as CsvDelimiter,
    columns: JSON.parse(row.columns) as string[],
    rows: JSON.parse(row.rows) as string[][],
    lines: JSON.parse(row.lines) as number[],
    ragged: JSON.parse(row.ragged) as CsvTable['ragged'],
  };
  return { table, scope, expiresAt: row.expires_at };
}

/** The request's mapping with every field present; a column the file does not have is a 400 naming the field. */
function checkMapping(table: CsvTable, request: CsvMappingRequest['mapping']): CsvColumnMapping {
  const mapping = Object.fromEntries(CSV_FIELDS.map((f) => [f, request[f] ?? null])) as CsvColumnMapping;
  const problems = CSV_FIELDS.flatMap((f) => {
    const column = mapping[f];
    return column !== null && !table.columns.includes(column) ? [{ path: `mapping.${f}`, message: `the file has no column "${column}"` }] : [];
  });
  const first = problems[0];
  if (first) throw new AppError(400, 'unknown_column', `Invalid mapping: ${first.path}: ${first.message}`, { fields: problems });
  return mapping;
}

/** `POST …/uploads/:upload/preview`: the first rows and the counts under another mapping. */
export async function previewUpload(
  deps: CsvUploadDeps,
  entry: ProviderEntry,
  ref: TargetRef,
  id: string,
  request: CsvMappingRequest,
): Promise<CsvUploadPreview> {
  const { table, expiresAt } = await loadUpload(deps, uploadProvider(entry), ref, id);
  return answer(id, expiresAt, table, checkMapping(table, request.mapping));
}

/**
 * `POST …/uploads/:upload/confirm`: the mapped rows replace the organization's CSV directory in
 * one transaction, so its contact list shows the old file or the new one, never a mix. The upload
 * stays until it expires, so going back and confirming another mapping works.
 */
export async function confirmUpload(
  deps: CsvUploadDeps,
  entry: ProviderEntry,
  ref: TargetRef,
  id: string,
  request: CsvMappingRequest,
): Promise<CsvUploadConfirmation> {
  const provider = uploadProvider(entry);
  const { table, scope } = await loadUpload(deps, provider, ref, id);
  const { contacts, counts } = mapRows(table, checkMapping(table, request.mapping));
  const key = cacheKeyOf(provider.id, scope);
  const rows = contacts.flatMap((c) => {
    const kept = provider.storagePolicy ? admit(provider.storagePolicy, c) : c;
    return kept ? [toRow(key, kept)] : [];
  });
  const at = deps.now().toISOString();
  await writeTransaction(deps.db, async (trx) => {
    await trx.deleteFrom('directory_contacts').where('connection', '=', key).execute();
    for (let i = 0; i < rows.length; i += INSERT_BATCH)
      await trx
        .insertInto('directory_contacts')
        .values(rows.slice(i, i + INSERT_BATCH))
        .execute();
    const sync = { status: 'ready', fetched: rows.length, total: rows.length, started_at: at, synced_at: at, error_code: null, error_message: null };
    await trx
      .insertInto('directory_syncs')
      .values({ connection: key, ...sync })
      .onConflict((oc) => oc.column('connection').doUpdateSet(sync))
      .execute();
    await directoryChanged(trx, key);
  });
  return { connection: 'ready', counts };
}

/**
 * `GET|POST …/refresh` for a CSV provider (and the SCIM provider, whose directory is what the
 * identity provider pushed, services/scim.ts). An uploaded directory is the confirmed file itself:
 * there is no application to fetch it from again, so Refresh (and Retry) answers the upload's
 * state instead of starting a refresh, which could only fail ("No CSV file has been uploaded")
 * and leave an error beside contacts that are still there. A directory an earlier refresh left
 * in error or mid-claim is put back to ready, its counts those of the rows it holds. Only a new
 * upload (or removing it) changes the directory.
 */
export async function heldRefreshStatus(deps: CsvUploadDeps, connection: string, maxAgeSeconds: number): Promise<RefreshStatus> {
  const sync = await deps.db.selectFrom('directory_syncs').select(['status', 'synced_at']).where('connection', '=', connection).executeTakeFirst();
  if (sync?.synced_at && sync.status !== 'ready') {
    const held = await deps.db
      .selectFrom('directory_contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection', '=', connection)
      .executeTakeFirstOrThrow();
    const n = Number(held.n);
    await deps.db
      .updateTable('directory_syncs')
      .set({ status: 'ready', fetched: n, total: n, error_code: null, error_message: null })
      .where('connection', '=', connection)
      .where('synced_at', 'is not', null)
      .execute();
  }
  return refreshStatus(deps.db, connection, deps.now(), maxAgeSeconds);
}
