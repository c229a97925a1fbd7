/**
 * Salesforce: the org's Users (colleagues) and Contacts (people at customers and partners)
 * through SOQL on the REST API, 2,000 records a batch (the most `Sforce-Query-Options` allows),
 * following `nextRecordsUrl` until `done`. The credential `objects` picks which, in order
 * ("User,Contact" by default). Record ids need no prefix to stay unique: a Salesforce id begins
 * with its object's key prefix (005 User, 003 Contact).
 *
 * Auth is the OAuth client-credentials flow of an external client app, which Salesforce serves
 * only on the org's My Domain, so `baseUrl` must be that My Domain URL; `tokenUrl` defaults to
 * it. The token answer has no expiry (the session lasts the org's timeout): it is kept until a
 * query gets 401 INVALID_SESSION_ID, then renewed once. Host rule: queries go to the token's
 * `instance_url`, as Salesforce documents, which need not be the configured My Domain (an org
 * without enhanced domains, a renamed My Domain, a sandbox); but it must be https on a
 * Salesforce host, or a misconfigured or hostile token endpoint could steer the bearer token
 * elsewhere. Without an instance_url the My Domain is used.
 *
 * An organization that signed in through the widget's popup (SALESFORCE_OAUTH, the web server
 * flow) has a refresh token and the instance_url its token answer named instead: the connector
 * then renews with grant_type=refresh_token and lists from the instance each token names.
 *
 * Limits: 403 REQUEST_LIMIT_EXCEEDED "TotalRequests" is the org's rolling 24-hour API allocation,
 * spent: not retried, `quota_exceeded` (the `Sforce-Limit-Info` usage is quoted). The same code
 * for the concurrent long-request limit is momentary and retried with backoff.
 */
import type { Verdict } from './http.js';
import { createTokenCache, requestToken, type AuthorizationCodeSpec } from './oauth.js';
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
import { ProviderError, type Connector, type ConnectorFactory, type ConnectorSettings, type DirectoryPage } from './types.js';
import { readTimeWatermark, timeWatermark } from './paging.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';

export const SALESFORCE_CREDENTIALS = ['clientId', 'clientSecret'] as const;
export const SALESFORCE_API_VERSION = 'v62.0';
/** No default host: the client-credentials flow is served only on each org's own My Domain. */
export const SALESFORCE_MY_DOMAIN_EXAMPLE = 'https://MyDomainName.my.salesforce.com';

const PROVIDER = 'Salesforce';
/** Where production orgs sign in (sandboxes: test.salesforce.com, or the org's My Domain, through `tokenUrl`). */
export const SALESFORCE_LOGIN_URL = 'https://login.salesforce.com';

/**
 * The domains Salesforce serves orgs from: My Domains and instances (`*.my.salesforce.com`,
 * `na1.salesforce.com`), Experience Cloud and Visualforce (`*.force.com`), Government Cloud
 * (`*.salesforce.mil`), and the older `cloudforce.com` and `database.com` hosts.
 */
const SALESFORCE_DOMAINS = ['salesforce.com', 'force.com', 'salesforce.mil', 'cloudforce.com', 'database.com'];

/**
 * An instance URL from a token answer, or null: https on a Salesforce host, or plain http on
 * loopback only when the auth host is loopback too (tests).
 */
export function trustedInstance(value: unknown, authHost: string): URL | null {
  const text = blankToNull(value);
  if (!text || !URL.canParse(text)) return null;
  const url = new URL(text);
  const loopback = (u: URL) => u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (loopback(url)) return URL.canParse(authHost) && loopback(new URL(authHost)) ? url : null;
  const host = url.hostname.toLowerCase();
  const salesforce = SALESFORCE_DOMAINS.some((domain) => host.endsWith(`.${domain}`));
  return url.protocol === 'https:' && salesforce && !url.username && !url.password ? url : null;
}

/**
 * help.salesforce.com "OAuth 2.0 Web Server Flow for Web App Integration": GET
 * `/services/oauth2/authorize` (response_type=code, code_challenge S256), then POST
 * `/services/oauth2/token` with grant_type=authorization_code, code, client_id, client_secret,
 * redirect_uri, code_verifier; the answer has refresh_token (with the refresh_token scope) and
 * instance_url, the org's own host, where the API is.
 */
export const SALESFORCE_OAUTH: AuthorizationCodeSpec = {
  authHost: SALESFORCE_LOGIN_URL,
  authorizePath: () => '/services/oauth2/authorize',
  tokenPath: () => '/services/oauth2/token',
  scope: 'api refresh_token',
  pkce: true,
  keep(response, settings) {
    // The instance need not be the My Domain the file names; it must be a Salesforce host.
    const instance = trustedInstance(response.instance_url, settings.tokenUrl);
    if (!instance) throw new ProviderError('bad_response', `${PROVIDER} answered the sign-in without a usable instance_url.`, { page: 'token request' });
    return { refreshToken: String(response.refresh_token), instanceUrl: instance.origin };
  },
};
const BATCH_SIZE = 2000;

