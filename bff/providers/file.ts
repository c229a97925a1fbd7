/**
 * The unified configuration: one file lists every HR application of the deployment once, for
 * every target. Validated at start; a bad file stops the server with one line naming the field.
 * Secrets are never literals in the file: `{ "env": "NAME" }` reads an environment variable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import type { Connector, ConnectorSettings } from '../connectors/types.js';
import type { AuthorizationCodeSpec } from '../connectors/oauth.js';
import type { HttpPolicy } from '../connectors/http.js';
import type { ConnectorOptions } from '../connectors/normalize.js';
import { inLocales, type CredentialField } from '../../contract/index.js';
import { csvProvider, sampleProvider, scimProvider, type ProviderEntry } from './registry.js';
import { minimized, OPTIONAL_FIELDS, unfetched, type StoragePolicy } from '../connectors/minimize.js';

/** What the deployment knows about one kind of HR application. */
export interface ProviderType {
  name: string;
  factory: (settings: ConnectorSettings, options?: ConnectorOptions) => Connector;
  /** The provider's real API host; null where every customer has their own (Workday tenants). */
  baseUrl: string | null;
  tokenUrl?: string | undefined;
  /** Credential fields the connector needs. */
  credentials: readonly string[];
  /** Credential fields it can use but does without. */
  optional?: readonly string[] | undefined;
  /** Fields that are secrets: they must come from the environment. */
  secrets: readonly string[];
  /** How each organization signs in through the widget's popup, where the provider offers it (`"oauth": true` in the file). */
  oauth?: AuthorizationCodeSpec | undefined;
}

export type ProviderCatalog = Record<string, ProviderType>;

const envRef = z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).strict();

// Plain http only for loopback test servers; everything else must be TLS.
const apiUrl = z
  .string()
  .url()
  .refine(
    (u) => /^https:\/\//.test(u) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(u),
    'must be an https:// URL (http:// only for localhost)',
  );

const providerSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lowercase letters, digits, - or _'),
    type: z.string().min(1),
    name: z.string().trim().min(1).max(100).optional(),
    names: inLocales(100).optional(),
    // Shown as an <img> (never markup), so an SVG in it runs nothing; https or inline, no http.
    logoUrl: z
      .string()
      .max(100_000)
      .refine(
        (u) => /^https:\/\/[^\s]+$/.test(u) || /^data:image\/(svg\+xml|png|webp);base64,[A-Za-z0-9+/=]+$/.test(u),
        'must be an https:// URL or a base64 data:image/svg+xml, png or webp URL',
      )
      .optional(),
    baseUrl: apiUrl.optional(),
    tokenUrl: apiUrl.optional(),
    credentials: z.record(z.string(), z.union([z.string(), envRef])).optional(),
    cacheTtlSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
    /** Directory pages fetched at once (offset-paged APIs only); 1 reads them one by one. */
    concurrency: z.number().int().min(1).max(16).optional(),
    /** Each organization signs in (OAuth authorization code) with the deployment's app registration. */
    oauth: z.boolean().optional(),
    /** Optional fields neither fetched (where the API lets us choose) nor stored. */
    omitFields: z.array(z.enum(OPTIONAL_FIELDS)).max(OPTIONAL_FIELDS.length).optional(),
    /** Who is stored at all: people outside never reach the database (values compared ignoring case and accents). */
    scope: z
      .object({
        departments: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
        locations: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
        employmentTypes: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
        activeOnly: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const fileSchema = z.object({ providers: z.array(providerSchema).min(1).max(50) }).strict();

/** Where a providers list comes from, for its error messages: the `providers file`, or the inline `settings`. */
type Source = 'providers file' | 'settings';

function failIn(source: Source, path: (string | number | PropertyKey)[], message: string): never {
  const where = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  throw new ConfigError(`invalid ${source}: ${where}: ${message}`);
}

/** Labels where the field's own name, spelled out, would not tell an admin what to paste. */
const LABELS: Record<string, string> = {
  serviceAccountKey: 'Service account key (JSON)',
  subject: 'Admin email to impersonate',
  customer: 'Customer ID',
  objects: 'Objects (User, Contact)',
  report: 'Custom report URL path',
};

/** `companyDomain` → "Company domain", `apiKey` → "API key", `tenantId` → "Tenant ID". */
export function credentialLabel(field: string): string {
  if (LABELS[field]) return LABELS[field];
  const words = field.split(/(?=[A-Z])/).map((w) => (/^(api|id|url)$/i.test(w) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What an organization enters for a provider: every credential of its type the file does not set. */
function organizationFields(type: ProviderType, fromFile: Record<string, string>): CredentialField[] {
  const field = (name: string, required: boolean): CredentialField => ({ name, label: credentialLabel(name), secret: type.secrets.includes(name), required });
  return [...type.credentials.map((f) => field(f, true)), ...(type.optional ?? []).map((f) => field(f, false))].filter((f) => fromFile[f.name] === undefined);
}

export interface ProvidersOptions {
  /** The connectors' retry policy over http.ts's default (tests shorten its waits). */
  httpPolicy?: Partial<HttpPolicy> | undefined;
}

/**
 * Reads the providers file into registry entries. Without a file the deployment has the sample
 * directory alone. A provider whose file entry leaves required credentials out is connected by
 * each organization in the widget, which asks for exactly the fields the file does not set
 * (e.g. Merge's API key in the file, each customer's account token in the widget).
 */
export function loadProvidersFile(path: string, env: NodeJS.ProcessEnv, catalog: ProviderCatalog, options: ProvidersOptions = {}): ProviderEntry[] {
  if (!existsSync(path)) return [sampleProvider()];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`invalid providers file ${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseProviders(raw, env, catalog, 'providers file', options);
}

/**
 * The providers file's list given inline (`createBff({ providers })`): the same rules, except
 * that credentials may be literal strings, because the host's own code chose where they come from.
 */
export function inlineProviders(list: unknown[], env: NodeJS.ProcessEnv, catalog: ProviderCatalog, options: ProvidersOptions = {}): ProviderEntry[] {
  return parseProviders({ providers: list }, env, catalog, 'settings', options);
}

function parseProviders(raw: unknown, env: NodeJS.ProcessEnv, catalog: ProviderCatalog, source: Source, options: ProvidersOptions): ProviderEntry[] {
  // A declaration, not an arrow: only so does `never` narrow the code after a call.
  function fail(path: (string | number | PropertyKey)[], message: string): never {
    return failIn(source, path, message);
  }
  // Inline settings are the host's code, which chose where each value comes from.
  const literalSecrets = source === 'settings';
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(issue.path, issue.message);
  }
  const seen = new Set<string>();
  let scimSeen = false;
  // A name the file gives replaces the built-in one in every language, unless it names those too.
  const named = (entry: ProviderEntry, p: z.infer<typeof providerSchema>): ProviderEntry => {
    const names = p.names ?? (p.name ? undefined : entry.names);
    return { ...entry, names, ...(p.logoUrl ? { logoUrl: p.logoUrl } : {}) };
  };
  return parsed.data.providers.map((p, i): ProviderEntry => named(entryOf(p, i), p));

  function entryOf(p: z.infer<typeof providerSchema>, i: number): ProviderEntry {
    const at = (...rest: (string | number)[]) => ['providers', i, ...rest];
    if (seen.has(p.id)) fail(at('id'), `"${p.id}" is listed twice`);
    seen.add(p.id);
    const storagePolicy: StoragePolicy = { omit: p.omitFields ?? [], scope: p.scope ?? {} };
    if (p.type === 'sample') {
      const sample = sampleProvider();
      return { ...sample, id: p.id, name: p.name ?? 'Sample directory', storagePolicy, connector: minimized(sample.connector, storagePolicy) };
    }
    if (p.type === 'csv') {
      // The directory is whatever each organization uploads: nothing to reach, nothing to authenticate.
      const extra = (['baseUrl', 'tokenUrl', 'credentials', 'cacheTtlSeconds'] as const).find((k) => p[k] !== undefined);
      if (extra) fail(at(extra), 'a csv provider takes no API settings (each organization uploads its file in the widget)');
      return { ...csvProvider(), id: p.id, name: p.name ?? 'CSV file', storagePolicy };
    }
    if (p.type === 'scim') {
      // Each organization's identity provider pushes its people with a token the host creates.
      const extra = (['baseUrl', 'tokenUrl', 'credentials', 'cacheTtlSeconds', 'concurrency', 'oauth'] as const).find((k) => p[k] !== undefined);
      if (extra)
        fail(at(extra), "a scim provider takes no API settings (each organization's identity provider pushes its people with the token your backend creates)");
      // The SCIM endpoint writes to one directory per organization: a second provider would be a second, empty one.
      if (scimSeen) fail(at('type'), 'only one scim provider may be listed');
      scimSeen = true;
      return { ...scimProvider(), id: p.id, name: p.name ?? scimProvider().name, storagePolicy };
    }
    const type = catalog[p.type];
    if (!type) fail(at('type'), `unknown type "${p.type}"; one of: sample, csv, scim, ${Object.keys(catalog).join(', ')}`);
    // With "oauth" the file holds the app registration every organization signs in to.
    const appRegistration = p.oauth ? ['clientId', 'clientSecret'] : [];
    const known = new Set([...type.credentials, ...(type.optional ?? []), ...appRegistration]);
    const credentials: Record<string, string> = {};
    for (const [field, value] of Object.entries(p.credentials ?? {})) {
      if (!known.has(field)) fail(at('credentials', field), `not a credential of ${p.type}; expected: ${[...known].join(', ')}`);
      if (typeof value === 'string') {
        if (!literalSecrets && (type.secrets.includes(field) || (p.oauth && field === 'clientSecret')))
          fail(at('credentials', field), 'is a secret: write { "env": "VARIABLE" } and set the variable, never the value itself');
        credentials[field] = value;
      } else {
        const v = env[value.env];
        if (v === undefined || v === '') fail(at('credentials', field), `environment variable ${value.env} is not set`);
        credentials[field] = v;
      }
    }
    const base = { id: p.id, type: p.type, name: p.name ?? type.name, cacheTtlSeconds: p.cacheTtlSeconds ?? 3600, concurrency: p.concurrency, storagePolicy };
    const factory = (settings: ConnectorSettings) =>
      minimized(type.factory({ ...settings, omit: unfetched(storagePolicy) }, { policy: options.httpPolicy }), storagePolicy);
    if (p.oauth) {
      const spec = type.oauth;
      if (!spec)
        fail(
          at('oauth'),
          `${p.type} has no sign-in flow here; "oauth" works with ${Object.keys(catalog)
            .filter((k) => catalog[k]!.oauth)
            .join(', ')}`,
        );
      for (const field of ['clientId', 'clientSecret'])
        if (!credentials[field]) fail(at('credentials', field), 'is required with "oauth": the app registration every organization signs in to');
      // A signed-in org's API host may come from its sign-in (Salesforce's instance_url).
      const baseUrl = p.baseUrl ?? type.baseUrl ?? '';
      const settings = (stored: Record<string, string>) => ({ baseUrl, tokenUrl: p.tokenUrl ?? type.tokenUrl, credentials: { ...stored, ...credentials } });
      return {
        ...base,
        configuredBy: 'organization',
        fields: [],
        oauth: {
          spec,
          clientId: credentials.clientId!,
          clientSecret: credentials.clientSecret!,
          authHost: (p.tokenUrl ?? spec.authHost).replace(/\/+$/, ''),
          authorizeHost: (p.tokenUrl ?? spec.authorizeHost ?? spec.authHost).replace(/\/+$/, ''),
          baseUrl,
          credentials,
        },
        connect: (stored) => factory(settings(stored)),
      };
    }
    const baseUrl = p.baseUrl ?? type.baseUrl;
    if (!baseUrl) fail(at('baseUrl'), `is required for ${p.type} (the customer's own host)`);
    const settings = (stored: Record<string, string>) => ({ baseUrl, tokenUrl: p.tokenUrl ?? type.tokenUrl, credentials: { ...stored, ...credentials } });
    return type.credentials.every((f) => credentials[f] !== undefined)
      ? { ...base, configuredBy: 'deployment', connector: factory(settings({})) }
      : { ...base, configuredBy: 'organization', fields: organizationFields(type, credentials), connect: (stored) => factory(settings(stored)) };
  }
}
