import { expect } from '@open-wc/testing';
import { FakeBff, TOKEN, errorResponse } from '../test/fake-bff.js';
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
