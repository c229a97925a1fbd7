/**
 * Microsoft Entra ID through Microsoft Graph (`GET /v1.0/users`), asking 999 users a page, the
 * most Graph serves for users. Auth is the client-credentials grant for the application permission
 * User.Read.All (scope `https://graph.microsoft.com/.default`), or, for an organization that
 * signed in through the widget's popup (MICROSOFT_OAUTH), the refresh-token grant for the
 * delegated permission User.Read.All with the refresh token that sign-in gave.
 *
 * The manager comes along with `$expand=manager($select=id)`: Graph documents
 * `GET /users?$expand=manager` for the whole list, and a manager is a single object, so the
 * 20-item cap on expanded collections does not apply. Graph does cap a page that expands a
 * directory object at 100 users whatever `$top` says (known issue 13635): the manager costs ten
 * times the requests (1,000 for 100,000 people), which the shared client paces under Graph's
 * throttling, and which we accept because "manager" is part of the contact.
 *
 * Paging follows `@odata.nextLink`, an absolute URL. The access token rides on it, so a link to
 * any origin but the configured Graph host is refused, and the cursor is that link.
 *
 * `mail` is the mailbox address and may be null (no Exchange licence). The UPN is then used only
 * because Microsoft defines it as an RFC 822 sign-in name that "by convention should map to the
 * user's email name" (hybrid tenants sync it from the mail address) — but never a guest's
 * `#EXT#` name or an `onmicrosoft.com` name, which are routing-only identifiers and would bounce.
 * `accountEnabled: false` is a disabled person. Throttling is 429 with Retry-After, which the
 * shared client obeys.
 */
