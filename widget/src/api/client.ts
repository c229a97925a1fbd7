import type { Answer, CsvColumnMapping, ErrorBody, ImportRequest, Query, SyncRuleInput } from './types.js';
import { msg, str } from '@lit/localize';

/** Default time a request may take before the widget gives up and says so. */
export const DEFAULT_TIMEOUT_MS = 20_000;

/** An error answer of the BFF (`{ error: { code, message, details? } }`), or a failure to get one. */
export class ApiError extends Error {
  /** HTTP status; 0 when no answer arrived (network failure, timeout). */
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** How long the server asked to wait before sending the request again (its Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfterMs?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterMs = retryAfterMs;
  }

  /**
   * Whether repeating the same request may succeed: no answer, the server failed, or another
   * attempt with the same Idempotency-Key is still running.
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500 || this.code === 'idempotency_key_in_flight';
  }
}

/** Turns anything thrown into an ApiError, so callers handle one shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(0, 'unexpected_error', message || msg('Something went wrong.'));
}

/** Whether `error` is the abort of a request its caller no longer wants (not a failure). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Query of `GET /providers/:id/contacts` (`offset`: the page's first row, for jumps where no cursor leads); empty values are left out of the URL. */
export type ContactsParams = Query<'/providers/{provider}/contacts', 'get'>;
export type FacetsParams = Query<'/providers/{provider}/contacts/facets', 'get'>;
export type InvitesParams = Query<'/invites', 'get'>;
export type SyncUpdatesParams = Query<'/sync/updates', 'get'>;

export interface ApiClientOptions {
  /** Base URL of the BFF's widget routes, e.g. `/api` or `https://hr.example.com/api`. */
  base: string;
  /** Session token from the host backend (`POST /api/sessions`). */
  token: string;
  timeoutMs?: number;
  /** Called with every failed request (not with aborts), e.g. to notice an expired session. */
  onError?: (error: ApiError) => void;
  /**
   * A fresh session token from the host, asked when the BFF answers 401 `session_expired`; the
   * failed request is then sent once more with it. Null when the host gives no way to refresh.
   */
  refreshToken?: () => Promise<string> | null;
  /** Called once a refreshed token is in use. */
  onTokenRefreshed?: (token: string) => void;
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Only the sign-in start sends and accepts cookies: its answer binds the sign-in to this browser. */
  credentials?: RequestCredentials;
}

/** A small typed wrapper around `fetch` for the widget-facing routes of the BFF. */
export class ApiClient {
  readonly base: string;
  readonly timeoutMs: number;
  #token: string;
  readonly #onError: ((error: ApiError) => void) | undefined;
  readonly #refreshToken: (() => Promise<string> | null) | undefined;
  readonly #onTokenRefreshed: ((token: string) => void) | undefined;
  /** The refresh in progress: requests failing together wait for one new token. */
  #refreshing: Promise<string> | null = null;

  constructor(options: ApiClientOptions) {
    this.base = options.base.replace(/\/+$/, '');
    this.#token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#onError = options.onError;
    this.#refreshToken = options.refreshToken;
    this.#onTokenRefreshed = options.onTokenRefreshed;
  }

  /** Replaces the session token for the next requests (the host handed a new one). */
  setToken(token: string): void {
    this.#token = token;
  }

