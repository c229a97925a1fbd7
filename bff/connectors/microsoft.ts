/**
 * Microsoft Entra ID through Microsoft Graph (`GET /v1.0/users`), asking 999 users a page, the
 * most Graph serves for users. Auth is the client-credentials grant for the application permission
 * User.Read.All (scope `https://graph.microsoft.com/.default`), or, for an organization that
 * signed in through the widget's popup (MICROSOFT_OAUTH), the refresh-token grant for the
 * delegated permission User.Read.All with the refresh token that sign-in gave.
 *
 * The directory is read through Graph's delta query, `GET /v1.0/users/delta?$select=…`
 * (learn.microsoft.com/graph/api/user-delta; microsoftgraph/microsoft-graph-docs-contrib
 * concepts/delta-query-users.md and delta-query-overview.md): "clients that synchronize users with
 * a local profile store can use the delta query for both their initial full synchronization
 * along with subsequent incremental synchronizations". A full refresh is a round without a token:
 * every current user, page after page by `@odata.nextLink`, the last page ending with an
 * `@odata.deltaLink`, which is the watermark. An incremental refresh follows that link and gets
 * only who changed since, `@removed` marking the deleted. `$select` travels inside the links'
 * tokens. Delta does not support `$expand` or `$top` on users (Graph sizes its pages); selecting
 * `manager` tracks it instead, as a `manager@delta` annotation listing the manager.
 *
 * Every link is an absolute URL with the access token riding on it, so a next-page link, a delta
 * link or a stored watermark on any origin but the configured Graph host is refused, and the
 * cursor is that link. Delta links last seven days for directory objects; an expired one answers
 * a 40X `syncStateNotFound`, and a tenant Graph has to resynchronize answers `410 Gone`: either
 * ends the incremental refresh, and the refresh engine runs a full one, which sets a new link.
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
  toContact,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import type { Verdict } from './http.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
import { ProviderError, type ChangedContact, type Connector, type ConnectorFactory, type ConnectorSettings, type DirectoryContact } from './types.js';

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
/** `manager` is a relationship: selected in a delta query, Graph tracks it as `manager@delta`. */
const SELECT = [
  'id',
  'givenName',
  'surname',
  'displayName',
  'mail',
  'userPrincipalName',
  'otherMails',
  'jobTitle',
  'department',
  'officeLocation',
  'employeeType',
  'accountEnabled',
  'manager',
];
const DELTA_PATH = '/v1.0/users/delta';
/**
 * The properties that give only an optional field, left out of `$select` when the deployment
 * turns the field off: user-delta returns only the selected properties ("use $select to specify
 * the properties you need"), so Graph never sends them. `mail` and `userPrincipalName` give the
 * work email too, and the avatar comes from no property.
 */
const SOURCES: Partial<Record<OptionalField, string[]>> = {
  title: ['jobTitle'],
  location: ['officeLocation'],
  personalEmail: ['otherMails'],
  managerId: ['manager'],
};
/**
 * A delta link carries the `$select` it was made with, so one stored before the deployment turned
 * fields on or off would go on asking for the old ones. The properties left out are written after
 * it as `#omit=…` (a fragment is never sent); a link without it left nothing out, as every link
 * stored before fields could be turned off.
 */
const OMIT_MARK = '#omit=';

/**
 * The contact fields a changed user's Graph properties give, where one property gives one field.
 * The docs differ on what a changed user carries: user-delta says every selected property that
 * was ever set (old values for the unchanged), the overview "at least the properties that have
 * been updated", and a relationship such as the manager only when it changed. So a property a
 * change leaves out keeps what the directory holds: under the first reading it was never set and
 * the directory holds null already; under the second it did not change. Reading each changed
 * user again would cost a request per person for what merging gives for free.
 */
const FIELD_OF_PROPERTY: readonly (readonly [string, keyof DirectoryContact])[] = [
  ['givenName', 'firstName'],
  ['surname', 'lastName'],
  ['displayName', 'displayName'],
  ['jobTitle', 'title'],
  ['department', 'department'],
  ['officeLocation', 'location'],
  ['employeeType', 'employmentType'],
  ['accountEnabled', 'status'],
  ['manager@delta', 'managerId'],
];

/** The manager a user names: `manager@delta` (its live entry; one marked `@removed` takes the manager away), or an expanded `manager`. */
function managerOf(user: Record<string, unknown>): unknown {
  if ('manager@delta' in user)
    return (
      recordsOf(user['manager@delta'])
        .filter((m) => !isRecord(m['@removed']))
        .at(-1)?.id ?? null
    );
  return isRecord(user.manager) ? user.manager.id : null;
}

/** Graph asking for a full synchronization: an expired delta link (`syncStateNotFound`, a 40X) or a tenant it must resynchronize (`410 Gone`). */
const resyncRequired = (status: number, body: string): Verdict | undefined =>
  status === 410 || /"code"\s*:\s*"(syncStateNotFound|resyncRequired)"/i.test(body)
    ? { retry: false, kind: 'bad_response', message: `Graph no longer honours the stored delta link (HTTP ${status}); a full refresh replaces it` }
    : undefined;

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
    managerId: managerOf(user),
    // Graph photos need the access token to fetch; a URL the widget cannot load is worse than none.
    avatarUrl: null,
    inactive: user.accountEnabled === false,
  };
}

