import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createApp } from './app.js';
import { silentLogger, type Logger } from './logger.js';
import { createProviderRegistry, sampleProvider } from './providers/registry.js';
import { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rate-limit.js';
import type { AppDeps, RateLimits } from './deps.js';
import { settingsFromEnv } from './config.js';
import { createBff } from './create-bff.js';
import { createHarness, TEST_CONFIG, type Harness } from '../test/harness.js';

let h: Harness;
const limits = { session: 5, address: 8, accept: 3 };

beforeEach(async () => {
  h = await createHarness({ config: { rateLimits: limits } });
  await h.target('organization', 'acme', 10);
});
afterEach(() => h.close());

async function statuses(n: number, call: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call()).status);
  return out;
}

describe('rate limits', () => {
  it('answer 429 with Retry-After past the per-session limit, until the next window', async () => {
    h.clock.now = new Date('2026-11-24T12:00:15Z');
    const token = await h.session({ type: 'organization', id: 'acme' });
    expect(await statuses(5, () => h.request('GET', '/api/session', { token }))).toEqual([200, 200, 200, 200, 200]);
    const refused = await h.request('GET', '/api/providers', { token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('45');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    h.clock.now = new Date('2026-11-24T12:01:00Z');
    expect((await h.request('GET', '/api/session', { token })).status).toBe(200);
  });

  it('count every session from one address against the address limit', async () => {
    const a = await h.session({ type: 'organization', id: 'acme' });
    const b = await h.session({ type: 'organization', id: 'acme' }, 600);
    expect(await statuses(5, () => h.request('GET', '/api/session', { token: a }))).toEqual([200, 200, 200, 200, 200]);
    expect(await statuses(4, () => h.request('GET', '/api/session', { token: b }))).toEqual([200, 200, 200, 429]);
  });

  it('limit invite acceptances per address, so tokens cannot be tried at speed', async () => {
    const guess = () => h.request('POST', '/api/invites/accept', { body: { token: 'x'.repeat(43) } });
    expect(await statuses(4, guess)).toEqual([404, 404, 404, 429]);
  });

  it('count invite look-ups with acceptances, so guessing tokens costs the same on either', async () => {
    const lookUp = () => h.request('POST', '/api/invites/lookup', { body: { token: 'x'.repeat(43) } });
    const accept = () => h.request('POST', '/api/invites/accept', { body: { token: 'x'.repeat(43) } });
    expect([...(await statuses(2, lookUp)), ...(await statuses(1, accept)), ...(await statuses(1, lookUp))]).toEqual([404, 404, 404, 429]);
  });

  it('count a request once, though two mounts of the limiter match its path', async () => {
    const token = await h.session({ type: 'organization', id: 'acme' });
    expect(await statuses(5, () => h.request('GET', '/api/providers', { token }))).toEqual([200, 200, 200, 200, 200]);
    expect((await h.request('GET', '/api/invites', { token })).status).toBe(429);
  });

  it('write nothing to the database, and keep no session token or address in the counters', async () => {
    const store = new MemoryRateLimitStore();
    const app = replica(store);
    const token = await h.session({ type: 'organization', id: 'acme' });
    await app.request('/api/session', { headers: { Authorization: `Bearer ${token}` } });
    expect(store.size).toBe(2);
    expect(JSON.stringify(store.keys())).not.toContain(token.slice(0, 20));
    expect(JSON.stringify(store.keys())).not.toContain('local');
    const tables = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(h.db.dialect === 'sqlite' ? 'sqlite_master' : 'information_schema.tables')} where ${sql.ref(h.db.dialect === 'sqlite' ? 'name' : 'table_name')} = 'rate_limits'`.execute(
      h.db.kysely,
    );
    expect(Number(tables.rows[0]!.n)).toBe(0);
  });

  it('hold bounded state under a flood of random bearer tokens', async () => {
    const store = new MemoryRateLimitStore(100);
    const app = replica(store, { session: 5, address: 1_000_000 });
    const victim = await h.session({ type: 'organization', id: 'acme' });
    for (let i = 0; i < 1000; i++) await app.request('/api/session', { headers: { Authorization: `Bearer ${randomBytes(24).toString('base64url')}` } });
    expect(store.size).toBeLessThanOrEqual(100);
    // The flood cost the victim nothing but its place in the counters: its own limit still holds.
    const own = async () => (await app.request('/api/session', { headers: { Authorization: `Bearer ${victim}` } })).status;
    expect([await own(), await own(), await own(), await own(), await own(), await own()]).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

function replica(store: RateLimitStore, rateLimits: Partial<RateLimits> = limits, logger: Logger = silentLogger, extra: Partial<AppDeps> = {}) {
  return createApp({
    db: h.db,
    config: { ...TEST_CONFIG, rateLimits },
    providers: createProviderRegistry([sampleProvider()]),
    logger,
    now: () => h.clock.now,
    rateLimitStore: store,
    ...extra,
  });
}

function recordingLogger() {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    warnings,
    logger: { info() {}, error() {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) } satisfies Logger,
  };
}

describe('rate limits in Redis (REDIS_URL, or 127.0.0.1:6379)', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stores: RateLimitStore[] = [];
  const redis = (url = redisUrl, options: { prefix?: string; timeoutMs?: number } = {}) => {
    const store = new RedisRateLimitStore(url, { prefix: `hr-import-test:${randomBytes(6).toString('hex')}:`, ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('hold one limit across replicas sharing the store', async () => {
    const shared = redis();
    const a = replica(shared);
    // The second replica has its own connection to the same counters.
    const b = replica(new RedisRateLimitStore(redisUrl, { prefix: (shared as unknown as { options: { prefix: string } }).options.prefix }));
    const token = await h.session({ type: 'organization', id: 'acme' });
    const via = (app: ReturnType<typeof replica>) => async () => (await app.request('/api/session', { headers: { Authorization: `Bearer ${token}` } })).status;
    expect([await via(a)(), await via(a)(), await via(a)()]).toEqual([200, 200, 200]);
    expect([await via(b)(), await via(b)(), await via(b)()]).toEqual([200, 200, 429]);
  });

  it('read replies that arrive a byte at a time', async () => {
    // A proxy to the real Redis that hands its replies on one byte per write.
    const target = new URL(redisUrl);
    const proxy: Server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d: Buffer) => {
        for (const byte of d) client.write(Buffer.from([byte]));
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const store = redis(`redis://127.0.0.1:${(proxy.address() as { port: number }).port}`, { timeoutMs: 2000 });
      expect(await store.hit(['a', 'b'], 0, 60_000)).toEqual([1, 1]);
      expect(await store.hit(['a', 'b', 'a'], 0, 60_000)).toEqual([2, 2, 3]);
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await new Promise((ok) => proxy.close(ok));
    }
  });

  it('fail open with one warning when Redis refuses connections', async () => {
    const closed = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => ok(port));
      });
    });
    const { warnings, logger } = recordingLogger();
    const app = replica(redis(`redis://127.0.0.1:${closed}`), { session: 2, address: 2 }, logger);
    const token = await h.session({ type: 'organization', id: 'acme' });
    expect(await statuses(4, async () => app.request('/api/session', { headers: { Authorization: `Bearer ${token}` } }))).toEqual([200, 200, 200, 200]);
    expect(warnings.map((w) => w.msg)).toEqual(['rate limit store unavailable; requests pass unlimited']);
  });

  it('fail open within its timeout when Redis accepts but never answers', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const { warnings, logger } = recordingLogger();
      const app = replica(redis(`redis://127.0.0.1:${(silent.address() as { port: number }).port}`, { timeoutMs: 100 }), limits, logger);
      const token = await h.session({ type: 'organization', id: 'acme' });
      const started = performance.now();
      expect((await app.request('/api/session', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(warnings).toHaveLength(1);
    } finally {
      silent.close();
    }
  });
});

