/**
 * Environment configuration, parsed once at start. A bad value stops the server with one line
 * that names the variable; nothing here is ever logged with its value.
 */
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const csv = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((u) => !u || /^(postgres(ql)?:\/\/|file:|sqlite:)/.test(u), 'must start with postgres:// (or be unset for SQLite)'),
  HR_IMPORT_API_KEY: csv.refine((keys) => keys.every((k) => k.length >= 16), 'every key must be at least 16 characters'),
  HR_IMPORT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HR_IMPORT_CONFIG: z.string().min(1).default('./hr-import.config.json'),
  HR_IMPORT_ORIGINS: csv.refine((origins) => origins.every((o) => /^https?:\/\/[^/]+$/.test(o)), 'must be origins like https://app.example.com, comma-separated'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  // Any From: nodemailer can parse; the check refuses line breaks, which would be header injection.
  HR_IMPORT_MAIL_FROM: z.string().min(3).regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address like hr-import <no-reply@example.com>').default('hr-import <no-reply@localhost>'),
  HR_IMPORT_ACCEPT_URL: z.string().url().optional(),
  HR_IMPORT_PUBLIC_URL: z.string().regex(/^https?:\/\/[^/?#]+\/?$/, 'must be the server\'s public origin like https://hr-import.example.com').optional(),
  HR_IMPORT_SESSION_TTL: z.coerce.number().int().min(60).max(86_400).default(900),
  HR_IMPORT_INVITE_TTL_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  // Proxies in front of the server that append to X-Forwarded-For: 0 (none, the default), or their number.
  HR_IMPORT_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d)$/, 'must be the number of proxies in front of the server (0-9), true (1) or false (0)')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v)))
    .default(0),
});

export interface EnvConfig {
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  sqlitePath: string;
  apiKeys: string[];
  secret: string | undefined;
  providersFile: string;
  origins: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  acceptUrl: string | undefined;
  /** The BFF's public origin: OAuth sign-ins come back to `<publicUrl>/api/oauth/callback`. */
  publicUrl: string | undefined;
  sessionTtlSeconds: number;
  inviteTtlDays: number;
  trustProxy: number;
}

export function loadEnvConfig(env: NodeJS.ProcessEnv): EnvConfig {
  // Empty variables count as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid environment: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL && /^postgres/.test(e.DATABASE_URL) ? e.DATABASE_URL : undefined;
  return {
    port: e.PORT,
    dataDir,
    databaseUrl,
    sqlitePath: join(dataDir, 'hr-import.sqlite'),
    apiKeys: e.HR_IMPORT_API_KEY,
    secret: e.HR_IMPORT_SECRET,
    providersFile: resolve(e.HR_IMPORT_CONFIG),
    origins: e.HR_IMPORT_ORIGINS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.HR_IMPORT_MAIL_FROM,
    acceptUrl: e.HR_IMPORT_ACCEPT_URL,
    publicUrl: e.HR_IMPORT_PUBLIC_URL?.replace(/\/$/, ''),
    sessionTtlSeconds: e.HR_IMPORT_SESSION_TTL,
    inviteTtlDays: e.HR_IMPORT_INVITE_TTL_DAYS,
    trustProxy: e.HR_IMPORT_TRUST_PROXY,
  };
}

/**
 * The embedded default's secret: generated once into the data folder (mode 0600) so tokens and
 * stored credentials survive restarts without the operator setting anything.
 */
export function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