/** A changed user as the fields its properties give (FIELD_OF_PROPERTY); null without an id. */
function changed(user: Record<string, unknown>): ChangedContact | null {
  const whole = toContact(read(user));
  if (!whole) return null;
  const out: ChangedContact = { id: whole.id, avatarUrl: null };
  for (const [property, field] of FIELD_OF_PROPERTY) if (property in user) Object.assign(out, { [field]: whole[field] });
  // The address is the mail, else the UPN: known when the mail is an address, or both were sent.
  if (emailOrNull(user.mail) || ('mail' in user && 'userPrincipalName' in user)) {
    out.email = whole.email;
    if ('otherMails' in user) out.personalEmail = whole.personalEmail;
  }
  return out;
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

  const select = fieldsToRequest(SELECT, SOURCES, settings.omit);
  const leftOut = SELECT.filter((p) => !select.includes(p));
  /** The delta link as stored: with the properties its `$select` left out (OMIT_MARK). */
  const marked = (deltaLink: string | null) => (deltaLink && leftOut.length ? `${deltaLink}${OMIT_MARK}${leftOut.join(',')}` : deltaLink);

  function firstPage(): URL {
    const url = new URL(`${graph.href.replace(/\/+$/, '')}${DELTA_PATH}`);
    url.search = new URLSearchParams({ $select: select.join(',') }).toString();
    return url;
  }

  /** The stored delta link to follow, refused (so a full refresh runs) when it selects other properties than the configuration now asks. */
  function storedLink(since: string): URL {
    const url = onGraph(since, 'changes', 'stored delta link');
    const made = url.hash.startsWith(OMIT_MARK) ? url.hash.slice(OMIT_MARK.length) : '';
    if (made !== leftOut.join(',')) {
      throw new ProviderError(
        'bad_response',
        `${PROVIDER}: the stored delta link asks for other fields than the providers file now turns off; a full refresh replaces it.`,
        { page: 'changes' },
      );
    }
    url.hash = '';
    return url;
  }

  /** A link Graph gave (or we stored), refused unless it is a delta link of the configured Graph host. */
  function onGraph(link: string, page: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw unreadable(PROVIDER, page, `the ${what} is not a URL`);
    }
    if (url.origin !== graph.origin || !url.pathname.endsWith(DELTA_PATH)) {
      throw new ProviderError('bad_response', `${PROVIDER} pointed the ${what} at ${url.origin}${url.pathname}, not the configured Graph host; refused.`, {
        page,
      });
    }
    return url;
  }

  /**
   * One page of a delta round: its users, and the next-page or delta link (each checked now, so a
   * bad link fails on the page that sent it). A last page without a delta link ends the round
   * without a watermark, and the next refresh is a full one.
   */
  async function deltaPage(url: URL, page: string, signal: AbortSignal, classify?: typeof resyncRequired) {
    const body = await tokens.use(signal, (token) =>
      http.json<unknown>(url, { signal, page, classify, headers: { Authorization: `Bearer ${token.accessToken}` } }),
    );
    if (!isRecord(body) || !Array.isArray(body.value)) throw unreadable(PROVIDER, page, 'no "value" list');
    const next = blankToNull(body['@odata.nextLink']);
    const deltaLink = blankToNull(body['@odata.deltaLink']);
    if (next) onGraph(next, page, 'next page');
    if (deltaLink) onGraph(deltaLink, page, 'delta link');
    return { users: recordsOf(body.value), next, deltaLink };
  }

  return {
    async listContacts({ cursor, signal }) {
      const { page, state: link } = readCursor(PROVIDER, cursor);
      const { users, next, deltaLink } = await deltaPage(link ? onGraph(link, pageLabel(page), 'next page') : firstPage(), pageLabel(page), signal);
      // A full round may name users deleted meanwhile: they are not part of the directory.
      const current = users.filter((u) => !isRecord(u['@removed']));
      return { contacts: toContacts(current, read), nextCursor: next ? pageCursor(page + 1, next) : null, ...(next ? {} : { watermark: marked(deltaLink) }) };
    },
    async *listChanges({ since, signal }) {
      let url = storedLink(since);
      for (let page = 1; ; page++) {
        const label = `changes, ${pageLabel(page)}`;
        const { users, next, deltaLink } = await deltaPage(url, label, signal, resyncRequired);
        const contacts: ChangedContact[] = [];
        const deleted: string[] = [];
        for (const user of users) {
          // "changed": deleted, restorable for 30 days (it comes back as a change if restored); "deleted": for good.
          if (isRecord(user['@removed'])) {
            const id = blankToNull(user.id);
            if (id) deleted.push(id);
          } else {
            const contact = changed(user);
            if (contact) contacts.push(contact);
          }
        }
        yield { contacts, deleted, watermark: next ? null : marked(deltaLink) };
        if (!next) return;
        url = onGraph(next, label, 'next page');
      }
    },
  };
}

createMicrosoftConnector satisfies ConnectorFactory;