  /**
   * Asks the host for a new token (one call however many requests wait for it) and uses it from
   * now on. Rejects when the host has no way to refresh or its callback fails.
   */
  refreshToken(): Promise<string> {
    this.#refreshing ??= (async () => {
      try {
        const pending = this.#refreshToken?.();
        if (!pending) throw new ApiError(401, 'session_expired', msg('Your session has expired.'));
        const token = await pending;
        if (typeof token !== 'string' || !token) throw new ApiError(401, 'session_expired', msg('Your session has expired.'));
        this.#token = token;
        this.#onTokenRefreshed?.(token);
        return token;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  getSession(signal?: AbortSignal): Promise<Answer<'/session', 'get'>> {
    return this.#request('GET', '/session', { signal });
  }

  listProviders(signal?: AbortSignal): Promise<Answer<'/providers', 'get'>> {
    return this.#request('GET', '/providers', { signal });
  }

  /** Stores the organization's credentials for `provider`; the answer never holds them. */
  saveConnection(provider: string, credentials: Record<string, string>, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/connection', 'put'>> {
    return this.#request('PUT', `/providers/${encodeURIComponent(provider)}/connection`, { body: { credentials }, signal });
  }

  /** Reads one page from the provider with the stored credentials. */
  testConnection(provider: string, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/connection/test', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/connection/test`, { signal });
  }

  /** Begins signing the organization in to `provider`: where to send the popup, and whose messages to trust. */
  startSignIn(provider: string, origin: string, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/oauth', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/oauth`, { body: { origin }, signal, credentials: 'include' });
  }

  deleteConnection(provider: string, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/connection', 'delete'>> {
    return this.#request('DELETE', `/providers/${encodeURIComponent(provider)}/connection`, { signal });
  }

  listContacts(provider: string, params: ContactsParams, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/contacts', 'get'>> {
    return this.#request('GET', `/providers/${encodeURIComponent(provider)}/contacts${queryString(params)}`, { signal });
  }

  /** The provider's directory refresh: idle, syncing (with progress), ready or error. */
  getRefresh(provider: string, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/refresh', 'get'>> {
    return this.#request('GET', `/providers/${encodeURIComponent(provider)}/refresh`, { signal });
  }

  /** Starts a refresh of the provider's directory (or joins the one running); answers its status. */
  /** Starts a refresh of a stale or missing directory; `force` (the admin's Refresh) refreshes a fresh one too. */
  startRefresh(provider: string, signal?: AbortSignal, force = false): Promise<Answer<'/providers/{provider}/refresh', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/refresh`, { ...(force ? { body: { force: true } } : {}), signal });
  }

  getFacets(provider: string, params: FacetsParams, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/contacts/facets', 'get'>> {
    return this.#request('GET', `/providers/${encodeURIComponent(provider)}/contacts/facets${queryString(params)}`, {
      signal,
    });
  }

  /** Sends a CSV file to a CSV provider; the answer is its columns, a guessed mapping and a preview. */
  uploadCsv(provider: string, file: Blob, signal?: AbortSignal): Promise<Answer<'/providers/{provider}/uploads', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/uploads`, { body: file, signal });
  }

