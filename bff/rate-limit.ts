/**
 * Rate limits per session and per client address, in fixed one-minute windows. Over the limit:
 * 429 with Retry-After.
 *
 * The counters cost no database write: by default they live in this process's memory (a Map with
 * a hard cap on keys, so a flood of random bearer tokens cannot grow it without bound), and a
 * database that refuses writes does not take the reads down with it. Replicas behind one load
 * balancer each count on their own with the memory store; where they must share one limit, the
 * Redis store counts in Redis instead (`rateLimitStore: { redisUrl }`). A store that does not
 * answer lets requests through with a warning: a limiter is a guard, not a dependency.
 */
import { createHash } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import type { RouteDeps, RateLimits } from './deps.js';
import { AppError } from './errors.js';
import { bearer } from './auth/api-key.js';
import type { Logger } from './logger.js';

// SCIM per token only: Okta's and Entra's requests for every customer come from the same few
// addresses, so an address limit would make one organization's initial push throttle the others.
export const DEFAULT_RATE_LIMITS: RateLimits = { session: 600, address: 1200, accept: 30, scim: 1200 };
const WINDOW_MS = 60_000;

/**
 * Counts hits in fixed windows. `hit` adds one to every key in the window that starts at
 * `windowStart` and answers each key's count so far, in order.
 */
export interface RateLimitStore {
  hit(keys: string[], windowStart: number, windowMs: number): Promise<number[]>;
  close(): Promise<void>;
}

/** Digest, so neither a session token nor an address is kept in the counters. */
const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

/**
 * One process's counters. Only the current window is kept (a new window starts empty), and at
 * most `maxKeys` keys of it: past the cap the least recently counted key is dropped, so memory
 * stays bounded whatever a client sends; a dropped key merely starts counting again.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private window = -1;
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxKeys = 100_000) {}

  get size(): number {
    return this.counts.size;
  }

  /** The keys counted in the current window (digests, never a token or an address). */
  keys(): string[] {
    return [...this.counts.keys()];
  }

  async hit(keys: string[], windowStart: number): Promise<number[]> {
    if (windowStart !== this.window) {
      this.window = windowStart;
      this.counts.clear();
    }
    return keys.map((key) => {
      const count = (this.counts.get(key) ?? 0) + 1;
      // Deleted and set again: the Map's order is then least recently counted first.
      this.counts.delete(key);
      this.counts.set(key, count);
      if (this.counts.size > this.maxKeys) this.counts.delete(this.counts.keys().next().value!);
      return count;
    });
  }

  async close(): Promise<void> {
    this.counts.clear();
  }
}

type Reply = number | string | null | Error;

