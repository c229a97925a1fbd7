/**
 * Google Workspace through the Admin SDK Directory API (`users.list`), 500 users a page.
 *
 * Auth is a service account with domain-wide delegation: a JWT signed RS256 with the key file's
 * private key, impersonating an admin (`sub`), exchanged for an access token at the token
 * endpoint. Without impersonation a service account sees no directory, so `subject` is required.
 * Or an organization's admin signs in through the widget's popup (GOOGLE_OAUTH) and grants the
 * deployment's OAuth client the same scope: the connector then renews with that refresh token.
 *
 * Throttling comes as 403 with reason userRateLimitExceeded or quotaExceeded, or 429
 * rateLimitExceeded: all retried with backoff. dailyLimitExceeded is a spent daily quota and is
 * not retried. `projection=basic` is enough: `full` only adds custom schemas, which we do not read.
 *
 * Google names a manager in `relations` by email address, not by user id, so `managerId` is that
 * address as given; the BFF can match it against the directory's emails.
 */
import { createSign } from 'node:crypto';
import type { Verdict } from './http.js';
import { createTokenCache, requestToken, type AccessToken, type AuthorizationCodeSpec } from './oauth.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
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

export const GOOGLE_API_URL = 'https://admin.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com';
export const GOOGLE_CREDENTIALS = ['serviceAccountKey', 'subject'] as const;
export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

/**
 * developers.google.com/identity/protocols/oauth2/web-server: the consent screen at
 * accounts.google.com/o/oauth2/v2/auth (access_type=offline and prompt=consent for a refresh
 * token every time, PKCE S256), the code redeemed at oauth2.googleapis.com/token.
 */
export const GOOGLE_OAUTH: AuthorizationCodeSpec = {
  authHost: GOOGLE_TOKEN_URL,
  authorizeHost: 'https://accounts.google.com',
  authorizePath: () => '/o/oauth2/v2/auth',
  tokenPath: () => '/token',
  scope: GOOGLE_SCOPE,
  pkce: true,
  authorizeParams: { access_type: 'offline', prompt: 'consent' },
  keep: (response) => ({ refreshToken: String(response.refresh_token) }),
};

const PROVIDER = 'Google Workspace';
const PAGE_SIZE = 500;
const JWT_LIFETIME_SECONDS = 3600;
const THROTTLED = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded']);

/**
 * What `read` uses of a user, asked for with the `fields` parameter (partial response,
 * developers.google.com/workspace/admin/directory/v1/guides/performance#partial: "fields=…
 * items(title,author/email)", sub-fields in parentheses): phones, addresses and the rest never
 * leave Google, and neither do the fields the deployment turned off. Title and department share
 * `organizations`, so the title is left out inside it.
 */
const USER_FIELDS = [
  'id',
  'primaryEmail',
  'name(givenName,familyName,fullName)',
  'suspended',
  'archived',
  'organizations',
  'locations(area,buildingId)',
  'relations(type,value)',
  'emails(type,address)',
  'thumbnailPhotoUrl',
];
const USER_SOURCES: Partial<Record<OptionalField, string[]>> = {
  location: ['locations(area,buildingId)'],
  managerId: ['relations(type,value)'],
  personalEmail: ['emails(type,address)'],
  avatarUrl: ['thumbnailPhotoUrl'],
};
const ORGANIZATION_FIELDS = ['primary', 'title', 'department', 'location'];
const ORGANIZATION_SOURCES: Partial<Record<OptionalField, string[]>> = { title: ['title'], location: ['location'] };

function fieldsParameter(omit: readonly OptionalField[] | undefined): string {
  const organizations = `organizations(${fieldsToRequest(ORGANIZATION_FIELDS, ORGANIZATION_SOURCES, omit).join(',')})`;
  const user = fieldsToRequest(USER_FIELDS, USER_SOURCES, omit).map((f) => (f === 'organizations' ? organizations : f));
  return `nextPageToken,users(${user.join(',')})`;
}

