/**
 * @hr-import/bff: what a host server needs to run the BFF. This file is the package's only
 * entry: everything else under bff/ is internal and may change between versions.
 */
export { createApp, type AppType } from './app.js';
export type { AppConfig, AppDeps, RateLimits } from './deps.js';
export { ConfigError, loadEnvConfig, type EnvConfig } from './config.js';
export { openDatabase, migrateToLatest, type Db, type DatabaseOptions, type Dialect } from './db/connect.js';
export { migrations } from '../migrations/index.js';
export {
  createProviderRegistry,
  csvProvider,
  sampleProvider,
  type DeploymentProvider,
  type OAuthClient,
  type OrganizationProvider,
  type ProviderEntry,
  type ProviderRegistry,
  type UploadProvider,
} from './providers.js';
export { loadProvidersFile } from './providers-file.js';
export { PROVIDER_CATALOG } from './provider-catalog.js';
export { createOutboxWorker, type OutboxWorkerOptions } from './mail/outbox.js';
export { fileTransport, smtpTransport, transportFromConfig, type MailMessage, type MailTransport } from './mail/transport.js';
export { jsonLogger, silentLogger, type Logger } from './logger.js';
