import { describe, expect, it } from 'vitest';
import { upsertTarget } from '../services/targets.js';
import {
  PUBLIC_URL,
  CALLBACK,
  HOST,
  CLIENT,
  h,
  microsoft,
  signIn,
  acme,
  call,
  providerState,
  start,
  consent,
  land,
  stateRows,
  connectionRows,
  oauthScene,
} from '../../test/oauth-scene.js';

oauthScene();

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