import { createTokenCache, requestToken, type AuthorizationCodeSpec } from './oauth.js';
import {
  blankToNull,
  connectorHttp,
  emailOrNull,
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

export const MICROSOFT_GRAPH_URL = 'https://graph.microsoft.com';
export const MICROSOFT_LOGIN_URL = 'https://login.microsoftonline.com';
export const MICROSOFT_CREDENTIALS = ['tenantId', 'clientId', 'clientSecret'] as const;
/** Delegated: reading every user needs User.Read.All (admin consent); offline_access buys the refresh token. */
export const MICROSOFT_DELEGATED_SCOPE = `${MICROSOFT_GRAPH_URL}/User.Read.All offline_access`;
/** A multi-tenant app signs in work accounts of any tenant; a single-tenant deployment sets tenantId. */
const ANY_ORGANIZATION = 'organizations';
const tenantOf = (credentials: Record<string, string>) => encodeURIComponent(blankToNull(credentials.tenantId) ?? ANY_ORGANIZATION);

/**
 * learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow: GET
 * `/{tenant}/oauth2/v2.0/authorize` (response_type=code, response_mode=query, PKCE S256), then
 * POST `/{tenant}/oauth2/v2.0/token` with grant_type=authorization_code, code, redirect_uri,
 * code_verifier and the client secret; the answer has a refresh_token when offline_access was granted.
 */
export const MICROSOFT_OAUTH: AuthorizationCodeSpec = {
  authHost: MICROSOFT_LOGIN_URL,
  authorizePath: (c) => `/${tenantOf(c)}/oauth2/v2.0/authorize`,
  tokenPath: (c) => `/${tenantOf(c)}/oauth2/v2.0/token`,
  scope: MICROSOFT_DELEGATED_SCOPE,
  pkce: true,
  authorizeParams: { response_mode: 'query', prompt: 'select_account' },
  keep: (response) => ({ refreshToken: String(response.refresh_token) }),
};

const PROVIDER = 'Microsoft Entra ID';
const PAGE_SIZE = 999;
const SELECT = ['id', 'givenName', 'surname', 'displayName', 'mail', 'userPrincipalName', 'otherMails', 'jobTitle', 'department', 'officeLocation', 'employeeType', 'accountEnabled'];

function upnAsEmail(upn: unknown): string | null {
  const email = emailOrNull(upn);
  return email && !email.includes('#EXT#') && !/\.onmicrosoft\.com$/i.test(email) ? email : null;
}

function read(user: Record<string, unknown>): RawContact {
  const email = emailOrNull(user.mail) ?? upnAsEmail(user.userPrincipalName);
  const others = Array.isArray(user.otherMails) ? user.otherMails : [];
  return {
    id: user.id,
    firstName: user.givenName,
    lastName: user.surname,
    displayName: user.displayName,
    email,
    personalEmail: others.map(emailOrNull).find((other) => other && other.toLowerCase() !== email?.toLowerCase()),
    title: user.jobTitle,
    department: user.department,
    location: user.officeLocation,
    // "Employee, Contractor, Consultant, or Vendor"; Graph returns it only when selected.
    employmentType: user.employeeType,
    managerId: isRecord(user.manager) ? user.manager.id : null,
    // Graph photos need the access token to fetch; a URL the widget cannot load is worse than none.
    avatarUrl: null,
    inactive: user.accountEnabled === false,
  };
}

export function createMicrosoftConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const refreshToken = blankToNull(settings.credentials.refreshToken);
  // A signed-in organization may leave the tenant to the sign-in (any work account's tenant).
  const needed = refreshToken ? MICROSOFT_CREDENTIALS.filter((f) => f !== 'tenantId') : MICROSOFT_CREDENTIALS;
  const { clientId, clientSecret } = requireCredentials(PROVIDER, settings.credentials, needed);
  const http = connectorHttp(PROVIDER, settings, options);
  const graph = new URL(urlOr(settings.baseUrl, MICROSOFT_GRAPH_URL));
  const tokenUrl = `${urlOr(settings.tokenUrl, MICROSOFT_LOGIN_URL)}/${tenantOf(settings.credentials)}/oauth2/v2.0/token`;
  const grant: Record<string, string> = refreshToken
    ? { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret, scope: MICROSOFT_DELEGATED_SCOPE }
    : { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${MICROSOFT_GRAPH_URL}/.default` };

  const tokens = createTokenCache((signal) => requestToken(http, PROVIDER, tokenUrl, grant, signal));

  function firstPage(): URL {
    const url = new URL(`${graph.href.replace(/\/+$/, '')}/v1.0/users`);
    url.search = new URLSearchParams({ $select: SELECT.join(','), $top: String(PAGE_SIZE), $expand: 'manager($select=id)' }).toString();
    return url;
  }

  function nextPage(link: string, page: number): URL {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw unreadable(PROVIDER, pageLabel(page), 'the next-page link is not a URL');
    }
    if (url.origin !== graph.origin || !url.pathname.endsWith('/v1.0/users')) {
      throw new ProviderError('bad_response', `${PROVIDER} pointed the next page at ${url.origin}${url.pathname}, not the configured Graph host; refused.`, { page: pageLabel(page) });
    }
    return url;
  }

  return {
    async listContacts({ cursor, signal }) {
      const { page, state: link } = readCursor(PROVIDER, cursor);
      const url = link ? nextPage(link, page) : firstPage();
      const body = await tokens.use(signal, (token) =>
        http.json<unknown>(url, { signal, page: pageLabel(page), headers: { Authorization: `Bearer ${token.accessToken}` } }),
      );
      if (!isRecord(body) || !Array.isArray(body.value)) throw unreadable(PROVIDER, pageLabel(page), 'no "value" list');
      const next = blankToNull(body['@odata.nextLink']);
      // Checked now, so a bad link fails on the page that sent it rather than on the next call.
      if (next) nextPage(next, page);
      return { contacts: toContacts(recordsOf(body.value), read), nextCursor: next ? pageCursor(page + 1, next) : null };
    },
  };
}

createMicrosoftConnector satisfies ConnectorFactory;
