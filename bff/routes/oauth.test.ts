import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from '../../test/harness.js';
import { startMicrosoftFake } from '../../test/fakes/microsoft-server.js';
import { startSalesforceFake } from '../../test/fakes/salesforce-server.js';
import { startGoogleFake } from '../../test/fakes/google-server.js';
import type { SignInOptions } from '../../test/fakes/authorization-code.js';
import { loadProvidersFile } from '../providers/file.js';
import { PROVIDER_CATALOG } from '../providers/catalog.js';
import type { ProviderEntry } from '../providers/registry.js';
import { jsonLogger } from '../logger.js';
import type { ProviderInfo } from '../../contract/index.js';
import { upsertTarget } from '../services/targets.js';

const PUBLIC_URL = 'https://bff.example';
const CALLBACK = `${PUBLIC_URL}/api/oauth/callback`;
const HOST = 'https://host.example';
const CLIENT = { clientId: 'app-7d2e', clientSecret: 'app-secret-9f1c-value' };
const ENV = { APP_SECRET: CLIENT.clientSecret };

const USERS = [
  { id: 'u1', givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace', mail: 'ada@acme.test', accountEnabled: true },
  { id: 'u2', givenName: 'Grace', surname: 'Hopper', displayName: 'Grace Hopper', mail: 'grace@acme.test', accountEnabled: true },
];

const dir = mkdtempSync(join(tmpdir(), 'hr-import-oauth-'));
let n = 0;
function providersFile(providers: unknown[], env: NodeJS.ProcessEnv = ENV): ProviderEntry[] {
  const path = join(dir, `providers-${++n}.json`);
  writeFileSync(path, JSON.stringify({ providers }));
  return loadProvidersFile(path, env, PROVIDER_CATALOG);
}

let h: Harness;
let microsoft: Awaited<ReturnType<typeof startMicrosoftFake>>;
let signIn: SignInOptions;
let acme: string;
/** Everything the BFF answered or logged, to prove no token ever leaves it. */
let seen: string[];

async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await h.request(method, path, { ...(token ? { token } : {}), body });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

async function providerState(token: string, id = 'entra'): Promise<ProviderInfo> {
  return ((await call('GET', '/api/providers', token)).json.items as ProviderInfo[]).find((p) => p.id === id)!;
}

/** The admin's browser: the cookie the sign-in start set, sent back by the callback. */
let browserCookie: string | undefined;

async function start(token: string, provider = 'entra', origin = HOST) {
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
async function consent(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
  return location.slice(PUBLIC_URL.length);
}

/** The popup lands on the callback page: its status, CSP, and the message it posts, to which origin. */
/** `cookie`: null for a browser without one (not the one that started the sign-in). */
async function land(path: string, cookie: string | null | undefined = browserCookie) {
  const res = await h.request('GET', path, cookie ? { headers: { Cookie: cookie } } : {});
  const html = await res.text();
  seen.push(html);
  const data = JSON.parse(/<script type="application\/json" id="result">([^<]*)<\/script>/.exec(html)![1]!) as {
    message: Record<string, unknown>;
    origin: string | null;
  };
  return { status: res.status, html, csp: res.headers.get('content-security-policy') ?? '', coop: res.headers.get('cross-origin-opener-policy'), ...data };
}

async function stateRows(): Promise<number> {
  return (
    (
      await h.db.kysely
        .selectFrom('oauth_states')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n * 1
  );
}

async function connectionRows(): Promise<number> {
  return (
    (
      await h.db.kysely
        .selectFrom('provider_connections')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n * 1
  );
}

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

describe('OAuth sign-in: Microsoft Entra ID, start to contacts', () => {
  it('lists the provider as one to sign in to, with nothing to type', async () => {
    const entra = await providerState(acme);
    expect(entra).toEqual({ id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'needs_credentials', fields: [], oauth: true });
  });

  it('sends the popup to the authorize endpoint with client, callback, scope, state and a PKCE challenge', async () => {
    const { status, json } = await start(acme);
    expect(status).toBe(200);
    expect(json.callbackOrigin).toBe(PUBLIC_URL);
    const url = new URL(json.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${microsoft.url}/organizations/oauth2/v2.0/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT.clientId);
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('scope')).toBe('https://graph.microsoft.com/User.Read.All offline_access');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Stored by its digest only: the state itself is nowhere in the database.
    const row = await h.db.kysely.selectFrom('oauth_states').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(q.get('state'));
    expect(row).toMatchObject({ provider_id: 'entra', scope: 'organization:acme', origin: HOST });
  });

  it('connects the organization: the callback redeems the code, stores the refresh token sealed, and contacts list', async () => {
    const { json } = await start(acme);
    const page = await land(await consent(json.authorizeUrl));
    expect(page.status).toBe(200);
    expect(page.message).toEqual({
      type: 'hr-import-oauth',
      provider: 'entra',
      ok: true,
      message: 'Microsoft Entra ID is connected. You can close this window.',
    });
    expect(page.origin).toBe(HOST);
    expect(page.html).toContain('window.opener.postMessage(data.message, data.origin)');
    const nonce = /'nonce-([^']+)'/.exec(page.csp)![1]!;
    expect(page.csp).toContain("default-src 'none'");
    expect(page.html).toContain(`<script nonce="${nonce}">`);
    expect(page.coop).toBe('unsafe-none');

    // The code was redeemed with the verifier of the challenge and the same redirect_uri.
    const redeem = new URLSearchParams(microsoft.tokenRequests()[0]!.body);
    expect(redeem.get('grant_type')).toBe('authorization_code');
    expect(redeem.get('redirect_uri')).toBe(CALLBACK);
    expect(redeem.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await providerState(acme)).connection).toBe('ready');
    const stored = await h.db.kysely.selectFrom('provider_connections').selectAll().executeTakeFirstOrThrow();
    expect(stored.credentials).toMatch(/^v1\./);
    expect(await stateRows()).toBe(0);

    const contacts = await call('GET', '/api/providers/entra/contacts', acme);
    expect(contacts.status).toBe(200);
    expect(contacts.json.items.map((c: { email: string }) => c.email).sort()).toEqual(['ada@acme.test', 'grace@acme.test']);
    const renew = new URLSearchParams(microsoft.tokenRequests().at(-1)!.body);
    expect(renew.get('grant_type')).toBe('refresh_token');
  });

  it('a lab of the organization uses the connection its organization signed in', async () => {
    await upsertTarget(h.db.kysely, { type: 'lab', id: 'robotics' }, { name: 'Robotics', seatLimit: 5, organizationId: 'acme' }, h.clock.now);
    const lab = await h.session({ type: 'lab', id: 'robotics' });
    await land(await consent((await start(lab)).json.authorizeUrl));
    expect((await providerState(acme)).connection).toBe('ready');
  });

  it('revoked access answers 502 provider_auth when listing, and signing in again reconnects', async () => {
    await land(await consent((await start(acme)).json.authorizeUrl));
    microsoft.revokeSignIns();
    const refused = await call('GET', '/api/providers/entra/contacts', acme);
    expect(refused.status).toBe(502);
    expect(refused.json.error.code).toBe('provider_auth');
    await land(await consent((await start(acme)).json.authorizeUrl));
    expect((await call('GET', '/api/providers/entra/contacts', acme)).status).toBe(200);
  });
});

