/**
 * The scene of the OAuth sign-in tests (bff/routes/oauth*.test.ts): the BFF on a real database
 * with a providers file naming a Microsoft Entra ID stand-in signed in to by OAuth, an admin's
 * session of organization acme, the popup's steps (start, consent, land), and every answer and
 * log line kept in `seen` to prove no token or client secret ever leaves the BFF.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from './harness.js';
import { startMicrosoftFake } from './fakes/microsoft-server.js';
import type { SignInOptions } from './fakes/authorization-code.js';
import { loadProvidersFile } from '../bff/providers/file.js';
import { PROVIDER_CATALOG } from '../bff/providers/catalog.js';
import type { ProviderEntry } from '../bff/providers/registry.js';
import { jsonLogger } from '../bff/logger.js';
import type { ProviderInfo } from '../contract/index.js';

export const PUBLIC_URL = 'https://bff.example';
export const CALLBACK = `${PUBLIC_URL}/api/oauth/callback`;
export const HOST = 'https://host.example';
export const CLIENT = { clientId: 'app-7d2e', clientSecret: 'app-secret-9f1c-value' };
export const ENV = { APP_SECRET: CLIENT.clientSecret };

export const USERS = [
  { id: 'u1', givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace', mail: 'ada@acme.test', accountEnabled: true },
  { id: 'u2', givenName: 'Grace', surname: 'Hopper', displayName: 'Grace Hopper', mail: 'grace@acme.test', accountEnabled: true },
];

const dir = mkdtempSync(join(tmpdir(), 'hr-import-oauth-'));
let n = 0;
export function providersFile(providers: unknown[], env: NodeJS.ProcessEnv = ENV): ProviderEntry[] {
  const path = join(dir, `providers-${++n}.json`);
  writeFileSync(path, JSON.stringify({ providers }));
  return loadProvidersFile(path, env, PROVIDER_CATALOG);
}

export let h: Harness;
export let microsoft: Awaited<ReturnType<typeof startMicrosoftFake>>;
export let signIn: SignInOptions;
export let acme: string;
/** Everything the BFF answered or logged, to prove no token ever leaves it. */
export let seen: string[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test's assertions check the answer's shape
export async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await h.request(method, path, { ...(token ? { token } : {}), body });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

export async function providerState(token: string, id = 'entra'): Promise<ProviderInfo> {
  return ((await call('GET', '/api/providers', token)).json.items as ProviderInfo[]).find((p) => p.id === id)!;
}

/** The admin's browser: the cookie the sign-in start set, sent back by the callback. */
export let browserCookie: string | undefined;

export async function start(token: string, provider = 'entra', origin = HOST) {
  const res = await h.request('POST', `/api/providers/${provider}/oauth`, {
    token,
    body: { origin },
    ...(browserCookie ? { headers: { Cookie: browserCookie } } : {}),
  });
  const text = await res.text();
  seen.push(text);
  const set = res.headers.get('set-cookie');
  if (set) browserCookie = set.split(';')[0];
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

/** The admin consents at the provider: its authorize endpoint redirects the popup to our callback. */
export async function consent(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
  return location.slice(PUBLIC_URL.length);
}

/** The popup lands on the callback page: its status, CSP, and the message it posts, to which origin. */
/** `cookie`: null for a browser without one (not the one that started the sign-in). */
export async function land(path: string, cookie: string | null | undefined = browserCookie) {
  const res = await h.request('GET', path, cookie ? { headers: { Cookie: cookie } } : {});
  const html = await res.text();
  seen.push(html);
  const data = JSON.parse(/<script type="application\/json" id="result">([^<]*)<\/script>/.exec(html)![1]!) as {
    message: Record<string, unknown>;
    origin: string | null;
  };
  return { status: res.status, html, csp: res.headers.get('content-security-policy') ?? '', coop: res.headers.get('cross-origin-opener-policy'), ...data };
}

/** How many rows a table holds. */
const rowsIn = async (table: 'oauth_states' | 'provider_connections'): Promise<number> =>
  Number(
    (
      await h.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

export const stateRows = () => rowsIn('oauth_states');
export const connectionRows = () => rowsIn('provider_connections');

/** Registers the hooks of the calling test file: a fresh BFF, Microsoft stand-in and admin session per test. */
export function oauthScene(): void {
  beforeEach(async () => {
    signIn = { redirectUris: [CALLBACK] };
    microsoft = await startMicrosoftFake({ users: USERS, tenantId: 'tenant-1', ...CLIENT, signIn });
    seen = [];
    browserCookie = undefined;
    const entries = providersFile([
      {
        id: 'entra',
        type: 'microsoft',
        oauth: true,
        baseUrl: microsoft.url,
        tokenUrl: microsoft.url,
        cacheTtlSeconds: 0,
        credentials: { clientId: CLIENT.clientId, clientSecret: { env: 'APP_SECRET' } },
      },
      { id: 'bamboo', type: 'bamboohr', baseUrl: microsoft.url },
    ]);
    h = await createHarness({ providers: entries, config: { publicUrl: PUBLIC_URL, origins: [HOST] }, logger: jsonLogger((line) => seen.push(line)) });
    await h.target('organization', 'acme', 10);
    acme = await h.session({ type: 'organization', id: 'acme' });
  });

  afterEach(async () => {
    // No refresh token, code, state or client secret in any answer or log line.
    const refreshTokens = microsoft.requests.flatMap((r) => [...r.body.matchAll(/refresh_token=([^&]+)/g)].map((m) => decodeURIComponent(m[1]!)));
    for (const text of seen) {
      expect(text).not.toContain(CLIENT.clientSecret);
      for (const rt of refreshTokens) expect(text).not.toContain(rt);
    }
    await h.close();
    await microsoft.close();
  });
}
