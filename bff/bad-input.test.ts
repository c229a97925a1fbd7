/**
 * Every route answers bad input with a 4xx JSON error `{ error: { code, message } }`, never a
 * 500, and a refused request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { API_KEY, createHarness, type Harness } from '../test/harness.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 10);
  token = await h.session({ type: 'organization', id: 'acme' });
});
afterAll(() => h.close());

async function snapshot() {
  const out: Record<string, number> = {};
  for (const t of ['targets', 'members', 'invites', 'imports', 'outbox', 'provider_connections'] as const) {
    out[t] = Number(
      (
        await h.db.kysely
          .selectFrom(t)
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  }
  return out;
}

const weird = ['', 'null', '[]', '{', '"x"', '1e999', '{"__proto__":{"x":1}}', JSON.stringify({ a: '\u0000\ud800' }), 'x'.repeat(10_000)];

const routes: { method: string; path: string; auth: 'key' | 'session' | 'none' }[] = [
  { method: 'POST', path: '/api/sessions', auth: 'key' },
  { method: 'PUT', path: '/api/targets/organization/acme', auth: 'key' },
  { method: 'PUT', path: '/api/targets/organization/acme/members', auth: 'key' },
  { method: 'POST', path: '/api/imports', auth: 'session' },
  { method: 'PUT', path: '/api/providers/sample/connection', auth: 'session' },
  { method: 'POST', path: '/api/invites/accept', auth: 'none' },
];

describe('bad input', () => {
  it('gets a 4xx JSON error on every body-taking route, and nothing is written', async () => {
    const before = await snapshot();
    for (const r of routes) {
      const auth = r.auth === 'key' ? API_KEY : r.auth === 'session' ? token : undefined;
      for (const body of weird) {
        const res = await h.request(r.method, r.path, {
          token: auth,
          rawBody: body,
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'bad-input-key-1' },
        });
        expect(res.status, `${r.method} ${r.path} ${body.slice(0, 20)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${r.method} ${r.path} ${body.slice(0, 20)}`).toBeLessThan(500);
        const json = (await res.json()) as { error: { code: string; message: string } };
        expect(typeof json.error.code).toBe('string');
        expect(json.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('gets 4xx for odd params and queries on the read routes', async () => {
    const paths = [
      '/api/targets/galaxy/x',
      '/api/providers/..%2F..%2Fetc/contacts',
      '/api/providers/sample/contacts?limit=-1',
      '/api/providers/sample/contacts?limit=1e309',
      '/api/providers/sample/contacts?cursor=' + 'A'.repeat(101),
      '/api/providers/sample/contacts?status=deleted',
      '/api/providers/sample/contacts?search=' + 'a'.repeat(201),
      '/api/invites?status=weird',
      '/api/invites?cursor=%00',
      '/api/invites/not-an-id/resend',
      '/api/nowhere',
    ];
    for (const p of paths) {
      const res = await h.request(p.endsWith('resend') ? 'POST' : 'GET', p, { token });
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
      expect(((await res.json()) as { error: { code: string } }).error.code, p).toBeTruthy();
    }
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await h.request('POST', '/api/imports', {
      token,
      rawBody: JSON.stringify({ pad: 'x'.repeat(9 * 1024 * 1024) }),
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'bad-input-big-1' },
    });
    expect(res.status).toBe(413);
  });
});