describe('OAuth sign-in: refusals, each a clear answer with nothing stored', () => {
  it('a state that was never issued: 400, and the page posts to no one', async () => {
    const page = await land('/api/oauth/callback?code=whatever&state=forged-state-value');
    expect(page.status).toBe(400);
    expect(page.origin).toBeNull();
    expect(page.message).toMatchObject({ ok: false, error: 'invalid_state' });
    expect(page.html).toContain('not valid or was already used');
    expect(await connectionRows()).toBe(0);
  });

  it('a state used twice: the second landing is refused and redeems nothing', async () => {
    const callback = await consent((await start(acme)).json.authorizeUrl);
    expect((await land(callback)).status).toBe(200);
    const tokenCalls = microsoft.tokenRequests().length;
    const again = await land(callback);
    expect(again.status).toBe(400);
    expect(again.message).toMatchObject({ ok: false, error: 'invalid_state' });
    expect(microsoft.tokenRequests()).toHaveLength(tokenCalls);
  });

  it('a state older than 10 minutes: 400 expired_state, reported to the host page, nothing stored', async () => {
    const { json } = await start(acme);
    const callback = await consent(json.authorizeUrl);
    h.clock.now = new Date(h.clock.now.getTime() + 10 * 60_000 + 1000);
    const page = await land(callback);
    expect(page.status).toBe(400);
    expect(page.origin).toBe(HOST);
    expect(page.message).toMatchObject({ type: 'hr-import-oauth', provider: 'entra', ok: false, error: 'expired_state' });
    expect(microsoft.tokenRequests()).toHaveLength(0);
    expect(await connectionRows()).toBe(0);
    expect((await providerState(acme)).connection).toBe('needs_credentials');
  });

  it("the admin declines consent: access_denied, the provider's query text never reflected", async () => {
    signIn.consent = 'deny';
    const callback = await consent((await start(acme)).json.authorizeUrl);
    expect(new URL(callback, PUBLIC_URL).searchParams.get('error')).toBe('access_denied');
    const page = await land(`${callback}&error_description=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(page.status).toBe(400);
    expect(page.message).toMatchObject({ ok: false, error: 'access_denied' });
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('onerror');
    expect(page.html).toContain('Access was not granted');
    expect(await connectionRows()).toBe(0);
  });

  it("a code the provider refuses (forged): 502 token_exchange_failed with the provider's reason, nothing stored", async () => {
    const callback = await consent((await start(acme)).json.authorizeUrl);
    const forged = new URL(callback, PUBLIC_URL);
    forged.searchParams.set('code', 'not-a-code-the-provider-issued');
    const page = await land(`${forged.pathname}${forged.search}`);
    expect(page.status).toBe(502);
    expect(page.message).toMatchObject({ ok: false, error: 'token_exchange_failed' });
    expect(String(page.message.message)).toContain('AADSTS9002313');
    expect(await connectionRows()).toBe(0);
  });

  it('a grant without a refresh token (no offline access): refused, nothing stored', async () => {
    signIn.noRefreshToken = true;
    const page = await land(await consent((await start(acme)).json.authorizeUrl));
    expect(page.status).toBe(502);
    expect(String(page.message.message)).toContain('no refresh token');
    expect(await connectionRows()).toBe(0);
  });

  it('an origin the deployment does not allow: 403 origin_not_allowed, no sign-in begun', async () => {
    const { status, json } = await start(acme, 'entra', 'https://evil.example');
    expect(status).toBe(403);
    expect(json.error.code).toBe('origin_not_allowed');
    expect(await stateRows()).toBe(0);
  });

  it('not an origin at all: 400 invalid_request', async () => {
    const { status, json } = await start(acme, 'entra', 'javascript:alert(1)');
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_request');
  });

  it('a provider connected with typed credentials, or unknown: 409 / 404', async () => {
    expect((await start(acme, 'bamboo')).json.error.code).toBe('sign_in_not_offered');
    expect((await start(acme, 'nope')).status).toBe(404);
  });

  it('typed credentials for a sign-in provider: 409 sign_in_required', async () => {
    const { status, json } = await call('PUT', '/api/providers/entra/connection', acme, { credentials: {} });
    expect(status).toBe(409);
    expect(json.error.code).toBe('sign_in_required');
  });

  it('without a session: 401', async () => {
    expect((await call('POST', '/api/providers/entra/oauth', undefined, { origin: HOST })).status).toBe(401);
  });
});

describe('OAuth sign-in: bound to the browser that started it (RFC 9700)', () => {
  it('the start sets an HttpOnly __Host- cookie over https, SameSite=None for widgets on another site', async () => {
    const { headers } = await start(acme);
    const set = headers.get('set-cookie')!;
    expect(set).toMatch(/^__Host-hr-import-sign-in=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('Path=/');
    expect(set).toContain('Secure');
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=None');
    expect(set).toContain('Max-Age=600');
    expect(set).not.toContain('Domain');
  });

  it('a sign-in URL minted by one organization and completed in another browser (no cookie) connects nothing', async () => {
    const { json } = await start(acme);
    // The victim opens the URL the attacker sent and consents in their own browser.
    const page = await land(await consent(json.authorizeUrl), null);
    expect(page.status).toBe(400);
    expect(page.message).toMatchObject({ ok: false, error: 'other_browser' });
    expect(page.html).toContain('started in another browser');
    expect(await connectionRows()).toBe(0);
    // The code was never redeemed: the provider saw no token request.
    expect(microsoft.requests.filter((r) => r.body.includes('grant_type=authorization_code'))).toHaveLength(0);
    expect((await providerState(acme)).connection).toBe('needs_credentials');
  });

  it('a browser with its own, different cookie cannot complete it either', async () => {
    const { json } = await start(acme);
    const page = await land(await consent(json.authorizeUrl), `__Host-hr-import-sign-in=${'A'.repeat(43)}`);
    expect(page.message).toMatchObject({ ok: false, error: 'other_browser' });
    expect(await connectionRows()).toBe(0);
    expect(await stateRows()).toBe(0);
  });

  it('two sign-ins started in the same browser both keep its one nonce', async () => {
    const first = await start(acme);
    const cookie = browserCookie;
    await start(acme);
    expect(browserCookie).toBe(cookie);
    const page = await land(await consent(first.json.authorizeUrl));
    expect(page.message).toMatchObject({ ok: true });
  });
});

/**
 * Another provider's whole sign-in on its own BFF: start, consent at its stand-in, land on the
 * callback, list contacts. Returns the authorize URL and the emails listed.
 */
async function signInAndList(entries: ProviderEntry[], provider: string): Promise<{ authorize: URL; emails: string[] }> {
  const bff = await createHarness({ providers: entries, config: { publicUrl: PUBLIC_URL, origins: [HOST] } });
  try {
    await bff.target('organization', 'acme', 10);
    const token = await bff.session({ type: 'organization', id: 'acme' });
    const startRes = await bff.request('POST', `/api/providers/${provider}/oauth`, { token, body: { origin: HOST } });
    const cookie = startRes.headers.get('set-cookie')!.split(';')[0]!;
    const started = await startRes.json();
    const consented = await fetch(started.authorizeUrl, { redirect: 'manual' });
    expect(consented.status).toBe(302);
    const landed = await bff.request('GET', consented.headers.get('location')!.slice(PUBLIC_URL.length), { headers: { Cookie: cookie } });
    expect(landed.status).toBe(200);
    const contacts = await (await bff.request('GET', `/api/providers/${provider}/contacts`, { token })).json();
    return { authorize: new URL(started.authorizeUrl), emails: contacts.items.map((c: { email: string }) => c.email).sort() };
  } finally {
    await bff.close();
  }
}

const grantTypes = (requests: { body: string }[]) => requests.map((r) => new URLSearchParams(r.body).get('grant_type'));

describe('OAuth sign-in: Salesforce (web server flow)', () => {
  it('stores the instance the sign-in names and lists Users and Contacts from it', async () => {
    const org = await startSalesforceFake({
      ...CLIENT,
      signIn: { redirectUris: [CALLBACK] },
      users: [{ Id: '005A', FirstName: 'Lin', LastName: 'Ma', Name: 'Lin Ma', Email: 'lin@acme.test', IsActive: true, UserType: 'Standard' }],
      contacts: [{ Id: '003B', FirstName: 'Kim', LastName: 'Ro', Name: 'Kim Ro', Email: 'kim@partner.test' }],
    });
    try {
      const entries = providersFile([
        { id: 'sf', type: 'salesforce', oauth: true, tokenUrl: org.url, credentials: { clientId: CLIENT.clientId, clientSecret: { env: 'APP_SECRET' } } },
      ]);
      const { authorize, emails } = await signInAndList(entries, 'sf');
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${org.url}/services/oauth2/authorize`);
      expect(authorize.searchParams.get('scope')).toBe('api refresh_token');
      expect(emails).toEqual(['kim@partner.test', 'lin@acme.test']);
      expect(grantTypes(org.tokenRequests())).toEqual(['authorization_code', 'refresh_token']);
    } finally {
      await org.close();
    }
  });
});

