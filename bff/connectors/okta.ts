/**
 * Okta, through the Users API (`GET /api/v1/users`, okta/okta-management-openapi-spec,
 * operation listUsers), 200 users a page (the default and the most Okta serves), following the
 * `Link: <…>; rel="next"` header until there is none.
 *
 * Without a `filter` or `search` Okta leaves DEPROVISIONED users out, so we filter on every status
 * Okta has (`status eq "ACTIVE" or …`): leavers are listed as inactive, as every other provider
 * lists them. `filter` reads the live store, where `search` is eventually consistent.
 *
 * Auth is either an API token (`Authorization: SSWS {token}`; it acts with its admin's rights) or
 * an API service app: the OAuth 2.0 client-credentials grant with `private_key_jwt` at the org
 * authorization server (`POST /oauth2/v1/token`, scope `okta.users.read`), the assertion signed
 * with the app's private key (PEM or JWK), `iss` = `sub` = the client id, `aud` the token URL,
 * at most an hour long, with a `jti`. The bearer token lasts an hour and is renewed before.
 *
 * Every answer carries `X-Rate-Limit-Limit/-Remaining/-Reset` (the reset in epoch seconds): when
 * a page leaves nothing remaining we wait for the reset before asking for the next, and a 429
 * (E0000047) is waited out by the shared client, which reads the same reset header. Errors are
 * `{ errorCode, errorSummary, errorLink, errorId, errorCauses }`: we show `errorSummary`.
 */
import { createPrivateKey, createSign, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Verdict } from './http.js';
import { createTokenCache, requestToken, type AccessToken } from './oauth.js';
import {
  blankToNull,
  connectorHttp,
  isRecord,
  pageCursor,
  pageLabel,
  readCursor,
  recordsOf,
  requireCredentials,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import { ProviderError, type Connector, type ConnectorFactory, type ConnectorSettings } from './types.js';

/** No default host: every Okta customer has their own org URL (https://acme.okta.com, or a custom domain). */
export const OKTA_ORG_URL_EXAMPLE = 'https://{yourOktaDomain}';
/** An API token (SSWS). */
export const OKTA_CREDENTIALS = ['apiToken'] as const;
/** An API service app (OAuth 2.0 client credentials with private_key_jwt). */
export const OKTA_SERVICE_APP_CREDENTIALS = ['clientId', 'privateKey'] as const;
export const OKTA_SERVICE_APP_OPTIONAL = ['keyId'] as const;
export const OKTA_SCOPE = 'okta.users.read';

const PROVIDER = 'Okta';
const USERS_PATH = '/api/v1/users';
const PAGE_SIZE = 200;
/** Every UserStatus of the spec: naming them all is what makes Okta include DEPROVISIONED users. */
export const OKTA_STATUSES = ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED'] as const;
const ALL_STATUSES = OKTA_STATUSES.map((s) => `status eq "${s}"`).join(' or ');
/** Okta refuses client assertions that live longer than an hour; five minutes is plenty for one request. */
const ASSERTION_LIFETIME_SECONDS = 300;
/** A reset further away than this is not waited for in advance; the 429 path with its budget takes over. */
const MAX_PROACTIVE_WAIT_MS = 60_000;

function read(user: Record<string, unknown>): RawContact {
  const profile = isRecord(user.profile) ? user.profile : {};
  const status = blankToNull(user.status)?.toUpperCase();
  return {
    id: user.id,
    firstName: profile.firstName,
    lastName: profile.lastName,
    displayName: profile.displayName,
    email: profile.email,
    // The spec calls it the secondary address "typically used for account recovery": the person's own, not the company's.
    personalEmail: profile.secondEmail,
    title: profile.title,
    department: profile.department,
    location: blankToNull(profile.city) ?? blankToNull(profile.state) ?? profile.countryCode,
    // The base profile's "organization-to-user relationship such as Employee or Contractor".
    employmentType: profile.userType,
    managerId: profile.managerId,
    // Okta profiles have no photo (profileUrl is a web page).
    avatarUrl: null,
    // Suspended people cannot sign in and deprovisioned ones have left; staged and provisioned ones are starting.
    inactive: status === 'SUSPENDED' || status === 'DEPROVISIONED',
  };
}

/** The `rel="next"` target of a Link header (RFC 8288), or null. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/s.exec(part);
    if (match && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2]!)) return match[1]!;
  }
  return null;
}

/** Okta's error body names what went wrong in `errorSummary` (and `errorCauses`); the generic reader knows neither. */
function summaryOf(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isRecord(parsed)) return null;
    const summary = blankToNull(parsed.errorSummary);
    const causes = recordsOf(parsed.errorCauses)
      .map((c) => blankToNull(c.errorSummary))
      .filter(Boolean);
    return summary ? [summary, ...causes].join(': ') : null;
  } catch {
    return null;
  }
}

function classify(status: number, body: string): Verdict | undefined {
  if (status === 429 || status >= 500) return undefined;
  const summary = summaryOf(body);
  if (status === 403) {
    return {
      retry: false,
      kind: 'permission',
      message: `${summary ?? 'Forbidden'} (the API token’s admin, or the service app, needs the ${OKTA_SCOPE} scope and a role that can read users)`,
    };
  }
  return summary ? { retry: false, kind: status === 401 ? 'auth' : status === 404 ? 'config' : 'bad_response', message: summary } : undefined;
}

function signingKey(pem: string): KeyObject {
  const text = pem.trim();
  try {
    // The Admin Console hands out the key as a JWK (JSON) or, on request, as PEM.
    return text.startsWith('{') ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }) : createPrivateKey(text);
  } catch {
    // Never echo the text: it is a private key.
    throw new ProviderError('config', `${PROVIDER}: the credential "privateKey" is not a private key (PEM or JWK).`);
  }
}

