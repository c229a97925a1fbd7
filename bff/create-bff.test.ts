/**
 * createBff as a host meets it: settings refused with the setting's name, the API under any base
 * path with nothing of it leaking outside, and a body parser in front either worked around or
 * named in a clear error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, createBff, createBffFromEnv, type Bff } from './create-bff.js';
import { silentLogger } from './logger.js';

const SETTINGS = {
  apiKeys: ['bff-test-key-0123456789'],
  secret: 'bff-test-secret-0123456789-0123456789-abcdef',
  acceptUrl: 'https://app.example.com/accept',
};
const open: { bff: Bff; server?: Server }[] = [];
afterEach(async () => {
  for (const { bff, server } of open.splice(0)) {
    if (server) await new Promise((ok) => server.close(ok));
    await bff.stop();
  }
});

async function make(extra: Record<string, unknown> = {}) {
  const bff = await createBff({ ...SETTINGS, dataDir: mkdtempSync(join(tmpdir(), 'hr-import-bff-')), ...extra }, { logger: silentLogger });
  open.push({ bff });
  await bff.start();
  return bff;
}

describe('createBff', () => {
  it('refuses a short key or secret as the environment does, naming the setting', async () => {
    await expect(createBff({ ...SETTINGS, apiKeys: ['k'] })).rejects.toThrow(
      new ConfigError('invalid settings: apiKeys[0] every key must be at least 16 characters'),
    );
    await expect(createBff({ ...SETTINGS, secret: 'short' })).rejects.toThrow('invalid settings: secret must be at least 32 characters');
    await expect(createBffFromEnv({ HR_IMPORT_SECRET: SETTINGS.secret, HR_IMPORT_ACCEPT_URL: SETTINGS.acceptUrl })).rejects.toThrow(
      'invalid environment: HR_IMPORT_API_KEY must name at least one key',
    );
    await expect(createBff({ apiKeys: SETTINGS.apiKeys, secret: SETTINGS.secret })).rejects.toThrow(/^invalid settings: acceptUrl must be set/);
  });

  it('serves the API under its base path only, with the JSON 404 and an OpenAPI document that names the base', async () => {
    const bff = await make({ basePath: '/hr-import/api' });
    const health = await bff.fetch(new Request('http://host/hr-import/api/health'));
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    expect((await bff.fetch(new Request('http://host/api/health'))).status).toBe(404);
    const unknown = await bff.fetch(new Request('http://host/hr-import/api/nope'));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /hr-import/api/nope.' } });
    const served = await (await bff.fetch(new Request('http://host/hr-import/api/openapi.json'))).json();
    expect(served.servers).toEqual([{ url: '/hr-import/api' }]);
    expect(bff.openapi).toEqual(served);
    expect(bff.owns('/hr-import/api/health?x=1')).toBe(true);
    expect(bff.owns('/hr-import/apis')).toBe(false);
  });

  it('answers a body a parser already consumed without keeping it with an error that names the fix', async () => {
    const bff = await make();
    const server = createServer((req, res) => {
      // A parser that reads the body and keeps it somewhere of its own.
      req.resume();
      req.on('end', () => void bff.nodeHandler(req, res, () => res.end('host')));
    });
    open.push({ bff, server });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"x":1}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'body_already_read', message: expect.stringMatching(/Mount hr-import's handler before the parser/) },
    });
  });

  it('starts once and stops idempotently', async () => {
    const bff = await make();
    await expect(bff.start()).rejects.toThrow('start() was already called');
    await bff.stop();
    await bff.stop();
    open.splice(0);
  });
});
