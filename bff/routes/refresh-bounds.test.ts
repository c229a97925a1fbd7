/**
 * A directory refresh under abuse and faults, against a loopback provider stand-in: one that keeps
 * sending full pages, one 200 MB page, one that hangs or echoes our credentials back, a
 * disconnect or reconnect in the middle, and twenty tenants of one deployment-wide connection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHarness, type Harness } from '../../test/harness.js';
import { directoryPerson } from '../../test/directory.js';
import { createHttp, type HttpPolicy } from '../connectors/http.js';
import type { Connector } from '../connectors/types.js';
import type { ProviderEntry } from '../providers/registry.js';
import type { RefreshStatus } from '../../contract/index.js';
import type { AppConfig } from '../deps.js';
import { stagingKey } from '../services/directory/rows.js';
import { READ_AHEAD_PAGES } from '../services/directory/run.js';

const DEPLOYMENT_KEY = 'deployment-key-0123456789abcdef';
const PAGE = 100;

type Mode = 'endless' | 'finite' | 'huge' | 'echo' | 'hang';
let mode: Mode;
let server: Server;
let url: string;
/** Every request the provider got, with the key it carried. */
let requests: { page: number; key: string }[];
let h: Harness;

beforeEach(async () => {
  mode = 'endless';
  requests = [];
  server = createServer((req, res) => {
    const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    requests.push({ page, key });
    if (mode === 'hang') return;
    if (mode === 'echo')
      return res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `invalid token: ${req.headers.authorization}` }));
    if (mode === 'huge') {
      const chunk = Buffer.from(`{"id":"p","name":"${'a'.repeat(1024 * 1024)}"},`);
      let sent = 0;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"people":[');
      const more = () => {
        while (sent++ < 200) if (!res.write(chunk)) return void res.once('drain', more);
        res.end('{"id":"q","name":"q"}]}');
      };
      return more();
    }
    // The new credentials of the reconnect test reach a directory of three pages.
    const last = (mode === 'finite' || key.startsWith('new-')) && page >= 2;
    const people = Array.from({ length: PAGE }, (_, i) => ({ id: `${page}-${i}`, name: `Person ${page}-${i}` }));
    // A little latency, as a real provider has: the refresh is still running when a test intervenes.
    setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ people, last })), 10);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await h?.close();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

/** A cursor-paged provider: `?page=N`, a page of people each time, `last` when it is done. */
function connector(key: string, policy: Partial<HttpPolicy> = {}): Connector {
  const http = createHttp({ provider: 'Endless HR', secrets: [key], policy: { maxAttempts: 1, ...policy } });
  return {
    async listContacts({ cursor, signal }) {
      const page = Number(cursor ?? 0);
      const body = await http.json<{ people: { id: string; name: string }[]; last: boolean }>(`${url}/people?page=${page}`, {
        signal,
        page: `page ${page}`,
        headers: { Authorization: `Bearer ${key}` },
      });
      const contacts = body.people.map((p) => directoryPerson(p.id, { displayName: p.name }));
      return { contacts, nextCursor: body.last ? null : String(page + 1) };
    },
  };
}