function serviceAccount(json: string): { clientEmail: string; privateKey: string; keyId: string | null } {
  let key: unknown;
  try {
    key = JSON.parse(json);
  } catch {
    // Never echo the text: it is a private key.
    throw new ProviderError('config', `${PROVIDER}: the credential "serviceAccountKey" is not the key file's JSON.`);
  }
  const clientEmail = isRecord(key) ? blankToNull(key.client_email) : null;
  const privateKey = isRecord(key) ? blankToNull(key.private_key) : null;
  if (!isRecord(key) || !clientEmail || !privateKey) {
    throw new ProviderError('config', `${PROVIDER}: the credential "serviceAccountKey" lacks client_email or private_key.`);
  }
  return { clientEmail, privateKey, keyId: blankToNull(key.private_key_id) };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function signJwt(header: object, claims: object, privateKey: string): string {
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  try {
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey, 'base64url')}`;
  } catch {
    throw new ProviderError('config', `${PROVIDER}: the private_key in "serviceAccountKey" cannot sign (not an RSA private key).`);
  }
}

function googleReason(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = isRecord(parsed) ? parsed.error : undefined;
    return isRecord(error) ? blankToNull(recordsOf(error.errors)[0]?.reason) : null;
  } catch {
    return null;
  }
}

function classify(status: number, body: string): Verdict | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const reason = googleReason(body);
  if (reason && THROTTLED.has(reason)) return { retry: true, kind: 'rate_limited' };
  if (reason === 'dailyLimitExceeded') {
    return { retry: false, kind: 'quota_exceeded', message: 'the project’s daily Admin SDK quota is spent; it resets at midnight Pacific time' };
  }
  return undefined;
}

function read(user: Record<string, unknown>): RawContact {
  const name = isRecord(user.name) ? user.name : {};
  const orgs = recordsOf(user.organizations);
  const org = orgs.find((o) => o.primary === true) ?? orgs[0];
  const place = recordsOf(user.locations)[0];
  return {
    id: user.id,
    firstName: name.givenName,
    lastName: name.familyName,
    displayName: name.fullName,
    email: user.primaryEmail,
    personalEmail: recordsOf(user.emails).find((e) => e.type === 'home')?.address,
    title: org?.title,
    department: org?.department,
    location: blankToNull(org?.location) ?? blankToNull(place?.area) ?? place?.buildingId,
    // No employment type: the reference documents no field for it (organizations[].type is the
    // organization's kind, `description` only "the description of the organization").
    managerId: recordsOf(user.relations).find((r) => r.type === 'manager')?.value,
    avatarUrl: user.thumbnailPhotoUrl,
    inactive: user.suspended === true || user.archived === true,
  };
}

export function createGoogleConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const customer = blankToNull(settings.credentials.customer) ?? 'my_customer';
  const http = connectorHttp(PROVIDER, settings, options);
  const apiUrl = urlOr(settings.baseUrl, GOOGLE_API_URL);
  const tokenUrl = `${urlOr(settings.tokenUrl, GOOGLE_TOKEN_URL)}/token`;
  const refreshToken = blankToNull(settings.credentials.refreshToken);
  const tokens = createTokenCache(refreshToken ? signedInAdmin(refreshToken) : serviceAccountFor());
  const fields = fieldsParameter(settings.omit);

  function signedInAdmin(token: string) {
    const { clientId, clientSecret } = requireCredentials(PROVIDER, settings.credentials, ['clientId', 'clientSecret']);
    const form = { grant_type: 'refresh_token', refresh_token: token, client_id: clientId, client_secret: clientSecret };
    return (signal: AbortSignal): Promise<AccessToken> => requestToken(http, PROVIDER, tokenUrl, form, signal);
  }

  function serviceAccountFor() {
    const { serviceAccountKey, subject } = requireCredentials(PROVIDER, settings.credentials, GOOGLE_CREDENTIALS);
    const account = serviceAccount(serviceAccountKey);
    return (signal: AbortSignal): Promise<AccessToken> => {
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signJwt(
        { alg: 'RS256', typ: 'JWT', ...(account.keyId ? { kid: account.keyId } : {}) },
        { iss: account.clientEmail, sub: subject, scope: GOOGLE_SCOPE, aud: tokenUrl, iat, exp: iat + JWT_LIFETIME_SECONDS },
        account.privateKey,
      );
      return requestToken(http, PROVIDER, tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, signal, (error) =>
        error === 'unauthorized_client'
          ? {
              kind: 'permission',
              message: `the service account ${account.clientEmail} is not allowed to impersonate ${subject} with the scope ${GOOGLE_SCOPE}; grant it domain-wide delegation for that scope in the Admin console`,
            }
          : undefined,
      );
    };
  }

  return {
    async listContacts({ cursor, signal }) {
      const { page, state: pageToken } = readCursor(PROVIDER, cursor);
      const url = new URL(`${apiUrl}/admin/directory/v1/users`);
      url.search = new URLSearchParams({
        customer,
        maxResults: String(PAGE_SIZE),
        projection: 'basic',
        fields,
        ...(pageToken ? { pageToken } : {}),
      }).toString();
      const body = await tokens.use(signal, (token) =>
        http.json<unknown>(url, { signal, page: pageLabel(page), classify, headers: { Authorization: `Bearer ${token.accessToken}` } }),
      );
      if (!isRecord(body)) throw unreadable(PROVIDER, pageLabel(page), 'not a JSON object');
      // Google leaves `users` out of a page with nobody on it.
      if (body.users !== undefined && !Array.isArray(body.users)) throw unreadable(PROVIDER, pageLabel(page), '"users" is not a list');
      const next = blankToNull(body.nextPageToken);
      return { contacts: toContacts(recordsOf(body.users), read), nextCursor: next ? pageCursor(page + 1, next) : null };
    },
  };
}

createGoogleConnector satisfies ConnectorFactory;
