import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, INVITER, type Harness } from '../../test/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 10);
  await h.target('lab', 'lab-1', 5);
});
afterEach(() => h.close());

const sessionBody = { inviter: INVITER, target: { type: 'organization', id: 'acme' } };

describe('POST /api/sessions', () => {
  it('mints a token with the API key that opens the session', async () => {
    const res = await h.request('POST', '/api/sessions', { token: API_KEY, body: sessionBody });
    expect(res.status).toBe(201);
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - h.clock.now.getTime()).toBe(900_000);
    const me = await h.request('GET', '/api/session', { token });
    expect(me.status).toBe(200);
    const info = (await me.json()) as { inviter: unknown; target: { name: string; roles: { id: string }[]; defaultRole: string }; seats: unknown };
    expect(info.inviter).toEqual(INVITER);
    expect(info.target.name).toBe('organization acme');
    expect(info.target.roles.map((r) => r.id)).toEqual(['admin', 'user']);
    expect(info.target.defaultRole).toBe('user');
    expect(info.seats).toEqual({ limit: 10, used: 0, remaining: 10 });
  });

  it('accepts either key during a rotation and refuses others', async () => {
    expect((await h.request('POST', '/api/sessions', { token: 'second-rotated-key-0123456789', body: sessionBody })).status).toBe(201);
    const bad = await h.request('POST', '/api/sessions', { token: 'wrong-key-0123456789', body: sessionBody });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await h.request('POST', '/api/sessions', { body: sessionBody })).status).toBe(401);
  });

  it('refuses a session token where the API key is required', async () => {
    const token = await h.session({ type: 'organization', id: 'acme' });
    expect((await h.request('POST', '/api/sessions', { token, body: sessionBody })).status).toBe(401);
    expect((await h.request('PUT', '/api/targets/organization/acme', { token, body: { name: 'x', seatLimit: 1 } })).status).toBe(401);
  });

  it('refuses an unknown target with 404 and bad bodies with 400 naming the field', async () => {
    const missing = await h.request('POST', '/api/sessions', { token: API_KEY, body: { ...sessionBody, target: { type: 'lab', id: 'nope' } } });
    expect(missing.status).toBe(404);
    const bad = await h.request('POST', '/api/sessions', { token: API_KEY, body: { ...sessionBody, inviter: { ...INVITER, email: 'not-an-email' } } });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('invalid_request');
    expect(err.error.message).toContain('inviter.email');
    const kind = await h.request('POST', '/api/sessions', { token: API_KEY, body: { ...sessionBody, target: { type: 'team', id: 'x' } } });
    expect(kind.status).toBe(400);
  });
});

describe('session tokens', () => {
  it('answer 401 when missing, forged or expired', async () => {
    expect((await h.request('GET', '/api/session')).status).toBe(401);
    const token = await h.session({ type: 'organization', id: 'acme' });
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await h.request('GET', '/api/session', { token: forged })).status).toBe(401);
    // Accepted once, and so known to be well signed: it still expires.
    expect((await h.request('GET', '/api/session', { token })).status).toBe(200);
    h.clock.now = new Date(h.clock.now.getTime() + 901_000);
    const expired = await h.request('GET', '/api/session', { token });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('session_expired');
  });

  it('scope every call to the token’s own target', async () => {
    const lab = await h.session({ type: 'lab', id: 'lab-1' });
    const me = (await (await h.request('GET', '/api/session', { token: lab })).json()) as { target: { type: string; id: string; roles: { id: string }[] } };
    expect(me.target).toMatchObject({ type: 'lab', id: 'lab-1' });
    expect(me.target.roles.map((r) => r.id)).toEqual(['manager', 'user']);
  });
});
