/**
 * The standalone server behind `npm start`: the BFF, the demo page and the invite accept page on
 * one port, on the embedded default (SQLite in DATA_DIR) unless DATABASE_URL says otherwise.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApp } from './app.js';
import { devSecret, type EnvConfig } from './config.js';
import { openDatabase, migrateToLatest, type Db } from './db/connect.js';
import { createProviderRegistry, csvProvider } from './providers.js';
import { loadProvidersFile } from './providers-file.js';
import { PROVIDER_CATALOG } from './provider-catalog.js';
import { demoRoutes, seedDemo } from './demo.js';
import { jsonLogger, type Logger } from './logger.js';
import { createOutboxWorker } from './mail/outbox.js';
import { transportFromConfig } from './mail/transport.js';

export interface Standalone {
  url: string;
  port: number;
  db: Db;
  apiKey: string;
  close(): Promise<void>;
}

// The built pages. From source (`npm start`): the demo build at the repo root, demo and accept
// page. From the compiled package (bff/dist/bff/ → bff/dist/public/): the accept page alone.
const PAGES_DIR = import.meta.filename.endsWith('.ts') ? resolve(import.meta.dirname, '../dist/demo') : resolve(import.meta.dirname, '../public');

export async function startStandalone(
  env: EnvConfig,
  options: { logger?: Logger; demo?: boolean; environment?: NodeJS.ProcessEnv } = {},
): Promise<Standalone> {
  const logger = options.logger ?? jsonLogger();
  // Read first: a bad providers file stops the server before it touches the database.
  const entries = loadProvidersFile(env.providersFile, options.environment ?? process.env, PROVIDER_CATALOG);
  const secret = env.secret ?? devSecret(env.dataDir);
  // No key configured means a developer's machine: make one for this run and enable the demo.
  const generatedKey = env.apiKeys.length === 0 ? `dev_${randomBytes(18).toString('base64url')}` : null;
  const apiKeys = generatedKey ? [generatedKey] : env.apiKeys;
  const demo = options.demo ?? (generatedKey !== null || process.env.HR_IMPORT_DEMO === '1');
  // The demo without a providers file shows CSV upload beside the sample directory.
  if (demo && !existsSync(env.providersFile)) entries.push(csvProvider());
  const providers = createProviderRegistry(entries);

  const db = openDatabase({ url: env.databaseUrl, sqlitePath: env.sqlitePath, onIdleError: (err) => logger.warn('database connection dropped', { error: err.message }) });
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info('migrated', { applied });
  if (demo) await seedDemo(db.kysely, new Date());
  // Every replica may run a worker: claims are leased rows in the database, not process state.
  const outbox = createOutboxWorker({ db: db.kysely, dialect: db.dialect, transport: transportFromConfig(env), from: env.mailFrom, logger });
  outbox.start(1000);

  const app = new Hono();
  let port = env.port;
  const ownOrigin = () => `http://localhost:${port}`;
  const config = {
    apiKeys,
    secret,
    sessionTtlSeconds: env.sessionTtlSeconds,
    inviteTtlDays: env.inviteTtlDays,
    trustProxy: env.trustProxy,
    get acceptUrl() {
      return env.acceptUrl ?? `${ownOrigin()}/accept`;
    },
    get publicUrl() {
      return env.publicUrl ?? ownOrigin();
    },
    get origins() {
      return env.origins.length ? env.origins : [ownOrigin(), `http://127.0.0.1:${port}`];
    },
  };
  app.route('/', createApp({ db, config, providers, logger }));
  const root = relative(process.cwd(), PAGES_DIR) || '.';
  // The invite email links to /accept unless HR_IMPORT_ACCEPT_URL points elsewhere, demo or not.
  app.get('/accept', serveStatic({ root, path: 'accept.html' }));
  app.use('/assets/*', serveStatic({ root }));
  if (demo) {
    app.route('/demo', demoRoutes(db.kysely, secret, env.sessionTtlSeconds));
    if (!existsSync(join(PAGES_DIR, 'index.html'))) logger.warn('demo page not built: run `npm run build:demo`', {});
    app.use('/*', serveStatic({ root }));
  }

  const server: ServerType = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: env.port, hostname: '0.0.0.0' }, () => ok(s));
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : env.port;
  return {
    url: ownOrigin(),
    port,
    db,
    apiKey: apiKeys[0]!,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      // The batch in flight finishes and records its outcome before the database goes.
      await outbox.stop();
      await db.close();
    },
  };
}
