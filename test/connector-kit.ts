/**
 * What the connector tests share: a connector built against a loopback fake with a recording
 * `sleep` (so retries take no time and their waits can be checked), paging through a connector,
 * and catching the ProviderError a call must end in. Each test file keeps its own fake data,
 * default credentials and assertions; a file registers `afterEach(closeFakes)` once.
 */
import type { ConnectorOptions } from '../bff/connectors/normalize.js';
import {
  ProviderError,
  type ChangedContact,
  type Connector,
  type ConnectorSettings,
  type Credentials,
  type DirectoryContact,
  type DirectoryPage,
} from '../bff/connectors/types.js';

interface Closable {
  close(): Promise<void>;
}

const open: Closable[] = [];

/** Keeps a fake to be closed by the next `closeFakes()`. */
export function track<T extends Closable>(fake: T): T {
  open.push(fake);
  return fake;
}

/** Closes every fake started since the last call: `afterEach(closeFakes)`, or mid-test before starting another. */
export async function closeFakes(): Promise<void> {
  await Promise.all(open.splice(0).map((fake) => fake.close()));
}

export const signal = (): AbortSignal => new AbortController().signal;

/** The first page a connector lists. */
export function firstPage(connector: Connector): Promise<DirectoryPage> {
  return connector.listContacts({ cursor: null, signal: signal() });
}

/** Every page a connector lists, in order: the contacts, each page's next cursor and total, and how many pages there were. */
export async function listAll(connector: Connector) {
  const contacts: DirectoryContact[] = [];
  const cursors: (string | null)[] = [];
  const totals: (number | null | undefined)[] = [];
  let cursor: string | null = null;
  do {
    const page: DirectoryPage = await connector.listContacts({ cursor, signal: signal() });
    contacts.push(...page.contacts);
    totals.push(page.total);
    cursor = page.nextCursor;
    cursors.push(cursor);
  } while (cursor);
  return { contacts, cursors, totals, pages: cursors.length };
}

/** The ProviderError `promise` rejects with; anything else (success, another error) fails the test. */
export async function expectProviderError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

/** A `sleep` that returns at once and records every wait asked of it, in ms. */
export function recordingSleep() {
  const slept: number[] = [];
  const sleep = async (ms: number): Promise<void> => void slept.push(ms);
  return { sleep, slept };
}

/**
 * Starts a fake (closed by `closeFakes`) and builds a connector against it with a recording
 * `sleep` and a 10 ms base delay. `tokenUrl` derives the token host from the fake's URL, for
 * connectors whose auth host is configured apart from the API host.
 */
export async function setupConnector<Fake extends Closable & { url: string }, FakeOptions>(
  startFake: (options: FakeOptions) => Promise<Fake>,
  factory: (settings: ConnectorSettings, options?: ConnectorOptions) => Connector,
  fakeOptions: NoInfer<FakeOptions>,
  credentials: Credentials,
  tokenUrl?: (fakeUrl: string) => string | undefined,
  /** The optional fields the deployment turned off. */
  omit?: ConnectorSettings['omit'],
) {
  const fake = track(await startFake(fakeOptions));
  const { sleep, slept } = recordingSleep();
  const connector = factory(
    { baseUrl: fake.url, ...(tokenUrl ? { tokenUrl: tokenUrl(fake.url) } : {}), credentials, omit },
    { sleep, policy: { baseDelayMs: 10 } },
  );
  const list = (cursor: string | null = null) => connector.listContacts({ cursor, signal: signal() });
  return { fake, connector, slept, list };
}

/** Every page of a connector's changes since `since`: the changed contacts, the deleted ids, and the watermark the last page named. */
export async function listChangesAll(connector: Connector, since: string, startedAt = new Date('2026-11-24T12:00:00Z')) {
  const contacts: ChangedContact[] = [];
  const deleted: string[] = [];
  let watermark: string | null = null;
  let pages = 0;
  for await (const page of connector.listChanges!({ since, startedAt, signal: signal() })) {
    pages++;
    contacts.push(...page.contacts);
    deleted.push(...page.deleted);
    if (page.watermark !== null) watermark = page.watermark;
  }
  return { contacts, deleted, watermark, pages };
}