function signAssertion(key: KeyObject, keyId: string | null, claims: Record<string, unknown>): string {
  const ec = key.asymmetricKeyType === 'ec';
  if (!ec && key.asymmetricKeyType !== 'rsa') throw new ProviderError('config', `${PROVIDER}: the credential "privateKey" must be an RSA or EC key.`);
  const header = { alg: ec ? 'ES256' : 'RS256', typ: 'JWT', ...(keyId ? { kid: keyId } : {}) };
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${b64(header)}.${b64(claims)}`;
  const signature = createSign('SHA256')
    .update(unsigned)
    .sign(ec ? { key, dsaEncoding: 'ieee-p1363' } : key, 'base64url');
  return `${unsigned}.${signature}`;
}

export function createOktaConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const http = connectorHttp(PROVIDER, settings, options);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  if (!blankToNull(settings.baseUrl)) throw new ProviderError('config', `${PROVIDER}: the org URL (baseUrl, e.g. ${OKTA_ORG_URL_EXAMPLE}) is not configured.`);
  const org = new URL(urlOr(settings.baseUrl, ''));
  const origin = org.origin;
  const tokenUrl = `${urlOr(settings.tokenUrl, origin)}/oauth2/v1/token`;
  const authorization = blankToNull(settings.credentials.apiToken) ? apiToken() : serviceApp();

  function apiToken() {
    const { apiToken: token } = requireCredentials(PROVIDER, settings.credentials, OKTA_CREDENTIALS);
    return <R>(signal: AbortSignal, call: (header: string) => Promise<R>) => {
      signal.throwIfAborted();
      return call(`SSWS ${token}`);
    };
  }

  function serviceApp() {
    // Name the token credential too: an admin who meant the simpler API token should see it.
    if (!blankToNull(settings.credentials.clientId) && !blankToNull(settings.credentials.privateKey)) {
      throw new ProviderError('config', `${PROVIDER}: the credential "apiToken" is missing (or "clientId" and "privateKey" of an API service app).`);
    }
    const { clientId, privateKey } = requireCredentials(PROVIDER, settings.credentials, OKTA_SERVICE_APP_CREDENTIALS);
    const key = signingKey(privateKey);
    const keyId = blankToNull(settings.credentials.keyId);
    const tokens = createTokenCache((signal): Promise<AccessToken> => {
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signAssertion(key, keyId, {
        iss: clientId,
        sub: clientId,
        aud: tokenUrl,
        iat,
        exp: iat + ASSERTION_LIFETIME_SECONDS,
        jti: randomUUID(),
      });
      const form = {
        grant_type: 'client_credentials',
        scope: OKTA_SCOPE,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      };
      return requestToken(http, PROVIDER, tokenUrl, form, signal, (error) => {
        if (error === 'invalid_scope')
          return { kind: 'permission', message: `the service app has not been granted the ${OKTA_SCOPE} scope (Okta API Scopes tab of the app)` };
        if (error === 'invalid_dpop_proof' || error === 'use_dpop_nonce')
          return { kind: 'config', message: 'the service app requires DPoP-bound tokens; turn off "Require Demonstrating Proof of Possession" for it' };
        return undefined;
      });
    });
    return <R>(signal: AbortSignal, call: (header: string) => Promise<R>) => tokens.use(signal, (token) => call(`Bearer ${token.accessToken}`));
  }

  /** The page a cursor names: the first page's URL, or the `next` link Okta gave (only ever on the org's own host and users path). */
  function pageUrl(state: string | null, page: number): URL {
    if (state === null) {
      const url = new URL(`${origin}${USERS_PATH}`);
      // listUsers returns the whole profile: it has no parameter choosing profile attributes (the
      // okta-response header omits only credentials and links), so turned-off fields are dropped on arrival.
      url.search = new URLSearchParams({ limit: String(PAGE_SIZE), filter: ALL_STATUSES }).toString();
      return url;
    }
    const url = URL.canParse(state, origin) ? new URL(state, origin) : null;
    // The token rides on the request: a link to another host or API must never be followed.
    if (!url || url.origin !== origin || url.pathname !== USERS_PATH) throw unreadable(PROVIDER, pageLabel(page), 'the next link leaves the users listing');
    return url;
  }

  return {
    async listContacts({ cursor, signal }) {
      const { page, state } = readCursor(PROVIDER, cursor);
      const url = pageUrl(state, page);
      const label = pageLabel(page);
      const res = await authorization(signal, (header) =>
        http.request(url, { signal, page: label, classify, headers: { Authorization: header, Accept: 'application/json' } }),
      );
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw unreadable(PROVIDER, label, 'not JSON');
      }
      if (!Array.isArray(body)) throw unreadable(PROVIDER, label, 'not a list of users');
      const next = nextLink(res.headers.get('link'));
      const nextCursor = next ? pageCursor(page + 1, new URL(next, origin).href) : null;
      // Spent for this minute: wait for the reset rather than spend the next request on a 429.
      const remaining = Number(res.headers.get('x-rate-limit-remaining') ?? NaN);
      const reset = Number(res.headers.get('x-rate-limit-reset') ?? NaN);
      if (nextCursor && remaining === 0 && Number.isFinite(reset)) {
        const wait = reset * 1000 - Date.now();
        if (wait > 0 && wait <= MAX_PROACTIVE_WAIT_MS) await sleep(wait);
      }
      return { contacts: toContacts(recordsOf(body), read), nextCursor };
    },
  };
}

createOktaConnector satisfies ConnectorFactory;
