import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttp, DEFAULT_POLICY, responseByteLimitHere, retryAfterMs, withResponseByteLimit } from './http.js';
import { expectProviderError as failure, recordingSleep } from '../../test/connector-kit.js';

let server: Server;
let base: string;
let other: Server;
let otherBase: string;
const hits = new Map<string, number>();
const hugeSent = { bytes: 0, closed: false };

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url!;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (path === '/throttled') {
      if (n < 3) return res.writeHead(429, { 'Retry-After': '2', 'Content-Type': 'application/json' }).end('{"message":"slow down"}');
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    }
    if (path === '/flaky') return n < 2 ? res.writeHead(503).end('busy') : res.writeHead(200).end('{"ok":1}');
    if (path === '/down') return res.writeHead(502).end('bad gateway');
    if (path === '/auth') return res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":{"message":"token expired"}}');
    if (path === '/same-host') return res.writeHead(302, { Location: '/flaky-free' }).end();
    if (path === '/flaky-free') return res.writeHead(200).end('{"moved":true}');
    if (path === '/off-host') return res.writeHead(302, { Location: `${otherBase}/steal` }).end();
    if (path === '/html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
    if (path === '/slow') return setTimeout(() => res.writeHead(200).end('{}'), 500);
    if (path === '/hang') return; // never answers
    if (path === '/trickle') {
      // Headers at once, then a byte every 100 ms, forever.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
      const tick = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(tick));
      return;
    }
    if (path === '/huge') {
      // A page that ignores `limit`: 200 MB of JSON, written as fast as it is read.
      const chunk = Buffer.from('{"id":"x","name":"' + 'a'.repeat(1024 * 1024 - 40) + '"},');
      let sent = 0;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
      const more = () => {
        while (sent < 200) {
          sent++;
          hugeSent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('{}]');
      };
      res.on('close', () => (hugeSent.closed = true));
      return more();
    }
    if (path.startsWith('/echo')) {
      // A provider that repeats the request back in its error, credentials included.
      return res.writeHead(400, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          message: `bad request: ${req.headers.authorization} x-api-key=${req.headers['x-api-key']} url=${req.url} password=hunter2hunter2 jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl hex 0123456789abcdef0123456789abcdef and ${req.headers['x-account']}`,
        }),
      );
    }
    res.writeHead(404).end();
  });
  other = createServer((_req, res) => res.writeHead(200).end('{"stolen":true}'));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  other.close();
});

function client(policy = {}) {
  const { sleep, slept } = recordingSleep();
  const http = createHttp({ provider: 'TestHR', policy: { baseDelayMs: 10, ...policy }, sleep, random: () => 1 });
  return { http, slept };
}

