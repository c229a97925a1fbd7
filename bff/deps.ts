/** What createApp needs from its host: every dependency explicit, nothing read from globals. */
import type { KeyObject } from 'node:crypto';
import { credentialKey } from './crypto.js';
import type { Db } from './db/connect.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Logger } from './logger.js';
import type { RefreshLimits } from './services/directory/limits.js';
import type { RateLimitStore } from './rate-limit.js';
import type { MailLimits } from './services/mail-limits.js';

export interface AppConfig {
  /** Valid server-to-server keys; more than one during a rotation. */
  apiKeys: string[];
  /** Signs session tokens (and, later, derives the key that encrypts stored credentials). */
  secret: string;
  sessionTtlSeconds: number;
  inviteTtlDays: number;
  /** Where the invite email's link points; `?token=` is appended. */
  acceptUrl: string;
  /** Host origins allowed by CORS (and the only ones a sign-in popup reports back to). */
  origins: string[];
  /**
   * The BFF's own public URL (`HR_IMPORT_PUBLIC_URL`), where providers send a sign-in back:
   * `<publicUrl><basePath>/oauth/callback` is the redirect URI to register. Unset: no OAuth sign-in.
   */
  publicUrl?: string | undefined;
  /** Where the API is mounted (`/api` unless `basePath` says otherwise). */
  basePath?: string | undefined;
  /** Requests a minute before 429; defaults in bff/rate-limit.ts. */
  rateLimits?: Partial<RateLimits> | undefined;
  /** Bounds on one directory refresh; defaults in services/directory/limits.ts (DEFAULT_REFRESH_LIMITS). */
  refreshLimits?: Partial<RefreshLimits> | undefined;
  /** Resend cooldown and daily mail budgets; defaults in bff/services/mail-limits.ts. */
  mailLimits?: Partial<MailLimits> | undefined;
  /**
   * How many proxies in front of the BFF append to X-Forwarded-For (`true` = 1). The client
   * address is the entry that many places from the right: entries further left are whatever
   * the client sent, so trusting the first one would let anyone pick their own rate-limit key.
   */
  trustProxy?: boolean | number | undefined;
}

export interface RateLimits {
  /** Widget calls per session (one inviter on one target). */
  session: number;
  /** Widget calls per client address, whatever session they carry. */
  address: number;
  /** Invite acceptances per client address: tokens are unguessable, and this keeps it so. */
  accept: number;
  /** SCIM requests per token (per organization's identity provider). */
  scim: number;
}

export interface AppDeps {
  db: Db;
  config: AppConfig;
  providers: ProviderRegistry;
  logger: Logger;
  /** Where the rate limits count; this process's memory unless given (bff/rate-limit.ts). */
  rateLimitStore?: RateLimitStore | undefined;
  /** The clock, injectable so expiry can be tested without waiting. */
  now?: () => Date;
}

/** What the routes get: AppDeps with the defaults resolved once, in createApp. */
export interface RouteDeps extends AppDeps {
  now: () => Date;
  /** Seals and opens stored credentials; derived from `config.secret` once (bff/crypto.ts). */
  sealingKey: KeyObject;
}

export function resolveDeps(deps: AppDeps): RouteDeps {
  return { ...deps, now: deps.now ?? (() => new Date()), sealingKey: credentialKey(deps.config.secret) };
}

export type Env = { Variables: { requestId: string } };
