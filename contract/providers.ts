/** `GET /providers`: the deployment's HR applications and how the session's organization reaches each. */
import { z } from 'zod';
import { count, inLocales, timestamp } from './common.js';
import { answer, request } from './registry.js';

export const providerParams = z.object({ provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/) }).strict();

export const connectionState = answer('ConnectionState', z.enum(['ready', 'needs_credentials', 'error']));
export type ConnectionState = z.infer<typeof connectionState>;

export const credentialField = answer(
  'CredentialField',
  z
    .object({
      name: z.string(),
      label: z.string(),
      secret: z.boolean().describe('Shown as a password field; never sent back by the BFF.'),
      required: z.boolean(),
    })
    .strict(),
  'One credential an organization enters to connect a provider',
);
export type CredentialField = z.infer<typeof credentialField>;

export const directorySummary = answer(
  'DirectorySummary',
  z
    .object({
      syncedAt: timestamp.describe('When the cached directory was fetched.'),
      freshFor: count.describe('Seconds from this answer until it is too old to be listed without a refresh; 0 when it already is.'),
    })
    .strict(),
  'The cached directory, when there is one',
);
export type DirectorySummary = z.infer<typeof directorySummary>;

export const providerInfo = answer(
  'ProviderInfo',
  z
    .object({
      id: z.string(),
      type: z.string(),
      name: z.string(),
      names: inLocales(100)
        .optional()
        .describe("The name in other languages, by locale (the providers file's `names`): the widget shows its language's, else `name`."),
      logoUrl: z
        .string()
        .optional()
        .describe("The host's logo for this provider (the providers file's `logoUrl`: https or an image data URL), shown instead of the built-in one."),
      connection: connectionState,
      fields: z
        .array(credentialField)
        .optional()
        .describe(
          'Present only for providers each organization connects itself (the providers file leaves their credentials out): what the connect form asks. Absent when the deployment configures it.',
        ),
      oauth: z.boolean().optional().describe('True when the organization connects by signing in to the provider (OAuth popup) instead of a form.'),
      directory: directorySummary
        .optional()
        .describe(
          'The directory cached for this provider, when one is: the widget lists a fresh one at once, without first asking for its refresh state. Absent when nothing is cached yet.',
        ),
    })
    .strict(),
);
export type ProviderInfo = z.infer<typeof providerInfo>;

export const providerList = answer('ProviderList', z.object({ items: z.array(providerInfo) }).strict());
export type ProviderList = z.infer<typeof providerList>;

/**
 * `GET|POST /providers/:provider/refresh`: the directory cache's refresh. `idle` before the
 * first one; `syncing` while pages are fetched (`fetched` so far, `total` when the provider tells
 * it); `ready` once the contacts can be listed; `error` with the provider's own message.
 */
export const refreshStatus = answer(
  'RefreshStatus',
  z
    .object({
      status: z.enum(['idle', 'syncing', 'ready', 'error']),
      fetched: count,
      total: count.nullable(),
      syncedAt: timestamp.nullable().describe('When the directory now served was fetched; null before the first refresh ended.'),
      stale: z.boolean().describe("True when the directory served is older than the provider's cache lifetime, or missing."),
      error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    })
    .strict(),
);
export type RefreshStatus = z.infer<typeof refreshStatus>;

/**
 * Body of `POST /providers/:provider/refresh`, which may also come without one. A fresh directory
 * is refreshed only when `force` is true (the Refresh button, an admin's action), and then at most
 * once a minute per connection: the provider's quota may be shared by every tenant.
 */
export const refreshRequest = request(
  'RefreshRequest',
  z.object({ force: z.boolean().optional().describe('Refresh even a fresh directory (at most once a minute per connection).') }).strict(),
);
export type RefreshRequest = z.input<typeof refreshRequest>;