describe('provider HTTP client', () => {
  it('waits as Retry-After says on 429, then succeeds', async () => {
    const { http, slept } = client();
    expect(await http.json(`${base}/throttled`)).toEqual({ ok: true });
    expect(slept).toEqual([2000, 2000]);
  });

  it('retries 5xx with exponential backoff and gives up with a typed error after the budget', async () => {
    const { http, slept } = client({ maxAttempts: 4 });
    expect(await http.json(`${base}/flaky`)).toEqual({ ok: 1 });
    const err = await failure(http.json(`${base}/down`, { page: 'page 2' }));
    expect(err.kind).toBe('unavailable');
    expect(err.details).toMatchObject({ status: 502, page: 'page 2' });
    expect(err.message).toContain('TestHR');
    expect(slept.slice(1)).toEqual([10, 20, 40]);
  });

  it('does not retry bad credentials and passes the provider’s message on', async () => {
    const { http, slept } = client();
    const err = await failure(http.json(`${base}/auth`));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('token expired');
    expect(slept).toEqual([]);
  });

  it('follows redirects on the same host only', async () => {
    const { http } = client();
    expect(await http.json(`${base}/same-host`)).toEqual({ moved: true });
    const err = await failure(http.json(`${base}/off-host`));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toContain('another host');
  });

  it('names the page when a response is not JSON', async () => {
    const { http } = client();
    const err = await failure(http.json(`${base}/html`, { page: 'cursor abc' }));
    expect(err).toMatchObject({ kind: 'bad_response', details: { page: 'cursor abc' } });
  });

  it('times out a silent provider', async () => {
    const { http } = client({ timeoutMs: 100, maxAttempts: 2 });
    const err = await failure(http.json(`${base}/slow`));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('no answer within 0.1 s');
  });

  it('lets a provider-specific rule classify an answer', async () => {
    const { http, slept } = client({ maxAttempts: 2 });
    const err = await failure(
      http.json(`${base}/auth`, { classify: (status) => (status === 401 ? { retry: false, kind: 'quota_exceeded', message: 'daily limit' } : undefined) }),
    );
    expect(err.kind).toBe('quota_exceeded');
    expect(err.message).toContain('daily limit');
    expect(slept).toEqual([]);
  });

  it('reads Retry-After dates and rate-limit reset headers', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(retryAfterMs(new Headers({ 'Retry-After': 'Tue, 24 Nov 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'X-RateLimit-Reset': String(now / 1000 + 5) }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'RateLimit-Reset': '7' }), now)).toBe(7000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe('bounds on one provider call', () => {
  it('keeps one overall deadline below the widget’s 20 s request timeout', () => {
    expect(DEFAULT_POLICY.deadlineMs).toBeLessThan(20_000);
    expect(DEFAULT_POLICY.timeoutMs).toBeLessThanOrEqual(DEFAULT_POLICY.deadlineMs);
  });

  it('gives up on a provider that never answers at the deadline, retries included', async () => {
    // Real sleeps: the deadline is wall-clock time, waits between attempts count against it.
    const http = createHttp({ provider: 'TestHR', policy: { deadlineMs: 600, timeoutMs: 250, baseDelayMs: 10 } });
    const started = performance.now();
    const err = await failure(http.json(`${base}/hang`, { page: 'page 1' }));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(err.kind).toBe('unavailable');
  });

  it('gives up on a provider that sends headers and then trickles the body, as unavailable', async () => {
    const http = createHttp({ provider: 'TestHR', policy: { deadlineMs: 700, timeoutMs: 5_000 } });
    const started = performance.now();
    const err = await failure(http.json(`${base}/trickle`));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/did not finish within 0.7 s/);
  });

  it('keeps a refresh’s byte bound while another ends, and sets none outside them', async () => {
    let releaseFirst!: () => void;
    const first = withResponseByteLimit(1000, async () => {
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
      return responseByteLimitHere();
    });
    expect(await withResponseByteLimit(2000, async () => responseByteLimitHere())).toBe(2000);
    // The second ended while the first still runs: the first keeps its bound.
    releaseFirst();
    expect(await first).toBe(1000);
    expect(responseByteLimitHere()).toBeUndefined();
    // Switched off when none ran, the bound is set again by the next refresh.
    expect(await withResponseByteLimit(3000, async () => (await new Promise((resolve) => setTimeout(resolve, 1)), responseByteLimitHere()))).toBe(3000);
  });

  it('cuts off a 200 MB page at the byte bound while it streams, without buffering it', async () => {
    const { http } = client();
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const err = await withResponseByteLimit(5 * 1024 * 1024, () => failure(http.json(`${base}/huge`, { page: 'page 7' })));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toContain('more than 5 MB in one response (page 7)');
    const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    // The provider was hung up on, not read to the end.
    expect(hugeSent.closed).toBe(true);
    expect(hugeSent.bytes).toBeLessThan(100 * 1024 * 1024);
  });

  it('redacts credentials a provider echoes back, and the connection’s own secret values', async () => {
    const http = createHttp({ provider: 'TestHR', secrets: ['acct-secret-42-value'], sleep: async () => undefined });
    const err = await failure(
      http.json(`${base}/echo?api_key=query-key-0123456789`, {
        headers: { Authorization: 'Bearer sk_live_abcdefghijklmnop', 'X-Api-Key': 'deployment-key-987654', 'X-Account': 'acct-secret-42-value' },
      }),
    );
    expect(err.kind).toBe('bad_response');
    for (const secret of [
      'sk_live_abcdefghijklmnop',
      'deployment-key-987654',
      'query-key-0123456789',
      'hunter2hunter2',
      'eyJhbGciOiJIUzI1NiJ9',
      '0123456789abcdef0123456789abcdef',
      'acct-secret-42-value',
    ]) {
      expect(err.message).not.toContain(secret);
    }
    expect(err.message).toContain('bad request: [redacted] x-api-key=[redacted] url=/echo?api_key=[redacted] password=[redacted]');
  });
});
