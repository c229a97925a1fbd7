/**
 * No personal data where it does not belong: the main flows (listing, import with skips, resend,
 * revoke, accept, a failed refresh whose provider quotes a person, mail that bounces quoting the
 * address, webhooks that fail) are run against a real database, and every log line, every error
 * answer and every stored error is searched for the directory's emails and names. Emails belong
 * in the cache, the invites, the mail queue and the events; not in these.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, createHarness, INVITER, type Harness } from './harness.js';
import { sampleDirectory } from '../bff/connectors/sample.js';
import { ProviderError, type Connector } from '../bff/connectors/types.js';
import { sampleProvider, type ProviderEntry } from '../bff/providers/registry.js';
import { jsonLogger } from '../bff/logger.js';
import { createOutboxWorker } from '../bff/mail/outbox.js';
import { MailSendError } from '../bff/mail/transport.js';
import { createWebhookWorker } from '../bff/webhooks/worker.js';
import { queuedMessage } from '../bff/mail/outbox.js';

const people = sampleDirectory();
const active = people.filter((p) => p.status === 'active' && p.email);
/** What identifies a person: every address and every full name the directory holds, and the inviter's. */
const PERSONAL = [
  ...new Set(
    [...people.flatMap((p) => [p.email?.toLowerCase(), p.displayName.toLowerCase()]), INVITER.email, INVITER.name.toLowerCase()].filter(
      (s): s is string => !!s && s.length > 3,
    ),
  ),
];
const message = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, {{inviterName}} invites you: {{acceptUrl}}' };

/**
 * A provider that fails the way real ones do: its error quotes the record it choked on. By its
 * address, which is recognisable; a name in a provider's own words is not (docs/security.md "Personal data").
 */
const brokenConnector: Connector = {
  listContacts: async () => {
    const p = active[7]!;
    throw new ProviderError('bad_response', `Worker ${p.id} (${p.email}) has an invalid manager reference`);
  },
};
const broken: ProviderEntry = {
  id: 'broken',
  type: 'sample',
  name: 'Broken HR',
  configuredBy: 'deployment',
  connector: brokenConnector,
  cacheTtlSeconds: 3600,
};

let h: Harness;
let lines: string[];
let errors: string[];
beforeEach(async () => {
  lines = [];
  errors = [];
  h = await createHarness({ providers: [sampleProvider(), broken], logger: jsonLogger((l) => lines.push(l)) });
  await h.target('lab', 'l-1', 50, [active[0]!.email!]);
});
afterEach(() => h.close());

async function call(method: string, path: string, init: Parameters<Harness['request']>[2] = {}): Promise<Response> {
  const res = await h.request(method, path, init);
  if (res.status >= 400) errors.push(await res.clone().text());
  return res;
}

/** Which personal values a text holds. */
const found = (text: string) => PERSONAL.filter((v) => text.toLowerCase().includes(v));

