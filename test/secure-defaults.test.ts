/**
 * The standalone server's defaults, as an attacker on the same machine or network meets them:
 * private data files, a loopback listener, a demo that serves its own targets only and never runs
 * beside real keys, a body-less POST that is not refused for its missing Content-Length, and a
 * signed but absurd session token answered 401.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import { startStandalone } from '../bff/standalone.js';
import { silentLogger } from '../bff/logger.js';
import { ConfigError } from '../bff/config.js';
import { upsertTarget } from '../bff/services/targets.js';
import { fileTransport } from '../bff/mail/transport.js';
import { createHarness, SECRET } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'hr-import-secure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

/** A request written by hand: exactly the bytes given, no Content-Length added. */
function rawRequest(port: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('end', () => ok({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', fail);
  });
}

describe('data files', () => {
  it('the SQLite file, its -wal and -shm, and the secret are 0600 in a 0700 folder; older, looser ones are tightened', async () => {
    const dataDir = join(root, 'fresh', 'data');
    let server = await startStandalone({ PORT: '0', DATA_DIR: dataDir }, { logger: silentLogger });
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const file of ['hr-import.sqlite', 'hr-import.sqlite-wal', 'hr-import.sqlite-shm', 'secret.key'])
        expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
    } finally {
      await server.close();
    }
    // As an older version left them.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'hr-import.sqlite'), 0o644);
    chmodSync(join(dataDir, 'secret.key'), 0o644);
    server = await startStandalone({ PORT: '0', DATA_DIR: dataDir }, { logger: silentLogger });
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const file of readdirSync(dataDir).filter((f) => !f.startsWith('.')))
        if (statSync(join(dataDir, file)).isFile()) expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
    } finally {
      await server.close();
    }
  });

  it('queued mail without SMTP: .eml files 0600 in a 0700 outbox folder', async () => {
    const dir = join(root, 'mail', 'outbox');
    await fileTransport(dir).send({
      messageId: '<msg_1@hr-import>',
      from: 'hr-import <no-reply@localhost>',
      to: 'ada@example.com',
      toName: null,
      subject: 'Join',
      text: 'token=x',
      html: '<p>token=x</p>',
    });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'msg_1.eml'))).toBe(0o600);
  });
});

describe('the standalone server', () => {
  it('listens on loopback unless HOST says otherwise', async () => {
    const server = await startStandalone({ PORT: '0', DATA_DIR: join(root, 'host') }, { logger: silentLogger });
    try {
      expect(server.host).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
    const wide = await startStandalone(
      { PORT: '0', DATA_DIR: join(root, 'host'), HOST: '0.0.0.0', HR_IMPORT_API_KEY: 'configured-key-0123456789' },
      { logger: silentLogger },
    );
    try {
      expect(wide.host).toBe('0.0.0.0');
    } finally {
      await wide.close();
    }
  });

  it('refuses HR_IMPORT_DEMO=1 beside a configured API key, with one line that says why', async () => {
    const start = startStandalone(
      { PORT: '0', DATA_DIR: join(root, 'demo-keys'), HR_IMPORT_DEMO: '1', HR_IMPORT_API_KEY: 'configured-key-0123456789' },
      { logger: silentLogger },
    );
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(/HR_IMPORT_DEMO=1 hands out sessions without authentication.*HR_IMPORT_API_KEY/);
  });

  it('the demo serves its seeded targets only: no session and no member list for any other', async () => {
    const server = await startStandalone({ PORT: '0', DATA_DIR: join(root, 'demo') }, { logger: silentLogger });
    try {
      await upsertTarget(server.db.kysely, { type: 'organization', id: 'real-customer' }, { name: 'Real Customer', seatLimit: 10 }, new Date());
      const session = (target: object) =>
        fetch(`${server.url}/demo/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ target }) });
      expect((await session({ type: 'organization', id: 'acme' })).status).toBe(201);
      const refused = await session({ type: 'organization', id: 'real-customer' });
      expect(refused.status).toBe(404);
      expect(await refused.json()).toEqual({ error: { code: 'target_not_found', message: 'The demo serves its own targets only.' } });
      expect((await fetch(`${server.url}/demo/targets/organization/real-customer/people`)).status).toBe(404);
      expect((await fetch(`${server.url}/demo/targets/organization/acme/people`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('a body-less POST without Content-Length (a resend) is not refused as 415', async () => {
    const server = await startStandalone({ PORT: '0', DATA_DIR: join(root, 'bodyless') }, { logger: silentLogger });
    try {
      const minted = await fetch(`${server.url}/api/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ inviter: { id: 'u-1', name: 'Dana', email: 'dana@example.com' }, target: { type: 'organization', id: 'acme' } }),
      });
      const { token } = (await minted.json()) as { token: string };
      const res = await rawRequest(
        server.port,
        `POST /api/invites/inv_${'a'.repeat(20)}/resend HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'invite_not_found' } });
      // A body that is not JSON is still refused for its type.
      const text = await rawRequest(
        server.port,
        `POST /api/invites/inv_${'a'.repeat(20)}/resend HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nhi\r\n0\r\n\r\n`,
      );
      expect(text.status).toBe(415);
    } finally {
      await server.close();
    }
  });
});

describe('session tokens', () => {
  it('a signed token with an expiry no Date can hold (exp: 1e300), or a wrong claim type, answers 401', async () => {
    const h = await createHarness();
    try {
      const claims = { sub: 'u-1', name: 'Dana', email: 'dana@example.com', tt: 'organization', tid: 'acme', iat: 1, aud: 'hr-import:widget' };
      for (const bad of [
        { ...claims, exp: 1e300 },
        { ...claims, exp: 2e12, tt: 'galaxy' },
        { ...claims, exp: 2e12, name: 42 },
      ]) {
        const res = await h.request('GET', '/api/session', { token: await sign(bad, SECRET, 'HS256') });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('session_invalid');
      }
    } finally {
      await h.close();
    }
  });
});
