/**
 * CSV uploads for a CSV provider, the fallback when no integration exists. Mounted by
 * providersRoutes at `/:provider/uploads`, behind its session auth: the session's organization
 * owns the upload and, once confirmed, the directory it becomes.
 *
 * - `POST /` with the file as the body (`text/csv`): `201` with the columns, a guessed mapping,
 *   the first rows under it and the counts
 * - `POST /:upload/preview` `{ mapping }`: the same under another mapping
 * - `POST /:upload/confirm` `{ mapping }`: the mapped rows become the organization's directory
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import { csvMappingRequest, providerParams, uploadParams, type CsvUploadConfirmation, type CsvUploadPreview } from '../../contract/index.js';
import { AppError } from '../errors.js';
import { getProvider } from '../providers/registry.js';
import { CSV_MAX_BYTES, confirmUpload, createUpload, previewUpload, uploadProvider } from '../services/csv-uploads.js';
import { validate } from '../validate.js';

/** What browsers and spreadsheets label a CSV file with (Windows says Excel for any .csv). */
const CSV_TYPES = /^(text\/csv|text\/plain|text\/tab-separated-values|application\/csv|application\/vnd\.ms-excel)\s*(;|$)/i;

export const uploadsRoutes = ({ db, providers, now }: RouteDeps) => {
  const deps = { db: db.kysely, now };
  return new Hono<SessionEnv>()
    .post(
      '/',
      validate('param', providerParams),
      async (c, next) => {
        // Refused before the body is read: a file for a provider that takes none is never buffered.
        uploadProvider(getProvider(providers, c.req.valid('param').provider));
        if (!CSV_TYPES.test(c.req.header('Content-Type') ?? ''))
          throw new AppError(415, 'unsupported_media_type', 'Send the CSV file itself as the body, with Content-Type: text/csv.');
        await next();
      },
      bodyLimit({
        maxSize: CSV_MAX_BYTES,
        onError: () => {
          throw new AppError(413, 'payload_too_large', `CSV files are limited to ${CSV_MAX_BYTES / 1024 / 1024} MB.`);
        },
      }),
      async (c) => {
        const entry = getProvider(providers, c.req.valid('param').provider);
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        const session = c.get('session');
        return c.json((await createUpload(deps, entry, session.target, session.inviter.id, bytes)) satisfies CsvUploadPreview, 201);
      },
    )
    .post('/:upload/preview', validate('param', uploadParams), validate('json', csvMappingRequest), async (c) => {
      const { provider, upload } = c.req.valid('param');
      return c.json(
        (await previewUpload(deps, getProvider(providers, provider), c.get('session').target, upload, c.req.valid('json'))) satisfies CsvUploadPreview,
      );
    })
    .post('/:upload/confirm', validate('param', uploadParams), validate('json', csvMappingRequest), async (c) => {
      const { provider, upload } = c.req.valid('param');
      return c.json(
        (await confirmUpload(deps, getProvider(providers, provider), c.get('session').target, upload, c.req.valid('json'))) satisfies CsvUploadConfirmation,
      );
    });
};
