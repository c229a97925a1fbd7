/**
 * How every connector talks to its provider: a timeout on every call, retries with exponential
 * backoff and full jitter on network errors and 5xx, throttling signals obeyed (Retry-After,
 * rate-limit reset headers, or a provider-specific signal), a bounded budget, redirects followed
 * only on the same host, and failures mapped to typed ProviderErrors the widget can act on.
 * A throttling answer pauses every request of the client (a connector's pages in flight), not
 * only the one throttled.
 */
import { ProviderError, type ProviderErrorKind } from './types.js';

export interface HttpPolicy {
  /** Per attempt. */
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time spent waiting between attempts before giving up. */
  budgetMs: number;
}

export const DEFAULT_POLICY: HttpPolicy = { timeoutMs: 30_000, maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, budgetMs: 120_000 };

/** What a provider-specific check says about a non-2xx answer. */
export type Verdict =
  | { retry: true; afterMs?: number | undefined; kind?: ProviderErrorKind }
  | { retry: false; kind: ProviderErrorKind; message?: string };

export interface RequestOptions extends Omit<RequestInit, 'signal' | 'redirect'> {
  signal?: AbortSignal | undefined;
  /** Names the page in errors ("page 3", a cursor) so a malformed answer can be found. */
  page?: string | undefined;
  /**
   * Provider-specific reading of a failed answer (e.g. Google's 403 `userRateLimitExceeded` is
   * throttling, Salesforce's 403 `REQUEST_LIMIT_EXCEEDED` is a spent daily quota). Return
   * undefined to fall back to the generic rules.
   */
  classify?: ((status: number, body: string, headers: Headers) => Verdict | undefined) | undefined;
}

export interface ProviderHttp {
  request(url: string | URL, options?: RequestOptions): Promise<Response>;
  /** request() and parse JSON; an unreadable body is a `bad_response` naming the page. */
  json<T>(url: string | URL, options?: RequestOptions): Promise<T>;
}

export interface HttpDeps {
  /** Display name used in error messages ("BambooHR answered …"). */
  provider: string;
  fetch?: typeof fetch | undefined;
  policy?: Partial<HttpPolicy> | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  now?: (() => number) | undefined;
}

const MAX_REDIRECTS = 5;
/** A throttled request whose wait ends within this of the current pause's end joins that pause. */
const PAUSE_JOIN_MS = 1000;

