/**
 * What a browser on the host's page is allowed to read: the API answers the origins the
 * deployment lists (`origins`) with credentials and the headers the widget reads, answers their
 * preflights, and gives any other origin nothing to read. Every answer varies by Origin, so a
 * shared cache never serves one origin's answer to another.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, TEST_CONFIG, type Harness } from '../test/harness.js';

let h: Harness;
let token: string;
const host = TEST_CONFIG.origins[0]!;

beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 10);
  token = await h.session({ type: 'organization', id: 'acme' });
});
afterEach(() => h.close());

const varies = (res: Response) => (res.headers.get('Vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

describe('cross-origin requests', () => {
  it('let a listed origin read an answer, its errors and the headers the widget reads', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/providers', undefined],
      ['GET', '/api/nowhere', undefined],
      ['POST', '/api/imports', { provider: 'nobody' }],
    ] as const) {
      const res = await h.request(method, path, { token, body, headers: { Origin: host } });
      expect(res.headers.get('Access-Control-Allow-Origin'), `${method} ${path}`).toBe(host);
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
      expect(res.headers.get('Access-Control-Expose-Headers')?.split(',')).toEqual(['Retry-After', 'X-Request-Id', 'Idempotent-Replayed']);
      expect(varies(res)).toContain('origin');
    }
  });

  it('answer a listed origin’s preflight with the methods and headers it may send', async () => {
    const res = await h.request('OPTIONS', '/api/imports', {
      headers: { Origin: host, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(host);
    expect(res.headers.get('Access-Control-Allow-Methods')).toBe('GET,POST,PUT,DELETE,OPTIONS');
    expect(res.headers.get('Access-Control-Allow-Headers')).toBe('Authorization,Content-Type,Idempotency-Key');
    expect(res.headers.get('Access-Control-Max-Age')).toBe('600');
  });

  it('give another origin, or a request with none, nothing to read, and vary by Origin all the same', async () => {
    for (const headers of [{ Origin: 'https://elsewhere.example' }, {}] as Record<string, string>[]) {
      const res = await h.request('GET', '/api/providers', { token, headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(varies(res)).toContain('origin');
    }
    const preflight = await h.request('OPTIONS', '/api/imports', {
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
