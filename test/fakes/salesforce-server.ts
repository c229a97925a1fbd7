/**
 * A loopback Salesforce org (My Domain) for connector tests, built from Salesforce's documentation:
 * - help.salesforce.com "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration":
 *   POST `https://MyDomainName.my.salesforce.com/services/oauth2/token` with form
 *   grant_type=client_credentials, client_id, client_secret; answers `{access_token, signature,
 *   scope, instance_url, id, token_type: "Bearer", issued_at}` and no expires_in (the session
 *   lasts the org's timeout); errors `{error, error_description}`, e.g. 400 invalid_client
 *   "invalid client credentials", invalid_client_id "client identifier invalid".
 * - REST API Developer Guide, "Execute a SOQL Query" (`GET /services/data/vXX.X/query?q=`) and
 *   "Query More Results" (`nextRecordsUrl` = `/services/data/vXX.X/query/<locator>-<n>`):
 *   `{totalSize, done, nextRecordsUrl?, records: [{attributes: {type, url}, ...fields}]}`.
 * - REST API Developer Guide, "Query Options Header": `Sforce-Query-Options: batchSize=n`,
 *   200–2000, default 2000, and "no guarantee that the requested batch size is the actual batch size".
 * - REST API Developer Guide, "Status Codes and Error Responses" and "Limit Info Header": errors are
 *   `[{message, errorCode}]`; 401 INVALID_SESSION_ID "Session expired or invalid"; the daily
 *   allocation spent is 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."; every answer
 *   carries `Sforce-Limit-Info: api-usage=N/M`; 400 INVALID_FIELD for a column an object lacks.
 * - Object Reference, Contact (Id, FirstName, LastName, Name, Email, Title, Department,
 *   MailingCity, ReportsToId) and User (… City, ManagerId, IsActive, SmallPhotoUrl, UserType).
 * - help.salesforce.com "OAuth 2.0 Web Server Flow for Web App Integration" (with `signIn`): GET
 *   `/services/oauth2/authorize` redirects to the callback URL with `code` and `state` (or
 *   `error=access_denied&error_description=end-user denied authorization`); POST
 *   `/services/oauth2/token` with grant_type=authorization_code, code, client_id, client_secret,
 *   redirect_uri, code_verifier answers `{access_token, refresh_token, signature, scope,
 *   instance_url, id, token_type, issued_at}` (refresh_token only with the refresh_token scope);
 *   grant_type=refresh_token answers the same without a new refresh token; refusals are
 *   400 invalid_grant ("authentication failure", "expired access/refresh token", "invalid code
 *   verifier") and invalid_client.
 * `batchLimit` makes the org answer smaller batches than asked, as Salesforce may.
 */
import { authorizeReply, createAuthorizationServer, type Refusal, type SignInOptions } from './authorization-code.js';
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export const SALESFORCE_API_VERSION = 'v62.0';

const FIELDS: Record<string, Set<string>> = {
  Contact: new Set([
    'Id',
    'FirstName',
    'LastName',
    'Name',
    'Email',
    'Title',
    'Department',
    'MailingCity',
    'ReportsToId',
    'AccountId',
    'Phone',
    'SystemModstamp',
  ]),
  User: new Set([
    'Id',
    'FirstName',
    'LastName',
    'Name',
    'Email',
    'Title',
    'Department',
    'City',
    'ManagerId',
    'IsActive',
    'SmallPhotoUrl',
    'UserType',
    'Username',
    'SystemModstamp',
  ]),
};

export interface SalesforceFakeOptions {
  contacts: Record<string, unknown>[];
  users: Record<string, unknown>[];
  clientId: string;
  clientSecret: string;
  batchLimit?: number;
  failures?: (Failure | 'quota' | 'concurrent')[];
  /** What the token answer names as instance_url instead of this server (from the origin the token was asked at). */
  instanceUrl?: string | ((origin: string) => string);
  /** Sessions end after this many queries (the org's session timeout). */
  sessionQueries?: number;
  dailyLimit?: number;
  /** Serve the web server flow (authorization code) for the connected app as well. */
  signIn?: SignInOptions;
}

