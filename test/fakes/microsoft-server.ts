/**
 * A loopback Microsoft Entra ID (identity platform token endpoint and Microsoft Graph) for
 * connector tests, built from Microsoft's documentation:
 * - learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow: POST
 *   `/{tenant}/oauth2/v2.0/token` with form client_id, scope (`https://graph.microsoft.com/.default`),
 *   client_secret, grant_type=client_credentials; answers `{token_type, expires_in,
 *   ext_expires_in, access_token}`; errors `{error, error_description, error_codes, timestamp,
 *   trace_id, correlation_id}`: unknown tenant 400 invalid_request AADSTS90002, unknown app 400
 *   unauthorized_client AADSTS700016, wrong secret 401 invalid_client AADSTS7000215.
 * - learn.microsoft.com/graph/api/user-list (v1.0): `GET /v1.0/users` with `$select`, `$top`
 *   (users: default 100, at most 999, "Invalid page size specified" beyond), `$expand`; answers
 *   `{"@odata.context", value, "@odata.nextLink"}`, the next link an absolute URL carrying
 *   `$skiptoken`; accountEnabled, otherMails and employeeType are returned only when selected.
 * - learn.microsoft.com/graph/api/user-list-manager: `GET /users?$expand=manager` (with
 *   `$select` inside the expand), the manager absent for people without one.
 * - learn.microsoft.com/graph/errors and /graph/throttling: `{error: {code, message,
 *   innerError}}`; 401 InvalidAuthenticationToken; throttling is 429 TooManyRequests with Retry-After.
 * - developer.microsoft.com/graph/known-issues (13635): `$expand` on directory objects returns
 *   at most 100 objects, whatever `$top` asks: with `$expand=manager` a page holds 100 users.
 * - learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow (with `signIn`): GET
 *   `/{tenant}/oauth2/v2.0/authorize` redirects to the redirect_uri with `code` and `state` (or
 *   `error=access_denied`); POST `/{tenant}/oauth2/v2.0/token` with grant_type=authorization_code,
 *   code, redirect_uri, code_verifier, client_secret answers `{token_type, scope, expires_in,
 *   ext_expires_in, access_token, refresh_token}`; grant_type=refresh_token renews; refusals are
 *   invalid_grant (AADSTS54005 code already redeemed, AADSTS70008 expired code, AADSTS501481
 *   code verifier mismatch, AADSTS50173 revoked grant) and invalid_client (AADSTS7000215).
 * - learn.microsoft.com/graph/api/user-delta and microsoftgraph/microsoft-graph-docs-contrib
 *   concepts/delta-query-overview.md (commit 01a90577547eb7a498716ca4530d92e0eb406a0e) and
 *   delta-query-users.md (135d0012d7737c252edee4768dba08ef3f45a659): `GET /v1.0/users/delta`
 *   with `$select` (encoded into the tokens, never repeated), no `$expand`, no `$top`; pages by
 *   `@odata.nextLink` (`$skiptoken`), the round ending with `@odata.deltaLink` (`$deltatoken`);
 *   properties never set are left out; a later round lists changed users with every selected
 *   property that is set (or, with `sendOnlyChanged`, only what changed, as the overview allows),
 *   `manager@delta` only when the manager changed, and removed users as `{ id, "@removed":
 *   { reason } }`. An expired delta link answers 400 `syncStateNotFound` with Microsoft's words
 *   (Microsoft 365 Developer Blog, 2020-07-03: directory delta links last seven days); a tenant
 *   Graph must resynchronize answers 410 Gone with a Location header (overview, "Synchronization
 *   reset"), code `resyncRequired` (concepts/errors.md).
 * - A `$select` naming a property users do not have is refused with 400 `Request_BadRequest`
 *   "Could not find a property named … on type 'Microsoft.DirectoryServices.User'", as Graph does.
 * Pages are served from `pageLimit` users at most (Graph may return fewer than $top; it sizes delta pages itself).
 */
import { randomUUID } from 'node:crypto';
import { authorizeReply, createAuthorizationServer, type Refusal, type SignInOptions } from './authorization-code.js';
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface MicrosoftFakeOptions {
  users: Record<string, unknown>[];
  tenantId: string;
  clientId: string;
  clientSecret: string;
  expiresIn?: number;
  pageLimit?: number;
  failures?: Failure[];
  retryAfterSeconds?: number;
  /** Where @odata.nextLink points instead of this server (a hostile or misconfigured proxy). */
  nextLinkOrigin?: string;
  /** Tokens stop being accepted after this many data requests (revoked, or a shortened lifetime). */
  revokeTokensAfter?: number;
  /** Serve the delegated sign-in (authorization code) for the app as well. */
  signIn?: SignInOptions;
  /** Delta answers carry only the properties a change touched (and the id). */
  sendOnlyChanged?: boolean;
}

