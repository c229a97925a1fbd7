/**
 * The BFF contract, written once: request schemas checked at the edge and the answers the
 * routes give, one file per resource. Types are inferred from the schemas; the OpenAPI document
 * (bff/openapi.ts) is generated from them, and the widget's and host client's types from it.
 */
export * from './common.js';
export * from './errors.js';
export * from './health.js';
export * from './sessions.js';
export * from './session.js';
export * from './targets.js';
export * from './providers.js';
export * from './connections.js';
export * from './contacts.js';
export * from './imports.js';
export * from './invites.js';
export * from './uploads.js';
export * from './oauth.js';
export * from './events.js';
export * from './privacy.js';
export * from './scim.js';
export * from './sync.js';