  previewCsv(
    provider: string,
    upload: string,
    mapping: CsvColumnMapping,
    signal?: AbortSignal,
  ): Promise<Answer<'/providers/{provider}/uploads/{upload}/preview', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/uploads/${encodeURIComponent(upload)}/preview`, { body: { mapping }, signal });
  }

  /** Makes the upload's mapped rows the organization's directory of that provider. */
  confirmCsv(
    provider: string,
    upload: string,
    mapping: CsvColumnMapping,
    signal?: AbortSignal,
  ): Promise<Answer<'/providers/{provider}/uploads/{upload}/confirm', 'post'>> {
    return this.#request('POST', `/providers/${encodeURIComponent(provider)}/uploads/${encodeURIComponent(upload)}/confirm`, { body: { mapping }, signal });
  }

  /** `idempotencyKey` must stay the same when the same submission is retried. */
  createImport(request: ImportRequest, idempotencyKey: string, signal?: AbortSignal): Promise<Answer<'/imports', 'post'>> {
    return this.#request('POST', '/imports', { body: request, headers: { 'Idempotency-Key': idempotencyKey }, signal });
  }

  listInvites(params: InvitesParams, signal?: AbortSignal): Promise<Answer<'/invites', 'get'>> {
    return this.#request('GET', `/invites${queryString(params)}`, { signal });
  }

  /** Resends several invites at once; each is resent or skipped with its reason. */
  resendInvites(ids: readonly string[], signal?: AbortSignal): Promise<Answer<'/invites/resend', 'post'>> {
    return this.#request('POST', '/invites/resend', { body: { ids }, signal });
  }

  listSyncRules(signal?: AbortSignal): Promise<Answer<'/sync-rules', 'get'>> {
    return this.#request('GET', '/sync-rules', { signal });
  }

  /** What a rule would do now (matches, invites by role, seats), without saving it. */
  dryRunSyncRule(rule: SyncRuleInput, signal?: AbortSignal): Promise<Answer<'/sync-rules/dry-run', 'post'>> {
    return this.#request('POST', '/sync-rules/dry-run', { body: rule, signal });
  }

  /** Saves a new rule (`id` null) or replaces one. */
  saveSyncRule(id: string | null, rule: SyncRuleInput, signal?: AbortSignal): Promise<Answer<'/sync-rules', 'post'>> {
    return id === null
      ? this.#request('POST', '/sync-rules', { body: rule, signal })
      : this.#request('PUT', `/sync-rules/${encodeURIComponent(id)}`, { body: rule, signal });
  }

  deleteSyncRule(id: string, signal?: AbortSignal): Promise<void> {
    return this.#request('DELETE', `/sync-rules/${encodeURIComponent(id)}`, { signal });
  }

  /** Sync now: the run starts in the background; poll `listSyncRuns` for its end. */
  runSyncRule(id: string, signal?: AbortSignal): Promise<Answer<'/sync-rules/{id}/run', 'post'>> {
    return this.#request('POST', `/sync-rules/${encodeURIComponent(id)}/run`, { signal });
  }

  listSyncRuns(id: string, signal?: AbortSignal): Promise<Answer<'/sync-rules/{id}/runs', 'get'>> {
    return this.#request('GET', `/sync-rules/${encodeURIComponent(id)}/runs`, { signal });
  }

  /** Confirms a run the leaver safeguard held. */
  approveSyncRun(id: string, run: string, signal?: AbortSignal): Promise<Answer<'/sync-rules/{id}/runs/{run}/approve', 'post'>> {
    return this.#request('POST', `/sync-rules/${encodeURIComponent(id)}/runs/${encodeURIComponent(run)}/approve`, { signal });
  }

  listSyncUpdates(params: SyncUpdatesParams, signal?: AbortSignal): Promise<Answer<'/sync/updates', 'get'>> {
    return this.#request('GET', `/sync/updates${queryString(params)}`, { signal });
  }

  /** Approves or dismisses updates, each as `POST /sync/updates/approve|dismiss` would. */
  actOnSyncUpdates(action: 'approve' | 'dismiss', ids: readonly string[], signal?: AbortSignal): Promise<Answer<'/sync/updates/approve', 'post'>> {
    return this.#request('POST', `/sync/updates/${action}`, { body: { ids }, signal });
  }

  async #request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    try {
      return await this.#sendRefreshing<T>(method, path, options);
    } catch (error) {
      if (!isAbort(error) && error instanceof ApiError) this.#onError?.(error);
      throw error;
    }
  }

  /** An expired session is refreshed through the host and the request sent once more. */
  async #sendRefreshing<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const token = this.#token;
    try {
      return await this.#send<T>(method, path, options, token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'session_expired' || !this.#refreshToken) throw error;
      // Another request may already have refreshed while this one was on its way.
      if (this.#token === token) {
        try {
          await this.refreshToken();
        } catch {
          throw error;
        }
      }
      return this.#send<T>(method, path, options, this.#token);
    }
  }

  async #send<T>(method: string, path: string, { body, headers, signal, credentials = 'omit' }: RequestOptions, token: string): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    // A caller's abort is passed on as the AbortError it is; only the timeout becomes an ApiError.
    const failed = (error: unknown): unknown => {
      if (signal?.aborted) return error;
      if (timeout.aborted) {
        return new ApiError(0, 'timeout', msg('The server took too long to answer. Check your connection and try again.'));
      }
      return new ApiError(0, 'network_error', msg('Could not reach the server. Check your connection and try again.'));
    };

    // A file is sent as itself (a CSV upload); everything else as JSON.
    const file = body instanceof Blob;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': file ? 'text/csv' : 'application/json' }),
          ...headers,
        },
        body: body === undefined ? null : file ? body : JSON.stringify(body),
        signal: combined,
        credentials,
      });
      text = await response.text();
    } catch (error) {
      throw failed(error);
    }

    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw errorFrom(response.status, data, retryAfterOf(response));
    if (response.status === 204) return undefined as T;
    if (data === null) throw new ApiError(response.status, 'invalid_response', msg('The server sent an answer the widget cannot read.'));
    return data as T;
  }
}

/** Retry-After in seconds (the BFF never sends the HTTP-date form), bounded to a minute. */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('Retry-After');
  const seconds = value === null || !/^\d+$/.test(value.trim()) ? NaN : Number(value);
  return Number.isFinite(seconds) ? Math.min(seconds, 60) * 1000 : undefined;
}

function errorFrom(status: number, data: unknown, retryAfterMs?: number): ApiError {
  const error = (data as Partial<ErrorBody> | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, error.details, retryAfterMs);
  }
  return new ApiError(status, `http_${status}`, msg(str`The server answered with status ${status}.`));
}

function queryString(params: object): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** A fresh key for `Idempotency-Key`; `randomUUID` needs a secure context, so fall back on plain http. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
