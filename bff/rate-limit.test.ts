import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { silentLogger } from './logger.js';
import { createProviderRegistry, sampleProvider } from './providers.js';
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

  it('hold across replicas sharing the database', async () => {
    const replica = createApp({ db: h.db, config: { ...TEST_CONFIG, rateLimits: limits }, providers: createProviderRegistry([sampleProvider()]), logger: silentLogger, now: () => h.clock.now });
    const token = await h.session({ type: 'organization', id: 'acme' });
    const viaReplica = async () => replica.request('/api/session', { headers: { Authorization: `Bearer ${token}` } });
    expect(await statuses(3, () => h.request('GET', '/api/session', { token }))).toEqual([200, 200, 200]);
    expect(await statuses(3, viaReplica)).toEqual([200, 200, 429]);
  });

  it('keep no session token or address in the counters', async () => {
    const token = await h.session({ type: 'organization', id: 'acme' });
    await h.request('GET', '/api/session', { token });
    const rows = await h.db.kysely.selectFrom('rate_limits').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token.slice(0, 20));
    expect(JSON.stringify(rows)).not.toContain('local');
  });

  it('behind a trusted proxy, key on the address the proxy saw, not one the client wrote', async () => {
    const behindProxy = createApp({ db: h.db, config: { ...TEST_CONFIG, rateLimits: limits, trustProxy: 1 }, providers: createProviderRegistry([sampleProvider()]), logger: silentLogger, now: () => h.clock.now });
    // The client forges a new leftmost entry each time; the proxy appends the real address last.
    const guess = (i: number) => behindProxy.request('/api/invites/accept', {
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
