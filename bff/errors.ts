/**
 * One error type for everything the BFF refuses on purpose, and one handler that turns any
 * thrown value into `{ error: { code, message, details? } }`. Unexpected errors are logged with
 * the request id and answered with a bare 500: no stack, no internals.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ProviderError, type ProviderErrorKind } from './connectors/types.js';
import type { Logger } from './logger.js';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
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

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function handleError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, err.details), err.status);
    if (err instanceof ProviderError) {
      if (err.kind === 'config') logger.error('provider configuration error', { requestId: c.get('requestId'), kind: err.kind, msg: err.message });
      const retry = err.details.retryAfterSeconds;
      if (retry !== undefined) c.header('Retry-After', String(Math.ceil(retry)));
      return c.json(errorBody(`provider_${err.kind}`, err.message), PROVIDER_STATUS[err.kind]);
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
