/**
 * How every connector talks to its provider: a timeout on every call, retries with exponential
 * backoff and full jitter on network errors and 5xx, throttling signals obeyed (Retry-After,
 * rate-limit reset headers, or a provider-specific signal), a bounded budget, redirects followed
 * only on the same host, and failures mapped to typed ProviderErrors the widget can act on.
 * A throttling answer pauses every request of the client (a connector's pages in flight), not
 * only the one throttled.
 *
 * Every call has one overall deadline (attempts, waits and reading the body together), below the
 * widget's 20 s request timeout, and an answer's body is counted as it streams and cut off past a
 * byte bound, so neither a hanging, a trickling nor an endless provider holds us. What a provider
 * says is redacted (redact.ts) before it becomes an error message.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProviderError, type ProviderErrorKind } from './types.js';
import { redact } from './redact.js';

export interface HttpPolicy {
  /** Per attempt. */
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time spent waiting between attempts before giving up. */
  budgetMs: number;
  /** One call from its first byte sent to its body's last read, retries and waits included. */
  deadlineMs: number;
  /** Bytes of one answer's body; a page that ignores `limit` is cut off here, not buffered whole. */
  maxResponseBytes: number;
}

export const DEFAULT_POLICY: HttpPolicy = {
  timeoutMs: 10_000,
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 120_000,
  // The widget gives up on a request after 20 s: our answer (504) must come before.
  deadlineMs: 15_000,
  maxResponseBytes: 50 * 1024 * 1024,
};

/**
 * A tighter byte bound for the calls made inside `withResponseByteLimit` (a directory refresh's
 * configured `refreshLimits.responseBytes`), without threading it through every connector.
 */
const responseByteLimit = new AsyncLocalStorage<number>();
/** How many `withResponseByteLimit` calls have not ended. */
let limited = 0;

/**
 * Runs `run` with every provider answer it reads bounded to `bytes`. On Node 20 an
 * AsyncLocalStorage, once run, makes every promise of the process pay for its hooks until it is
 * disabled, so the storage is disabled again whenever no bounded call runs (what that saves an
 * import: docs/performance.md, "The import path: no promise hooks once refreshes end").
 */
export async function withResponseByteLimit<T>(bytes: number, run: () => Promise<T>): Promise<T> {
  limited++;
  try {
    return await responseByteLimit.run(bytes, run);
  } finally {
    if (--limited === 0) responseByteLimit.disable();
  }
}

/** The bound `withResponseByteLimit` set for this call, if any. */
export const responseByteLimitHere = (): number | undefined => responseByteLimit.getStore();

/** Of an error body only this much is read: enough for the provider's message. */
const ERROR_BODY_BYTES = 64 * 1024;

/** What a provider-specific check says about a non-2xx answer. */
export type Verdict = { retry: true; afterMs?: number | undefined; kind?: ProviderErrorKind } | { retry: false; kind: ProviderErrorKind; message?: string };

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
  /** Values never to repeat in a message (the connection's credentials), whatever a provider echoes. */
  secrets?: readonly string[] | undefined;
  fetch?: typeof fetch | undefined;
  policy?: Partial<HttpPolicy> | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  now?: (() => number) | undefined;
}

const MAX_REDIRECTS = 5;
/** A throttled request whose wait ends within this of the current pause's end joins that pause. */
const PAUSE_JOIN_MS = 1000;

