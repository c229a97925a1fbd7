/**
 * What every HR application implements. A connector turns one provider's API into pages of
 * normalized contacts; the BFF does the rest (caching the directory, search, membership
 * markers, imports), so a connector never sees a target, a session or the database.
 */
import type { Contact } from '../../contract/index.js';
import type { OptionalField } from './minimize.js';

/**
 * One person as a provider describes them, normalized: every missing value is null, `status` is
 * `inactive` for terminated, suspended, archived or disabled people, `email` is the work email as
 * given (the BFF normalizes case and whitespace). The widget's contact adds only the target's and
 * the directory's view of them: `membership` and `sharedEmail`.
 */
export type DirectoryContact = Omit<Contact, 'membership' | 'sharedEmail'>;

export interface DirectoryPage {
  contacts: DirectoryContact[];
  /** Opaque to the BFF; null when this was the last page. */
  nextCursor: string | null;
  /** The directory's size when the provider tells it, for refresh progress. */
  total?: number | null;
  /**
   * Where the next incremental refresh starts, named on the last page by a connector whose full
   * listing is itself the first round of its change tracking (Graph's delta query ends with a
   * delta link); the others leave it out and have `changeWatermark`.
   */
  watermark?: string | null;
}

export interface ListOptions {
  cursor: string | null;
  signal: AbortSignal;
}

export interface PagesOptions {
  signal: AbortSignal;
  /** The most page requests in flight at once (1 or more). */
  concurrency: number;
}

export interface ChangesOptions {
  /** Where the previous refresh left off: what `changeWatermark` or the last `listChanges` page gave. */
  since: string;
  /** When this refresh started, by the BFF's clock: timestamp watermarks are taken from it. */
  startedAt: Date;
  signal: AbortSignal;
}

export interface WatermarkOptions {
  /** When the full refresh starts, by the BFF's clock. */
  startedAt: Date;
  signal: AbortSignal;
}

/**
 * A person added or changed, as a provider's change list describes them: the fields it sent. A
 * field left out (undefined) was not sent and keeps what the cached directory holds, for
 * providers whose change lists may carry only what changed (Graph's delta query); a person the
 * cache does not hold yet gets null there.
 */
export type ChangedContact = Pick<DirectoryContact, 'id'> & Partial<DirectoryContact>;

/** One page of what changed in a directory since a watermark. */
export interface DirectoryChanges {
  /** People added or changed since then, each their whole record as `listContacts` gives it, or the fields sent (ChangedContact). */
  contacts: ChangedContact[];
  /**
   * Ids the provider reports as deleted since then, where its API says so; everywhere else the
   * periodic full refresh finds who is gone.
   */
  deleted: string[];
  /** Where the next incremental refresh starts: set on the last page, null on the others. */
  watermark: string | null;
}

export interface Connector {
  /** One page of the directory. Providers without paging return everything and a null cursor. */
  listContacts(options: ListOptions): Promise<DirectoryPage>;
  /**
   * Every page of the directory, in the provider's order, fetching up to `concurrency` pages at
   * once. Only connectors whose API can name a page before the previous one has answered
   * (offset/limit) have it; cursor APIs are read one page after another through `listContacts`.
   * The pages' `nextCursor` means nothing here.
   */
  pages?(options: PagesOptions): AsyncIterable<DirectoryPage>;
  /**
   * Incremental refresh, where the provider can list what changed since a point (a timestamp, or
   * its own delta link): the changes since `since`, page by page, the last page naming the next
   * watermark. A connector that has it also has `changeWatermark`, or names the watermark on the
   * last page of its full listing (`DirectoryPage.watermark`).
   */
  listChanges?(options: ChangesOptions): AsyncIterable<DirectoryChanges>;
  /**
   * The watermark of the directory as it is now, asked just before a full refresh starts, so that
   * whatever changes while it runs is listed again by the next incremental one (applying a
   * change twice is harmless; missing one is not).
   */
  changeWatermark?(options: WatermarkOptions): Promise<string>;
}

/** Secrets resolved from the environment or the encrypted store; never logged or returned. */
export type Credentials = Record<string, string>;

export interface ConnectorSettings {
  /** The provider's API host from configuration (never from a request). */
  baseUrl: string;
  /** The provider's auth host where it differs from the API host. */
  tokenUrl?: string | undefined;
  credentials: Credentials;
  /** Optional fields the deployment turned off (less a location its scope reads, minimize.ts `unfetched`): a connector that can choose what it fetches leaves them out. */
  omit?: readonly OptionalField[] | undefined;
  /** Injected so tests and the HTTP client's retry policy can be swapped; defaults to global fetch. */
  fetch?: typeof fetch;
}

export type ConnectorFactory = (settings: ConnectorSettings) => Connector;

/**
 * Why a provider call failed, in terms the widget can act on:
 * - `auth`: credentials missing, wrong or expired (reconnect)
 * - `permission`: the credentials lack a scope (say which)
 * - `rate_limited`: throttled beyond the retry budget (try later)
 * - `quota_exceeded`: a daily allocation is spent; retrying today will not help
 * - `unavailable`: network error, timeout or 5xx after retries (try later)
 * - `bad_response`: the provider answered something we cannot read (which page)
 * - `config`: the deployment's configuration is wrong (operator's problem)
 */
export type ProviderErrorKind = 'auth' | 'permission' | 'rate_limited' | 'quota_exceeded' | 'unavailable' | 'bad_response' | 'config';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterSeconds?: number; page?: string } = {},
  ) {
    super(message);
  }
}
