/**
 * The standalone server's pages as a browser fetches them: compressed when the browser says it
 * can read gzip, Vite's hashed assets cached for a year, the pages themselves always revalidated,
 * and a favicon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { startStandalone, type Standalone } from '../../bff/standalone.js';
import { silentLogger } from '../../bff/logger.js';
import { ensureDemoBuilt } from './demo-build.js';

let server: Standalone;
let dataDir: string;
const ASSETS = resolve(import.meta.dirname, '../../dist/demo/assets');
/** The page's main script (the biggest; the smallest are under the 1 KB not worth compressing). */
const mainScript = () =>
  readdirSync(ASSETS)
    .filter((f) => f.endsWith('.js'))
    .sort((a, b) => statSync(join(ASSETS, b)).size - statSync(join(ASSETS, a)).size)[0]!;

beforeAll(async () => {
  await ensureDemoBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'hr-import-serving-'));
  server = await startStandalone({ PORT: '0', DATA_DIR: dataDir }, { logger: silentLogger, demo: true });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** node:http, not fetch: fetch decompresses on its own and hides what came over the wire. */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the standalone server', () => {
  it('compresses pages, scripts and the API for a browser that accepts gzip', async () => {
    const page = await get('/', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(page.body).toString()).toContain('<title>hr-import demo');
    const script = mainScript();
    const asset = await get(`/assets/${script}`, { 'Accept-Encoding': 'gzip' });
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asset.body).length).toBeGreaterThan(asset.body.length * 2);
    const openapi = await get('/api/openapi.json', { 'Accept-Encoding': 'gzip' });
    expect(openapi.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(openapi.body).toString())).toHaveProperty('openapi');
    // Without Accept-Encoding, plain bytes.
    expect((await get('/')).headers['content-encoding']).toBeUndefined();
  });

  it('caches hashed assets for a year and makes pages revalidate', async () => {
    const script = mainScript();
    expect((await get(`/assets/${script}`)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/')).headers['cache-control']).toBe('no-cache');
    expect((await get('/accept')).headers['cache-control']).toBe('no-cache');
  });

  it('has a favicon, linked from its pages', async () => {
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect((await get('/')).body.toString()).toContain('<link rel="icon" href="/favicon.svg"');
    expect((await get('/favicon.ico')).status).toBe(301);
  });
});
