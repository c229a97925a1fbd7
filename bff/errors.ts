/**
 * One error type for everything the BFF refuses on purpose, and one handler that turns any
 * thrown value into `{ error: { code, message, details? } }`. Unexpected errors are logged with
 * the request id and answered with a bare 500: no stack, no internals.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ProviderError, type ProviderErrorKind } from './connectors/types.js';
import { redact } from './connectors/redact.js';
import type { Logger } from './logger.js';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Sent as Retry-After: the refusal is momentary and the same request may be tried again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Provider failures become gateway statuses the widget can act on (reconnect, retry later). */
const PROVIDER_STATUS: Record<ProviderErrorKind, ContentfulStatusCode> = {
  auth: 502,
  permission: 502,
  rate_limited: 503,
  quota_exceeded: 503,
  unavailable: 504,
  bad_response: 502,
  config: 500,
};

/**
 * The database could not take the write now (another process holds SQLite's write lock past the
 * busy timeout; PostgreSQL gave up a lock wait or chose this transaction as a deadlock victim or
 * a serialization failure). Nothing was written, and the same request may simply be sent again.
 */
export function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^SQLITE_(BUSY|LOCKED)/.test(code) || code === '40001' || code === '40P01' || code === '55P03';
}

/**
 * The database answers but refuses writes for a while: SQLite's disk is full or its file is
 * read-only; PostgreSQL is read-only (`default_transaction_read_only`, a standby: 25006) or out
 * of disk (53100). Nothing was written; reads still work, so only the writes are refused.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_FULL' || /^SQLITE_READONLY/.test(code) || code === '25006' || code === '53100';
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function handleError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (isDatabaseBusy(err)) {
      logger.warn('database busy', { requestId: c.get('requestId'), code: (err as { code?: string }).code });
      c.header('Retry-After', '1');
      return c.json(errorBody('database_busy', 'The database is busy with other writes; nothing was changed. Try again in a moment.'), 503);
    }
    if (isDatabaseUnavailable(err)) {
      logger.warn('database refuses writes', { requestId: c.get('requestId'), code: (err as { code?: string }).code });
      c.header('Retry-After', '30');
      return c.json(errorBody('database_unavailable', 'The database cannot store changes right now; nothing was changed. Try again later.'), 503);
    }
    if (err instanceof ProviderError) {
      if (err.kind === 'config') logger.error('provider configuration error', { requestId: c.get('requestId'), kind: err.kind, msg: err.message });
      const retry = err.details.retryAfterSeconds;
      if (retry !== undefined) c.header('Retry-After', String(Math.ceil(retry)));
      // Redacted as the stored refresh error is: the provider's words, without credentials or addresses.
      return c.json(errorBody(`provider_${err.kind}`, redact(err.message)), PROVIDER_STATUS[err.kind]);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
      return c.json(errorBody(code, err.message || 'Bad request'), status);
    }
    logger.error('unhandled error', { requestId: c.get('requestId'), error: err.name, msg: err.message, stack: err.stack });
    return c.json(errorBody('internal', 'Something went wrong on our side; nothing was changed.'), 500);
  };
}
