/**
 * Connections: whose credentials reach a provider. A provider the providers file configures has
 * one connection for every target (scope `*`). A provider whose credentials the file leaves out
 * has one per organization: entered in the widget, sealed with AES-256-GCM (bff/crypto.ts) into
 * provider_connections, opened only to build a connector, and never answered back. A lab and a
 * challenge of the same company share their organization's connection.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ConnectionInfo, ConnectionState, ConnectionTest, ProviderInfo } from '../../contract/index.js';
import { ProviderError, type Credentials } from '../connectors/types.js';
import { isHeld, type HeldProvider, type OrganizationProvider, type ProviderEntry } from '../providers/registry.js';
import { open, seal } from '../crypto.js';
import { AppError } from '../errors.js';
import { cancelRefresh, type DirectorySource, msUntilStale } from './directory/refresh.js';
import { cacheKeyOf, dropDirectory } from './directory/rows.js';
import { getTarget, type TargetRef } from './targets.js';

export interface ConnectionDeps {
  db: Kysely<Database>;
  /** `credentialKey(config.secret)`. */
  sealingKey: KeyObject;
}

/** One provider as one target reaches it. */
export interface Connection extends DirectorySource {
  provider: ProviderEntry;
  /** `*` for the deployment's credentials, else the organization's scope. */
  scope: string;
  state: ConnectionState;
}

const DEPLOYMENT_SCOPE = '*';

/**
 * Whose credentials a target uses: its organization's, so a lab and a challenge of one company
 * share them; a target outside any organization has its own. Prefixed, so no id can be `*`.
 */
export async function organizationScope(db: Kysely<Database>, ref: TargetRef): Promise<string> {
  if (ref.type === 'organization') return scopeOfOrganization(ref.id);
  const target = await getTarget(db, ref);
  return target.organization_id ? scopeOfOrganization(target.organization_id) : `${ref.type}:${ref.id}`;
}

/** The scope of an organization named by its id (a target's `organizationId`). */
export const scopeOfOrganization = (organizationId: string) => `organization:${organizationId}`;

/** Authenticated with the ciphertext: a row copied to another provider or organization does not open. */
const sealContext = (providerId: string, scope: string) => `${providerId}|${scope}`;

/** The stored credentials, or null when they no longer open (tampered with, or the secret changed). */
function unseal(sealingKey: KeyObject, providerId: string, scope: string, sealed: string): Credentials | null {
  try {
    const value = open(sealingKey, sealed, sealContext(providerId, scope));
    const valid = typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
    return valid ? (value as Credentials) : null;
  } catch {
    return null;
  }
}

function deploymentConnection(entry: ProviderEntry & { configuredBy: 'deployment' }): Connection {
  return {
    provider: entry,
    scope: DEPLOYMENT_SCOPE,
    cacheKey: cacheKeyOf(entry.id, DEPLOYMENT_SCOPE),
    state: 'ready',
    concurrency: entry.concurrency,
    connector: () => entry.connector,
  };
}

function organizationConnection(entry: OrganizationProvider, scope: string, sealingKey: KeyObject, sealed: string | undefined): Connection {
  const stored = sealed === undefined ? undefined : unseal(sealingKey, entry.id, scope, sealed);
  const state: ConnectionState = stored === undefined ? 'needs_credentials' : stored ? 'ready' : 'error';
  return {
    provider: entry,
    scope,
    cacheKey: cacheKeyOf(entry.id, scope),
    state,
    concurrency: entry.concurrency,
    connector: () => {
      if (stored) return entry.connect(stored);
      if (stored === null) {
        throw new AppError(
          409,
          'connection_unreadable',
          `The stored credentials for ${entry.name} can no longer be read (the server's secret changed); connect it again.`,
        );
      }
      throw new AppError(409, 'provider_not_connected', `${entry.name} is not connected yet: enter its credentials in the provider picker.`);
    },
  };
}

/** Why a held directory cannot be listed yet: nothing was uploaded, or nothing was set up for SCIM. */
function notHeldYet(entry: HeldProvider): AppError {
  return entry.configuredBy === 'upload'
    ? new AppError(409, 'csv_not_uploaded', `No CSV file has been uploaded to ${entry.name} for your organization yet: upload one in the provider picker.`)
    : new AppError(
        409,
        'scim_not_set_up',
        `${entry.name} is not set up for your organization yet: your application's administrator creates its SCIM token, then connects your identity provider with it.`,
      );
}

/**
 * An organization's directory held here: a CSV provider's once it has confirmed an upload, the
 * SCIM provider's once its token was created (services/scim.ts). The cache is that directory itself
 * and never stale (csvProvider, scimProvider), so its connector is only asked when there is none.
 */
