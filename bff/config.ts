/**
 * The BFF's settings, validated once: `createBff(settings)` takes them as a typed object and
 * `createBffFromEnv(env)` reads the same settings from environment variables, through the same
 * rules, so a value one path refuses the other refuses too. A bad value stops with one line that
 * names the setting (or its variable); nothing here is ever logged with its value.
 */
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RateLimits } from './deps.js';
import { ensurePrivateDir, tightenPrivateFile } from './private-files.js';
import { webhookEndpointSchemaFor, webhookSecretSchema } from './webhooks/worker.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const origin = z.string().regex(/^https?:\/\/[^/]+$/, 'must be origins like https://app.example.com');

/** A receiver of signed events (Standard Webhooks): where to POST and the `whsec_` secret to sign with. */
const webhookEndpoint = z.strictObject({ url: z.string().max(2000), secret: webhookSecretSchema });
export type { WebhookEndpoint } from './webhooks/worker.js';

const days = (min: number, fallback: number) => z.number().int().min(min).max(3650).default(fallback);

/**
 * How long personal data is kept: the one place that says so. The retention worker
 * (bff/services/retention.ts) enforces each period every hour; docs/security.md "Personal data" explains them.
 */
export const retentionSchema = z
  .strictObject({
    /** A provider's cached directory nobody listed or imported from for this long is purged. */
    directoryUnusedDays: days(1, 30),
    /** Accepted, revoked and long-expired invites (with their mail rows), and imports left without invites. */
    inviteHistoryDays: days(1, 365),
    /** Audit trail entries (ids and counts only). */
    auditDays: days(1, 365),
    /** Events (GET /api/events, webhooks) and their finished deliveries; above the 3 days a delivery is retried. */
    eventLogDays: days(4, 30),
  })
  .prefault({});
export type RetentionSettings = z.output<typeof retentionSchema>;

/**
 * Each setting once, with its rule. The messages read after the setting's name:
 * "apiKeys every key must be at least 16 characters".
 */