/** Retry-After as seconds or an HTTP date. */
function retryAfterOnly(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Retry-After as seconds or an HTTP date; RateLimit-Reset / X-RateLimit-Reset as seconds or epoch. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = retryAfterOnly(headers, now);
  if (ra !== undefined) return ra;
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

class BodyTooLarge extends Error {}

/**
 * A body read as it streams, counting bytes: past `max` it is either cut there (`cut`, for error
 * excerpts) or refused, and the rest is never read.
 */
async function readText(res: Response, max: number, cut: boolean): Promise<string> {
  if (!res.body) return '';
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!cut && declared > max) {
    await res.body.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      await reader.cancel().catch(() => undefined);
      if (!cut) throw new BodyTooLarge();
      chunks.push(value.subarray(0, max - size));
      break;
    }
    size += value.byteLength;
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
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

  async function once(url: URL, options: RequestOptions, deadline: AbortSignal, remainingMs: number): Promise<Response> {
    const { signal, page: _page, classify: _classify, ...init } = options;
    let current = url;
    for (let hop = 0; ; hop++) {
      const timeout = AbortSignal.timeout(Math.max(1, Math.min(policy.timeoutMs, remainingMs)));
      // The signal stays on the body too: a provider trickling its answer is cut off by the deadline.
      const res = await doFetch(current, { ...init, redirect: 'manual', signal: AbortSignal.any([deadline, timeout, ...(signal ? [signal] : [])]) });
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

  /** What a provider may not see repeated: the configured secrets and the credentials this request carries. */
  function secretsOf(url: URL, options: RequestOptions): string[] {
    const sent = Object.entries((options.headers as Record<string, string> | undefined) ?? {})
      .filter(([name]) => /auth|key|token|secret|cookie/i.test(name))
      .map(([, value]) => value);
    const query = [...url.searchParams.values()].filter((v) => v.length >= 8);
    return [...(deps.secrets ?? []), ...sent.flatMap((v) => [v, v.replace(/^\S+\s+/, '')]), ...query];
  }

  const unavailable = (message: string, options: RequestOptions) =>
    new ProviderError(
      'unavailable',
      `${deps.provider}: ${KIND_HINT.unavailable}${options.page ? ` (${options.page})` : ''}. ${message}`,
      options.page ? { page: options.page } : {},
    );

  async function call(input: string | URL, options: RequestOptions, deadline: AbortSignal, started: number): Promise<Response> {
    const url = new URL(input);
    const secrets = secretsOf(url, options);
    let waited = 0;
    let last: ProviderError | undefined;
    const spent = () => Math.max(now() - started, waited);
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (pause) await pause.over;
      options.signal?.throwIfAborted();
      if (deadline.aborted) throw unavailable(`No answer within ${policy.deadlineMs / 1000} s.`, options);
      let verdict: Verdict;
      let hintMs: number | undefined;
      let status: number | undefined;
      let message: string;
      try {
        const res = await once(url, options, deadline, policy.deadlineMs - spent());
        if (res.ok) return res;
        status = res.status;
        const body = await readText(res, ERROR_BODY_BYTES, true).catch(() => '');
        verdict = options.classify?.(res.status, body, res.headers) ?? genericVerdict(res.status);
        // A rate-limit window's reset says when throttling ends, not when a failing server is back:
        // only Retry-After counts for other answers (Okta sends X-Rate-Limit-Reset on every one).
        const throttled = verdict.kind === 'rate_limited' || verdict.kind === 'quota_exceeded' || res.status === 429;
        hintMs = (verdict.retry ? verdict.afterMs : undefined) ?? (throttled ? retryAfterMs(res.headers) : retryAfterOnly(res.headers));
        message = (!verdict.retry && verdict.message) || excerpt(body) || `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        if (options.signal?.aborted) throw err;
        if (deadline.aborted) throw unavailable(`No answer within ${policy.deadlineMs / 1000} s.`, options);
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        verdict = { retry: true, kind: 'unavailable' };
        message = timedOut
          ? `no answer within ${Math.min(policy.timeoutMs, policy.deadlineMs) / 1000} s`
          : `network error (${err instanceof Error ? err.message : String(err)})`;
      }
      const kind = verdict.kind ?? 'unavailable';
      const where = options.page ? ` (${options.page})` : '';
      last = new ProviderError(kind, redact(`${deps.provider}: ${KIND_HINT[kind]}${where}. It said: ${message}`, secrets), {
        ...(status !== undefined ? { status } : {}),
        ...(hintMs !== undefined ? { retryAfterSeconds: Math.ceil(hintMs / 1000) } : {}),
        ...(options.page ? { page: options.page } : {}),
      });
      if (!verdict.retry) throw last;
      if (attempt === policy.maxAttempts) break;
      // Full jitter: spread retries of many clients instead of synchronizing them.
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = hintMs ?? Math.round(random() * backoff);
      // A wait that would end past the deadline is not waited: the caller hears now, with Retry-After.
      if (waited + delay > policy.budgetMs || spent() + delay >= policy.deadlineMs) break;
      waited += delay;
      await (kind === 'rate_limited' ? pauseFor(delay) : sleep(delay));
    }
    throw last!;
  }

  async function request(input: string | URL, options: RequestOptions = {}): Promise<Response> {
    return call(input, options, AbortSignal.timeout(policy.deadlineMs), now());
  }

  return {
    request,
    async json<T>(url: string | URL, options: RequestOptions = {}): Promise<T> {
      const deadline = AbortSignal.timeout(policy.deadlineMs);
      const started = now();
      const res = await call(
        url,
        { ...options, headers: { Accept: 'application/json', ...(options.headers as Record<string, string> | undefined) } },
        deadline,
        started,
      );
      const max = Math.min(policy.maxResponseBytes, responseByteLimitHere() ?? Infinity);
      const where = options.page ? ` (${options.page})` : '';
      let text: string;
      try {
        text = await readText(res, max, false);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          throw new ProviderError('bad_response', `${deps.provider} sent more than ${formatBytes(max)} in one response${where}; refused.`, {
            status: res.status,
            ...(options.page ? { page: options.page } : {}),
          });
        }
        if (options.signal?.aborted) throw err;
        // Headers came, the body did not finish: as unavailable as no answer at all. The attempt's
        // own timer (the time left of the deadline) may fire a moment before the deadline's.
        const outOfTime = deadline.aborted || now() - started >= policy.deadlineMs - 50 || (err instanceof Error && err.name === 'TimeoutError');
        throw unavailable(outOfTime ? `Its answer did not finish within ${policy.deadlineMs / 1000} s.` : 'Its answer broke off.', options);
      }
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProviderError('bad_response', `${deps.provider} sent a response that is not JSON${where}.`, {
          status: res.status,
          ...(options.page ? { page: options.page } : {}),
        });
      }
    },
  };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`;
}
