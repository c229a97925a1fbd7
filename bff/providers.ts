/**
 * The deployment's HR applications ("unified configuration"): each configured provider once,
 * with the connector that speaks its API. The widget only ever sees id, type, name and state.
 */
import type { Connector, ConnectorFactory, ConnectorSettings } from './connectors/types.js';
import type { ConnectionState, ProviderInfo } from './contract.js';
import { createSampleConnector } from './connectors/sample.js';

export interface ProviderEntry {
  id: string;
  type: string;
  name: string;
  /** The connector for a connection scope, or null while credentials are missing. */
  connect(scope: string): Connector | null;
  /** How long a cached directory is served before it is fetched again. */
  cacheTtlSeconds: number;
}

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
): ProviderEntry {
  const connector = factory(settings);
  return { id, type, name, connect: () => connector, cacheTtlSeconds };
}

export function sampleProvider(): ProviderEntry {
  return staticProvider('sample', 'sample', 'Sample directory', createSampleConnector, { baseUrl: 'builtin:', credentials: {} }, 24 * 3600);
}

export function providerInfo(entry: ProviderEntry, scope: string): ProviderInfo {
  const state: ConnectionState = entry.connect(scope) ? 'ready' : 'needs_credentials';
  return { id: entry.id, type: entry.type, name: entry.name, connection: state };
}