/**
 * Counters in Redis, shared by every replica: one pipeline of INCR and PEXPIRE per request,
 * spoken in RESP over one socket (no client library needed for two commands). A down or slow
 * Redis fails the call after `timeoutMs`; the limiter then lets the request through.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: { resolve(reply: Reply): void }[] = [];
  private readonly url: URL;
  /** After a failed connection, no new attempt before this time: a down Redis costs no connect per request. */
  private retryAt = 0;

  constructor(
    redisUrl: string,
    private readonly options: { prefix?: string; timeoutMs?: number } = {},
  ) {
    this.url = new URL(redisUrl);
    if (!/^rediss?:$/.test(this.url.protocol)) throw new Error('rate limit store: the Redis URL must start with redis:// or rediss://');
  }

  private get prefix() {
    return this.options.prefix ?? 'hr-import:rl:';
  }

  async hit(keys: string[], windowStart: number, windowMs: number): Promise<number[]> {
    // A pipeline of nothing would wait for replies that never come.
    if (keys.length === 0) return [];
    const commands = keys.flatMap((key) => {
      const k = `${this.prefix}${key}:${windowStart}`;
      return [
        ['INCR', k],
        ['PEXPIRE', k, String(windowMs)],
      ];
    });
    const replies = await this.send(commands);
    return keys.map((_, i) => {
      const count = replies[i * 2];
      if (typeof count !== 'number') throw count instanceof Error ? count : new Error('rate limit store: unexpected reply from Redis');
      return count;
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    this.fail(new Error('rate limit store closed'));
    socket?.destroy();
  }

  private send(commands: string[][]): Promise<Reply[]> {
    const socket = this.connection();
    if (!socket) return Promise.reject(new Error('rate limit store: Redis is unavailable'));
    const timeoutMs = this.options.timeoutMs ?? 250;
    return new Promise<Reply[]>((resolve, reject) => {
      const replies: Reply[] = [];
      const timer = setTimeout(() => {
        // A reply that never came leaves the socket out of step: start over on a new one.
        const late = new Error(`rate limit store: Redis did not answer within ${timeoutMs} ms`);
        this.drop(socket, late);
        reject(late);
      }, timeoutMs);
      commands.forEach((_, i) =>
        this.pending.push({
          resolve: (reply) => {
            if (reply instanceof Error && reply.message.startsWith('rate limit store')) {
              clearTimeout(timer);
              reject(reply);
              return;
            }
            replies[i] = reply;
            if (i === commands.length - 1) {
              clearTimeout(timer);
              resolve(replies);
            }
          },
        }),
      );
      socket.write(commands.map(encode).join(''));
    });
  }

  private connection(): Socket | null {
    if (this.socket) return this.socket;
    if (Date.now() < this.retryAt) return null;
    const port = Number(this.url.port || 6379);
    const host = this.url.hostname || '127.0.0.1';
    const socket = this.url.protocol === 'rediss:' ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    // Counters are no reason to keep a process alive.
    socket.unref();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.drop(socket, new Error('rate limit store: Redis connection failed')));
    socket.on('close', () => this.drop(socket, new Error('rate limit store: Redis connection closed')));
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    // Sent first on the new socket; their +OK replies are read and dropped like any other.
    const password = decodeURIComponent(this.url.password);
    const user = decodeURIComponent(this.url.username);
    const setup: string[][] = [];
    if (password) setup.push(user ? ['AUTH', user, password] : ['AUTH', password]);
    const db = this.url.pathname.replace(/^\//, '');
    if (/^\d+$/.test(db) && db !== '0') setup.push(['SELECT', db]);
    for (const command of setup) {
      this.pending.push({
        resolve: (reply) => {
          if (reply instanceof Error) this.drop(socket, new Error('rate limit store: Redis refused the connection setup'));
        },
      });
      socket.write(encode(command));
    }
    return socket;
  }

  private drop(socket: Socket | null, reason: Error) {
    if (socket && this.socket !== socket) return;
    this.socket = null;
    this.retryAt = Date.now() + 1000;
    socket?.destroy();
    this.fail(reason);
  }

  private fail(reason: Error) {
    for (const waiting of this.pending.splice(0)) waiting.resolve(reason);
  }

  private receive(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const parsed = parseReply(this.buffer);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.length);
      const waiting = this.pending.shift();
      if (!waiting) return this.drop(this.socket, new Error('rate limit store: Redis sent a reply nobody asked for'));
      waiting.resolve(parsed.reply);
    }
  }
}

function encode(command: string[]): string {
  return `*${command.length}\r\n` + command.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('');
}

/** One RESP reply from the front of `buf`, or null while it is incomplete. Only the kinds INCR, PEXPIRE, AUTH and SELECT answer. */
function parseReply(buf: Buffer): { reply: Reply; length: number } | null {
  const end = buf.indexOf('\r\n');
  if (end < 0) return null;
  const line = buf.toString('utf8', 1, end);
  switch (buf[0]) {
    case 0x2b: // +
      return { reply: line, length: end + 2 };
    case 0x2d: // -
      return { reply: new Error(`Redis: ${line.slice(0, 200)}`), length: end + 2 };
    case 0x3a: // :
      return { reply: Number(line), length: end + 2 };
    case 0x24: {
      // $
      const size = Number(line);
      if (size < 0) return { reply: null, length: end + 2 };
      if (buf.length < end + 2 + size + 2) return null;
      return { reply: buf.toString('utf8', end + 2, end + 2 + size), length: end + 2 + size + 2 };
    }
    default:
      return { reply: new Error('rate limit store: Redis sent a reply this client does not read'), length: buf.length };
  }
}

