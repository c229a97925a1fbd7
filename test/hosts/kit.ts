/**
 * What every host recipe test does the same way: a real SMTP server on loopback that keeps what
 * it receives, and an admin's import walked through the BFF's HTTP API as a host app and its
 * widget would (target, session, contacts, import), so that each recipe proves the same thing:
 * mounted this way, an import completes and its invite mail arrives.
 */
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Mailbox {
  url: string;
  /** Raw messages (headers and body) by recipient. */
  received: { to: string[]; raw: string }[];
  /** Resolves with the first message to `address` received after the first `skip`, or rejects after `timeoutMs`. */
  waitFor(address: string, options?: { skip?: number; timeoutMs?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const received: Mailbox['received'] = [];
  const waiters: (() => void)[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString('utf8') });
        for (const wake of waiters.splice(0)) wake();
        callback();
      });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', () => ok()));
  const url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async waitFor(address, { skip = 0, timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.slice(skip).find((m) => m.to.includes(address.toLowerCase()));
        if (found) return found.raw;
        if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms (received ${received.length})`);
        await new Promise<void>((ok) => {
          waiters.push(ok);
          setTimeout(ok, 200);
        });
      }
    },
    close: () => new Promise<void>((ok) => smtp.close(() => ok())),
  };
}

async function call(base: string, method: string, path: string, init: { bearer: string; body?: unknown; headers?: Record<string, string> }) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${init.bearer}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { res, json: text ? JSON.parse(text) : null };
}

/**
 * An admin invites one person of the sample directory to a new lab, through `api` (the BFF's
 * mounted base URL, e.g. http://127.0.0.1:3000/api). Returns who was invited and the import.
 */
export async function importOnePerson(api: string, apiKey: string, labId = 'robotics'): Promise<{ email: string; importId: string; inviteId: string }> {
  await call(api, 'PUT', `/targets/lab/${labId}`, { bearer: apiKey, body: { name: 'Robotics lab', seatLimit: 10 } });
  const { json: session } = await call(api, 'POST', '/sessions', {
    bearer: apiKey,
    body: { inviter: { id: 'u-1', name: 'Dana Admin', email: 'dana@example.com' }, target: { type: 'lab', id: labId } },
  });
  const { json: page } = await call(api, 'GET', '/providers/sample/contacts?limit=5', { bearer: session.token });
  const person = (page.items as { id: string; email: string | null; membership: string | null }[]).find((c) => c.email && !c.membership);
  if (!person) throw new Error('the sample directory offered no one to invite');
  const { json: result } = await call(api, 'POST', '/imports', {
    bearer: session.token,
    headers: { 'Idempotency-Key': `recipe-${labId}-${person.id}` },
    body: {
      provider: 'sample',
      selection: { ids: [person.id] },
      role: 'user',
      message: { subject: 'Join the Robotics lab', body: 'Hello {firstName}, join us.' },
    },
  });
  if (result.invited !== 1) throw new Error(`expected one invite, got ${JSON.stringify(result)}`);
  const { json: invites } = await call(api, 'GET', '/invites', { bearer: session.token });
  const invite = (invites.items as { id: string; email: string }[]).find((i) => i.email === person.email);
  if (!invite) throw new Error(`the invite of ${person.email} is not listed`);
  return { email: person.email!, importId: result.id, inviteId: invite.id };
}

/** The invitee follows the link in the mail: the accept page posts the link's token. */
export async function acceptFromMail(api: string, raw: string): Promise<void> {
  // Quoted-printable wraps long lines with `=` and writes `=` as `=3D`.
  const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const token = /[?&]token=([A-Za-z0-9_-]{20,200})/.exec(text)?.[1];
  if (!token) throw new Error('the invite mail has no accept link');
  const res = await fetch(`${api}/invites/accept`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  if (!res.ok) throw new Error(`accepting answered ${res.status}: ${await res.text()}`);
}

/** A whsec_ secret as a host generates one (24 random bytes). */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface Receiver {
  url: string;
  /** Events whose signature verified, in arrival order. */
  verified: { id: string; type: string; data: Record<string, unknown> }[];
  /** Requests whose signature did not verify. */
  refused: number;
  waitFor(type: string, match: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The host's webhook receiver: verifies each delivery with the `standardwebhooks` package, as docs/api.md shows. */
export async function startReceiver(secret: string): Promise<Receiver> {
  const wh = new Webhook(secret);
  const receiver: Receiver = {
    url: '',
    verified: [],
    refused: 0,
    async waitFor(type, match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = receiver.verified.find((e) => e.type === type && match(e.data));
        if (found) return found.data;
        if (Date.now() > deadline)
          throw new Error(
            `no verified ${type} within ${timeoutMs} ms (got ${receiver.verified.map((e) => e.type).join(', ') || 'none'}; refused ${receiver.refused})`,
          );
        await new Promise((ok) => setTimeout(ok, 100));
      }
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const event = wh.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        };
        receiver.verified.push({ id: String(req.headers['webhook-id']), type: event.type, data: event.data });
        res.writeHead(204).end();
      } catch {
        receiver.refused++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/hr-import`;
  return receiver;
}
