/**
 * The SCIM 2.0 service provider, `<basePath>/scim/v2` (RFC 7644), where an organization's identity
 * provider pushes its people with the organization's bearer token (services/scim-tokens.ts). Its
 * own middleware and error handler: bodies are `application/scim+json` (or JSON), answers are too,
 * and every refusal is a SCIM error body, never the BFF's `{ error }`.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppConfig, RouteDeps } from '../deps.js';
import { AppError, isDatabaseBusy, isDatabaseUnavailable } from '../errors.js';
import { bearer } from '../auth/api-key.js';
import type { Logger } from '../logger.js';
import { rateLimit, scimLimits, type RateLimitStore } from '../rate-limit.js';
import { scimProviderOf } from '../providers/registry.js';
import { DEFAULT_REFRESH_LIMITS } from '../services/directory/limits.js';
import { authenticateScimToken } from '../services/scim-tokens.js';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser, scimDirectory, type ScimDirectory } from '../services/scim.js';
import { ScimError } from '../services/scim-protocol.js';
import { SCIM_ERROR_SCHEMA, SCIM_LIST_SCHEMA, type ScimErrorBody } from '../../contract/index.js';
import { SCIM_RESOURCE_TYPES, SCIM_SCHEMAS, serviceProviderConfig } from '../services/scim-schemas.js';

/** A person is a few KB of SCIM; a PATCH of a hundred operations stays far below this. */
export const SCIM_MAX_BODY_BYTES = 256 * 1024;

type ScimEnv = { Variables: { requestId: string; directory: ScimDirectory } };

/** The SCIM base URL the identity provider is given: the BFF's public URL where set, else this request's origin. */
export function scimBaseUrl(c: Context, config: AppConfig): string {
  const origin = config.publicUrl?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
  return `${origin}${config.basePath ?? '/api'}/scim/v2`;
}

function scimJson(c: Context, body: unknown, status: 200 | 201 = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/scim+json; charset=utf-8', ...headers });
}

function errorResponse(c: Context, status: number, detail: string, scimType?: ScimErrorBody['scimType'], retryAfterSeconds?: number): Response {
  const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
  const headers: Record<string, string> = { 'Content-Type': 'application/scim+json; charset=utf-8' };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="hr-import SCIM"';
  return c.body(JSON.stringify(body), status as 400, headers);
}

/** Every refusal as RFC 7644 §3.12 says; unexpected errors logged with the request id, answered without internals. */
function scimErrors(logger: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ScimError) return errorResponse(c, err.status, err.message, err.scimType, err.retryAfterSeconds);
    if (err instanceof AppError) return errorResponse(c, err.status, err.message, undefined, err.retryAfterSeconds);
    if (isDatabaseBusy(err)) return errorResponse(c, 503, 'The database is busy with other writes; nothing was changed. Try again in a moment.', undefined, 1);
    if (isDatabaseUnavailable(err))
      return errorResponse(c, 503, 'The database cannot store changes right now; nothing was changed. Try again later.', undefined, 30);
    if (err instanceof HTTPException) return errorResponse(c, err.status, err.message || 'Bad request');
    logger.error('unhandled error', { requestId: c.get('requestId'), error: err.name, msg: err.message, stack: err.stack });
    return errorResponse(c, 500, 'Something went wrong on our side; nothing was changed.');
  };
}

/** The request's JSON body: `application/scim+json` or `application/json` (or no type at all), else 415/400. */
async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type');
  if (type !== undefined && !/^application\/(scim\+)?json\s*(;|$)/i.test(type)) throw new ScimError(415, 'Send the body as application/scim+json.');
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ScimError(400, 'The body is not JSON.', 'invalidSyntax');
  }
}