const settingsShape = z
  .object({
    /** Server-to-server keys; more than one during a rotation. */
    apiKeys: z.array(z.string().min(16, 'every key must be at least 16 characters')).min(1, 'must name at least one key'),
    /** Signs session tokens and derives the key that encrypts stored credentials. */
    secret: z.string().min(32, 'must be at least 32 characters'),
    /** `postgres://…` for PostgreSQL; unset for the embedded SQLite file in `dataDir`. */
    databaseUrl: z
      .string()
      .refine((u) => /^(postgres(ql)?:\/\/|file:|sqlite:)/.test(u), 'must start with postgres:// (or be unset for SQLite)')
      .optional(),
    /**
     * PostgreSQL connections each process keeps at most. Replicas × this must stay under the
     * server's `max_connections` (100 by default) with room for migrations and psql: docs/operations.md.
     */
    databasePoolSize: z.number().int().min(1).max(500).default(10),
    /** Where the SQLite file, the generated development secret and mail files (without SMTP) live. */
    dataDir: z.string().min(1).default('./data'),
    /** The providers file (JSON `{ "providers": [...] }`); ignored when `providers` is given. */
    providersFile: z.string().min(1).default('./hr-import.config.json'),
    /** The providers file's list, inline. Credentials may be literals here: the host's code chose them. */
    providers: z.array(z.unknown()).optional(),
    /** Host origins allowed by CORS (and the only ones a sign-in popup reports back to). */
    origins: z.array(origin).default([]),
    /** Where the invite email's link points; `?token=` is appended. */
    acceptUrl: z.string().url().optional(),
    /** The BFF's public origin: OAuth sign-ins come back to `<publicUrl><basePath>/oauth/callback`. */
    publicUrl: z
      .string()
      .regex(/^https?:\/\/[^/?#]+\/?$/, "must be the server's public origin like https://hr-import.example.com")
      .transform((u) => u.replace(/\/$/, ''))
      .optional(),
    /** Without it, mail is written as `.eml` files under `dataDir/outbox`. */
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    // Any From: nodemailer can parse; the check refuses line breaks, which would be header injection.
    mailFrom: z
      .string()
      .min(3)
      .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address like hr-import <no-reply@example.com>')
      .default('hr-import <no-reply@localhost>'),
    sessionTtlSeconds: z.number().int().min(60).max(86_400).default(900),
    inviteTtlDays: z.number().int().min(1).max(30).default(7),
    /** Days before an invite expires that its invitee gets one reminder (0: none); a target may set its own (PUT /targets). */
    reminderDaysBeforeExpiry: z.number().int().min(0).max(30).default(2),
    /** Proxies in front of the server that append to X-Forwarded-For: 0 (none), or their number. */
    trustProxy: z.number().int().min(0).max(9).default(0),
    /** Receivers of the signed events. */
    webhooks: z.array(webhookEndpoint).max(10).default([]),
    /** Development only: webhook URLs on loopback and private addresses, and plain http. */
    webhooksAllowPrivate: z.boolean().default(false),
    /** Where the API is mounted: every route, the JSON 404 and openapi.json's server live under it. */
    basePath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path like /api or /hr-import/api (no trailing slash)')
      .default('/api'),
    /** Requests a minute before 429; defaults in bff/rate-limit.ts. */
    rateLimits: z
      .object({ session: z.number().int().min(1), address: z.number().int().min(1), accept: z.number().int().min(1), scim: z.number().int().min(1) })
      .partial()
      .optional(),
    /** Bounds on one directory refresh; defaults (a 100,000-person directory with room) in bff/services/directory/limits.ts. */
    refreshLimits: z
      .object({
        pages: z.number().int().min(1).max(1_000_000),
        contacts: z.number().int().min(1).max(10_000_000),
        responseBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024 * 1024),
        // Below the 10 minute claim lease: a live refresh is never taken over by another process.
        seconds: z.number().int().min(1).max(570),
        minIntervalSeconds: z.number().int().min(0).max(86_400),
        // Incremental refreshes between two full ones (which alone find deletions), and the most time between full ones.
        incrementalRefreshes: z.number().int().min(0).max(10_000),
        fullRefreshSeconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400),
      })
      .strict()
      .partial()
      .optional(),
    /**
     * Where the rate limits count: `'memory'` (each process on its own, no database write) or
     * `{ redisUrl }` for one limit shared by every replica. A store that does not answer within
     * `timeoutMs` (default 250) lets requests through, with a warning in the log.
     */
    rateLimitStore: z
      .union([
        z.literal('memory'),
        z.strictObject({
          redisUrl: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a URL like redis://127.0.0.1:6379'),
          timeoutMs: z.number().int().min(10).max(10_000).optional(),
        }),
      ])
      .default('memory'),
    /** Resend cooldown (seconds) and mails a day per address, target and inviter; defaults in bff/services/mail-limits.ts. */
    mailLimits: z
      .object({
        resendCooldownSeconds: z.number().int().min(0).max(86_400),
        perRecipientPerDay: z.number().int().min(1).max(1000),
        perTargetPerDay: z.number().int().min(1).max(10_000_000),
        perInviterPerDay: z.number().int().min(1).max(10_000_000),
      })
      .partial()
      .strict()
      .optional(),
    /** How long personal data is kept (days); every period has a default. */
    retention: retentionSchema,
  })
  .strict();

/** Which webhook URLs are allowed depends on another setting: checked once both are known. */
function webhookUrlsAllowed(settings: { webhooks: z.infer<typeof webhookEndpoint>[]; webhooksAllowPrivate: boolean }, ctx: z.RefinementCtx) {
  const endpoint = webhookEndpointSchemaFor({ allowPrivate: settings.webhooksAllowPrivate });
  settings.webhooks.forEach((hook, i) => {
    const parsed = endpoint.safeParse(hook);
    if (!parsed.success)
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['webhooks', i, ...issue.path] });
  });
}

