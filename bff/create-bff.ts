/**
 * The whole BFF in one call, for a host's own server: `createBff(settings)` (or
 * `createBffFromEnv(process.env)`) gives a `fetch` for fetch-style servers (Hono, Bun, Deno),
 * a `nodeHandler` for node:http, Express and Fastify, and `start()`/`stop()` for the work that
 * runs beside the requests: migrations, the invite mail outbox, invite reminders, directory
 * refreshes and the signed events (webhooks) for the host.
 */
import { credentialKey } from './crypto.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import type { AppConfig } from './deps.js';
import { ConfigError, ENVIRONMENT, parseSettings, settingsFromEnv, sqlitePathOf, type BffSettings, type ResolvedSettings } from './config.js';
import { migrateToLatest, openDatabase, type Db } from './db/connect.js';
import type { HttpPolicy } from './connectors/http.js';
import { createProviderRegistry, csvProvider, type ProviderRegistry } from './providers/registry.js';
import { inlineProviders, loadProvidersFile } from './providers/file.js';
import { PROVIDER_CATALOG } from './providers/catalog.js';
import { jsonLogger, type Logger } from './logger.js';
import { createOutboxWorker } from './mail/outbox.js';
import { fileTransport, smtpTransport, type MailTransport } from './mail/transport.js';
import { stopRefreshes } from './services/directory/refresh.js';
import { createWebhookWorker } from './webhooks/worker.js';
import { createRetentionWorker, RETENTION_INTERVAL_MS } from './services/retention.js';
import { createReminderWorker, REMINDER_INTERVAL_MS } from './services/reminders.js';
import { mailLimitsOf } from './services/mail-limits.js';
import { openApiDocument } from './openapi.js';
import { rateLimitStoreFor } from './rate-limit.js';
import { awaitSyncRuns, createSyncWorker } from './services/sync/runner.js';

export { ConfigError, type BffSettings } from './config.js';

export interface BffOptions {
  /** Where log lines go; JSON lines on stdout by default. Lines carry ids and counts, never personal data. */
  logger?: Logger | undefined;
  /** Where `{ "env": "NAME" }` in the providers file is read from; `process.env` by default. */
  environment?: NodeJS.ProcessEnv | undefined;
  /** Mail goes here instead of `smtpUrl` (tests, or a host with its own mailer). */
  transport?: MailTransport | undefined;
  /** Offer CSV upload even where no providers file lists it (the demo). */
  csvUpload?: boolean | undefined;
  /**
   * Defaults only known once a server listens (the standalone server on port 0): read per
   * request, used where the settings leave `acceptUrl`, `publicUrl` or `origins` unset.
   */
  defaults?: { acceptUrl?: () => string; publicUrl?: () => string; origins?: () => string[] } | undefined;
  /** Interval of the background workers; 1 s by default. */
  pollMs?: number | undefined;
  /** The connectors' retry policy over the default (tests shorten its waits). */
  httpPolicy?: Partial<HttpPolicy> | undefined;
}

/** How often the sync runner looks for a due rule: schedules are counted in hours. */
const SYNC_POLL_MS = 30_000;

/** A node:http style request as Express and Fastify hand it on, with what their body parsers leave behind. */
type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown; rawBody?: unknown };

export interface Bff {
  /** Answers a request under `basePath` (and the JSON 404 elsewhere). */
  fetch(request: Request): Promise<Response>;
  /**
   * node:http, Express and Fastify. With `next`, requests outside `basePath` are handed on
   * untouched; without it they get the JSON 404.
   */
  nodeHandler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): Promise<void>;
  /** Whether a URL (path and query) is the BFF's: under `basePath`. */
  owns(url: string): boolean;
  /** Migrates the database, then starts the outbox, webhook, retention and reminder workers. Call once before serving. */
  start(): Promise<void>;
  /** Stops the workers, waits for the work in flight, closes the database. */
  stop(): Promise<void>;
  /** The OpenAPI document, as served at `<basePath>/openapi.json`. */
  openapi: object;
  /** The validated settings, defaults filled in. */
  settings: Readonly<ResolvedSettings>;
  /** The database connection (for tests and tools that share it). */
  db: Db;
}

