/** CSV uploads for a CSV provider: the file, a column mapping, a preview, the confirmation. */
import { z } from 'zod';
import { count, timestamp } from './common.js';
import { directoryContact } from './contacts.js';
import { providerParams } from './providers.js';
import { answer, request } from './registry.js';

/** Contact fields a CSV column can be mapped to (bff/csv/map.ts CSV_FIELDS). */
export const CSV_CONTACT_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'displayName',
  'title',
  'department',
  'location',
  'employmentType',
  'manager',
  'status',
  'id',
] as const;
export type CsvContactField = (typeof CSV_CONTACT_FIELDS)[number];

const columnName = z.string().min(1).max(300);
const optionalColumn = columnName.nullish();

/** Which column (by its header name) holds each field; email is required, the rest optional or null. */
export const csvMappingRequest = request(
  'CsvMappingRequest',
  z
    .object({
      mapping: z
        .object({
          email: columnName,
          firstName: optionalColumn,
          lastName: optionalColumn,
          displayName: optionalColumn,
          title: optionalColumn,
          department: optionalColumn,
          location: optionalColumn,
          employmentType: optionalColumn,
          manager: optionalColumn,
          status: optionalColumn,
          id: optionalColumn,
        } satisfies Record<CsvContactField, z.ZodType>)
        .strict(),
    })
    .strict(),
);
export type CsvMappingRequest = z.input<typeof csvMappingRequest>;

export const uploadParams = providerParams.extend({ upload: z.string().regex(/^up_[A-Za-z0-9_-]{20,40}$/, 'must be an upload id') }).strict();

/** The mapping as the BFF answers it: every field, null where no column is mapped. */
export const csvColumnMapping = answer(
  'CsvColumnMapping',
  z.object(Object.fromEntries(CSV_CONTACT_FIELDS.map((f) => [f, z.string().nullable()])) as Record<CsvContactField, z.ZodNullable<z.ZodString>>).strict(),
);
export type CsvColumnMapping = z.infer<typeof csvColumnMapping>;

export const csvCounts = answer(
  'CsvCounts',
  z
    .object({
      rows: count.describe('Data rows in the file.'),
      contacts: count.describe('Contacts they make (rows repeating an id or email are one contact).'),
      withoutEmail: count.describe('Rows without a usable email: listed, but cannot be invited.'),
      duplicates: count.describe("Rows repeating an earlier row's email or id."),
      ragged: count.describe('Rows with more or fewer cells than the header.'),
    })
    .strict(),
);
export type CsvCounts = z.infer<typeof csvCounts>;

/** One of the first rows of an upload as the mapping reads it. */
export const csvPreviewRow = z
  .object({
    line: count.describe('The file line the row starts on (the header is line 1).'),
    contact: directoryContact,
  })
  .strict();
export type CsvPreviewRow = z.infer<typeof csvPreviewRow>;

/** Something about the file the admin must know before confirming, in the BFF's words; `code` lets a client say it in its own. */
export const csvNotice = answer(
  'CsvNotice',
  z
    .object({
      code: z.enum(['no_email_column']).describe('no_email_column: no column is mapped to the email, so no one in the file can be invited yet.'),
      message: z.string(),
    })
    .strict(),
);
export type CsvNotice = z.infer<typeof csvNotice>;

export const csvUploadPreview = answer(
  'CsvUploadPreview',
  z
    .object({
      id: z.string(),
      expiresAt: timestamp,
      delimiter: z.enum([',', ';', '\t']),
      columns: z.array(z.string()),
      mapping: csvColumnMapping.describe('On upload, the guess from the header (email null when no column looks like one).'),
      preview: z.array(csvPreviewRow),
      counts: csvCounts,
      ragged: z.array(z.object({ line: count, cells: count }).strict()).describe('The first ragged rows, by line.'),
      notices: z.array(csvNotice).describe('What the admin must know before confirming (e.g. that no email column was found, and why one is needed).'),
    })
    .strict(),
  "The file's columns, a mapping, the first rows under it",
);
export type CsvUploadPreview = z.infer<typeof csvUploadPreview>;

export const csvUploadConfirmation = answer(
  'CsvUploadConfirmation',
  z.object({ connection: z.literal('ready'), counts: csvCounts }).strict(),
  "The mapped rows are now the organization's directory",
);
export type CsvUploadConfirmation = z.infer<typeof csvUploadConfirmation>;