describe('personal data', () => {
  it('appears in no log line, error answer or stored error of the main flows', async () => {
    // Webhooks whose receiver fails, and one whose network error quotes the body it carried.
    const secret = `whsec_${Buffer.from('s'.repeat(32)).toString('base64')}`;
    const hooks = createWebhookWorker({
      db: h.db.kysely,
      dialect: h.db.dialect,
      endpoints: [
        { url: 'https://hooks.example.com/a', secret },
        { url: 'https://hooks.example.com/b', secret },
      ],
      allowPrivate: false,
      logger: jsonLogger((l) => lines.push(l)),
      now: () => h.clock.now,
      batchSize: 100,
      fetch: async (url, init) => {
        if (url.endsWith('/a')) return { status: 500 };
        throw Object.assign(new Error(`socket hang up while sending ${init.body}`), { code: 'ECONNRESET' });
      },
    });
    // Registers the endpoints: they receive the events from here on.
    await hooks.runOnce();
    const token = await h.session({ type: 'lab', id: 'l-1' });
    await call('GET', '/api/providers/sample/contacts?limit=50&search=a', { token });
    const ids = [active[0]!.id, ...active.slice(1, 6).map((p) => p.id), people.find((p) => !p.email)!.id, 'emp-9999'];
    const imported = await call('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids }, role: 'user', message },
      headers: { 'Idempotency-Key': 'sweep-import-0001' },
    });
    expect(imported.status).toBe(201);
    // The same again: everyone is now skipped as already invited.
    await call('POST', '/api/imports', {
      token,
      body: { provider: 'sample', selection: { ids }, role: 'user', message },
      headers: { 'Idempotency-Key': 'sweep-import-0002' },
    });
    // Over the seat limit.
    await h.target('lab', 'l-2', 1);
    const small = await h.session({ type: 'lab', id: 'l-2' });
    expect(
      (
        await call('POST', '/api/imports', {
          token: small,
          body: { provider: 'sample', selection: { ids: ids.slice(1, 4) }, role: 'user', message },
          headers: { 'Idempotency-Key': 'sweep-import-0003' },
        })
      ).status,
    ).toBe(409);

    const invites = await h.db.kysely.selectFrom('invites').select(['id']).where('target_id', '=', 'l-1').orderBy('id').execute();
    const [a, b] = invites;
    await call('POST', `/api/invites/${a!.id}/resend`, { token });
    await call('DELETE', `/api/invites/${b!.id}`, { token });
    await call('POST', `/api/invites/${b!.id}/resend`, { token });
    const payload = await h.db.kysely
      .selectFrom('outbox')
      .select('payload')
      .where('invite_id', '=', a!.id)
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    const acceptToken = /token=([A-Za-z0-9_-]+)/.exec(queuedMessage(payload.payload!)!.text)![1]!;
    expect((await call('POST', '/api/invites/accept', { body: { token: acceptToken } })).status).toBe(200);
    await call('POST', '/api/invites/accept', { body: { token: acceptToken } });
    await call('POST', '/api/invites/accept', { body: { token: 'x'.repeat(43) } });

    // A refresh the provider fails, quoting a person.
    expect((await call('GET', '/api/providers/broken/contacts', { token })).status).toBe(502);
    await call('GET', '/api/providers/broken/refresh', { token });

    // Mail that bounces: the server's reply quotes the recipient, as real ones do.
    let n = 0;
    const outbox = createOutboxWorker({
      db: h.db.kysely,
      dialect: h.db.dialect,
      from: 'hr <no-reply@example.com>',
      now: () => h.clock.now,
      logger: jsonLogger((l) => lines.push(l)),
      batchSize: 50,
      transport: {
        send: async (m) => {
          if (n++ % 2)
            throw new MailSendError(`550 5.1.1 <${m.to}>: Recipient address rejected: User unknown in virtual mailbox table`, 550, 'RCPT TO', 'EENVELOPE');
          throw new MailSendError(`451 4.3.0 <${m.to}> try again later`, 451, 'RCPT TO', 'EENVELOPE');
        },
      },
    });
    await outbox.runOnce();

    await hooks.runOnce();
    await call('GET', '/api/events?after=evt_doesnotexist00000', { token: API_KEY });

    const stored = {
      syncErrors: await h.db.kysely.selectFrom('directory_syncs').select(['error_code', 'error_message']).execute(),
      mailErrors: await h.db.kysely.selectFrom('outbox').select('last_error').where('last_error', 'is not', null).execute(),
      webhookErrors: await h.db.kysely.selectFrom('webhook_deliveries').select('last_error').where('last_error', 'is not', null).execute(),
      audit: await h.db.kysely.selectFrom('audit_events').selectAll().execute(),
    };
    // The sweep saw what it sweeps: each kind is there to be searched.
    expect(stored.syncErrors.some((s) => s.error_message)).toBe(true);
    expect(stored.mailErrors.length).toBeGreaterThan(0);
    expect(stored.webhookErrors.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(15);
    expect(errors.length).toBeGreaterThan(4);

    expect({ logs: found(lines.join('\n')), errors: found(errors.join('\n')), stored: found(JSON.stringify(stored)) }).toEqual({
      logs: [],
      errors: [],
      stored: [],
    });
  });
});