export const settingsSchema = settingsShape.superRefine(webhookUrlsAllowed);

/** What `createBff` takes (defaults may be left out). */
export type BffSettings = z.input<typeof settingsSchema>;
/** The settings once validated, every default filled in. */
export type ResolvedSettings = z.output<typeof settingsSchema> & { rateLimits?: Partial<RateLimits> | undefined };

/** The settings read from the environment (defaults filled in), the API key and secret possibly missing, and the standalone server's port. */
export type EnvSettings = Omit<ResolvedSettings, 'apiKeys' | 'secret'> & { apiKeys?: string[] | undefined; secret?: string | undefined; port: number };

/** Each setting's environment variable, for `createBffFromEnv` and its error messages. */
export const ENVIRONMENT: { [K in keyof BffSettings]-?: string } = {
  apiKeys: 'HR_IMPORT_API_KEY',
  secret: 'HR_IMPORT_SECRET',
  databaseUrl: 'DATABASE_URL',
  databasePoolSize: 'DATABASE_POOL_SIZE',
  dataDir: 'DATA_DIR',
  providersFile: 'HR_IMPORT_CONFIG',
  providers: 'HR_IMPORT_CONFIG',
  origins: 'HR_IMPORT_ORIGINS',
  acceptUrl: 'HR_IMPORT_ACCEPT_URL',
  publicUrl: 'HR_IMPORT_PUBLIC_URL',
  smtpUrl: 'SMTP_URL',
  mailFrom: 'HR_IMPORT_MAIL_FROM',
  sessionTtlSeconds: 'HR_IMPORT_SESSION_TTL',
  inviteTtlDays: 'HR_IMPORT_INVITE_TTL_DAYS',
  reminderDaysBeforeExpiry: 'HR_IMPORT_REMINDER_DAYS',
  trustProxy: 'HR_IMPORT_TRUST_PROXY',
  webhooks: 'HR_IMPORT_WEBHOOK_URL',
  webhooksAllowPrivate: 'HR_IMPORT_WEBHOOK_ALLOW_PRIVATE',
  basePath: 'HR_IMPORT_BASE_PATH',
  rateLimits: 'HR_IMPORT_RATE_LIMITS',
  refreshLimits: 'HR_IMPORT_REFRESH_LIMITS',
  rateLimitStore: 'HR_IMPORT_REDIS_URL',
  mailLimits: 'HR_IMPORT_MAIL_LIMITS',
  retention: 'HR_IMPORT_RETENTION',
};

function firstIssue(error: z.ZodError, name: (path: PropertyKey[]) => string, label: string): ConfigError {
  const issue = error.issues[0]!;
  return new ConfigError(`invalid ${label}: ${name(issue.path)} ${issue.message}`);
}

/** `apiKeys[0]`, `webhooks[0].secret`: where in the settings object the bad value is. */
function settingPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

export function parseSettings(settings: BffSettings): ResolvedSettings {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) throw firstIssue(parsed.error, settingPath, 'settings');
  return parsed.data;
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const integer = (s: string | undefined) => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : s);
/** `resendCooldownSeconds=600,perRecipientPerDay=5`: numbers by name; the schema names what is wrong. */
const numbersByName = (s: string | undefined) =>
  s === undefined
    ? undefined
    : Object.fromEntries(
        list(s).map((pair) => {
          const [name = '', value] = pair.split('=').map((x) => x.trim());
          return [name, integer(value)];
        }),
      );