/** The store a setting names: `'memory'` (the default) or `{ redisUrl, timeoutMs? }`. */
export function rateLimitStoreFor(setting: 'memory' | { redisUrl: string; timeoutMs?: number | undefined } | undefined): RateLimitStore {
  return setting === undefined || setting === 'memory'
    ? new MemoryRateLimitStore()
    : new RedisRateLimitStore(setting.redisUrl, { timeoutMs: setting.timeoutMs });
}

export function clientAddress(c: Context, trustProxy: boolean | number): string {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
  if (hops > 0) {
    const chain = (c.req.header('X-Forwarded-For') ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    // Our nearest proxy appended the last entry; with fewer entries than hops, the first is the client.
    const forwarded = chain[Math.max(0, chain.length - hops)];
    if (forwarded) return forwarded;
  }
  // @hono/node-server puts the socket in c.env; app.request() in tests has none.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

type Counted = { name: keyof RateLimits; key: (c: Context) => string | null };

/** A warning when the store fails, at most once a minute: a down store must not flood the log. */
function storeWarning(logger: Logger) {
  let quietUntil = 0;
  return (err: unknown) => {
    const now = Date.now();
    if (now < quietUntil) return;
    quietUntil = now + 60_000;
    logger.warn('rate limit store unavailable; requests pass unlimited', { error: err instanceof Error ? err.message : 'unknown' });
  };
}

/**
 * One limiter over several counters, all counted in one call to the store. A request is counted
 * at most once by a limiter, however many of its mounts match the path.
 */
export function rateLimit({ config, logger, now }: RouteDeps, store: RateLimitStore, ...limits: Counted[]) {
  const max = { ...DEFAULT_RATE_LIMITS, ...config.rateLimits };
  const counted = new WeakSet<Request>();
  const warn = storeWarning(logger);
  return createMiddleware(async (c, next) => {
    if (counted.has(c.req.raw)) return next();
    counted.add(c.req.raw);
    const at = now().getTime();
    const windowStart = at - (at % WINDOW_MS);
    const keyed = limits.flatMap((limit) => {
      const key = limit.key(c);
      return key === null ? [] : [{ name: limit.name, bucket: `${limit.name}:${digest(key)}` }];
    });
    if (keyed.length === 0) return next();
    let counts: number[];
    try {
      counts = await store.hit(
        keyed.map((k) => k.bucket),
        windowStart,
        WINDOW_MS,
      );
    } catch (err) {
      warn(err);
      return next();
    }
    if (keyed.some((k, i) => counts[i]! > max[k.name])) {
      const retryAfterSeconds = Math.ceil((WINDOW_MS - (at % WINDOW_MS)) / 1000);
      throw new AppError(429, 'rate_limited', `Too many requests; try again in ${retryAfterSeconds} s.`, undefined, retryAfterSeconds);
    }
    await next();
  });
}

export function widgetLimits(deps: RouteDeps): Counted[] {
  return [
    { name: 'session', key: (c) => bearer(c.req.header('Authorization')) },
    { name: 'address', key: (c) => clientAddress(c, deps.config.trustProxy ?? false) },
  ];
}

export function scimLimits(): Counted[] {
  return [{ name: 'scim', key: (c) => bearer(c.req.header('Authorization')) }];
}

export function acceptLimits(deps: RouteDeps): Counted[] {
  return [{ name: 'accept', key: (c) => clientAddress(c, deps.config.trustProxy ?? false) }];
}