function heldConnection(entry: HeldProvider, scope: string, held: boolean): Connection {
  return {
    provider: entry,
    scope,
    cacheKey: cacheKeyOf(entry.id, scope),
    state: held ? 'ready' : 'needs_credentials',
    connector: () => {
      if (!held) throw notHeldYet(entry);
      return { listContacts: async () => Promise.reject(notHeldYet(entry)) };
    },
  };
}

/** The connection a target uses for one provider. */
export async function openConnection(deps: ConnectionDeps, entry: ProviderEntry, ref: TargetRef): Promise<Connection> {
  if (entry.configuredBy === 'deployment') return deploymentConnection(entry);
  const scope = await organizationScope(deps.db, ref);
  if (isHeld(entry)) return heldConnection(entry, scope, (await syncedDirectories(deps.db, [cacheKeyOf(entry.id, scope)])).size > 0);
  const row = await deps.db
    .selectFrom('provider_connections')
    .select('credentials')
    .where('provider_id', '=', entry.id)
    .where('scope', '=', scope)
    .executeTakeFirst();
  return organizationConnection(entry, scope, deps.sealingKey, row?.credentials);
}

/** `GET /api/providers`: every provider with its state for the target's organization, and its cached directory's age. */
export async function describeProviders(deps: ConnectionDeps, entries: ProviderEntry[], ref: TargetRef, now: Date): Promise<ProviderInfo[]> {
  const own = entries.filter((e): e is OrganizationProvider => e.configuredBy === 'organization');
  const held = entries.some(isHeld);
  const scope = own.length || held ? await organizationScope(deps.db, ref) : DEPLOYMENT_SCOPE;
  const rows = own.length
    ? await deps.db
        .selectFrom('provider_connections')
        .select(['provider_id', 'credentials'])
        .where('scope', '=', scope)
        .where(
          'provider_id',
          'in',
          own.map((e) => e.id),
        )
        .execute()
    : [];
  const sealed = new Map(rows.map((r) => [r.provider_id, r.credentials]));
  const cacheKeyOfEntry = (e: ProviderEntry) => cacheKeyOf(e.id, e.configuredBy === 'deployment' ? DEPLOYMENT_SCOPE : scope);
  const synced = await syncedDirectories(deps.db, entries.map(cacheKeyOfEntry));
  return entries.map((e) => {
    const syncedAt = synced.get(cacheKeyOfEntry(e));
    const base: ProviderInfo = {
      id: e.id,
      type: e.type,
      name: e.name,
      ...(e.names ? { names: e.names } : {}),
      ...(e.logoUrl ? { logoUrl: e.logoUrl } : {}),
      connection: 'ready',
    };
    const info: ProviderInfo =
      e.configuredBy === 'deployment'
        ? base
        : isHeld(e)
          ? { ...base, connection: syncedAt ? 'ready' : 'needs_credentials' }
          : {
              ...base,
              connection: organizationConnection(e, scope, deps.sealingKey, sealed.get(e.id)).state,
              fields: [...e.fields],
              ...(e.oauth ? { oauth: true } : {}),
            };
    // A disconnected organization's old directory is never served, so it is not described either.
    if (!syncedAt || info.connection !== 'ready') return info;
    const freshFor = Math.max(0, Math.floor(msUntilStale(syncedAt, now, e.cacheTtlSeconds) / 1000));
    return { ...info, directory: { syncedAt, freshFor } };
  });
}

/** When each of these connections' directories was last fetched, for those that have one. */
async function syncedDirectories(db: Kysely<Database>, keys: string[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const rows = await db
    .selectFrom('directory_syncs')
    .select(['connection', 'synced_at'])
    .where('connection', 'in', keys)
    .where('synced_at', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.connection, r.synced_at!]));
}

function ownedByOrganization(entry: ProviderEntry): OrganizationProvider {
  if (entry.configuredBy === 'organization') return entry;
  if (entry.configuredBy === 'upload') throw new AppError(409, 'csv_provider', `${entry.name} takes a CSV file, not credentials: upload one instead.`);
  if (entry.configuredBy === 'scim')
    throw new AppError(
      409,
      'scim_provider',
      `${entry.name} is pushed by your identity provider with a SCIM token your application's administrator creates; it takes no credentials here.`,
    );
  throw new AppError(409, 'configured_by_deployment', `${entry.name} is connected by this deployment's configuration; its credentials cannot be changed here.`);
}

/**
 * The values an organization may store: the provider's fields only, required ones present.
 * Errors name fields, never values. Whitespace around a pasted key is trimmed.
 */