export async function createBff(settings: BffSettings, options: BffOptions = {}): Promise<Bff> {
  const resolved = parseSettings(settings);
  const logger = options.logger ?? jsonLogger();
  const environment = options.environment ?? process.env;
  // Read before the database is opened: a bad providers list stops here and touches nothing.
  const entries = resolved.providers
    ? inlineProviders(resolved.providers, environment, PROVIDER_CATALOG, options)
    : loadProvidersFile(resolved.providersFile, environment, PROVIDER_CATALOG, options);
  if (options.csvUpload && !entries.some((e) => e.configuredBy === 'upload')) entries.push(csvProvider());
  const providers: ProviderRegistry = createProviderRegistry(entries);
  const defaults = options.defaults ?? {};
  if (!resolved.acceptUrl && !defaults.acceptUrl && !resolved.publicUrl) {
    throw new ConfigError("invalid settings: acceptUrl must be set: the page of your app where invitees accept (the invite email's link)");
  }

  const db = openDatabase({
    url: resolved.databaseUrl,
    poolSize: resolved.databasePoolSize,
    sqlitePath: sqlitePathOf(resolved.dataDir),
    onIdleError: (err) => logger.warn('database connection dropped', { error: err.message }),
  });
  const config: AppConfig = {
    apiKeys: resolved.apiKeys,
    secret: resolved.secret,
    sessionTtlSeconds: resolved.sessionTtlSeconds,
    inviteTtlDays: resolved.inviteTtlDays,
    trustProxy: resolved.trustProxy,
    rateLimits: resolved.rateLimits,
    refreshLimits: resolved.refreshLimits,
    mailLimits: resolved.mailLimits,
    basePath: resolved.basePath,
    get acceptUrl() {
      return resolved.acceptUrl ?? defaults.acceptUrl?.() ?? `${resolved.publicUrl}/accept`;
    },
    get publicUrl() {
      return resolved.publicUrl ?? defaults.publicUrl?.();
    },
    get origins() {
      return resolved.origins.length ? resolved.origins : (defaults.origins?.() ?? []);
    },
  };
  const rateLimitStore = rateLimitStoreFor(resolved.rateLimitStore);
  const app = createApp({ db, config, providers, logger, rateLimitStore });
  const outbox = createOutboxWorker({
    db: db.kysely,
    dialect: db.dialect,
    transport: options.transport ?? (resolved.smtpUrl ? smtpTransport(resolved.smtpUrl) : fileTransport(join(resolved.dataDir, 'outbox'))),
    from: resolved.mailFrom,
    logger,
  });
  // Runs with no endpoint too: it also records `invite.expired`, which GET /api/events lists.
  const webhooks = createWebhookWorker({
    db: db.kysely,
    dialect: db.dialect,
    endpoints: resolved.webhooks,
    allowPrivate: resolved.webhooksAllowPrivate,
    logger,
  });
  // Deletes personal data whose retention period has passed (settings.retention).
  const retention = createRetentionWorker({ db: db.kysely, retention: resolved.retention, logger });
  // Runs each sync rule when it is due (services/sync/runner.ts): a lease per rule, so every replica may run it.
  const sync = createSyncWorker({ db: db.kysely, config, providers, now: () => new Date(), logger, sealingKey: credentialKey(config.secret) });
  // One reminder mail before an invite expires (settings.reminderDaysBeforeExpiry, per target too).
  const reminders = createReminderWorker({
    db: db.kysely,
    defaultDays: resolved.reminderDaysBeforeExpiry,
    acceptUrl: () => config.acceptUrl,
    mailLimits: mailLimitsOf(resolved.mailLimits),
    logger,
  });
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const owns = (url: string) => url === resolved.basePath || url.startsWith(`${resolved.basePath}/`) || url.startsWith(`${resolved.basePath}?`);
  let state: 'new' | 'started' | 'stopped' = 'new';
  let stopping: Promise<void> | undefined;

  return {
    fetch: async (request) => app.fetch(request),
    owns,
    async nodeHandler(incoming, res, next) {
      const req = incoming as NodeRequest;
      // Express strips the mount path from `url` and keeps the whole one in `originalUrl`.
      const url = req.originalUrl ?? req.url ?? '/';
      if (next && !owns(url)) return next();
      req.url = url;
      if (!adoptParsedBody(req)) {
        res.writeHead(400, { 'Content-Type': 'application/json; charset=UTF-8' }).end(JSON.stringify(BODY_ALREADY_READ));
        return;
      }
      await listener(req, res);
    },
    async start() {
      if (state !== 'new') throw new Error(state === 'started' ? 'createBff: start() was already called' : 'createBff: start() after stop()');
      state = 'started';
      const applied = await migrateToLatest(db);
      if (applied.length) logger.info('migrated', { applied });
      // Every replica may run the workers: claims are leased rows in the database, not process state.
      outbox.start(options.pollMs ?? 1000);
      webhooks.start(options.pollMs ?? 1000);
      retention.start(RETENTION_INTERVAL_MS);
      sync.start(SYNC_POLL_MS);
      reminders.start(REMINDER_INTERVAL_MS);
    },
    stop() {
      stopping ??= (async () => {
        const wasStarted = state === 'started';
        state = 'stopped';
        // The batch in flight finishes and records its outcome before the database goes.
        const workers = wasStarted ? Promise.all([outbox.stop(), webhooks.stop(), retention.stop(), sync.stop(), reminders.stop()]) : Promise.resolve();
        // A sync run waiting on its refresh stops with it, and records that before the database goes.
        await stopRefreshes(db.kysely);
        await workers;
        await awaitSyncRuns(db.kysely);
        await rateLimitStore.close();
        await db.close();
      })();
      return stopping;
    },
    openapi: openApiDocument({ basePath: resolved.basePath }),
    settings: resolved,
    db,
  };
}

