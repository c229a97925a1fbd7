import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, type Harness } from '../../test/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

describe('PUT /api/targets/:type/:id', () => {
  it('creates then updates a target, with default roles for its kind', async () => {
    const created = await h.request('PUT', '/api/targets/challenge/c-9', {
      token: API_KEY,
      body: { name: 'Hack Week', seatLimit: 20, organizationId: 'acme' },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      type: 'challenge',
      id: 'c-9',
      name: 'Hack Week',
      seatLimit: 20,
      organizationId: 'acme',
      defaultRole: 'user',
      seats: { limit: 20, used: 0, remaining: 20 },
    });
    const updated = await h.request('PUT', '/api/targets/challenge/c-9', {
      token: API_KEY,
      body: {
        name: 'Hack Week 2',
        seatLimit: 25,
        roles: [
          { id: 'mentor', label: 'Mentor' },
          { id: 'hacker', label: 'Hacker' },
        ],
        defaultRole: 'hacker',
      },
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: 'Hack Week 2', seatLimit: 25, roles: [{ id: 'mentor' }, { id: 'hacker' }], defaultRole: 'hacker' });
  });

  it('refuses a default role that is not one of the roles', async () => {
    const res = await h.request('PUT', '/api/targets/lab/l', {
      token: API_KEY,
      body: { name: 'L', seatLimit: 1, roles: [{ id: 'a', label: 'A' }], defaultRole: 'b' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { fields: { path: string }[] } } }).error.details.fields[0]!.path).toBe('defaultRole');
  });
});

describe('PUT /api/targets/:type/:id/members', () => {
  it('replaces the members, one per email whatever its case, and counts their seats', async () => {
    await h.target('organization', 'o', 10);
    const res = await h.request('PUT', '/api/targets/organization/o/members', {
      token: API_KEY,
      body: {
        members: [
          { id: '1', email: 'A@Example.com' },
          { id: '2', email: 'a@example.com ' },
          { id: '3', email: 'b@example.com', name: 'B', role: 'admin' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ members: 2, seats: { limit: 10, used: 2, remaining: 8 } });
    const again = await h.request('PUT', '/api/targets/organization/o/members', { token: API_KEY, body: { members: [{ id: '3', email: 'b@example.com' }] } });
    expect(((await again.json()) as { seats: { used: number } }).seats.used).toBe(1);
  });

  it('answers 404 for a target that does not exist', async () => {
    expect((await h.request('PUT', '/api/targets/lab/ghost/members', { token: API_KEY, body: { members: [] } })).status).toBe(404);
  });
});