type SObject = 'User' | 'Contact';

/**
 * Each object's fields and conditions. A field whose optional field the deployment turned off is
 * left out of the SELECT list, so Salesforce never sends it (SOQL returns only the fields the
 * SELECT names: SOQL and SOSL Reference, "SOQL SELECT Syntax").
 */
const SOQL: Record<SObject, { fields: string[]; sources: Partial<Record<OptionalField, string[]>>; where: string[] }> = {
  User: {
    fields: ['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Title', 'Department', 'City', 'ManagerId', 'IsActive', 'SmallPhotoUrl'],
    sources: { title: ['Title'], location: ['City'], managerId: ['ManagerId'], avatarUrl: ['SmallPhotoUrl'] },
    where: ["UserType = 'Standard'"],
  },
  Contact: {
    fields: ['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Title', 'Department', 'MailingCity', 'ReportsToId'],
    sources: { title: ['Title'], location: ['MailingCity'], managerId: ['ReportsToId'] },
    where: [],
  },
};

/**
 * The query for one object; with `since`, only the records changed after it. SystemModstamp is
 * the system field Salesforce updates on every change of a record, its own or an automated one
 * (SOQL and SOSL Reference, "System Fields"; it is indexed, unlike LastModifiedDate), and a
 * dateTime literal is written unquoted in UTC, `YYYY-MM-DDThh:mm:ssZ` ("Date Formats and Date
 * Literals"). Deleted records are not returned by `query`; the periodic full refresh finds them.
 */
function soqlOf(object: SObject, since: Date | null, omit: readonly OptionalField[] | undefined): string {
  const { fields, sources, where } = SOQL[object];
  const select = `SELECT ${fieldsToRequest(fields, sources, omit).join(', ')} FROM ${object}`;
  const conditions = since ? [...where, `SystemModstamp > ${since.toISOString().slice(0, 19)}Z`] : where;
  return conditions.length ? `${select} WHERE ${conditions.join(' AND ')}` : select;
}

/** Where a listing stands: which object, the locator of its next batch, and the sizes of the objects already done. */
interface Position {
  object: number;
  next: string | null;
  before: number;
}

function objectsOf(value: string | undefined): SObject[] {
  const text = blankToNull(value);
  if (!text) return ['User', 'Contact'];
  const picked = text.split(',').map((name) => {
    const n = name.trim().toLowerCase().replace(/s$/, '');
    if (n === 'user') return 'User';
    if (n === 'contact') return 'Contact';
    throw new ProviderError('config', `${PROVIDER}: the credential "objects" names "${name.trim()}"; use User, Contact or both.`);
  });
  return [...new Set(picked)];
}

function readPosition(state: string | null, objects: number): Position {
  if (!state) return { object: 0, next: null, before: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(state);
  } catch {
    parsed = null;
  }
  if (isRecord(parsed) && Number.isInteger(parsed.object) && Number(parsed.object) < objects && typeof parsed.before === 'number') {
    return { object: Number(parsed.object), next: blankToNull(parsed.next), before: parsed.before };
  }
  throw new ProviderError('bad_response', `${PROVIDER}: the paging cursor is not one this connector issued.`);
}

