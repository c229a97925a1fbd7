/**
 * The standalone server behind `npm start` and the `hr-import` bin: `createBff` on its own port,
 * with the invite accept page and, on a developer's machine, the demo page. Pages and their
 * assets are served compressed; the assets Vite names by their content hash are cached for a year.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { ConfigError, devSecret, settingsFromEnv, type BffSettings } from './config.js';
import { createBff, type Bff, type BffOptions } from './create-bff.js';
import type { Db } from './db/connect.js';
import { demoRoutes, seedDemo } from './demo.js';
import { jsonLogger, type Logger } from './logger.js';
import { errorBody } from './errors.js';

export interface Standalone {
  url: string;
  port: number;
  /** The address it listens on: loopback unless `HOST` says otherwise. */
  host: string;
  db: Db;
  apiKey: string;
  bff: Bff;
  close(): Promise<void>;
}

/** The built pages: the demo and the accept page, or the accept page alone in the package. */
function pagesDir(): string {
  // From the sources: the repository's dist/demo. From the compiled package (bff/dist/bff/): bff/dist/public.
  const candidates = [resolve(import.meta.dirname, '../dist/demo'), resolve(import.meta.dirname, '../public')];
  return candidates.find((dir) => existsSync(join(dir, 'accept.html'))) ?? candidates[0]!;
}

/** Vite's hashed file names (`index-BZ6dP1aA.js`): a new build is a new name, so they never go stale. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export async function startStandalone(
  env: NodeJS.ProcessEnv,
  options: { logger?: Logger; demo?: boolean; environment?: NodeJS.ProcessEnv; httpPolicy?: BffOptions['httpPolicy'] } = {},
): Promise<Standalone> {
  const logger = options.logger ?? jsonLogger();
  const { port: wantedPort, ...settings } = settingsFromEnv(env);
  // No key configured means a developer's machine: make one for this run and enable the demo.
  const generatedKey = settings.apiKeys?.length ? null : `dev_${randomBytes(18).toString('base64url')}`;
  // The demo's routes mint sessions without authentication, and a session reads the directories
  // of the deployment's own providers and sends invites. Beside configured keys (a real
  // deployment) that would open it to anyone who can reach it, so the demo is refused there: it
  // runs only where the key is generated for the run, a developer's machine.
  if (!generatedKey && env.HR_IMPORT_DEMO === '1') {
    throw new ConfigError(
      'HR_IMPORT_DEMO=1 hands out sessions without authentication, so it does not run beside a configured HR_IMPORT_API_KEY; unset one of the two',
    );
  }
  const demo = options.demo ?? generatedKey !== null;
  // Loopback unless told otherwise: a developer's server (with its demo) is not the network's.
  const host = env.HOST || '127.0.0.1';
  let port = wantedPort;
  const ownOrigin = () => `http://localhost:${port}`;
  const full: BffSettings = {
    ...settings,
    apiKeys: generatedKey ? [generatedKey] : settings.apiKeys!,
    secret: settings.secret ?? devSecret(settings.dataDir),
  };
  const bff = await createBff(full, {
    logger,
    environment: options.environment ?? env,
    httpPolicy: options.httpPolicy,
    // The demo without a providers file shows CSV upload beside the sample directory.
    csvUpload: demo && !settings.providers && !existsSync(resolve(settings.providersFile)),
    defaults: {
      acceptUrl: () => `${ownOrigin()}/accept`,
      publicUrl: ownOrigin,
      origins: () => [ownOrigin(), `http://127.0.0.1:${port}`],
    },
  });
  try {
    await bff.start();
    if (demo) await seedDemo(bff.db.kysely, new Date());
  } catch (err) {
    await bff.stop();
    throw err;
  }

  const pages = pagesDir();
  const root = relative(process.cwd(), pages) || '.';
  const basePath = bff.settings.basePath;
  const app = new Hono()
    // gzip (or deflate) for what the browser says it takes; the API's JSON included.
    .use('*', compress())
    .all(basePath, (c) => bff.fetch(c.req.raw))
    .all(`${basePath}/*`, (c) => bff.fetch(c.req.raw))
    .use('*', async (c, next) => {
      await next();
      if (c.res.status !== 200 || c.res.headers.has('Cache-Control')) return;
      c.header('Cache-Control', HASHED_ASSET.test(c.req.path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    });
  if (!existsSync(join(pages, 'accept.html'))) logger.warn('pages not built: run `npm run build:demo`', {});
  app.get('/accept', serveStatic({ root, path: 'accept.html' }));
  // The accept page's script and styles (and, with the demo, the demo page's).
  app.use('/assets/*', serveStatic({ root }));
  app.get('/favicon.svg', serveStatic({ root, path: 'favicon.svg' }));
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));
  if (demo) {
    app.route('/demo', demoRoutes(bff.db.kysely, full.secret, bff.settings.sessionTtlSeconds));
    app.use('/*', serveStatic({ root }));
  }
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));

  if (demo && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    logger.warn('the demo is served beyond this machine', {
      host,
      why: 'its routes hand out sessions without authentication; unset HOST, or set HR_IMPORT_API_KEY to run without the demo',
    });
  }
  let server: ServerType;
  try {
    server = await new Promise((ok, fail) => {
      const s = serve({ fetch: app.fetch, port: wantedPort, hostname: host }, () => ok(s));
      s.once('error', fail);
    });
  } catch (err) {
    await bff.stop();
    throw err;
  }
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : wantedPort;
  return {
    url: ownOrigin(),
    port,
    host: typeof address === 'object' && address ? address.address : host,
    db: bff.db,
    apiKey: full.apiKeys[0]!,
    bff,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await bff.stop();
    },
  };
}