/**
 * The settings as environment variables spell them. Only the spelling is translated here (lists
 * are comma-separated, numbers are digits); every rule is the settings schema's. Empty variables
 * count as unset, as shells and .env files often leave them.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): EnvSettings {
  const e = (name: string) => (env[name] === '' ? undefined : env[name]);
  const webhookUrl = e('HR_IMPORT_WEBHOOK_URL');
  const trustProxy = e('HR_IMPORT_TRUST_PROXY');
  // Our own variable first: REDIS_URL may be set on the machine for something else.
  const redisUrl = e('HR_IMPORT_REDIS_URL') ?? e('REDIS_URL');
  const raw = {
    apiKeys: e('HR_IMPORT_API_KEY') === undefined ? undefined : list(e('HR_IMPORT_API_KEY')),
    secret: e('HR_IMPORT_SECRET'),
    databaseUrl: e('DATABASE_URL'),
    databasePoolSize: integer(e('DATABASE_POOL_SIZE')),
    dataDir: e('DATA_DIR'),
    providersFile: e('HR_IMPORT_CONFIG'),
    origins: list(e('HR_IMPORT_ORIGINS')),
    acceptUrl: e('HR_IMPORT_ACCEPT_URL'),
    publicUrl: e('HR_IMPORT_PUBLIC_URL'),
    smtpUrl: e('SMTP_URL'),
    mailFrom: e('HR_IMPORT_MAIL_FROM'),
    sessionTtlSeconds: integer(e('HR_IMPORT_SESSION_TTL')),
    inviteTtlDays: integer(e('HR_IMPORT_INVITE_TTL_DAYS')),
    reminderDaysBeforeExpiry: integer(e('HR_IMPORT_REMINDER_DAYS')),
    trustProxy: trustProxy === 'true' ? 1 : trustProxy === 'false' ? 0 : integer(trustProxy),
    webhooks: webhookUrl ? [{ url: webhookUrl, secret: e('HR_IMPORT_WEBHOOK_SECRET') }] : undefined,
    webhooksAllowPrivate: e('HR_IMPORT_WEBHOOK_ALLOW_PRIVATE') === '1' ? true : undefined,
    basePath: e('HR_IMPORT_BASE_PATH'),
    rateLimitStore: redisUrl === undefined ? undefined : { redisUrl },
    mailLimits: numbersByName(e('HR_IMPORT_MAIL_LIMITS')),
    retention: retentionFromEnv(e('HR_IMPORT_RETENTION')),
  };
  const port = integer(e('PORT')) ?? 8787;
  if (typeof port !== 'number' || port > 65535) throw new ConfigError('invalid environment: PORT must be a port number (0-65535)');
  // Checked here with the settings' own rules (apiKeys and secret are checked again, required, by createBff).
  const parsed = settingsShape
    .partial({ apiKeys: true, secret: true })
    .superRefine(webhookUrlsAllowed)
    .safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    throw firstIssue(
      parsed.error,
      (path) => {
        const [head, index, field] = path;
        if (head === 'webhooks' && (field === 'secret' || (index !== undefined && field === undefined))) return 'HR_IMPORT_WEBHOOK_SECRET';
        return ENVIRONMENT[head as keyof BffSettings] ?? String(head);
      },
      'environment',
    );
  }
  // apiKeys and secret may still be missing: createBff refuses that, the standalone server fills them in.
  return { ...parsed.data, port };
}

/** `directoryUnusedDays=14,auditDays=90`: the retention periods to change, the others keep their defaults. */
function retentionFromEnv(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(
    list(value).map((pair) => {
      const [name = '', days] = pair.split('=', 2).map((x) => x.trim());
      return [name, integer(days ?? '')];
    }),
  );
}

/** Where the embedded default keeps its SQLite file. */
export function sqlitePathOf(dataDir: string): string {
  return join(resolve(dataDir), 'hr-import.sqlite');
}

/**
 * The embedded default's secret: generated once into the data folder (mode 0600) so tokens and
 * stored credentials survive restarts without the operator setting anything.
 */
export function devSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'secret.key');
  ensurePrivateDir(resolve(dataDir));
  if (existsSync(file)) {
    tightenPrivateFile(file);
    return readFileSync(file, 'utf8').trim();
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