function classify(status: number, body: string, headers: Headers): Verdict | undefined {
  if (status !== 403) return undefined;
  let errors: Record<string, unknown>[];
  try {
    errors = recordsOf(JSON.parse(body));
  } catch {
    return undefined;
  }
  const limited = errors.find((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED');
  if (!limited) return undefined;
  if (/concurrent/i.test(String(limited.message ?? ''))) return { retry: true, kind: 'rate_limited' };
  const usage = headers.get('sforce-limit-info');
  return {
    retry: false,
    kind: 'quota_exceeded',
    message: `the org's daily API request allocation is spent${usage ? ` (${usage})` : ''}; it frees up over a rolling 24 hours, so retrying now will not help`,
  };
}

/**
 * No employment type: neither object has a standard field for it. `User.UserType` is the license
 * kind (Standard, PowerPartner, …), not how a person is employed, so it is not one.
 */
const readers: Record<SObject, (r: Record<string, unknown>) => RawContact> = {
  User: (r) => ({
    id: r.Id,
    firstName: r.FirstName,
    lastName: r.LastName,
    displayName: r.Name,
    email: r.Email,
    title: r.Title,
    department: r.Department,
    location: r.City,
    managerId: r.ManagerId,
    // Everyone without a photo gets Salesforce's silhouette at …/profilephoto/005/T.
    avatarUrl: /\/profilephoto\/005\/[TF]$/.test(String(r.SmallPhotoUrl ?? '')) ? null : r.SmallPhotoUrl,
    inactive: r.IsActive === false,
  }),
  Contact: (r) => ({
    id: r.Id,
    firstName: r.FirstName,
    lastName: r.LastName,
    displayName: r.Name,
    email: r.Email,
    title: r.Title,
    department: r.Department,
    location: r.MailingCity,
    managerId: r.ReportsToId,
  }),
};

export function createSalesforceConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { clientId, clientSecret } = requireCredentials(PROVIDER, settings.credentials, SALESFORCE_CREDENTIALS);
  const objects = objectsOf(settings.credentials.objects);
  const refreshToken = blankToNull(settings.credentials.refreshToken);
  // A signed-in org is reached where its sign-in said, unless the file pins the My Domain.
  const host = blankToNull(settings.baseUrl) ?? (refreshToken ? blankToNull(settings.credentials.instanceUrl) : null);
  if (!host) throw new ProviderError('config', `${PROVIDER}: baseUrl must be the org's My Domain URL (${SALESFORCE_MY_DOMAIN_EXAMPLE}).`);
  const myDomain = new URL(host);
  const http = connectorHttp(PROVIDER, settings, options);
  const tokenUrl = `${urlOr(settings.tokenUrl, myDomain.origin)}/services/oauth2/token`;
  const grant: Record<string, string> = refreshToken
    ? { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret }
    : { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };

  /** The origin the current token's queries go to: its instance_url, or the My Domain when it names none. */
  const instances = new WeakMap<object, string>();
  const tokens = createTokenCache(async (signal) => {
    const token = await requestToken(http, PROVIDER, tokenUrl, grant, signal);
    const named = blankToNull(token.response.instance_url);
    const instance = named ? trustedInstance(named, tokenUrl) : myDomain;
    if (!instance) {
      throw new ProviderError('config', `${PROVIDER} named ${named} as the org's instance, which is not an https Salesforce host; check baseUrl and tokenUrl.`);
    }
    instances.set(token, instance.origin);
    return token;
  });

  function urlOf(origin: string, at: Position, object: SObject, page: number, since: Date | null): URL {
    if (!at.next) return new URL(`/services/data/${SALESFORCE_API_VERSION}/query?q=${encodeURIComponent(soqlOf(object, since, settings.omit))}`, origin);
    const url = new URL(at.next, origin);
    if (url.origin !== origin || !url.pathname.startsWith('/services/data/')) {
      throw unreadable(PROVIDER, pageLabel(page), `the next batch is at ${url.origin}${url.pathname}, outside the org's REST API`);
    }
    return url;
  }

  async function batch(cursor: string | null, signal: AbortSignal, since: Date | null): Promise<DirectoryPage> {
    const { page, state } = readCursor(PROVIDER, cursor);
    const at = readPosition(state, objects.length);
    const object = objects[at.object]!;
    const body = await tokens.use(signal, (token) =>
      http.json<unknown>(urlOf(instances.get(token) ?? myDomain.origin, at, object, page, since), {
        signal,
        page: pageLabel(page),
        classify,
        headers: { Authorization: `Bearer ${token.accessToken}`, 'Sforce-Query-Options': `batchSize=${BATCH_SIZE}` },
      }),
    );
    if (!isRecord(body) || !Array.isArray(body.records)) throw unreadable(PROVIDER, pageLabel(page), 'no "records" list');
    const more = body.done === false ? blankToNull(body.nextRecordsUrl) : null;
    if (body.done === false && !more) throw unreadable(PROVIDER, pageLabel(page), '"done" is false but there is no nextRecordsUrl');
    const size = typeof body.totalSize === 'number' ? body.totalSize : null;
    const last = at.object === objects.length - 1;
    const next: Position | null = more ? { ...at, next: more } : last ? null : { object: at.object + 1, next: null, before: at.before + (size ?? 0) };
    return {
      contacts: toContacts(recordsOf(body.records), readers[object]),
      nextCursor: next ? pageCursor(page + 1, JSON.stringify(next)) : null,
      // Exact only once the last object's size is known, as the earlier ones are summed in.
      total: last && size !== null ? at.before + size : null,
    };
  }

  return {
    listContacts: ({ cursor, signal }) => batch(cursor, signal, null),
    changeWatermark: async ({ startedAt }) => timeWatermark(startedAt),
    async *listChanges({ since, startedAt, signal }) {
      const from = readTimeWatermark(PROVIDER, since);
      let cursor: string | null = null;
      do {
        const page: DirectoryPage = await batch(cursor, signal, from);
        cursor = page.nextCursor;
        yield { contacts: page.contacts, deleted: [], watermark: cursor ? null : timeWatermark(startedAt) };
      } while (cursor);
    },
  };
}

createSalesforceConnector satisfies ConnectorFactory;