const SF_REFUSALS: Record<Refusal['reason'], string> = {
  client: 'invalid client credentials',
  code_unknown: 'authentication failure',
  code_used: 'authentication failure',
  code_expired: 'expired authorization code',
  redirect_uri: 'redirect_uri must match configuration',
  pkce: 'invalid code verifier',
  refresh_token: 'expired access/refresh token',
};

const sfError = (errorCode: string, message: string) => [{ message, errorCode }];

export async function startSalesforceFake(options: SalesforceFakeOptions) {
  const sessions = new Map<string, number>();
  const cursors = new Map<string, { object: string; rows: Record<string, unknown>[]; next: number; batch: number }>();
  let serial = 0;
  let used = 0;
  const limit = () => ({ 'Sforce-Limit-Info': `api-usage=${used}/${options.dailyLimit ?? 15000}` });

  const signIn = options.signIn ? createAuthorizationServer(options, options.signIn) : null;

  function session(req: RecordedRequest, reply: Reply, extra: Record<string, unknown>) {
    const accessToken = `00Dxx0000001gPL!AR8AQ.fake${++serial}`;
    sessions.set(accessToken, 0);
    reply(200, {
      access_token: accessToken,
      signature: 'c2lnbmF0dXJl',
      scope: 'api',
      instance_url: typeof options.instanceUrl === 'function' ? options.instanceUrl(req.origin) : (options.instanceUrl ?? req.origin),
      id: `${req.origin}/id/00Dxx0000001gPLEAY/005xx000001Sv6eAAC`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      ...extra,
    });
  }

  function token(req: RecordedRequest, reply: Reply) {
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type');
    if (signIn && (grant === 'authorization_code' || grant === 'refresh_token')) {
      const outcome = grant === 'authorization_code' ? signIn.redeem(form) : signIn.refresh(form);
      if ('status' in outcome) return reply(400, { error: outcome.error, error_description: SF_REFUSALS[outcome.reason] });
      // The refresh token comes only with the refresh_token scope, and only from the code.
      if ('ok' in outcome || !outcome.refreshToken || !outcome.scope.split(' ').includes('refresh_token')) return session(req, reply, {});
      return session(req, reply, { refresh_token: outcome.refreshToken, scope: outcome.scope });
    }
    if (form.get('grant_type') !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    if (form.get('client_id') !== options.clientId) return reply(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    if (form.get('client_secret') !== options.clientSecret) return reply(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
    session(req, reply, {});
  }

  function batchOf(state: { object: string; rows: Record<string, unknown>[]; next: number; batch: number }) {
    const start = state.next;
    const records = state.rows.slice(start, start + state.batch);
    state.next = start + records.length;
    const done = state.next >= state.rows.length;
    const locator = `01gxx00000${serial}${Math.random().toString(36).slice(2, 8)}-${state.next}`;
    if (!done) cursors.set(locator, state);
    return {
      totalSize: state.rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${SALESFORCE_API_VERSION}/query/${locator}` }),
      records: records.map((r) => ({
        attributes: { type: state.object, url: `/services/data/${SALESFORCE_API_VERSION}/sobjects/${state.object}/${String(r.Id)}` },
        ...r,
      })),
    };
  }

  function query(req: RecordedRequest, reply: Reply) {
    const bearer = bearerOf(req);
    const uses = bearer ? sessions.get(bearer) : undefined;
    if (uses === undefined || (options.sessionQueries !== undefined && uses >= options.sessionQueries)) {
      return reply(401, sfError('INVALID_SESSION_ID', 'Session expired or invalid'), limit());
    }
    sessions.set(bearer!, uses + 1);
    const failure = options.failures?.shift();
    if (failure === 'quota' || used >= (options.dailyLimit ?? Infinity)) {
      return reply(403, sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), {
        'Sforce-Limit-Info': `api-usage=${used + 1}/${options.dailyLimit ?? used}`,
      });
    }
    if (failure === 'concurrent' || failure === 'throttle') {
      return reply(403, sfError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'), limit());
    }
    if (failure === '5xx') return reply(503, sfError('SERVER_UNAVAILABLE', 'Server temporarily unavailable'), limit());
    used++;
    if (failure === 'malformed') return reply(200, { totalSize: 1, done: true, records: 'unexpected' }, limit());

    const locatorPath = new RegExp(`^/services/data/${SALESFORCE_API_VERSION.replace('.', '\\.')}/query/([\\w-]+)$`).exec(req.path);
    if (locatorPath) {
      const state = cursors.get(locatorPath[1]!);
      if (!state) return reply(400, sfError('INVALID_QUERY_LOCATOR', 'invalid query locator'), limit());
      cursors.delete(locatorPath[1]!);
      return reply(200, batchOf(state), limit());
    }
    const soql = req.query.get('q') ?? '';
    const parsed = /^SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+))?$/i.exec(soql.trim());
    if (!parsed) return reply(400, sfError('MALFORMED_QUERY', `unexpected token: '${soql.slice(0, 20)}'`), limit());
    const object = parsed[2]!;
    const known = FIELDS[object];
    if (!known) return reply(400, sfError('INVALID_TYPE', `sObject type '${object}' is not supported.`), limit());
    const fields = parsed[1]!.split(',').map((f) => f.trim());
    const unknown = fields.find((f) => !known.has(f));
    if (unknown) return reply(400, sfError('INVALID_FIELD', `No such column '${unknown}' on entity '${object}'.`), limit());
    let rows = object === 'Contact' ? options.contacts : options.users;
    const where = parsed[3];
    // Conditions joined by AND: `Field = 'text'`, or `SystemModstamp > <dateTime literal>` (unquoted,
    // UTC, `YYYY-MM-DDThh:mm:ssZ`; a quoted date is a type error in SOQL, refused the same way here).
    for (const condition of where ? where.split(/\s+AND\s+/i) : []) {
      const eq = /^(\w+)\s*=\s*'([^']*)'$/.exec(condition.trim());
      const after = /^SystemModstamp\s*>\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(condition.trim());
      if (eq && known.has(eq[1]!)) {
        rows = rows.filter((r) => (r[eq[1]!] ?? 'Standard') === eq[2]);
      } else if (after) {
        const since = Date.parse(after[1]!);
        rows = rows.filter((r) => typeof r.SystemModstamp === 'string' && Date.parse(r.SystemModstamp) > since);
      } else {
        return reply(400, sfError('MALFORMED_QUERY', `unexpected condition: ${condition}`), limit());
      }
    }
    const selected = rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])));
    const asked = /batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''));
    const batch = Math.min(asked ? Math.min(2000, Math.max(200, Number(asked[1]))) : 2000, options.batchLimit ?? 2000);
    reply(200, batchOf({ object, rows: selected, next: 0, batch }), limit());
  }

  const loopback = await startLoopback((req, reply) => {
    if (signIn && req.method === 'GET' && req.path === '/services/oauth2/authorize') {
      const answer = authorizeReply(signIn, req.query);
      return reply(answer.status, answer.body, answer.headers);
    }
    if (req.method === 'POST' && req.path === '/services/oauth2/token') return token(req, reply);
    if (req.method === 'GET' && req.path.startsWith(`/services/data/${SALESFORCE_API_VERSION}/query`)) return query(req, reply);
    reply(404, sfError('NOT_FOUND', 'The requested resource does not exist'));
  });
  return {
    ...loopback,
    tokenRequests: () => loopback.requests.filter((r) => r.method === 'POST'),
    dataRequests: () => loopback.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/services/data/')),
    /** The admin revokes the connected app's access: refresh tokens stop working. */
    revokeSignIns: () => signIn?.revokeAll(),
  };
}
