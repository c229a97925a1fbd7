/**
 * The scene of the webhook tests (bff/webhooks/*.test.ts): real changes through the BFF on a real
 * database (SQLite, or PostgreSQL when TEST_PG_URL is set), delivered by the webhook worker to a
 * real HTTP receiver on loopback that checks every request as a host would, with the
 * `standardwebhooks` package's `Webhook.verify`.
 *
 * `webhookScene()` registers its hooks in the calling test file: the receiver for the file, a
 * fresh BFF with two organizations for each test, whose endpoint has had its first run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createHarness, type Harness } from './harness.js';
import { sampleDirectory } from '../bff/connectors/sample.js';
import { silentLogger } from '../bff/logger.js';
import { createOutboxWorker } from '../bff/mail/outbox.js';
import type { MailMessage } from '../bff/mail/transport.js';
import type { ImportResult, InviteSummary } from '../contract/index.js';
import type { EventBody } from '../bff/webhooks/events.js';
import { createWebhookWorker, type WebhookWorkerOptions } from '../bff/webhooks/worker.js';

export const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

export const people = sampleDirectory().filter((p) => p.status === 'active' && p.email && /^[A-Za-z .'-]+$/.test(p.displayName));
export const message = { subject: 'Join', body: 'Hi {{firstName}}' };

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What Webhook.verify returned, or null when it threw. */
  verified: EventBody | null;
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

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

export function webhookScene() {
  let server: Server;
  let keys = 0;
  const hanging: ServerResponse[] = [];
  const scene = {
    /** The BFF of the running test. */
    h: undefined as unknown as Harness,
    /** What the receiver answers each request; 204 unless a test says otherwise. */
    answer: (() => ({ status: 204 })) as (r: Received) => Answer,
    /** What the receiver got, in order. */
    received: [] as Received[],
    /** The mail the outbox worker sent, and the error it fails a message with (none by default). */
    sent: [] as MailMessage[],
    mailRule: (() => null) as (m: MailMessage) => Error | null,
    receiverUrl: '',
    receiverPort: 0,
  };

  const advance = (ms: number) => (scene.h.clock.now = new Date(scene.h.clock.now.getTime() + ms));

  const hooks = (overrides: Partial<WebhookWorkerOptions> = {}) =>
    createWebhookWorker({
      db: scene.h.db.kysely,
      dialect: scene.h.db.dialect,
      endpoints: [{ url: scene.receiverUrl, secret: SECRET }],
      allowPrivate: true,
      logger: silentLogger,
      now: () => scene.h.clock.now,
      random: () => 0.5,
      // Long enough for a loaded machine: a request our side gave up on still reaches the receiver,
      // later, and lands in the next test's `received`. The hang test sets its own.
      timeoutMs: 5000,
      ...overrides,
    });

  const mail = () =>
    createOutboxWorker({
      db: scene.h.db.kysely,
      dialect: scene.h.db.dialect,
      transport: {
        async send(m) {
          const err = scene.mailRule(m);
          if (err) throw err;
          scene.sent.push(m);
        },
      },
      from: 'hr-import <no-reply@hr.example>',
      now: () => scene.h.clock.now,
      logger: silentLogger,
      random: () => 0.5,
    });

  async function importPeople(target: string, n: number, offset = 0): Promise<ImportResult> {
    const token = await scene.h.session({ type: 'organization', id: target });
    const res = await scene.h.request('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids: people.slice(offset, offset + n).map((p) => p.id) }, role: 'user', message },
      headers: { 'Idempotency-Key': `hooks-test-${++keys}` },
    });
    expect(res.status).toBe(201);
    return (await res.json()) as ImportResult;
  }

  async function invites(target: string): Promise<InviteSummary[]> {
    const res = await scene.h.request('GET', '/api/invites', { token: await scene.h.session({ type: 'organization', id: target }) });
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

  const types = () => scene.received.map((r) => r.verified?.type);
  const deliveries = () => scene.h.db.kysely.selectFrom('webhook_deliveries').selectAll().orderBy('seq').execute();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const r: Received = { path: req.url ?? '', headers: req.headers, body, verified: verifyAt(scene.h.clock.now, body, req.headers) };
        scene.received.push(r);
        const a = scene.answer(r);
        if (a === 'hang') hanging.push(res);
        else res.writeHead(a.status, a.headers).end('ok');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    scene.receiverPort = (server.address() as AddressInfo).port;
    scene.receiverUrl = `http://127.0.0.1:${scene.receiverPort}/hooks`;
  });
  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  beforeEach(async () => {
    scene.received.length = 0;
    scene.sent = [];
    scene.mailRule = () => null;
    scene.answer = () => ({ status: 204 });
    scene.h = await createHarness();
    await scene.h.target('organization', 'acme', 20);
    await scene.h.target('organization', 'globex', 20);
    // The endpoint's first run: it receives the events recorded from now on.
    await hooks().runOnce();
  });
  afterEach(() => scene.h.close());

  return Object.assign(scene, { advance, hooks, mail, importPeople, invites, drain, types, deliveries });
}
