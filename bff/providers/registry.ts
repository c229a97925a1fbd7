/**
 * The deployment's HR applications ("unified configuration"): each configured provider once,
 * with the connector that speaks its API. The widget only ever sees id, type, name, state and,
 * for providers an organization connects itself, which credential fields to ask for.
 */
import type { Connector, ConnectorFactory, ConnectorSettings, Credentials } from '../connectors/types.js';
import type { StoragePolicy } from '../connectors/minimize.js';
import type { AuthorizationCodeSpec } from '../connectors/oauth.js';
import type { CredentialField, InviteLocale } from '../../contract/index.js';
import { createSampleConnector } from '../connectors/sample.js';
import { AppError } from '../errors.js';

interface ProviderBase {
  id: string;
  type: string;
  name: string;
  /** The name in other languages (the providers file's `names`). */
  names?: Partial<Record<InviteLocale, string>> | undefined;
  /** The host's logo (the providers file's `logoUrl`), for a provider simple-icons lacks or a brand of its own. */
  logoUrl?: string | undefined;
  /** How long a cached directory is served before it is fetched again. */
  cacheTtlSeconds: number;
  /** Pages fetched at once where the API allows it; unset means DEFAULT_REFRESH_CONCURRENCY. */
  concurrency?: number | undefined;
  /** Fields turned off and who is stored at all (the providers file's `omitFields` and `scope`); connectors already apply it. */
  storagePolicy?: StoragePolicy | undefined;
}

/** The providers file holds every credential: one connection serves every target. */
export interface DeploymentProvider extends ProviderBase {
  configuredBy: 'deployment';
  connector: Connector;
}

/**
 * The providers file leaves credentials out: each organization enters its own in the widget,
 * and they are stored encrypted for that organization (services/connections.ts).
 */
export interface OrganizationProvider extends ProviderBase {
  configuredBy: 'organization';
  /** What the organization enters: the type's credential fields the file does not set. */
  fields: readonly CredentialField[];
  /** The connector for one organization's stored credentials (the file's own values added). */
  connect(stored: Credentials): Connector;
  /** Set when the organization connects by signing in (OAuth popup) rather than by typing fields. */
  oauth?: OAuthClient | undefined;
}

/** The deployment's app registration at a provider, which each organization's admin signs in to. */
export interface OAuthClient {
  spec: AuthorizationCodeSpec;
  clientId: string;
  clientSecret: string;
  /** Where the token endpoint is: the file's `tokenUrl`, else the provider's real auth host. */
  authHost: string;
  /** Where the consent screen is: the file's `tokenUrl`, else the provider's real one. */
  authorizeHost: string;
  /** The file's `baseUrl` ('' where the sign-in names the host). */
  baseUrl: string;
  /** The file's own credentials (e.g. Microsoft's tenantId), which shape the endpoints' paths. */
  credentials: Credentials;
}

/**
 * The directory is a CSV file the admin uploads in the widget (the fallback when no integration
 * exists): each organization's directory is its last confirmed upload (services/csv-uploads.ts).
 */
export interface UploadProvider extends ProviderBase {
  configuredBy: 'upload';
}

/**
 * The directory is what each organization's identity provider (Okta, Microsoft Entra, OneLogin,
 * JumpCloud) pushes over SCIM 2.0 with the organization's token (services/scim.ts): never fetched,
 * so never stale; every push changes it at once.
 */
export interface ScimProvider extends ProviderBase {
  configuredBy: 'scim';
}

export type ProviderEntry = DeploymentProvider | OrganizationProvider | UploadProvider | ScimProvider;

/** A directory held here rather than fetched: an uploaded file, or what an identity provider pushed. */
export type HeldProvider = UploadProvider | ScimProvider;

export const isHeld = (entry: ProviderEntry): entry is HeldProvider => entry.configuredBy === 'upload' || entry.configuredBy === 'scim';

export interface ProviderRegistry {
  list(): ProviderEntry[];
  get(id: string): ProviderEntry | undefined;
}

export function createProviderRegistry(entries: ProviderEntry[]): ProviderRegistry {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return { list: () => [...byId.values()], get: (id) => byId.get(id) };
}

/** A provider whose connector needs nothing but its settings (config-file credentials). */
export function staticProvider(
  id: string,
  type: string,
  name: string,
  factory: ConnectorFactory,
  settings: ConnectorSettings,
  cacheTtlSeconds = 3600,
): DeploymentProvider {
  return { id, type, name, configuredBy: 'deployment', connector: factory(settings), cacheTtlSeconds };
}

export function sampleProvider(): DeploymentProvider {
  return {
    ...staticProvider('sample', 'sample', 'Sample directory', createSampleConnector, { baseUrl: 'builtin:', credentials: {} }, 24 * 3600),
    names: { de: 'Beispielverzeichnis', fr: 'Annuaire d’exemple', es: 'Directorio de ejemplo' },
  };
}

/**
 * The CSV upload provider. Its cached directory is the upload itself, never fetched again, so it
 * never goes stale: only a new upload (or removing it) changes it.
 */
export function csvProvider(): UploadProvider {
  return {
    id: 'csv',
    type: 'csv',
    name: 'CSV file',
    names: { de: 'CSV-Datei', fr: 'Fichier CSV', es: 'Archivo CSV' },
    configuredBy: 'upload',
    cacheTtlSeconds: 100 * 365 * 86_400,
  };
}

/** The SCIM provider: like the CSV one, its cached directory is the pushed one itself and never goes stale. */
export function scimProvider(): ScimProvider {
  return { id: 'scim', type: 'scim', name: 'SCIM (Okta, Microsoft Entra, OneLogin, JumpCloud)', configuredBy: 'scim', cacheTtlSeconds: 100 * 365 * 86_400 };
}

/** The deployment's SCIM provider, if it lists one (at most one: bff/providers/file.ts). */
export function scimProviderOf(registry: ProviderRegistry): ScimProvider | undefined {
  return registry.list().find((e): e is ScimProvider => e.configuredBy === 'scim');
}

/** The provider a route names, or the 404 the widget shows. */
export function getProvider(registry: ProviderRegistry, id: string): ProviderEntry {
  const entry = registry.get(id);
  if (!entry) throw new AppError(404, 'provider_not_found', `No HR application "${id}" is configured.`);
  return entry;
}
