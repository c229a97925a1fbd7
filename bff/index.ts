/**
 * @hr-import/bff: what a host server needs to run the BFF. This file is the package's only
 * entry: everything else under bff/ is internal and may change between versions.
 */
export { createBff, createBffFromEnv, type Bff, type BffOptions } from './create-bff.js';
export { ConfigError, settingsSchema, type BffSettings, type ResolvedSettings, type WebhookEndpoint } from './config.js';
export { createHostClient, HostApiError, type HostClient, type HostClientOptions } from './client.js';
export type { Event, EventBody, EventList, EventType, ImportEventData, InviteEventData } from '../contract/events.js';
export { migrations } from '../migrations/index.js';
export { jsonLogger, silentLogger, type Logger } from './logger.js';
export type { MailMessage, MailTransport } from './mail/transport.js';
