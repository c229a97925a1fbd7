import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ContextProvider } from '@lit/context';
import { Task, initialState } from '@lit/task';
import type { Seats, SessionInfo } from '../../api/types.js';
import { ApiClient, DEFAULT_TIMEOUT_MS, toApiError, type ApiError } from '../../api/client.js';
import { apiContext } from '../../api/context.js';

/** How long before the session's expiry its token is refreshed (less for very short sessions). */
const REFRESH_MARGIN_MS = 60_000;

/** A new session token from the host: the same thing its backend got from `POST /api/sessions`. */
export type TokenProvider = () => Promise<string>;

/** The element's attributes the session is made of. */
export interface SessionHost extends ReactiveControllerHost, HTMLElement {
  sessionToken: string;
  apiBase: string;
  requestTimeout: number;
  tokenProvider: TokenProvider | null;
}

export interface SessionOptions {
  /** Reads the session (and whatever the first view needs beside it). */
  load(api: ApiClient, signal: AbortSignal): Promise<SessionInfo>;
  onSession(session: SessionInfo): void;
  /** The seats of a session read again after its token was refreshed. */
  onSeats(seats: Seats): void;
  /** Any failed request, before the session decides whether it ended the flow. */
  onError(error: ApiError): void;
  /** An error the page hears of (`hr-import-error`). */
  report(error: ApiError): void;
}

/**
 * The API client made of the element's session token, base and timeout, given to the parts
 * through apiContext; the session read with it (a Task); the token refreshed ahead of the
 * session's expiry, and the end of the flow when the session expires.
 */
export class SessionController implements ReactiveController {
  readonly #host: SessionHost;
  readonly #options: SessionOptions;
  readonly #provider: ContextProvider<typeof apiContext>;
  api: ApiClient | undefined;
  /** The session ended (401): the flow shows that and nothing else. */
  expired = false;
  readonly task: Task<readonly [ApiClient | undefined], SessionInfo>;
  /** The attributes the client was made of, to tell a new token from a new session. */
  #made: readonly [string, string, number] | undefined;
  /** When the session's token is refreshed ahead of its expiry. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The session's expiry, to refresh again after a reconnect. */
  #expiresAt: string | undefined;

  constructor(host: SessionHost, options: SessionOptions) {
    this.#host = host;
    this.#options = options;
    // Added before the Task, so the client is made before the Task compares its argument.
    host.addController(this);
    this.#provider = new ContextProvider(host, { context: apiContext });
    this.task = new Task(host, {
      task: ([api], { signal }) => (api ? options.load(api, signal) : initialState),
      args: () => [this.api] as const,
      onComplete: (session) => {
        options.onSession(session);
        this.#schedule(session.expiresAt);
      },
      onError: (error) => {
        const e = toApiError(error);
        if (e.status !== 401) options.report(e);
      },
    });
  }

  /** The session read, unless it expired since. */
  get session(): SessionInfo | undefined {
    return this.expired ? undefined : this.task.value;
  }

  hostConnected() {
    if (this.#expiresAt) this.#schedule(this.#expiresAt);
  }

  hostDisconnected() {
    clearTimeout(this.#timer);
  }

  hostUpdate() {
    const host = this.#host;
    const made = [host.sessionToken, host.apiBase, host.requestTimeout] as const;
    const before = this.#made;
    if (before && made.every((value, i) => value === before[i])) return;
    this.#made = made;
    if (before && made[1] === before[1] && made[2] === before[2] && this.api && host.sessionToken && !this.expired) {
      // A new token for the same session (the host refreshed it): swap it in place, so nothing
      // loaded so far is fetched again.
      this.api.setToken(host.sessionToken);
      return;
    }
    this.api = host.sessionToken
      ? new ApiClient({
          base: host.apiBase || '/api',
          token: host.sessionToken,
          timeoutMs: host.requestTimeout > 0 ? host.requestTimeout : DEFAULT_TIMEOUT_MS,
          onError: (error) => this.failed(error),
          refreshToken: () => host.tokenProvider?.() ?? null,
          onTokenRefreshed: () => void this.#refreshed(),
        })
      : undefined;
    this.expired = false;
    this.#provider.setValue(this.api);
  }

  /** Any failed request: an expired session ends the flow wherever it happens. */
  failed(error: ApiError): void {
    this.#options.onError(error);
    if (error.status !== 401 || this.expired) return;
    this.expired = true;
    this.#host.requestUpdate();
    this.#options.report(error);
  }

  /** Refreshes the token shortly before `expiresAt`, when the host gave a way to. */
  #schedule(expiresAt: string) {
    this.#expiresAt = expiresAt;
    clearTimeout(this.#timer);
    const left = Date.parse(expiresAt) - Date.now();
    if (!Number.isFinite(left) || !this.#host.isConnected) return;
    const delay = Math.max(0, left - Math.min(REFRESH_MARGIN_MS, left / 5));
    this.#timer = setTimeout(
      () => {
        if (!this.api || !this.#host.tokenProvider || this.expired) return;
        // A failed refresh shows nothing yet: the next request's 401 asks again, and ends the flow
        // only if that fails too.
        this.api.refreshToken().catch(() => undefined);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
  }

  /** A refreshed token: learn its session's new expiry (and fresh seats) to refresh again in time. */
  async #refreshed() {
    const api = this.api;
    try {
      const session = await api?.getSession();
      if (!session || api !== this.api) return;
      this.#options.onSeats(session.seats);
      this.#schedule(session.expiresAt);
    } catch {
      // Failures of this background read are reported by the client like any other.
    }
  }
}
