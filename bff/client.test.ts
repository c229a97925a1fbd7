import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createHostClient, HostApiError } from './client.js';
import { silentLogger } from './logger.js';
import { createProviderRegistry, sampleProvider } from './providers/registry.js';
import { API_KEY, createHarness, TEST_CONFIG, type Harness } from '../test/harness.js';

let h: Harness;
let fetchApp: (request: Request) => Promise<Response>;

beforeAll(async () => {
  // A real app on a real database (SQLite, or PostgreSQL with TEST_PG_URL), called in process.
  h = await createHarness();
  const app = createApp({ db: h.db, config: TEST_CONFIG, providers: createProviderRegistry([sampleProvider()]), logger: silentLogger, now: () => h.clock.now });
  fetchApp = async (request) => app.fetch(request);
});
afterAll(() => h.close());

const inviter = { id: 'u-7', name: 'Hal Host', email: 'hal@example.com' };

async function refusal(promise: Promise<unknown>): Promise<HostApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HostApiError);
  return error as HostApiError;
}

describe('the host client', () => {
  it('creates a target, syncs its members and opens a session the widget can use', async () => {
    const bff = createHostClient({ baseUrl: 'http://bff.test/api', apiKey: API_KEY, fetch: fetchApp });
    const target = await bff.putTarget(
      { type: 'lab', id: 'robotics' },
      {
        name: 'Robotics',
        seatLimit: 5,
        roles: [
          { id: 'member', label: 'Member' },
          { id: 'lead', label: 'Lead' },
        ],
        defaultRole: 'member',
      },
    );
    expect(target).toMatchObject({
      type: 'lab',
      id: 'robotics',
      name: 'Robotics',
      seatLimit: 5,
      defaultRole: 'member',
      seats: { limit: 5, used: 0, remaining: 5 },
    });

    const synced = await bff.syncMembers({ type: 'lab', id: 'robotics' }, [{ id: 'm1', email: 'ada@example.com', role: 'lead' }]);
    expect(synced).toEqual({ members: 1, seats: { limit: 5, used: 1, remaining: 4 } });

    const session = await bff.createSession({ inviter, target: { type: 'lab', id: 'robotics' }, ttlSeconds: 600 });
    expect(session.expiresAt).toBe(new Date(h.clock.now.getTime() + 600_000).toISOString());
    const res = await fetchApp(new Request('http://bff.test/api/session', { headers: { Authorization: `Bearer ${session.token}` } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ inviter, target: { type: 'lab', id: 'robotics', name: 'Robotics' }, seats: { remaining: 4 } });
  });

  it("throws the BFF's refusals with their code, status and details", async () => {
    const bff = createHostClient({ baseUrl: 'http://bff.test/api/', apiKey: API_KEY, fetch: fetchApp });
    expect(await refusal(bff.createSession({ inviter, target: { type: 'lab', id: 'nowhere' } }))).toMatchObject({ status: 404, code: 'target_not_found' });
    const bad = await refusal(bff.putTarget({ type: 'lab', id: 'robotics' }, { name: 'Robotics', seatLimit: -1 }));
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(bad.details).toMatchObject({ fields: [{ path: 'seatLimit' }] });
    const wrongKey = createHostClient({ baseUrl: 'http://bff.test/api', apiKey: 'not-the-key-0123456789', fetch: fetchApp });
    expect(await refusal(wrongKey.syncMembers({ type: 'lab', id: 'robotics' }, []))).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('types requests by the contract: a wrong one does not compile', () => {
    const bff = createHostClient({ baseUrl: 'http://bff.test/api', apiKey: API_KEY, fetch: fetchApp });
    // Never called: the checks are tsc's (npm run typecheck), the calls are not made.
    const typed = () => [
      // @ts-expect-error seatLimit is a number
      bff.putTarget({ type: 'lab', id: 'x' }, { name: 'X', seatLimit: '5' }),
      // @ts-expect-error a target type the BFF does not know
      bff.createSession({ inviter, target: { type: 'team', id: 'x' } }),
      // @ts-expect-error the widget's routes take a session token, not the API key
      bff.api.GET('/session'),
    ];
    expect(typeof typed).toBe('function');
  });
});
