/**
 * The built script-tag bundle (hr-import.js, as in widget/dist/browser/) on a strict host page: a
 * Content-Security-Policy with no 'unsafe-inline' and no 'unsafe-eval', `Referrer-Policy:
 * no-referrer`, and the bundle included twice (two copies of the widget, as when a page and one
 * of its scripts both load it). The API behind it is a small stand-in of the BFF's widget routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
// @ts-expect-error: plain JS module shared with bench/widget.ts
import { widgetBundleSize } from '../../scripts/bundle-size.mjs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { releaseBrowser, sharedBrowser } from './browser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

const PAGE = `<!doctype html>
<html lang="de">
  <head>
    <meta charset="utf-8" />
    <title>Strict host</title>
    <script type="module" src="/watch.js"></script>
    <script type="module" src="/hr-import.js"></script>
    <script type="module" src="/hr-import.js?copy=2"></script>
    <link rel="stylesheet" href="/host.css" />
  </head>
  <body>
    <main><hr-import session-token="tok" api-base="/api"></hr-import></main>
  </body>
</html>`;

// Counts what the page would see: CSP violations and the widget's events, as a host script would.
const WATCH = `
window.violations = [];
window.events = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
for (const name of ['hr-import-step', 'hr-import-error', 'hr-import-cancel', 'hr-import-complete', 'hr-import-done']) {
  document.addEventListener(name, (e) => window.events.push(name + ':' + JSON.stringify(e.detail ?? null)));
}`;

const HOST_CSS = 'button { color: red; } * { font-family: serif; }';

const contacts = [
  {
    id: 'c1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    displayName: 'Ada Lovelace',
    email: 'ada@example.com',
    personalEmail: null,
    title: null,
    department: 'Engineering',
    location: 'London',
    managerId: null,
    status: 'active',
    avatarUrl: null,
    membership: null,
    sharedEmail: false,
  },
  {
    id: 'c2',
    firstName: 'محمد',
    lastName: 'الإسكندراني',
    displayName: 'محمد الإسكندراني',
    email: null,
    personalEmail: null,
    title: null,
    department: null,
    location: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
    membership: null,
    sharedEmail: false,
  },
];

let server: Server;
let base: string;
let browser: Browser;
let dist: string | undefined;
const apiRequests: { path: string; referer: string | undefined }[] = [];

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer', ...headers });
  res.end(body);
}

function api(req: IncomingMessage, res: ServerResponse, path: string) {
  apiRequests.push({ path, referer: req.headers.referer });
  if (req.headers.authorization !== 'Bearer tok') return send(res, 401, 'application/json', JSON.stringify({ error: { code: 'unauthorized', message: 'No' } }));
  const json = (body: unknown) => send(res, 200, 'application/json', JSON.stringify(body));
  if (path === '/session') {
    return json({
      inviter: { id: 'u1', name: 'Iris', email: 'iris@example.com' },
      target: { type: 'lab', id: 'robotics', name: 'Robotics', roles: [{ id: 'member', label: 'User' }], defaultRole: 'member' },
      seats: { limit: 10, used: 2, remaining: 8 },
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  }
  // No sync rules: the widget opens on the import flow.
  if (path === '/sync-rules') return json({ items: [] });
  if (path === '/providers') return json({ items: [{ id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' }] });
  if (path === '/providers/sample/refresh')
    return json({ status: 'ready', fetched: contacts.length, total: contacts.length, syncedAt: '2026-11-24T12:00:00.000Z', stale: false });
  if (path === '/providers/sample/contacts') return json({ items: contacts, nextCursor: null, total: contacts.length, selectable: 1 });
  if (path === '/providers/sample/contacts/facets')
    return json({ departments: [{ value: 'Engineering', count: 1 }], locations: [{ value: 'London', count: 1 }] });
  return send(res, 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: path } }));
}

beforeAll(async () => {
  // Vitest runs with NODE_ENV=test, which would make Vite pick Lit's development build: build
  // what `npm run build` ships.
  const out = mkdtempSync(join(tmpdir(), 'hr-import-widget-'));
  dist = out;
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    // Into a folder of its own: the package test (test/packages.test.ts) builds widget/dist at the same time.
    await build({ configFile: resolve(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  // The budget of issue 6: what a page loads first stays under 30 KB minified and gzipped.
  expect(widgetBundleSize(out).initial).toBeLessThan(30 * 1024);
  // hr-import.js and the chunks beside it (the core it imports, and what loads on first use).
  const scripts = new Map(
    readdirSync(out)
      .filter((f) => f.endsWith('.js'))
      .map((f) => [`/${f}`, readFileSync(resolve(out, f), 'utf8')]),
  );
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) return api(req, res, url.pathname.slice(4));
    if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE);
    const script = scripts.get(url.pathname);
    if (script !== undefined) return send(res, 200, 'text/javascript', script);
    if (url.pathname === '/watch.js') return send(res, 200, 'text/javascript', WATCH);
    if (url.pathname === '/host.css') return send(res, 200, 'text/css', HOST_CSS);
    if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    return send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await sharedBrowser();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await new Promise((ok) => server?.close(ok));
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe('the built bundle on a strict host page', () => {
  it('works under CSP without unsafe-inline or unsafe-eval, loaded twice, with no-referrer', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(base);
    const widget = page.locator('hr-import');
    // <html lang="de">: the widget speaks German.
    await widget.getByRole('heading', { name: 'HR-Anwendung auswählen' }).waitFor();
    await widget.getByRole('button', { name: 'Sample directory' }).click();
    await widget.getByRole('heading', { name: 'Kontakte aus Sample directory auswählen' }).waitFor();
    await widget.getByRole('checkbox', { name: /Ada Lovelace/ }).check();
    await widget.getByRole('button', { name: 'Weiter' }).click();
    await widget.getByRole('combobox', { name: 'Alle ausgewählten Benutzer einladen als' }).waitFor();

    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(errors).toEqual([]);
    // Two copies of the bundle, one element: one session read, one provider list, one event per step.
    expect(apiRequests.filter((r) => r.path === '/session')).toHaveLength(1);
    expect(apiRequests.filter((r) => r.path === '/providers')).toHaveLength(1);
    expect(await page.evaluate(() => (window as unknown as { events: string[] }).events)).toEqual([
      'hr-import-step:{"step":"contacts"}',
      'hr-import-step:{"step":"roles"}',
    ]);
    expect(apiRequests.every((r) => r.referer === undefined)).toBe(true);
    // The host's `button { color: red }` and `* { font-family: serif }` stay outside.
    const style = await widget.getByRole('button', { name: 'Weiter' }).evaluate((b) => {
      const s = getComputedStyle(b);
      return { color: s.color, font: s.fontFamily };
    });
    expect(style.color).not.toBe('rgb(255, 0, 0)');
    expect(style.font).not.toBe('serif');
    await page.close();
  });
});
