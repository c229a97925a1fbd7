/**
 * Events for the host's backend, end to end: real changes through the BFF on a real database
 * (SQLite, or PostgreSQL when TEST_PG_URL is set), delivered by the webhook worker to a real
 * HTTP receiver on loopback that checks every request as a host would, with the
 * `standardwebhooks` package's `Webhook.verify`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { API_KEY, createHarness, type Harness } from '../../test/harness.js';
import { sampleDirectory } from '../connectors/sample.js';
import { silentLogger } from '../logger.js';
import { writeTransaction } from '../db/connect.js';
import { createOutboxWorker } from '../mail/outbox.js';
import { MailSendError, type MailMessage } from '../mail/transport.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import { inviteEvent, recordEvent, type EventBody, type EventItem } from './events.js';
import { createWebhookWorker, webhookEndpointSchema, webhookEndpointSchemaFor, type WebhookWorkerOptions } from './worker.js';
import { guardedLookup, isPrivateAddress } from './address.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

// ---- the host's receiver: a real HTTP server that verifies as the host would ----------------

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What Webhook.verify returned, or null when it threw. */
  verified: EventBody | null;
}

type Answer = { status: number; headers?: Record<string, string> } | 'hang';
let answer: (r: Received) => Answer = () => ({ status: 204 });
const received: Received[] = [];
const hanging: ServerResponse[] = [];
let server: Server;
let receiverUrl: string;
let receiverPort: number;
let h: Harness;

/** The receiver's clock is the BFF's (the harness clock): timestamps are checked against it. */
function verifyAt(at: Date, body: string, headers: IncomingHttpHeaders): EventBody | null {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  try {
    return new Webhook(SECRET).verify(body, headers as Record<string, string>) as EventBody;
  } catch {
    return null;
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = { path: req.url ?? '', headers: req.headers, body, verified: verifyAt(h.clock.now, body, req.headers) };
      received.push(r);
      const a = answer(r);
      if (a === 'hang') hanging.push(res);
      else res.writeHead(a.status, a.headers).end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  receiverPort = (server.address() as AddressInfo).port;
  receiverUrl = `http://127.0.0.1:${receiverPort}/hooks`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
});

// ---- the BFF ----------------------------------------------------------------------------------

