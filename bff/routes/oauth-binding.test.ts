import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createHarness } from '../../test/harness.js';
import { startSalesforceFake } from '../../test/fakes/salesforce-server.js';
import { startGoogleFake } from '../../test/fakes/google-server.js';
import type { ProviderEntry } from '../providers/registry.js';
import {
  PUBLIC_URL,
  CALLBACK,
  HOST,
  CLIENT,
  providersFile,
  microsoft,
  acme,
  browserCookie,
  providerState,
  start,
  consent,
  land,
  stateRows,
  connectionRows,
  oauthScene,
} from '../../test/oauth-scene.js';

oauthScene();

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