/**
 * The same BFF from environment variables (HR_IMPORT_API_KEY, HR_IMPORT_SECRET, DATABASE_URL, …;
 * the table in docs/operations.md), through the same rules: an error names the variable.
 */
export async function createBffFromEnv(env: NodeJS.ProcessEnv = process.env, options: BffOptions = {}): Promise<Bff> {
  const { port: _port, ...settings } = settingsFromEnv(env);
  try {
    return await createBff({ ...settings, apiKeys: settings.apiKeys ?? [], secret: settings.secret ?? '' }, { environment: env, ...options });
  } catch (err) {
    // Required settings left unset: name the variable, not the setting.
    if (err instanceof ConfigError && /^invalid settings: (apiKeys|secret|acceptUrl) /.test(err.message)) {
      const [, name] = /^invalid settings: (\w+)/.exec(err.message)!;
      throw new ConfigError(err.message.replace(/^invalid settings: \w+/, `invalid environment: ${ENVIRONMENT[name as 'apiKeys' | 'secret' | 'acceptUrl']}`));
    }
    throw err;
  }
}

/**
 * A body parser in front of the BFF (`app.use(express.json())`, the usual first line of an
 * Express app) has already read the request's stream. What it kept is handed on as the body:
 * the raw bytes where the parser kept them, else the text or the JSON it parsed, re-encoded.
 */
function adoptParsedBody(req: NodeRequest): boolean {
  if (!req.readableEnded || req.method === 'GET' || req.method === 'HEAD') return true;
  let bytes: Buffer | undefined;
  if (Buffer.isBuffer(req.rawBody)) bytes = req.rawBody;
  else if (Buffer.isBuffer(req.body)) bytes = req.body;
  else if (typeof req.body === 'string') bytes = Buffer.from(req.body);
  else if (req.body !== undefined && /json/i.test(req.headers['content-type'] ?? '')) bytes = Buffer.from(JSON.stringify(req.body));
  // Read and kept nowhere we can find: better a clear error than a request with its body missing.
  if (!bytes) return Number(req.headers['content-length'] ?? 0) === 0 && !req.headers['transfer-encoding'];
  // @hono/node-server reads `rawBody` when the stream is gone (as on Google Cloud Functions).
  req.rawBody = bytes;
  req.headers['content-length'] = String(bytes.length);
  delete req.headers['transfer-encoding'];
  return true;
}

const BODY_ALREADY_READ = {
  error: {
    code: 'body_already_read',
    message:
      "A body parser in front of hr-import read this request's body and kept it nowhere hr-import can find it. Mount hr-import's handler before the parser (e.g. before app.use(express.urlencoded())), or let the parser keep the raw body as req.rawBody.",
  },
};
