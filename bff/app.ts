/**
 * createApp(deps): the BFF's routes as one Hono app under its base path (`/api` by default).
 * Everything it does stays under that path: its middleware (request id, secure headers, logging,
 * CORS, limits) never runs on a host's own routes, and every other path it is asked for gets the
 * JSON 404. Hosts use `createBff(settings)` (bff/create-bff.ts), which adds the workers.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { requestId } from 'hono/request-id';
import { resolveDeps, type AppDeps, type Env } from './deps.js';
import { AppError, errorBody, handleError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { sessionsRoutes } from './routes/sessions.js';
import { targetsRoutes } from './routes/targets.js';
import { importKeyGuard } from './routes/imports.js';
import { acceptRoutes } from './routes/invites.js';
import { widgetRoutes } from './routes/widget.js';
import { oauthCallbackRoutes } from './routes/oauth.js';
import { eventsRoutes } from './routes/events.js';
import { privacyRoutes } from './routes/privacy.js';
import { organizationsRoutes } from './routes/organizations.js';
import { scimRoutes } from './routes/scim.js';
import { targetSyncRoutes } from './routes/sync.js';
import { acceptLimits, MemoryRateLimitStore, rateLimit, widgetLimits } from './rate-limit.js';
import { openApiDocument } from './openapi.js';
import { hostCors } from './cors.js';

/** An import of 100,000 ids with per-contact roles fits; anything bigger is not a real request. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A CSV upload's body is the file itself, with its own size limit (routes/uploads.ts). */
const isCsvUpload = (c: Context) => c.req.method === 'POST' && /\/providers\/[^/]+\/uploads\/?$/.test(c.req.path);

/**
 * Whether a request carries a body. Without Content-Length (a `curl -X POST` of a resend, a
 * chunked body) the stream is there either way, so it is read (under the body limit, and kept
 * for the route) to see whether it holds anything.
 */
async function hasBody(c: Context): Promise<boolean> {
  const length = c.req.header('Content-Length');
  if (length !== undefined) return length.trim() !== '0';
  if (!c.req.raw.body) return false;
  return (await c.req.arrayBuffer()).byteLength > 0;
}

export function createApp(input: AppDeps) {
  // The clock and the sealing key, resolved once for every route.
  const deps = resolveDeps(input);
  const basePath = deps.config.basePath ?? '/api';
  // Built on its first request: converting every schema costs ~10 ms, at every app start.
  let document: ReturnType<typeof openApiDocument> | undefined;
  // One store for both limiters: their keys carry the limit's name.
  const limitStore = deps.rateLimitStore ?? new MemoryRateLimitStore();
  const widgetLimiter = rateLimit(deps, limitStore, ...widgetLimits(deps));
  const acceptLimiter = rateLimit(deps, limitStore, ...acceptLimits(deps));
  const jsonBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024 / 1024} MB.`);
    },
  });
  // SCIM speaks its own protocol (routes/scim.ts): its body type, size limit and error bodies.
  const scimPath = `${basePath}/scim/v2`;
  const isScim = (c: Context) => c.req.path === scimPath || c.req.path.startsWith(`${scimPath}/`);
  const ownBody = (c: Context) => isCsvUpload(c) || isScim(c);
  const api = new Hono<Env>()
    .use('*', hostCors(deps.config.origins))
    // A GET or HEAD has no body to limit. Asked anyway, the Node adapter would build the full
    // fetch Request (an AbortController, a copy of the headers) for every read: 10–15% of a kept
    // search's CPU under load (bench/load.ts).
    .use('*', (c, next) => (ownBody(c) || c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : jsonBodyLimit(c, next)))
    .use('*', async (c, next) => {
      // Every other body this API reads is JSON; say so clearly instead of failing on an empty object.
      if (!ownBody(c) && ['POST', 'PUT', 'PATCH'].includes(c.req.method) && (await hasBody(c))) {
        const type = c.req.header('Content-Type') ?? '';
        if (!/^application\/json\s*(;|$)/i.test(type)) throw new AppError(415, 'unsupported_media_type', 'Send the request body as application/json.');
      }
      await next();
    })
    // Ahead of the limiter and the session auth (routes/imports.ts says why).
    .use('/imports', importKeyGuard(deps))
    // The accept page asks both; one budget per address, so guessing tokens costs the same either
    // way. Mounted before the widget's invites, whose session auth their answer never reaches.
    .use('/invites/accept', acceptLimiter)
    .use('/invites/lookup', acceptLimiter)
    .route('/invites', acceptRoutes(deps))
    .route('/health', healthRoutes(deps))
    .get('/openapi.json', (c) => c.json((document ??= openApiDocument({ basePath }))))
    .route('/sessions', sessionsRoutes(deps))
    .route('/targets', targetsRoutes(deps))
    .route('/targets', targetSyncRoutes(deps))
    .route('/oauth', oauthCallbackRoutes(deps))
    .route('/events', eventsRoutes(deps))
    .route('/privacy', privacyRoutes(deps))
    .route('/organizations', organizationsRoutes(deps))
    .route('/scim/v2', scimRoutes(deps, limitStore))
    // Session, providers, imports, invites, sync rules and updates: the widget's own routes.
    .route('/', widgetRoutes(deps, widgetLimiter));

  const app = new Hono<Env>()
    .use(`${basePath}/*`, requestId())
    // Pages served here (the demo, the accept page) may open the OAuth sign-in popup, which must
    // keep its opener to report back; a handler's own header wins (the callback page's).
    .use(`${basePath}/*`, secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginOpenerPolicy: 'same-origin-allow-popups', overwrite: false }))
    .use(`${basePath}/*`, async (c, next) => {
      const started = performance.now();
      await next();
      deps.logger.info('request', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.routePath,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      });
    })
    .route(basePath, api);
  app.onError(handleError(deps.logger));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), 404));
  return app;
}

export type AppType = ReturnType<typeof createApp>;