const people = sampleDirectory().filter((p) => p.status === 'active' && p.email && /^[A-Za-z .'-]+$/.test(p.displayName));
const message = { subject: 'Join', body: 'Hi {{firstName}}' };
let keys = 0;
let sent: MailMessage[] = [];
let mailRule: (m: MailMessage) => Error | null = () => null;

const advance = (ms: number) => (h.clock.now = new Date(h.clock.now.getTime() + ms));

function hooks(overrides: Partial<WebhookWorkerOptions> = {}) {
  return createWebhookWorker({
    db: h.db.kysely,
    dialect: h.db.dialect,
    endpoints: [{ url: receiverUrl, secret: SECRET }],
    allowPrivate: true,
    logger: silentLogger,
    now: () => h.clock.now,
    random: () => 0.5,
    timeoutMs: 300,
    ...overrides,
  });
}

const mail = () =>
  createOutboxWorker({
    db: h.db.kysely,
    dialect: h.db.dialect,
    transport: {
      async send(m) {
        const err = mailRule(m);
        if (err) throw err;
        sent.push(m);
      },
    },
    from: 'hr-import <no-reply@hr.example>',
    now: () => h.clock.now,
    logger: silentLogger,
    random: () => 0.5,
  });

async function importPeople(target: string, n: number, offset = 0): Promise<ImportResult> {
  const token = await h.session({ type: 'organization', id: target });
  const res = await h.request('POST', '/api/imports', {
    token,
    body: { provider: 'sample', selection: { ids: people.slice(offset, offset + n).map((p) => p.id) }, role: 'user', message },
    headers: { 'Idempotency-Key': `hooks-test-${++keys}` },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as ImportResult;
}

async function invites(target: string): Promise<InviteSummary[]> {
  const res = await h.request('GET', '/api/invites', { token: await h.session({ type: 'organization', id: target }) });
  return ((await res.json()) as { items: InviteSummary[] }).items;
}

/** Runs the worker until a run delivers nothing (bounded). */
async function drain(w = hooks()) {
  for (let i = 0; i < 50; i++) {
    const r = await w.runOnce();
    if (!r.delivered && !r.failed) return;
  }
  throw new Error('webhooks never settled');
}

const types = () => received.map((r) => r.verified?.type);
const deliveries = () => h.db.kysely.selectFrom('webhook_deliveries').selectAll().orderBy('seq').execute();

beforeEach(async () => {
  received.length = 0;
  sent = [];
  mailRule = () => null;
  answer = () => ({ status: 204 });
  h = await createHarness();
  await h.target('organization', 'acme', 20);
  await h.target('organization', 'globex', 20);
  // The endpoint's first run: it receives the events recorded from now on.
  await hooks().runOnce();
});
afterEach(() => h.close());

describe('events delivered as signed webhooks', () => {
  it('an import sends import.completed, then invite.sent as each mail goes, each verified by the receiver', async () => {
    const result = await importPeople('acme', 2);
    await mail().runOnce();
    await drain();

    expect(types()).toEqual(['import.completed', 'invite.sent', 'invite.sent']);
    expect(received.every((r) => r.verified !== null)).toBe(true);
    const [completed, ...sentEvents] = received;
    const invitesNow = await invites('acme');
    expect(completed!.verified).toEqual({
      type: 'import.completed',
      timestamp: h.clock.now.toISOString(),
      data: {
        target: { type: 'organization', id: 'acme' },
        importId: result.id,
        invited: 2,
        skipped: 0,
        invites: expect.arrayContaining(invitesNow.map((i) => ({ inviteId: i.id, email: i.email, role: 'user' }))),
        invitesTruncated: false,
      },
    });
    expect(sentEvents.map((r) => r.verified!.data).sort((a, b) => ('inviteId' in a && 'inviteId' in b ? a.inviteId.localeCompare(b.inviteId) : 0))).toEqual(
      invitesNow
        .map((i) => ({ target: { type: 'organization', id: 'acme' }, inviteId: i.id, email: i.email, role: 'user', importId: result.id }))
        .sort((a, b) => a.inviteId.localeCompare(b.inviteId)),
    );
    // The three Standard Webhooks headers; the id is the event's, as GET /api/events lists it.
    const listed = (await (await h.request('GET', '/api/events', { token: API_KEY })).json()) as { items: EventItem[] };
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(listed.items.map((e) => e.id));
    expect(received[0]!.headers['webhook-timestamp']).toBe(String(h.clock.now.getTime() / 1000));
    expect(received[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    // Another secret does not verify: the signature is really checked.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(received[0]!.body, received[0]!.headers as Record<string, string>),
    ).toThrow();
    expect((await deliveries()).map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
    // Nothing is sent twice.
    await drain();
    expect(received.length).toBe(3);
  });

  it('a mail refused for good sends invite.delivery_failed with the reason, without the address', async () => {
    mailRule = () => new MailSendError(`5.1.1 <${people[0]!.email}>: mailbox unknown`, 550, 'RCPT TO', 'EENVELOPE');
    await importPeople('acme', 1);
    await mail().runOnce();
    await drain();
    expect(types()).toEqual(['import.completed', 'invite.delivery_failed']);
    const data = received[1]!.verified!.data as { reason: string; email: string };
    expect(data.email).toBe(people[0]!.email);
    expect(data.reason).toMatch(/^550 at RCPT TO/);
    expect(data.reason).not.toContain(people[0]!.email!);
  });

  it('accept sends invite.accepted; revoke sends invite.revoked', async () => {
    await importPeople('acme', 2);
    const [a, b] = await invites('acme');
    const row = await h.db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', a!.id).executeTakeFirstOrThrow();
    const token = /token=([A-Za-z0-9_-]+)/.exec(JSON.parse(row.payload!).text as string)![1]!;
    expect((await h.request('POST', '/api/invites/accept', { body: { token } })).status).toBe(200);
    const session = await h.session({ type: 'organization', id: 'acme' });
    expect((await h.request('DELETE', `/api/invites/${b!.id}`, { token: session })).status).toBe(204);
    // Refused changes record nothing.
    expect((await h.request('POST', '/api/invites/accept', { body: { token } })).status).toBe(410);
    expect((await h.request('DELETE', `/api/invites/${b!.id}`, { token: session })).status).toBe(409);
    await drain();

    expect(types()).toEqual(['import.completed', 'invite.accepted', 'invite.revoked']);
    expect(received[1]!.verified!.data).toMatchObject({ inviteId: a!.id, email: a!.email, role: 'user', target: { type: 'organization', id: 'acme' } });
    expect(received[2]!.verified!.data).toMatchObject({ inviteId: b!.id, email: b!.email });
  });

  it('an invite past its expiry sends invite.expired once, keeping its status; a resend gives it a new expiry of its own', async () => {
    await importPeople('acme', 2);
    await drain();
    received.length = 0;
    advance(7 * 86_400_000 + 1000);
    await drain();
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired']);
    const stored = await h.db.kysely.selectFrom('invites').select('status').execute();
    expect(stored.map((i) => i.status)).toEqual(['pending', 'pending']);
    expect((await invites('acme')).map((i) => i.status)).toEqual(['expired', 'expired']);

    const [first] = await invites('acme');
    const session = await h.session({ type: 'organization', id: 'acme' });
    expect((await h.request('POST', `/api/invites/${first!.id}/resend`, { token: session })).status).toBe(200);
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired']);
    advance(7 * 86_400_000 + 1000);
    await drain();
    expect(types()).toEqual(['invite.expired', 'invite.expired', 'invite.expired']);
    expect(received[2]!.verified!.data).toMatchObject({ inviteId: first!.id });
  });

  it('retries after a 500 with backoff, under the same webhook-id, newly signed', async () => {
    let calls = 0;
    answer = () => (calls++ === 0 ? { status: 500 } : { status: 200 });
    await importPeople('acme', 1);
    const w = hooks();
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    const [pending] = await deliveries();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    // 30 s, with the jitter at its middle: 22.5 s. Not due before.
    expect(pending!.next_attempt_at).toBe(new Date(h.clock.now.getTime() + 22_500).toISOString());
    advance(22_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    advance(1000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1, failed: 0 });

    expect(received.length).toBe(2);
    expect(received[0]!.headers['webhook-id']).toBe(received[1]!.headers['webhook-id']);
    expect(received[0]!.headers['webhook-timestamp']).not.toBe(received[1]!.headers['webhook-timestamp']);
    expect(received.every((r) => r.verified?.type === 'import.completed')).toBe(true);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 2, last_error: null }]);
  });

  it('a receiver that does not answer in time is a failure, retried later', async () => {
    let calls = 0;
    answer = () => (calls++ === 0 ? 'hang' : { status: 204 });
    await importPeople('acme', 1);
    const w = hooks({ timeoutMs: 200 });
    expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(await deliveries()).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'timeout after 0.2 s' }]);
    advance(60_000);
    expect(await w.runOnce()).toMatchObject({ delivered: 1 });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([received[0]!.headers['webhook-id'], received[0]!.headers['webhook-id']]);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    answer = (r) => (r.path === '/hooks' ? { status: 307, headers: { Location: `http://127.0.0.1:${receiverPort}/elsewhere` } } : { status: 204 });
    await importPeople('acme', 1);
    expect(await hooks().runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(received.map((r) => r.path)).toEqual(['/hooks']);
    expect(await deliveries()).toMatchObject([{ status: 'pending', last_error: 'HTTP 307: redirects are not followed' }]);
  });

  it("keeps each target's events in order: a later one waits while an earlier one is retried; other targets go on", async () => {
    await importPeople('acme', 1);
    answer = (r) =>
      r.verified?.type === 'import.completed' && (r.verified.data as { target: { id: string } }).target.id === 'acme' ? { status: 500 } : { status: 204 };
    await importPeople('globex', 1, 5);
    await mail().runOnce();
    const w = hooks();
    await drain(w);
    await drain(w);
    // acme's import.completed failed; its invite.sent waits. globex's both went.
    const byTarget = (id: string) => received.filter((r) => (r.verified!.data as { target: { id: string } }).target.id === id).map((r) => r.verified!.type);
    expect(byTarget('acme')).toEqual(['import.completed']);
    expect(byTarget('globex')).toEqual(['import.completed', 'invite.sent']);

    answer = () => ({ status: 204 });
    advance(60_000);
    await drain(w);
    expect(byTarget('acme')).toEqual(['import.completed', 'import.completed', 'invite.sent']);
  });

  it('gives up after 3 days, and the target’s later events then go', async () => {
    answer = (r) => (r.verified?.type === 'import.completed' ? { status: 503 } : { status: 204 });
    await importPeople('acme', 1);
    await mail().runOnce();
    const w = hooks();
    for (let i = 0; i < 100; i++) {
      await w.runOnce();
      if ((await deliveries())[0]!.status === 'failed') break;
      advance(3_600_000);
    }
    const [gaveUp, next] = await deliveries();
    expect(gaveUp).toMatchObject({ status: 'failed', last_error: 'HTTP 503' });
    // Exponential: about 15 attempts in 3 days, not one an hour.
    expect(gaveUp!.attempts).toBeGreaterThan(10);
    expect(gaveUp!.attempts).toBeLessThan(30);
    expect(h.clock.now.getTime() - Date.parse(gaveUp!.created_at)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(next).toMatchObject({ status: 'pending' });
    await drain(w);
    expect(types().filter((t) => t === 'invite.sent')).toEqual(['invite.sent']);
  });
});

describe('the worker loop', () => {
  it('start() delivers in the background, a target’s queue without waiting a tick per event; stop() waits for the run in flight', async () => {
    await importPeople('acme', 3);
    await mail().runOnce();
    const w = hooks();
    // A long interval: only the "go on at once after a delivery" rule can deliver all four in time.
    w.start(60_000);
    try {
      await vi.waitFor(() => expect(types()).toEqual(['import.completed', 'invite.sent', 'invite.sent', 'invite.sent']), { timeout: 5000 });
    } finally {
      await w.stop();
    }
    expect((await deliveries()).every((d) => d.status === 'delivered')).toBe(true);
  });
});

describe('several replicas', () => {
  it('deliver each event once, each target in order, when their workers run at the same time', async () => {
    for (const [i, target] of ['acme', 'globex'].entries()) await importPeople(target, 4, i * 4);
    await mail().runOnce();
    const workers = [hooks(), hooks(), hooks()];
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(workers.map((w) => w.runOnce()));
      if (results.every((r) => !r.delivered && !r.failed)) break;
    }
    const ids = received.map((r) => r.headers['webhook-id']);
    expect(ids.length).toBe(10);
    expect(new Set(ids).size).toBe(10);
    const seqOf = new Map((await h.db.kysely.selectFrom('events').select(['id', 'seq', 'target_id']).execute()).map((e) => [e.id, e]));
    for (const target of ['acme', 'globex']) {
      const order = ids
        .map((id) => seqOf.get(id as string)!)
        .filter((e) => e.target_id === target)
        .map((e) => Number(e.seq));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});

describe('crash safety', () => {
  it('an event survives a worker that dies after claiming it: once its lease runs out, another delivers it', async () => {
    await importPeople('acme', 1);
    // This worker claims, then never gets an answer: as if its process died mid-request.
    const dying = hooks({ fetch: () => new Promise(() => undefined), leaseMs: 60_000 });
    void dying.runOnce();
    await vi.waitFor(async () => expect((await deliveries())[0]?.status).toBe('delivering'));

    const survivor = hooks();
    expect(await survivor.runOnce()).toMatchObject({ delivered: 0 });
    advance(60_001);
    expect(await survivor.runOnce()).toMatchObject({ delivered: 1 });
    expect(types()).toEqual(['import.completed']);
    expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('a change rolled back writes no event, and leaves no gap in the sequence', async () => {
    await importPeople('acme', 1);
    const [invite] = await h.db.kysely.selectFrom('invites').selectAll().execute();
    await expect(
      writeTransaction(h.db.kysely, async (trx) => {
        await trx.updateTable('invites').set({ status: 'revoked' }).where('id', '=', invite!.id).execute();
        await recordEvent(trx, inviteEvent('invite.revoked', invite!, h.clock.now));
        throw new Error('the change fails after its event was written');
      }),
    ).rejects.toThrow('the change fails');
    // A refused import (over the seat limit) writes none either.
    await h.target('organization', 'tiny', 1);
    const res = await h.request('POST', '/api/imports', {
      token: await h.session({ type: 'organization', id: 'tiny' }),
      body: { provider: 'sample', selection: { ids: people.slice(0, 2).map((p) => p.id) }, role: 'user', message },
      headers: { 'Idempotency-Key': 'hooks-test-refused' },
    });
    expect(res.status).toBe(409);

    const session = await h.session({ type: 'organization', id: 'acme' });
    expect((await h.request('DELETE', `/api/invites/${invite!.id}`, { token: session })).status).toBe(204);
    const events = await h.db.kysely.selectFrom('events').select(['type', 'seq']).orderBy('seq').execute();
    expect(events).toEqual([
      { type: 'import.completed', seq: 1 },
      { type: 'invite.revoked', seq: 2 },
    ]);
  });
});

describe('where webhooks may go', () => {
  const names = (map: Record<string, string>) =>
    ((hostname: string, _options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
      const address = map[hostname];
      if (!address) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
      callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    }) as unknown as typeof import('node:dns').lookup;

  it('refuses loopback, private and link-local addresses, by name after resolving or as literals, unless allowed', async () => {
    const lookup = names({ 'hooks.example.test': '127.0.0.1', 'metadata.example.test': '169.254.169.254', 'v6.example.test': 'fd12::1' });
    const urls = [
      `https://hooks.example.test:${receiverPort}/hooks`,
      'https://metadata.example.test/',
      'https://v6.example.test/',
      'https://10.1.2.3/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
    ];
    const refusing = urls.map((url) => hooks({ endpoints: [{ url, secret: SECRET }], allowPrivate: false, lookup }));
    // The same name, allowed for development (which also allows http), is delivered to.
    const allowed = hooks({ endpoints: [{ url: `http://hooks.example.test:${receiverPort}/hooks`, secret: SECRET }], allowPrivate: true, lookup });
    for (const w of [...refusing, allowed]) await w.runOnce();
    await importPeople('acme', 1);

    for (const w of refusing) expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    const refused = await h.db.kysely.selectFrom('webhook_deliveries').select('last_error').where('status', '=', 'pending').execute();
    expect(refused.length).toBe(urls.length);
    for (const r of refused) expect(r.last_error).toMatch(/^refused: /);
    expect(received).toEqual([]);

    expect(await allowed.runOnce()).toMatchObject({ delivered: 1 });
    expect(types()).toEqual(['import.completed']);
  });

  it('knows the private ranges, IPv4 and IPv6', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'ff02::1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '2a00:1450:4001::1']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses a name when any of its addresses is private', async () => {
    const mixed = ((_h: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.8', family: 4 },
      ])) as unknown as typeof import('node:dns').lookup;
    const result = await new Promise<unknown>((ok) => guardedLookup(mixed)('mixed.example.test', { all: true }, (err) => ok(err)));
    expect(result).toBeInstanceOf(Error);
    const single = await new Promise<unknown[]>((ok) =>
      guardedLookup(((_h: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
        cb(null, [{ address: '93.184.216.34', family: 4 }])) as unknown as typeof import('node:dns').lookup)(
        'public.example.test',
        {},
        (err, address, family) => ok([err, address, family]),
      ),
    );
    expect(single).toEqual([null, '93.184.216.34', 4]);
  });

  it('validates endpoint settings: https and a whsec_ secret, http only when private addresses are allowed', () => {
    expect(webhookEndpointSchema.safeParse({ url: 'https://hooks.example.com/hr', secret: SECRET }).success).toBe(true);
    expect(webhookEndpointSchema.safeParse({ url: 'http://hooks.example.com/hr', secret: SECRET }).success).toBe(false);
    expect(webhookEndpointSchemaFor({ allowPrivate: true }).safeParse({ url: 'http://localhost:3000/hr', secret: SECRET }).success).toBe(true);
    expect(webhookEndpointSchema.safeParse({ url: 'https://user:pw@hooks.example.com/', secret: SECRET }).success).toBe(false);
    expect(webhookEndpointSchema.safeParse({ url: 'ftp://hooks.example.com/', secret: SECRET }).success).toBe(false);
    for (const secret of ['secret', SECRET.slice('whsec_'.length), 'whsec_', `whsec_${randomBytes(8).toString('base64')}`, 'whsec_not base64!']) {
      const parsed = webhookEndpointSchema.safeParse({ url: 'https://hooks.example.com/', secret });
      expect(parsed.success, secret).toBe(false);
      // The message names the rule, never the value.
      if (!parsed.success && secret.length > 8) expect(JSON.stringify(parsed.error.issues)).not.toContain(secret);
    }
    expect(() => hooks({ endpoints: [{ url: 'http://hooks.example.com/', secret: SECRET }], allowPrivate: false })).toThrow(
      /invalid webhook endpoint 1: url must be an https URL/,
    );
  });
});

describe('GET /api/events', () => {
  it('pages through the events in order with after= and limit=, for API-key callers only', async () => {
    await importPeople('acme', 2);
    await mail().runOnce();
    const get = async (query = '', token = API_KEY) => h.request('GET', `/api/events${query}`, { token });

    const first = (await (await get('?limit=2')).json()) as { items: EventItem[]; next: string };
    expect(first.items.map((e) => e.type)).toEqual(['import.completed', 'invite.sent']);
    expect(first.next).toBe(first.items[1]!.id);
    expect(first.items[0]).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      timestamp: h.clock.now.toISOString(),
      data: { target: { type: 'organization', id: 'acme' }, invited: 2 },
    });
    const second = (await (await get(`?after=${first.next}&limit=2`)).json()) as { items: EventItem[]; next: string };
    expect(second.items.map((e) => e.type)).toEqual(['invite.sent']);
    // Up to date: nothing new, and next stays where the poller is.
    const third = (await (await get(`?after=${second.next}`)).json()) as { items: EventItem[]; next: string };
    expect(third).toEqual({ items: [], next: second.next });
    const all = (await (await get()).json()) as { items: EventItem[] };
    expect(all.items.map((e) => e.id)).toEqual([...first.items, ...second.items].map((e) => e.id));

    expect((await h.request('GET', '/api/events')).status).toBe(401);
    const wrong = await get('', 'not-the-api-key-0123456789');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    // A session token is not an API key.
    expect((await get('', await h.session({ type: 'organization', id: 'acme' }))).status).toBe(401);
    const badAfter = await get('?after=evt_doesnotexist00000');
    expect(badAfter.status).toBe(400);
    expect(await badAfter.json()).toMatchObject({ error: { code: 'invalid_cursor' } });
    expect((await get('?after=inv_123')).status).toBe(400);
    expect((await get('?limit=501')).status).toBe(400);
    expect((await get('?limit=0')).status).toBe(400);
  });
});
