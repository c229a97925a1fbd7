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
 * Pages are served from `pageLimit` users at most (Graph may return fewer than $top).
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
    if (tenant !== options.tenantId) return reply(400, aadError('invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`));
    if (form.get('grant_type') !== 'client_credentials') return reply(400, aadError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'));
    if (form.get('client_id') !== options.clientId) {
      return reply(400, aadError('unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`));
    }
    if (form.get('scope') !== 'https://graph.microsoft.com/.default') return reply(400, aadError('invalid_scope', 1002012, 'The provided value for scope is not valid.'));
    if (form.get('client_secret') !== options.clientSecret) {
      return reply(401, aadError('invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.'));
    }
    issue(reply, {});
  }

  function users(req: RecordedRequest, reply: Reply) {
    const bearer = bearerOf(req);
    if (!bearer) return reply(401, graphError('InvalidAuthenticationToken', 'Access token is empty.'));
    if (!issued.has(bearer)) return reply(401, graphError('InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'));
    if (options.revokeTokensAfter !== undefined && served >= options.revokeTokensAfter) {
      issued.delete(bearer);
      return reply(401, graphError('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'));
    }
    const top = Number(req.query.get('$top') ?? 100);
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return reply(400, graphError('Request_UnsupportedQuery', `Invalid page size specified: '${req.query.get('$top')}'. Must be between 1 and 999 inclusive.`));
    }
    const failure = options.failures?.shift();
    if (failure === 'throttle') {
      return reply(429, graphError('TooManyRequests', 'Too many requests.'), { 'Retry-After': String(options.retryAfterSeconds ?? 3) });
    }
    if (failure === '5xx') return reply(503, graphError('serviceNotAvailable', 'Service unavailable'));
    served++;
    const offset = Number(req.query.get('$skiptoken')?.replace(/^X'|'$/g, '') ?? 0);
    if (failure === 'malformed') return reply(200, { '@odata.context': `${req.origin}/v1.0/$metadata#users`, value: 'nobody' });
    const select = (req.query.get('$select') ?? 'id,displayName,givenName,surname,mail,userPrincipalName,jobTitle,officeLocation').split(',');
    const expandManager = /^manager(\(\$select=[\w,]+\))?$/.test(req.query.get('$expand') ?? '');
    const size = Math.min(top, expandManager ? 100 : 999, options.pageLimit ?? 999);
    const page = options.users.slice(offset, offset + size).map((u) => {
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
      ...(offset + size < options.users.length ? { '@odata.nextLink': next.toString() } : {}),
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
    reply(400, graphError('BadRequest', `Resource not found for the segment '${req.path.split('/').pop()}'.`));
  });
  return {
    ...loopback,
    tokenRequests: () => loopback.requests.filter((r) => r.method === 'POST'),
    dataRequests: () => loopback.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1.0/')),
    /** The admin revokes the app's access: refresh tokens stop working. */
    revokeSignIns: () => signIn?.revokeAll(),
  };
}
