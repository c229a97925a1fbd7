import { expect } from '@open-wc/testing';
import { FakeBff, TOKEN, errorResponse, json } from '../test/fake-bff/index.js';
import { ApiClient, ApiError, newIdempotencyKey } from './client.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('ApiClient', () => {
  it('sends the bearer token and leaves empty query values out', async () => {
    const api = new ApiClient({ base: '/api/', token: TOKEN });
    await api.listContacts('sample', { search: '', department: 'Sales', status: undefined, limit: 100 });
    const [request] = bff.requests;
    expect(request!.url.pathname).to.equal('/api/providers/sample/contacts');
    expect(request!.url.search).to.equal('?department=Sales&limit=100');
    expect(request!.headers.get('Authorization')).to.equal(`Bearer ${TOKEN}`);
  });

  it('turns an error answer into an ApiError with its code, message and details', async () => {
    bff.on('GET /session', () => errorResponse(409, 'seat_limit_exceeded', 'No seats', { seats: { remaining: 0 } }));
    const error = await rejection(new ApiClient({ base: '/api', token: TOKEN }).getSession());
    expect(error).to.include({ status: 409, code: 'seat_limit_exceeded', message: 'No seats' });
    expect(error.details).to.deep.equal({ seats: { remaining: 0 } });
  });

  it('copes with an error answer that is not JSON', async () => {
    bff.on('GET /session', () => new Response('<h1>Bad gateway</h1>', { status: 502 }));
    const error = await rejection(new ApiClient({ base: '/api', token: TOKEN }).getSession());
    expect(error).to.include({ status: 502, code: 'http_502' });
  });

  it('fails with a timeout error when the server does not answer in time', async () => {
    bff.hang('GET /session');
    const error = await rejection(new ApiClient({ base: '/api', token: TOKEN, timeoutMs: 50 }).getSession());
    expect(error).to.include({ status: 0, code: 'timeout' });
  });

  it("passes the caller's abort on as an abort, not as a failure", async () => {
    bff.hang('GET /session');
    const seen: ApiError[] = [];
    const api = new ApiClient({ base: '/api', token: TOKEN, onError: (e) => seen.push(e) });
    const controller = new AbortController();
    const pending = api.getSession(controller.signal);
    controller.abort();
    try {
      await pending;
      expect.fail('should reject');
    } catch (error) {
      expect(error).not.to.be.instanceOf(ApiError);
    }
    expect(seen).to.have.length(0);
  });

  it('tells onError about failures, e.g. an expired session', async () => {
    const seen: ApiError[] = [];
    const api = new ApiClient({ base: '/api', token: 'wrong', onError: (e) => seen.push(e) });
    await rejection(api.listProviders());
    expect(seen.map((e) => e.status)).to.deep.equal([401]);
  });

  it('makes UUID v4 idempotency keys', () => {
    const a = newIdempotencyKey();
    expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.to.equal(a);
  });
});

describe('ApiClient: session token refresh', () => {
  /** The BFF's answer to an expired session, for every route, until the fresh token comes. */
  function expireOldToken(fresh: string) {
    for (const route of ['GET /providers', 'GET /session', 'POST /imports']) {
      bff.on(route, (r) => {
        const auth = r.headers.get('Authorization');
        if (auth === `Bearer ${TOKEN}`) return errorResponse(401, 'session_expired', 'The session has expired.');
        if (auth !== `Bearer ${fresh}`) return undefined;
        if (route === 'GET /providers') return json(200, { items: bff.providers });
        if (route === 'GET /session') return json(200, bff.session());
        return errorResponse(401, 'session_expired', 'Still expired.');
      });
    }
  }

  it('asks once for a new token when requests fail together, and sends each again once', async () => {
    expireOldToken('fresh');
    let calls = 0;
    const refreshed: string[] = [];
    const api = new ApiClient({
      base: '/api',
      token: TOKEN,
      refreshToken: () => new Promise((ok) => setTimeout(() => ok(`fresh${calls++ ? calls : ''}`), 20)),
      onTokenRefreshed: (t) => refreshed.push(t),
    });
    const [providers, session] = await Promise.all([api.listProviders(), api.getSession()]);
    expect(providers.items.length).to.be.greaterThan(0);
    expect(session.target.name).to.equal('Acme Labs');
    expect(calls).to.equal(1);
    expect(refreshed).to.deep.equal(['fresh']);
    expect(bff.requestsTo('GET', '/providers').map((r) => r.headers.get('Authorization'))).to.deep.equal([`Bearer ${TOKEN}`, 'Bearer fresh']);
  });

  it('retries a request only once, with the same Idempotency-Key', async () => {
    expireOldToken('fresh');
    let calls = 0;
    const seen: ApiError[] = [];
    const api = new ApiClient({ base: '/api', token: TOKEN, refreshToken: async () => (calls++, 'fresh'), onError: (e) => seen.push(e) });
    const request = { provider: 'sample', selection: { ids: ['c001'] }, role: 'member', message: { subject: 's', body: 'b' } };
    const error = await rejection(api.createImport(request, 'key-1'));
    expect(error).to.include({ status: 401, code: 'session_expired', message: 'Still expired.' });
    expect(calls).to.equal(1);
    const sent = bff.requestsTo('POST', '/imports');
    expect(sent.map((r) => r.headers.get('Idempotency-Key'))).to.deep.equal(['key-1', 'key-1']);
    expect(seen.map((e) => e.code)).to.deep.equal(['session_expired']);
  });

  it('gives the original error when there is no way to refresh', async () => {
    expireOldToken('fresh');
    const api = new ApiClient({ base: '/api', token: TOKEN, refreshToken: () => null });
    const error = await rejection(api.listProviders());
    expect(error).to.include({ status: 401, code: 'session_expired' });
    expect(bff.requestsTo('GET', '/providers')).to.have.length(1);
  });

  it('does not refresh for other 401s (a wrong token is not an expired one)', async () => {
    let calls = 0;
    const api = new ApiClient({ base: '/api', token: 'wrong', refreshToken: async () => (calls++, TOKEN) });
    await rejection(api.listProviders());
    expect(calls).to.equal(0);
  });

  it('sends the token set with setToken from then on', async () => {
    const api = new ApiClient({ base: '/api', token: 'old' });
    api.setToken(TOKEN);
    await api.listProviders();
    expect(bff.requests.at(-1)!.headers.get('Authorization')).to.equal(`Bearer ${TOKEN}`);
  });
});