function checkCredentials(entry: OrganizationProvider, input: Record<string, string>): Credentials {
  const fields = new Map(entry.fields.map((f) => [f.name, f]));
  const problems: { path: string; message: string }[] = [];
  const values: Credentials = {};
  for (const [name, value] of Object.entries(input)) {
    if (!fields.has(name))
      problems.push({ path: `credentials.${name}`, message: `not a credential ${entry.name} asks for; expected: ${[...fields.keys()].join(', ')}` });
    else if (value.trim()) values[name] = value.trim();
  }
  for (const f of entry.fields) {
    if (f.required && values[f.name] === undefined) problems.push({ path: `credentials.${f.name}`, message: `${f.label} is required` });
  }
  const first = problems[0];
  if (first) throw new AppError(400, 'invalid_request', `Invalid credentials: ${first.path}: ${first.message}`, { fields: problems });
  // Building the connector reads what it can without a network call (a Google key file's JSON
  // and private key): a value the admin can fix now is refused now, not as a server error later.
  try {
    entry.connect(values);
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'config') throw new AppError(400, 'invalid_request', err.message);
    throw err;
  }
  return values;
}

/** `PUT …/connection`: stores the organization's credentials and forgets the directory fetched with the old ones. */
export async function saveConnection(
  deps: ConnectionDeps,
  entry: ProviderEntry,
  ref: TargetRef,
  input: Record<string, string>,
  now: Date,
): Promise<ConnectionInfo> {
  const provider = ownedByOrganization(entry);
  if (provider.oauth) throw new AppError(409, 'sign_in_required', `${provider.name} is connected by signing in to it, not with typed credentials.`);
  return storeCredentials(deps, provider, ref, checkCredentials(provider, input), now);
}

/**
 * Seals and stores an organization's credentials (typed in the form, or granted by its sign-in)
 * and forgets the directory fetched with the old ones, in one transaction.
 */
export async function storeCredentials(
  deps: ConnectionDeps,
  provider: OrganizationProvider,
  ref: TargetRef | { scope: string },
  credentials: Credentials,
  now: Date,
): Promise<ConnectionInfo> {
  const scope = 'scope' in ref ? ref.scope : await organizationScope(deps.db, ref);
  const sealed = seal(deps.sealingKey, credentials, sealContext(provider.id, scope));
  const at = now.toISOString();
  // A refresh with the old credentials stops before their directory is dropped, so none of it lands after.
  await cancelRefresh(deps.db, cacheKeyOf(provider.id, scope), 'the connection was given new credentials');
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('provider_connections')
      .values({ id: `pc_${randomBytes(15).toString('base64url')}`, provider_id: provider.id, scope, credentials: sealed, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['provider_id', 'scope']).doUpdateSet({ credentials: sealed, updated_at: at }))
      .execute();
    await dropDirectory(trx, cacheKeyOf(provider.id, scope));
  });
  return { connection: 'ready' };
}

/** `DELETE …/connection`: removes the credentials and the directory fetched with them. */
export async function deleteConnection(deps: ConnectionDeps, entry: ProviderEntry, ref: TargetRef): Promise<ConnectionInfo> {
  // For the CSV provider, forgetting the organization's last upload.
  if (entry.configuredBy === 'upload') {
    const scope = await organizationScope(deps.db, ref);
    const cacheKey = cacheKeyOf(entry.id, scope);
    await cancelRefresh(deps.db, cacheKey, 'the directory was removed');
    await deps.db.transaction().execute(async (trx) => {
      await dropDirectory(trx, cacheKey);
      // Files uploaded but not confirmed are the same people: removed with the directory, not an hour later.
      await trx.deleteFrom('csv_uploads').where('provider_id', '=', entry.id).where('scope', '=', scope).execute();
    });
    return { connection: 'needs_credentials' };
  }
  const provider = ownedByOrganization(entry);
  const scope = await organizationScope(deps.db, ref);
  // Stopped at once: no more provider requests with credentials being removed.
  await cancelRefresh(deps.db, cacheKeyOf(provider.id, scope), 'the connection was removed');
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('provider_connections').where('provider_id', '=', provider.id).where('scope', '=', scope).execute();
    await dropDirectory(trx, cacheKeyOf(provider.id, scope));
  });
  return { connection: 'needs_credentials' };
}

/**
 * `POST …/connection/test`: one page of the directory with the stored credentials. A provider
 * failure is thrown as the ProviderError it is, answered like every other (502 provider_auth, …).
 */
export async function testConnection(deps: ConnectionDeps, entry: ProviderEntry, ref: TargetRef, signal: AbortSignal): Promise<ConnectionTest> {
  const connection = await openConnection(deps, entry, ref);
  const page = await connection.connector().listContacts({ cursor: null, signal });
  return { ok: true, sample: page.contacts.length };
}