async function setup(config: Partial<AppConfig> = {}, policy: Partial<HttpPolicy> = {}) {
  const shared: ProviderEntry = {
    id: 'endless',
    type: 'endless',
    name: 'Endless HR',
    configuredBy: 'deployment',
    connector: connector(DEPLOYMENT_KEY, policy),
    cacheTtlSeconds: 3600,
  };
  const own: ProviderEntry = {
    id: 'orghr',
    type: 'endless',
    name: 'Org HR',
    configuredBy: 'organization',
    cacheTtlSeconds: 3600,
    fields: [{ name: 'apiKey', label: 'API key', secret: true, required: true }],
    connect: (c) => connector(c.apiKey!, policy),
  };
  h = await createHarness({ providers: [shared, own], config });
  await h.target('organization', 'acme', 10);
  return h.session({ type: 'organization', id: 'acme' });
}

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await h.request(method, path, { token, body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

async function settle(provider: string, token: string): Promise<RefreshStatus> {
  for (let i = 0; i < 1500; i++) {
    const { json } = await call('GET', `/api/providers/${provider}/refresh`, token);
    if (json.status !== 'syncing') return json;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  throw new Error('the refresh never ended');
}

const rows = async () =>
  Number(
    (
      await h.db.kysely
        .selectFrom('directory_contacts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('a refresh against a provider that never stops', () => {
  it('stops at the page bound with an error code, leaving no staging rows', async () => {
    const token = await setup({ refreshLimits: { pages: 30 } });
    expect((await call('POST', '/api/providers/endless/refresh', token)).status).toBe(202);
    const done = await settle('endless', token);
    expect(done).toMatchObject({ status: 'error', error: { code: 'refresh_too_many_pages' } });
    expect(done.error!.message).toContain('30');
    expect(requests.length).toBeLessThanOrEqual(31);
    expect(await rows()).toBe(0);
  });

  it('stops at the people bound before staging more than it', async () => {
    const token = await setup({ refreshLimits: { contacts: 1_000 } });
    await call('POST', '/api/providers/endless/refresh', token);
    expect(await settle('endless', token)).toMatchObject({ status: 'error', error: { code: 'refresh_too_many_contacts' } });
    // The page that crosses the bound, and the pages read ahead of it while it was staged.
    expect(requests.length).toBeLessThanOrEqual(11 + READ_AHEAD_PAGES);
    expect(await rows()).toBe(0);
  });

  it('stops at the time bound', async () => {
    const token = await setup({ refreshLimits: { seconds: 1 } });
    await call('POST', '/api/providers/endless/refresh', token);
    expect(await settle('endless', token)).toMatchObject({ status: 'error', error: { code: 'refresh_timed_out' } });
    // Pages already on the wire when the bound struck may still arrive; after that, silence.
    await new Promise((r) => setTimeout(r, 200));
    const seen = requests.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(requests.length).toBe(seen);
    expect(await rows()).toBe(0);
  });

  it('cuts off a 200 MB page at the per-response byte bound without holding it', async () => {
    const token = await setup({ refreshLimits: { responseBytes: 5 * 1024 * 1024 } });
    mode = 'huge';
    const before = process.memoryUsage().rss;
    await call('POST', '/api/providers/endless/refresh', token);
    const done = await settle('endless', token);
    expect(done).toMatchObject({ status: 'error', error: { code: 'provider_bad_response' } });
    expect(done.error!.message).toContain('more than 5 MB in one response');
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });
});

describe('a refresh stopped from outside', () => {
  it('stops sending provider requests at once when the organization disconnects, and leaves no rows or running status', async () => {
    const token = await setup();
    expect((await call('PUT', '/api/providers/orghr/connection', token, { credentials: { apiKey: 'old-key-0123456789' } })).status).toBe(200);
    await call('POST', '/api/providers/orghr/refresh', token);
    await waitFor(() => requests.length >= 5);
    expect((await call('DELETE', '/api/providers/orghr/connection', token)).status).toBe(200);
    const atDisconnect = requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(requests.length - atDisconnect).toBeLessThanOrEqual(1);
    expect(await rows()).toBe(0);
    expect(await h.db.kysely.selectFrom('directory_syncs').selectAll().where('status', '=', 'syncing').execute()).toEqual([]);
  });

  it('stops the old credentials’ refresh on reconnect; the new credentials’ refresh then fills the directory', async () => {
    const token = await setup();
    await call('PUT', '/api/providers/orghr/connection', token, { credentials: { apiKey: 'old-key-0123456789' } });
    await call('POST', '/api/providers/orghr/refresh', token);
    await waitFor(() => requests.length >= 5);
    await call('PUT', '/api/providers/orghr/connection', token, { credentials: { apiKey: 'new-key-0123456789' } });
    const atReconnect = requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(requests.slice(atReconnect).filter((r) => r.key === 'old-key-0123456789').length).toBeLessThanOrEqual(1);
    expect(await rows()).toBe(0);
    await call('POST', '/api/providers/orghr/refresh', token);
    expect(await settle('orghr', token)).toMatchObject({ status: 'ready', fetched: 3 * PAGE });
    expect(await rows()).toBe(3 * PAGE);
  });

  it('clears staging rows a killed refresh left behind at the next claim', async () => {
    const token = await setup();
    mode = 'finite';
    const orphan = { connection: stagingKey('gone:*'), contact_id: 'x', display_name: 'X', status: 'active', search_text: 'x', sort_name: 'x' };
    await h.db.kysely
      .insertInto('directory_contacts')
      .values(orphan as never)
      .execute();
    await call('POST', '/api/providers/endless/refresh', token);
    expect(await settle('endless', token)).toMatchObject({ status: 'ready' });
    expect(await h.db.kysely.selectFrom('directory_contacts').select('connection').where('connection', 'like', '~%').execute()).toEqual([]);
  });
});

describe('a deployment-wide connection’s quota', () => {
  it('serves twenty tenants’ refreshes within two seconds with one set of provider calls', async () => {
    await setup();
    mode = 'finite';
    const tokens: string[] = [];
    for (let i = 0; i < 20; i++) {
      await h.target('organization', `tenant${i}`, 10);
      tokens.push(await h.session({ type: 'organization', id: `tenant${i}` }));
    }
    const answers: number[] = [];
    for (const token of tokens) {
      answers.push((await call('POST', '/api/providers/endless/refresh', token)).status);
      await new Promise((r) => setTimeout(r, 100));
    }
    await settle('endless', tokens[0]!);
    expect(requests.map((r) => r.page)).toEqual([0, 1, 2]);
    expect(answers.every((s) => s === 200 || s === 202)).toBe(true);
  });

  it('refreshes a fresh directory only when forced, and at most once a minute per connection', async () => {
    const token = await setup();
    mode = 'finite';
    await call('POST', '/api/providers/endless/refresh', token);
    await settle('endless', token);
    expect(requests).toHaveLength(3);
    expect((await call('POST', '/api/providers/endless/refresh', token)).status).toBe(200);
    const tooSoon = await call('POST', '/api/providers/endless/refresh', token, { force: true });
    expect([tooSoon.status, tooSoon.json.error.code]).toEqual([429, 'refresh_too_soon']);
    expect(Number(tooSoon.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(requests).toHaveLength(3);
    h.clock.now = new Date(h.clock.now.getTime() + 61_000);
    expect((await call('POST', '/api/providers/endless/refresh', token, { force: true })).status).toBe(202);
    await settle('endless', token);
    expect(requests).toHaveLength(6);
    expect((await call('POST', '/api/providers/endless/refresh', token, { force: 'yes' })).status).toBe(400);
  });

  it("lets an admin's Retry after a failed refresh through at once, one refresh at a time", async () => {
    const token = await setup();
    mode = 'echo';
    await call('POST', '/api/providers/endless/refresh', token);
    await settle('endless', token);
    expect((await call('GET', '/api/providers/endless/refresh', token)).json.status).toBe('error');
    mode = 'finite';
    const before = requests.length;
    // Three Retry presses at once: one refresh runs, the others join it.
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', '/api/providers/endless/refresh', token, { force: true })));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    await settle('endless', token);
    expect((await call('GET', '/api/providers/endless/refresh', token)).json.status).toBe('ready');
    expect(requests.length - before).toBe(3);
    // Now the directory is fresh again: a forced refresh waits out the minute.
    expect((await call('POST', '/api/providers/endless/refresh', token, { force: true })).status).toBe(429);
  });
});

describe('honest provider failures', () => {
  it('answers 504 provider_unavailable within the deadline when the provider never answers', async () => {
    const token = await setup({}, { deadlineMs: 800 });
    mode = 'hang';
    const started = performance.now();
    const res = await call('GET', '/api/providers/endless/contacts?limit=5', token);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect([res.status, res.json.error.code]).toEqual([504, 'provider_unavailable']);
  });

  it('never repeats the credentials a provider echoes: not in the answer, not in the database', async () => {
    const token = await setup();
    mode = 'echo';
    const res = await call('GET', '/api/providers/endless/contacts?limit=5', token);
    expect([res.status, res.json.error.code]).toEqual([502, 'provider_auth']);
    expect(JSON.stringify(res.json)).not.toContain(DEPLOYMENT_KEY);
    expect(res.json.error.message).toContain('invalid token');
    const syncs = await h.db.kysely.selectFrom('directory_syncs').select('error_message').execute();
    expect(syncs[0]!.error_message).toContain('[redacted]');
    expect(JSON.stringify(syncs)).not.toContain(DEPLOYMENT_KEY);
  });
});
