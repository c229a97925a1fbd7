/**
 * `GET|POST /api/providers/:provider/refresh`: the widget starts a directory refresh, follows its
 * progress, and lists contacts once it is ready, against a loopback Unified.to stand-in read
 * several pages at a time. The contacts route still fills the cache itself when called first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { startUnifiedFake } from '../../test/fakes/unified-server.js';
import type { Failure, Loopback } from '../../test/fakes/loopback.js';
import { createUnifiedConnector } from '../connectors/unified.js';
import { sampleProvider, staticProvider } from '../providers/registry.js';
import type { ContactPage, RefreshStatus } from '../../contract/index.js';

const CREDENTIALS = { apiKey: 'unified-key', connectionId: 'conn_1' };
const employees = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `emp_${i}`, name: `Person ${String(i).padStart(4, '0')}`, emails: [{ email: `e${i}@acme.test`, type: 'WORK' }] }));

let h: Harness;
let fake: Loopback;
let token: string;
let failures: Failure[];

beforeEach(async () => {
  failures = [];
  fake = await startUnifiedFake({ employees: employees(1_234), ...CREDENTIALS, failures });
  fake.latencyMs = 5;
  // No retries' waits in a test: one attempt, so a failure is reported at once.
  const unified = staticProvider('unified', 'unified', 'Unified.to', (s) => createUnifiedConnector(s, { policy: { maxAttempts: 1 } }), {
    baseUrl: fake.url,
    credentials: CREDENTIALS,
  });
  h = await createHarness({ providers: [sampleProvider(), { ...unified, concurrency: 3 }] });
  await h.target('organization', 'acme', 10_000);
  token = await h.session({ type: 'organization', id: 'acme' });
});
afterEach(async () => {
  await h.close();
  await fake.close();
});

async function status(method: 'GET' | 'POST' = 'GET', expected = method === 'POST' ? 202 : 200, body?: unknown): Promise<RefreshStatus> {
  const res = await h.request(method, '/api/providers/unified/refresh', { token, body });
  expect(res.status).toBe(expected);
  return (await res.json()) as RefreshStatus;
}

async function settle(): Promise<RefreshStatus> {
  for (let i = 0; i < 1000; i++) {
    const s = await status();
    if (s.status !== 'syncing') return s;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  throw new Error('the refresh never ended');
}

describe('/api/providers/:provider/refresh', () => {
  it('is idle before the first refresh, runs in the background, and makes the contacts listable', async () => {
    expect(await status()).toEqual({ status: 'idle', fetched: 0, total: null, syncedAt: null, stale: true });
    const started = await status('POST');
    // On a busy machine the first page may already be in by the time the answer is written.
    expect(started).toMatchObject({ status: 'syncing', stale: true });
    const seen: number[] = [];
    let s = started;
    while (s.status === 'syncing') {
      seen.push(s.fetched);
      await new Promise((ok) => setTimeout(ok, 20));
      s = await status();
    }
    expect(s).toEqual({ status: 'ready', fetched: 1_234, total: 1_234, syncedAt: h.clock.now.toISOString(), stale: false });
    // Progress only grows.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);

    const res = await h.request('GET', '/api/providers/unified/contacts?limit=2', { token });
    const page = (await res.json()) as ContactPage;
    expect(page.total).toBe(1_234);
    expect(page.items.map((c) => c.displayName)).toEqual(['Person 0000', 'Person 0001']);
    // Listing a fresh directory asks the provider nothing. A look-ahead past the last page may
    // still land on a loaded machine after the refresh ended: it asks past the 1,234 people.
    const asked = fake.requests.length;
    await h.request('GET', '/api/providers/unified/contacts', { token });
    expect(fake.requests.slice(asked).filter((r) => Number(r.query.get('offset')) < 1_234)).toEqual([]);
  });

  it('refreshes on demand, and reports a provider failure with its message while keeping the old directory', async () => {
    await status('POST');
    expect((await settle()).status).toBe('ready');
    // Pages read ahead past the end may still be on their way, some not even sent yet: more
    // failures queued than the three pages in flight could take, so the next refresh meets one.
    await expect.poll(() => fake.inFlight).toBe(0);
    const syncedAt = h.clock.now.toISOString();
    failures.push('throttle', 'throttle', 'throttle', 'throttle');
    // A fresh directory is refreshed only when forced (the Refresh button), once a minute at most.
    h.clock.now = new Date(h.clock.now.getTime() + 61_000);
    await status('POST', 202, { force: true });
    const failed = await settle();
    expect(failed).toMatchObject({
      status: 'error',
      fetched: 0,
      syncedAt,
      error: { code: 'provider_rate_limited', message: expect.stringContaining('Too Many Requests') },
    });
    const page = (await (await h.request('GET', '/api/providers/unified/contacts?limit=1', { token })).json()) as ContactPage;
    expect(page.total).toBe(1_234);
    // Retrying works once the provider answers again (and a minute has passed).
    failures.length = 0;
    h.clock.now = new Date(h.clock.now.getTime() + 61_000);
    await status('POST');
    expect((await settle()).status).toBe('ready');
  });

  it('still fills the cache when the contacts are asked for first', async () => {
    const res = await h.request('GET', '/api/providers/unified/contacts?limit=5', { token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ContactPage).items).toHaveLength(5);
    expect(await status()).toMatchObject({ status: 'ready', fetched: 1_234 });
  });

  it('answers with the session scope rules and 4xx JSON', async () => {
    expect((await h.request('GET', '/api/providers/unified/refresh')).status).toBe(401);
    const unknown = await h.request('POST', '/api/providers/nope/refresh', { token });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('provider_not_found');
    expect((await h.request('GET', '/api/providers/BAD!/refresh', { token })).status).toBe(400);
  });
});