/** Retry-After as seconds or an HTTP date; RateLimit-Reset / X-RateLimit-Reset as seconds or epoch. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset') ?? headers.get('x-rate-limit-reset');
  if (reset && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const n = Number(reset);
    // Large values are epoch seconds, small ones a delay.
    return n > 1_000_000_000 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return undefined;
}

function genericVerdict(status: number): Verdict {
  if (status === 429) return { retry: true, kind: 'rate_limited' };
  if (status === 408 || status >= 500) return { retry: true, kind: 'unavailable' };
  if (status === 401) return { retry: false, kind: 'auth' };
  if (status === 403) return { retry: false, kind: 'permission' };
  if (status === 404) return { retry: false, kind: 'config' };
  return { retry: false, kind: 'bad_response' };
}

const KIND_HINT: Record<ProviderErrorKind, string> = {
  auth: 'the credentials are missing, wrong or expired; reconnect',
  permission: 'the credentials lack a permission this needs',
  rate_limited: 'it keeps throttling us; try again later',
  quota_exceeded: 'its API allowance is used up for now',
  unavailable: 'it is unavailable; try again later',
  bad_response: 'it answered something we cannot read',
  config: 'the configured address or account is wrong',
};

/** A short, single-line excerpt of the provider's own error message, for the widget to show. */
function excerpt(body: string): string {
  let text = body;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j.error as Record<string, unknown> | string | undefined;
    text = String(
      (typeof e === 'object' && e ? (e.message ?? e.error_description) : e) ??
        j.error_description ??
        j.message ??
        (Array.isArray(j) && j[0] && typeof j[0] === 'object' ? (j[0] as Record<string, unknown>).message : undefined) ??
        j.detail ??
        body,
    );
  } catch {
    // not JSON: use the text as it is
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function createHttp(deps: HttpDeps): ProviderHttp {
  const policy = { ...DEFAULT_POLICY, ...deps.policy };
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;

  /**
   * A throttling answer pauses every request of this client, not only the one that got it: when
   * a directory is read several pages at a time, the other workers would otherwise keep hitting
   * the limit. Requests wait for the pause before each attempt; a later 429 asking for a longer
   * wait replaces it.
   */
  let pause: { until: number; over: Promise<void> } | null = null;
  function pauseFor(ms: number): Promise<void> {
    const until = now() + ms;
    // Workers throttled together join one pause rather than stacking theirs.
    if (pause && until <= pause.until + PAUSE_JOIN_MS) return pause.over;
    const current: { until: number; over: Promise<void> } = {
      until,
      over: sleep(ms).finally(() => {
        if (pause === current) pause = null;
      }),
    };
    pause = current;
    return current.over;
  }

  async function once(url: URL, options: RequestOptions): Promise<Response> {
    const { signal, page: _page, classify: _classify, ...init } = options;
    let current = url;
    for (let hop = 0; ; hop++) {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const res = await doFetch(current, { ...init, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
      const location = res.headers.get('location');
      if (!location) return res;
      const next = new URL(location, current);
      // Credentials ride on every request: never let a redirect carry them to another host.
      if (next.origin !== url.origin) {
        throw new ProviderError('bad_response', `${deps.provider} redirected to another host (${next.host}); refused.`, { status: res.status });
      }
      if (hop >= MAX_REDIRECTS) throw new ProviderError('bad_response', `${deps.provider} redirected too many times.`);
      current = next;
    }
  }

  async function request(input: string | URL, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(input);
    let waited = 0;
    let last: ProviderError | undefined;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (pause) await pause.over;
      options.signal?.throwIfAborted();
      let verdict: Verdict;
      let hintMs: number | undefined;
      let status: number | undefined;
      let message = '';
      try {
        const res = await once(url, options);
        if (res.ok) return res;
        status = res.status;
        const body = await res.text().catch(() => '');
        verdict = options.classify?.(res.status, body, res.headers) ?? genericVerdict(res.status);
        hintMs = (verdict.retry ? verdict.afterMs : undefined) ?? retryAfterMs(res.headers);
        message = (!verdict.retry && verdict.message) || excerpt(body) || `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        if (options.signal?.aborted) throw err;
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        verdict = { retry: true, kind: 'unavailable' };
        message = timedOut ? `no answer within ${policy.timeoutMs / 1000} s` : `network error (${err instanceof Error ? err.message : String(err)})`;
      }
      const kind = verdict.kind ?? 'unavailable';
      const where = options.page ? ` (${options.page})` : '';
      last = new ProviderError(kind, `${deps.provider}: ${KIND_HINT[kind]}${where}. It said: ${message}`, {
        ...(status !== undefined ? { status } : {}),
        ...(hintMs !== undefined ? { retryAfterSeconds: Math.ceil(hintMs / 1000) } : {}),
        ...(options.page ? { page: options.page } : {}),
      });
      if (!verdict.retry) throw last;
      if (attempt === policy.maxAttempts) break;
      // Full jitter: spread retries of many clients instead of synchronizing them.
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = hintMs ?? Math.round(random() * backoff);
      if (waited + delay > policy.budgetMs) break;
      waited += delay;
      await (kind === 'rate_limited' ? pauseFor(delay) : sleep(delay));
    }
    throw last!;
  }

  return {
    request,
    async json<T>(url: string | URL, options: RequestOptions = {}): Promise<T> {
      const res = await request(url, { ...options, headers: { Accept: 'application/json', ...(options.headers as Record<string, string> | undefined) } });
      const text = await res.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProviderError('bad_response', `${deps.provider} sent a response that is not JSON${options.page ? ` (${options.page})` : ''}.`, { status: res.status, ...(options.page ? { page: options.page } : {}) });
      }
    },
  };
}