describe('OAuth sign-in: Google Workspace (an admin consents instead of domain-wide delegation)', () => {
  it('asks for offline access to the directory scope and lists users with the refresh token', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const google = await startGoogleFake({
      publicKey,
      clientEmail: 'unused@example.iam.gserviceaccount.com',
      delegatedSubjects: [],
      signIn: { ...CLIENT, redirectUris: [CALLBACK] },
      users: [{ id: 'g1', primaryEmail: 'mo@acme.test', name: { givenName: 'Mo', familyName: 'Li', fullName: 'Mo Li' } }],
    });
    try {
      const entries = providersFile([
        {
          id: 'gws',
          type: 'google',
          oauth: true,
          baseUrl: google.url,
          tokenUrl: google.url,
          credentials: { clientId: CLIENT.clientId, clientSecret: { env: 'APP_SECRET' } },
        },
      ]);
      const { authorize, emails } = await signInAndList(entries, 'gws');
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${google.url}/o/oauth2/v2/auth`);
      expect(authorize.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/admin.directory.user.readonly');
      expect(authorize.searchParams.get('access_type')).toBe('offline');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(emails).toEqual(['mo@acme.test']);
      expect(grantTypes(google.tokenRequests())).toEqual(['authorization_code', 'refresh_token']);
    } finally {
      await google.close();
    }
  });

  it('the consent screen defaults to accounts.google.com, the token endpoint to oauth2.googleapis.com', async () => {
    const [entry] = providersFile([{ id: 'gws', type: 'google', oauth: true, credentials: { clientId: 'c', clientSecret: { env: 'APP_SECRET' } } }]);
    expect(entry).toMatchObject({ oauth: { authorizeHost: 'https://accounts.google.com', authHost: 'https://oauth2.googleapis.com' } });
  });
});

describe('providers file: "oauth"', () => {
  it('is refused for a type without a sign-in flow, and without the app registration', () => {
    expect(() => providersFile([{ id: 'b', type: 'bamboohr', oauth: true }])).toThrow(/providers\[0\]\.oauth: bamboohr has no sign-in flow here/);
    expect(() => providersFile([{ id: 'm', type: 'microsoft', oauth: true, credentials: { clientId: 'x' } }])).toThrow(
      /providers\[0\]\.credentials\.clientSecret: is required with "oauth"/,
    );
    // The app's secret is a secret for every type, Google's included.
    expect(() => providersFile([{ id: 'g', type: 'google', oauth: true, credentials: { clientId: 'x', clientSecret: 'literal' } }])).toThrow(
      /clientSecret: is a secret/,
    );
  });
});