describe('rate limits, more', () => {
  it('behind a trusted proxy, key on the address the proxy saw, not one the client wrote', async () => {
    const behindProxy = createApp({
      db: h.db,
      config: { ...TEST_CONFIG, rateLimits: limits, trustProxy: 1 },
      providers: createProviderRegistry([sampleProvider()]),
      logger: silentLogger,
      now: () => h.clock.now,
    });
    // The client forges a new leftmost entry each time; the proxy appends the real address last.
    const guess = (i: number) =>
      behindProxy.request('/api/invites/accept', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.0.0.${i}, 203.0.113.7` },
        body: JSON.stringify({ token: 'x'.repeat(43) }),
      });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((await guess(i)).status);
    expect(seen).toEqual([404, 404, 404, 429]);
    // Another real client behind the same proxy has its own budget.
    const other = await behindProxy.request('/api/invites/accept', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.8' },
      body: JSON.stringify({ token: 'x'.repeat(43) }),
    });
    expect(other.status).toBe(404);
  });
});

describe('the rateLimitStore setting', () => {
  it('is read from HR_IMPORT_REDIS_URL, else REDIS_URL, and refused with the variable named', () => {
    expect(settingsFromEnv({}).rateLimitStore).toBe('memory');
    expect(settingsFromEnv({ REDIS_URL: 'redis://cache:6379' }).rateLimitStore).toEqual({ redisUrl: 'redis://cache:6379' });
    expect(settingsFromEnv({ REDIS_URL: 'redis://other:6379', HR_IMPORT_REDIS_URL: 'rediss://ours:6380/2' }).rateLimitStore).toEqual({
      redisUrl: 'rediss://ours:6380/2',
    });
    expect(() => settingsFromEnv({ HR_IMPORT_REDIS_URL: 'http://cache:6379' })).toThrow(
      'invalid environment: HR_IMPORT_REDIS_URL must be a URL like redis://127.0.0.1:6379',
    );
  });

  it('makes two createBff servers on one Redis share one limit', async () => {
    const settings = {
      apiKeys: ['bff-test-key-0123456789'],
      secret: 'bff-test-secret-0123456789-0123456789-abcdef',
      acceptUrl: 'https://app.example.com/accept',
      rateLimits: { accept: 2 },
      trustProxy: 1,
      // A loaded CI machine can take longer than the default 250 ms, which would let requests through.
      rateLimitStore: { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', timeoutMs: 5000 },
    };
    const [a, b] = await Promise.all(
      [0, 1].map(() => createBff({ ...settings, dataDir: mkdtempSync(join(tmpdir(), 'hr-import-limit-')) }, { logger: silentLogger })),
    );
    try {
      // An address of its own, so no other run counting in this Redis shares the counter.
      const address = `198.51.100.${randomBytes(1)[0]}, 203.0.113.${randomBytes(1)[0]}:${randomBytes(4).toString('hex')}`;
      const accept = (bff: typeof a) => async () =>
        (
          await bff!.fetch(
            new Request('http://host/api/invites/accept', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
              body: JSON.stringify({ token: 'x'.repeat(43) }),
            }),
          )
        ).status;
      await a!.start();
      await b!.start();
      expect([await accept(a)(), await accept(b)(), await accept(a)(), await accept(b)()]).toEqual([404, 404, 429, 429]);
    } finally {
      await a!.stop();
      await b!.stop();
    }
  });
});

describe('the migration that drops rate_limits', () => {
  it('recreates the table when migrated down', async () => {
    const { Migrator } = await import('kysely');
    const { migrations } = await import('../migrations/index.js');
    const migrator = new Migrator({ db: h.db.kysely, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo('2026_12_02_100000_create_events');
    expect(error).toBeUndefined();
    await sql`insert into rate_limits (bucket, window_start, count) values ('session:x', '2026-11-24T12:00:00.000Z', 1)`.execute(h.db.kysely);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await expect(sql`select 1 from rate_limits`.execute(h.db.kysely)).rejects.toThrow();
  });
});