export const scimRoutes = (deps: RouteDeps, limitStore: RateLimitStore) => {
  const { db, config, providers, logger, now } = deps;
  const provider = scimProviderOf(providers);
  const maxUsers = { ...DEFAULT_REFRESH_LIMITS, ...config.refreshLimits }.contacts;
  const authenticate = createMiddleware<ScimEnv>(async (c, next) => {
    if (!provider) throw new ScimError(404, 'SCIM is not enabled on this deployment: its providers list has no scim provider.');
    const token = bearer(c.req.header('Authorization'));
    if (!token) throw new ScimError(401, "Send the organization's SCIM token: Authorization: Bearer <token>.");
    const found = await authenticateScimToken(db.kysely, token);
    if (!found) throw new ScimError(401, 'The SCIM token is not valid (revoked, replaced by a newer one, or mistyped).');
    c.set('directory', scimDirectory(provider.id, found.scope, scimBaseUrl(c, config), maxUsers, provider.storagePolicy));
    await next();
  });
  const app = new Hono<ScimEnv>()
    // Counted first, per token, so a flood of bad requests is limited too.
    .use('*', rateLimit(deps, limitStore, ...scimLimits()))
    .use(
      '*',
      bodyLimit({
        maxSize: SCIM_MAX_BODY_BYTES,
        onError: () => {
          throw new ScimError(413, `Request bodies are limited to ${SCIM_MAX_BODY_BYTES / 1024} KB.`);
        },
      }),
    )
    .use('*', authenticate)
    .get('/ServiceProviderConfig', (c) => scimJson(c, serviceProviderConfig(scimBaseUrl(c, config))))
    .get('/Schemas', (c) =>
      scimJson(c, {
        schemas: [SCIM_LIST_SCHEMA],
        totalResults: SCIM_SCHEMAS.length,
        startIndex: 1,
        itemsPerPage: SCIM_SCHEMAS.length,
        Resources: SCIM_SCHEMAS,
      }),
    )
    .get('/ResourceTypes', (c) =>
      scimJson(c, {
        schemas: [SCIM_LIST_SCHEMA],
        totalResults: SCIM_RESOURCE_TYPES.length,
        startIndex: 1,
        itemsPerPage: SCIM_RESOURCE_TYPES.length,
        Resources: SCIM_RESOURCE_TYPES,
      }),
    )
    .get('/Users', async (c) =>
      scimJson(
        c,
        await listUsers(db.kysely, c.get('directory'), { filter: c.req.query('filter'), startIndex: c.req.query('startIndex'), count: c.req.query('count') }),
      ),
    )
    .post('/Users', async (c) => {
      const user = await createUser(db.kysely, c.get('directory'), await readBody(c), now());
      const meta = user.meta as { location: string; version: string };
      return scimJson(c, user, 201, { Location: meta.location, ETag: meta.version });
    })
    .get('/Users/:id', async (c) => {
      const user = await getUser(db.kysely, c.get('directory'), c.req.param('id'));
      return scimJson(c, user, 200, { ETag: (user.meta as { version: string }).version });
    })
    .put('/Users/:id', async (c) => {
      const user = await replaceUser(db.kysely, c.get('directory'), c.req.param('id'), await readBody(c), now());
      return scimJson(c, user, 200, { ETag: (user.meta as { version: string }).version });
    })
    .patch('/Users/:id', async (c) => {
      const user = await patchUser(db.kysely, c.get('directory'), c.req.param('id'), await readBody(c), now());
      return scimJson(c, user, 200, { ETag: (user.meta as { version: string }).version });
    })
    .delete('/Users/:id', async (c) => {
      await deleteUser(db.kysely, c.get('directory'), c.req.param('id'), now());
      return c.body(null, 204);
    })
    // No Groups (ServiceProviderConfig and ResourceTypes list none): an empty list, so the
    // connection tests and group imports Okta and Entra may run find nothing rather than fail.
    .get('/Groups', (c) => scimJson(c, { schemas: [SCIM_LIST_SCHEMA], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] }))
    .all('/Groups/*', (c) => {
      if (c.req.method === 'GET') throw new ScimError(404, 'No such group: hr-import keeps users only.');
      throw new ScimError(501, 'Groups are not supported: hr-import keeps users only (see /ServiceProviderConfig).');
    })
    .all('*', (c) => {
      throw new ScimError(404, `No SCIM resource at ${c.req.method} ${new URL(c.req.url).pathname}.`);
    });
  app.onError(scimErrors(logger));
  return app;
};