/** User properties this fake knows for `$select` (Graph refuses others); `manager` only on delta, where it is tracked. */
const USER_PROPERTIES = new Set([
  'id',
  'accountEnabled',
  'businessPhones',
  'department',
  'displayName',
  'employeeType',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
]);
const DEFAULT_SELECT = 'id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,officeLocation';

/** One entry of the fake's change log: a user changed (these properties) or removed. */
interface Change {
  id: string;
  properties?: string[];
  removed?: 'changed' | 'deleted';
  formerManager?: string | undefined;
}

const AAD_REFUSALS: Record<Refusal['reason'], [number, string]> = {
  client: [7000215, 'Invalid client secret provided.'],
  code_unknown: [9002313, 'Invalid request. Request is malformed or invalid.'],
  code_used: [54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  code_expired: [70008, 'The provided authorization code or refresh token has expired due to inactivity.'],
  redirect_uri: [500112, 'The reply address does not match the reply address provided when requesting Authorization code.'],
  pkce: [501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'],
  refresh_token: [50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed.'],
};

const graphError = (code: string, message: string) => ({
  error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } },
});

const aadError = (error: string, code: number, description: string) => ({
  error,
  error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
  error_codes: [code],
  timestamp: new Date().toISOString(),
  trace_id: randomUUID(),
  correlation_id: randomUUID(),
  error_uri: `https://login.microsoftonline.com/error?code=${code}`,
});

export async function startMicrosoftFake(options: MicrosoftFakeOptions) {
  const issued = new Set<string>();
  let serial = 0;
  let served = 0;

  const signIn = options.signIn ? createAuthorizationServer(options, options.signIn) : null;

  const directory = [...options.users];
  const log: Change[] = [];
  /** Delta tokens issued: where in the log each round ended, what it selected, and its serial. */
  const deltaTokens = new Map<string, { upTo: number; select: string[]; serial: number }>();
  /** Rounds being paged: what they answer and the delta token their last page gives. */
  const rounds = new Map<string, { items: Record<string, unknown>[]; deltaToken: string }>();
  let serials = 0;
  let expiredUpTo = 0;
  let resetUpTo = 0;

  function issue(reply: Reply, extra: Record<string, unknown>) {
    const accessToken = `eyJ0eXAiOiJKV1Qi.fake-${++serial}`;
    issued.add(accessToken);
    const life = options.expiresIn ?? 3599;
    reply(200, { token_type: 'Bearer', expires_in: life, ext_expires_in: life, access_token: accessToken, ...extra });
  }

  /** The delegated grants, for any tenant ("organizations" included) the admin's account is in. */
  function delegated(form: URLSearchParams, reply: Reply) {
    const grant = form.get('grant_type');
    const outcome = grant === 'authorization_code' ? signIn!.redeem(form) : signIn!.refresh(form);
    if ('status' in outcome) {
      const [code, text] = AAD_REFUSALS[outcome.reason];
      return reply(outcome.status, aadError(outcome.error, code, text));
    }
    const scope = 'https://graph.microsoft.com/User.Read.All';
    if (grant === 'refresh_token' && !(form.get('scope') ?? '').split(' ').includes(scope)) {
      return reply(400, aadError('invalid_scope', 70011, 'The provided value for the input parameter scope is not valid.'));
    }
    issue(reply, { scope, ...('refreshToken' in outcome && outcome.refreshToken ? { refresh_token: outcome.refreshToken } : {}) });
  }

  function token(req: RecordedRequest, reply: Reply, tenant: string) {
    const form = new URLSearchParams(req.body);
    if (signIn && ['authorization_code', 'refresh_token'].includes(form.get('grant_type') ?? '')) return delegated(form, reply);
    if (tenant !== options.tenantId)
      return reply(
        400,
        aadError(
          'invalid_request',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        ),
      );
    if (form.get('grant_type') !== 'client_credentials')
      return reply(400, aadError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'));
    if (form.get('client_id') !== options.clientId) {
      return reply(
        400,
        aadError('unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`),
      );
    }
    if (form.get('scope') !== 'https://graph.microsoft.com/.default')
      return reply(400, aadError('invalid_scope', 1002012, 'The provided value for scope is not valid.'));
    if (form.get('client_secret') !== options.clientSecret) {
      return reply(
        401,
        aadError(
          'invalid_client',
          7000215,
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        ),
      );
    }
    issue(reply, {});
  }

  /** Refuses what Graph refuses before any data: no or a bad token, throttling, an outage; false when it answered. */
  function admitted(req: RecordedRequest, reply: Reply): Failure | null | false {
    const bearer = bearerOf(req);
    if (!bearer) return (void reply(401, graphError('InvalidAuthenticationToken', 'Access token is empty.')), false);
    if (!issued.has(bearer)) return (void reply(401, graphError('InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')), false);
    if (options.revokeTokensAfter !== undefined && served >= options.revokeTokensAfter) {
      issued.delete(bearer);
      return (void reply(401, graphError('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.')), false);
    }
    const failure = options.failures?.shift() ?? null;
    if (failure === 'throttle') {
      return (void reply(429, graphError('TooManyRequests', 'Too many requests.'), { 'Retry-After': String(options.retryAfterSeconds ?? 3) }), false);
    }
    if (failure === '5xx') return (void reply(503, graphError('serviceNotAvailable', 'Service unavailable')), false);
    served++;
    if (failure === 'malformed') return (void reply(200, { '@odata.context': `${req.origin}/v1.0/$metadata#users`, value: 'nobody' }), false);
    return failure;
  }

  /** The `$select` list, or the property Graph would say it cannot find. */
  function selected(query: URLSearchParams, extra: string[] = []): string[] | { unknown: string } {
    const select = (query.get('$select') ?? DEFAULT_SELECT).split(',').map((p) => p.trim());
    const unknown = select.find((p) => !USER_PROPERTIES.has(p) && !extra.includes(p));
    return unknown === undefined ? select : { unknown };
  }
  const noSuchProperty = (name: string) =>
    graphError('Request_BadRequest', `Could not find a property named '${name}' on type 'Microsoft.DirectoryServices.User'.`);

  function users(req: RecordedRequest, reply: Reply) {
    const top = Number(req.query.get('$top') ?? 100);
    if (admitted(req, reply) === false) return;
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return reply(
        400,
        graphError('Request_UnsupportedQuery', `Invalid page size specified: '${req.query.get('$top')}'. Must be between 1 and 999 inclusive.`),
      );
    }
    const offset = Number(req.query.get('$skiptoken')?.replace(/^X'|'$/g, '') ?? 0);
    const select = selected(req.query);
    if (!Array.isArray(select)) return reply(400, noSuchProperty(select.unknown));
    const expandManager = /^manager(\(\$select=[\w,]+\))?$/.test(req.query.get('$expand') ?? '');
    const size = Math.min(top, expandManager ? 100 : 999, options.pageLimit ?? 999);
    const page = directory.slice(offset, offset + size).map((u) => {
      const out: Record<string, unknown> = {};
      for (const field of select) out[field] = u[field] ?? null;
      if (expandManager && typeof u.managerId === 'string') out.manager = { '@odata.type': '#microsoft.graph.user', id: u.managerId };
      return out;
    });
    const next = new URL(`${options.nextLinkOrigin ?? req.origin}/v1.0/users`);
    for (const [k, v] of req.query) if (k !== '$skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', `X'${offset + size}'`);
    reply(200, {
      '@odata.context': `${req.origin}/v1.0/$metadata#users(${select.join(',')})`,
      value: page,
      ...(offset + size < directory.length ? { '@odata.nextLink': next.toString() } : {}),
    });
  }

  /** A user as a delta round shows them: the selected properties that are set (only `only`, if given), the manager as `manager@delta`. */
  function inDelta(
    user: Record<string, unknown>,
    select: string[],
    only?: string[],
    formerManager?: string,
    touched = new Set<string>(),
  ): Record<string, unknown> {
    const out: Record<string, unknown> = { id: user.id };
    for (const property of select) {
      if (property === 'manager' || (only && !only.includes(property))) continue;
      if (user[property] !== undefined && user[property] !== null) out[property] = user[property];
      else if (touched.has(property)) out[property] = null; // cleared by the change: sent as null; never set: left out
    }
    if (select.includes('manager') && (!only || only.includes('managerId'))) {
      if (typeof user.managerId === 'string') out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: user.managerId }];
      else if (only && formerManager) out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: formerManager, '@removed': { reason: 'deleted' } }];
    }
    return out;
  }

  /** The changes after `upTo` in the log, as a later round lists them: one item per user, in the order of their last change. */
  function changesSince(upTo: number, select: string[]): Record<string, unknown>[] {
    const last = new Map<string, { change: Change; touched: Set<string> }>();
    for (const change of log.slice(upTo)) {
      const before = last.get(change.id);
      const touched = new Set([...(before && !before.change.removed ? before.touched : []), ...(change.properties ?? [])]);
      last.delete(change.id);
      last.set(change.id, { change: { ...change, formerManager: before?.change.formerManager ?? change.formerManager }, touched });
    }
    return [...last.values()].map(({ change, touched }) => {
      if (change.removed) return { id: change.id, '@removed': { reason: change.removed } };
      const user = directory.find((u) => u.id === change.id)!;
      // Unchanged properties come with their old values (user-delta's default), the manager only when it changed.
      const properties = options.sendOnlyChanged
        ? [...touched]
        : [...select.filter((p) => p !== 'manager'), ...(touched.has('managerId') ? ['managerId'] : [])];
      return inDelta(user, select, properties, change.formerManager, touched);
    });
  }

  function delta(req: RecordedRequest, reply: Reply) {
    for (const unsupported of ['$top', '$expand', '$orderby']) {
      if (req.query.has(unsupported))
        return reply(400, graphError('Request_UnsupportedQuery', `Unsupported query option '${unsupported}' for delta on users.`));
    }
    if (admitted(req, reply) === false) return;
    const skip = req.query.get('$skiptoken');
    const token = req.query.get('$deltatoken');
    let roundId: string;
    let offset = 0;
    if (skip) {
      [roundId = '', offset = 0] = [skip.split('.')[0], Number(skip.split('.')[1])];
      if (!rounds.has(roundId)) return reply(400, graphError('BadRequest', 'Badly formed token.'));
    } else {
      let items: Record<string, unknown>[];
      let select: string[];
      if (token !== null) {
        const mark = deltaTokens.get(token);
        if (mark && mark.serial <= resetUpTo) {
          return reply(410, graphError('resyncRequired', 'The delta token is no longer valid, and the app must reset the sync state.'), {
            Location: `${req.origin}${req.path}?$deltatoken=`,
          });
        }
        if (!mark || mark.serial <= expiredUpTo) {
          return reply(
            400,
            graphError('syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.'),
          );
        }
        select = mark.select;
        items = changesSince(mark.upTo, select);
      } else {
        const asked = selected(req.query, ['manager']);
        if (!Array.isArray(asked)) return reply(400, noSuchProperty(asked.unknown));
        select = asked;
        items = directory.map((u) => inDelta(u, select));
      }
      const deltaToken = `delta-${++serials}-${randomUUID()}`;
      deltaTokens.set(deltaToken, { upTo: log.length, select, serial: serials });
      roundId = `round${serials}`;
      rounds.set(roundId, { items, deltaToken });
    }
    const round = rounds.get(roundId)!;
    const size = options.pageLimit ?? 100;
    const link = `${options.nextLinkOrigin ?? req.origin}${req.path}`;
    const more = offset + size < round.items.length;
    reply(200, {
      '@odata.context': `${req.origin}/v1.0/$metadata#users`,
      ...(more ? { '@odata.nextLink': `${link}?$skiptoken=${roundId}.${offset + size}` } : { '@odata.deltaLink': `${link}?$deltatoken=${round.deltaToken}` }),
      value: round.items.slice(offset, offset + size),
    });
  }

  const loopback = await startLoopback((req, reply) => {
    if (signIn && req.method === 'GET' && /^\/[^/]+\/oauth2\/v2\.0\/authorize$/.test(req.path)) {
      const answer = authorizeReply(signIn, req.query);
      return reply(answer.status, answer.body, answer.headers);
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (req.method === 'POST' && tokenPath) return token(req, reply, decodeURIComponent(tokenPath[1]!));
    if (req.method === 'GET' && req.path === '/v1.0/users') return users(req, reply);
    if (req.method === 'GET' && req.path === '/v1.0/users/delta') return delta(req, reply);
    reply(400, graphError('BadRequest', `Resource not found for the segment '${req.path.split('/').pop()}'.`));
  });
  return {
    ...loopback,
    tokenRequests: () => loopback.requests.filter((r) => r.method === 'POST'),
    dataRequests: () => loopback.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1.0/')),
    /** The admin revokes the app's access: refresh tokens stop working. */
    revokeSignIns: () => signIn?.revokeAll(),
    /** Someone edits a user (or creates one): these properties (`managerId` for the manager) change. */
    changeUser(id: string, properties: Record<string, unknown>) {
      let user = directory.find((u) => u.id === id);
      if (!user) directory.push((user = { id }));
      const formerManager = typeof user.managerId === 'string' ? user.managerId : undefined;
      Object.assign(user, properties);
      log.push({ id, properties: Object.keys(properties), formerManager });
    },
    /** A user is deleted: `changed` while restorable, `deleted` for good. */
    removeUser(id: string, reason: 'changed' | 'deleted' = 'changed') {
      const at = directory.findIndex((u) => u.id === id);
      if (at >= 0) directory.splice(at, 1);
      log.push({ id, removed: reason });
    },
    /** Seven days pass: every delta link issued so far has expired. */
    expireDeltaLinks: () => void (expiredUpTo = serials),
    /** Graph must resynchronize the tenant: every delta link issued so far answers 410 Gone. */
    requireResync: () => void (resetUpTo = serials),
  };
}
