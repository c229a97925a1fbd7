/**
 * A loopback Okta org (Users API and org authorization server) for connector tests, built from
 * Okta's own published material:
 * - okta/okta-management-openapi-spec, dist/current/management-minimal.yaml, operation listUsers
 *   (`GET /api/v1/users`): parameters search, filter, q, after, limit (default 200), sortBy,
 *   sortOrder, fields, expand; an array of users; "omits users that have a status of
 *   DEPROVISIONED… To return all users, use a filter or search query"; `filter` supports `eq` on
 *   `status` (and a few profile fields) joined by `and`/`or`; pages continue through the `Link`
 *   header's `rel="next"` URL with an opaque `after`; 403 and 429 answer the `Error` schema
 *   (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`), the examples
 *   ErrorAccessDenied (E0000006), ErrorTooManyRequests (E0000047), ErrorInvalidTokenProvided
 *   (E0000011, 401); security `apiToken` ("SSWS {API Token}") or `oauth2` with okta.users.read.
 * - developer.okta.com/docs/reference/rl-best-practices: every answer carries
 *   X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset (epoch seconds); past the
 *   limit a 429 with the same headers.
 * - developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp: POST /oauth2/v1/token with
 *   grant_type=client_credentials, scope, client_assertion_type
 *   (urn:ietf:params:oauth:client-assertion-type:jwt-bearer) and client_assertion, a JWT signed
 *   with the app's key whose iss and sub are the client id, aud the token URL, exp at most an hour
 *   after iat, and a jti; answers `{token_type: "Bearer", expires_in: 3600, access_token, scope}`;
 *   refusals are RFC 6749 `{error, error_description}` (invalid_client, invalid_scope).
 * Strictness beyond what the spec names (the stand-in's own choice, so the connector cannot grow
 * to depend on leniency): query parameters outside listUsers' list and a `limit` above 200 are
 * refused with Okta's validation error E0000001.
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface OktaUser {
  id: string;
  status: string;
  profile: Record<string, unknown>;
  [other: string]: unknown;
}

export interface OktaFakeOptions {
  users: OktaUser[];
  /** SSWS tokens accepted. */
  apiTokens?: string[];
  /** The API service app, when OAuth is served. */
  serviceApp?: { clientId: string; publicKey: KeyObject; scopes?: string[] };
  /** Answers read by the fake on each data request: one entry each, null for normally. */
  failures?: (Failure | 'unauthorized' | null)[];
  /** Users per page when the client asks for more (Okta may return fewer than `limit`). */
  pageLimit?: number;
  /** Requests allowed per window, reported in X-Rate-Limit-Limit and counted down in -Remaining. */
  rateLimit?: number;
  /** Seconds until X-Rate-Limit-Reset (and a throttled answer's reset). */
  resetInSeconds?: number;
}

const LIST_USERS_PARAMS = new Set(['search', 'filter', 'q', 'after', 'limit', 'sortBy', 'sortOrder', 'fields', 'expand']);
const MAX_LIMIT = 200;

let errorIds = 0;
export const oktaError = (errorCode: string, errorSummary: string, errorCauses: { errorSummary: string }[] = []) => ({
  errorCode,
  errorSummary,
  errorLink: errorCode,
  errorId: `oae${String(++errorIds).padStart(20, '0')}`,
  errorCauses,
});

const b64json = (part: string | undefined): Record<string, unknown> | null => {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** `status eq "A" or status eq "B"`: the statuses asked for, or null for an expression this stand-in does not read. */
function statusFilter(filter: string): Set<string> | null {
  const terms = filter.split(/\s+or\s+/i).map((t) => /^\(?\s*status\s+eq\s+"([A-Z_]+)"\s*\)?$/i.exec(t.trim()));
  if (terms.some((t) => !t)) return null;
  return new Set(terms.map((t) => t![1]!));
}

export async function startOktaFake(options: OktaFakeOptions) {
  const apiTokens = new Set(options.apiTokens ?? []);
  const issued = new Map<string, string[]>();
  const usedJtis = new Set<string>();
  const limit = options.rateLimit ?? 600;
  let remaining = limit;
  /** The current rate-limit window's end, in epoch seconds; a request after it opens the next window. */
  let windowEnds = 0;
  let serial = 0;

  function countRequest() {
    const now = Date.now() / 1000;
    if (now >= windowEnds) {
      windowEnds = Math.ceil(now) + (options.resetInSeconds ?? 60);
      remaining = limit;
    }
    remaining--;
  }

  function rateHeaders(): Record<string, string> {
    return {
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, remaining)),
      'X-Rate-Limit-Reset': String(windowEnds || Math.ceil(Date.now() / 1000) + (options.resetInSeconds ?? 60)),
    };
  }

  function token(req: RecordedRequest, send: Reply) {
    const form = new URLSearchParams(req.body);
    const app = options.serviceApp;
    const refuse = (status: number, error: string, description: string) => send(status, { error, error_description: description });
    if (!app) return refuse(401, 'invalid_client', 'Client authentication failed.');
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return refuse(401, 'invalid_client', 'The client_assertion_type is invalid.');
    const [h, c, s] = (form.get('client_assertion') ?? '').split('.');
    const header = b64json(h);
    const claims = b64json(c);
    if (!header || !claims || !s) return refuse(401, 'invalid_client', 'The client_assertion token is malformed.');
    const verify = createVerify('SHA256').update(`${h}.${c}`);
    const key = app.publicKey;
    const ok =
      header.alg === 'ES256' ? verify.verify({ key, dsaEncoding: 'ieee-p1363' }, s, 'base64url') : header.alg === 'RS256' && verify.verify(key, s, 'base64url');
    if (!ok) return refuse(401, 'invalid_client', 'The client_assertion signature is invalid.');
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== app.clientId || claims.sub !== app.clientId)
      return refuse(401, 'invalid_client', 'The client_assertion token has an invalid issuer or subject.');
    if (claims.aud !== `${req.origin}/oauth2/v1/token`)
      return refuse(401, 'invalid_client', 'The audience claim for client_assertion must be the endpoint invoked for the request.');
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(exp) || exp <= now || !Number.isFinite(iat) || exp - iat > 3600)
      return refuse(401, 'invalid_client', 'The client_assertion token is expired or lives longer than one hour.');
    const jti = typeof claims.jti === 'string' ? claims.jti : '';
    if (!jti || usedJtis.has(jti)) return refuse(401, 'invalid_client', 'The client_assertion token has already been used or has no jti.');
    usedJtis.add(jti);
    const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const granted = app.scopes ?? ['okta.users.read'];
    if (asked.length === 0 || asked.some((x) => !granted.includes(x)))
      return refuse(400, 'invalid_scope', 'The following scopes were requested, but not granted: ' + asked.filter((x) => !granted.includes(x)).join(' '));
    const accessToken = `eyJraWQiOiJva3RhLWZha2UifQ.access.${++serial}`;
    issued.set(accessToken, asked);
    return send(200, { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope: asked.join(' ') });
  }

  function users(req: RecordedRequest, send: Reply) {
    const auth = String(req.headers.authorization ?? '');
    const ssws = /^SSWS (.+)$/.exec(auth)?.[1];
    const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
    const failure = options.failures?.shift();
    if (((ssws === undefined || !apiTokens.has(ssws)) && (bearer === undefined || !issued.has(bearer))) || failure === 'unauthorized') {
      return send(401, oktaError('E0000011', 'Invalid token provided'), rateHeaders());
    }
    if (bearer !== undefined && !issued.get(bearer)!.includes('okta.users.read')) {
      return send(403, oktaError('E0000006', 'You do not have permission to perform the requested action'), rateHeaders());
    }
    countRequest();
    if (failure === 'throttle' || remaining < 0) {
      return send(429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'), rateHeaders());
    }
    if (failure === '5xx') return send(500, oktaError('E0000009', 'Internal Server Error'), rateHeaders());
    if (failure === 'malformed') return send(200, '[{"id":"00u1', rateHeaders());

    const unknown = [...req.query.keys()].find((k) => !LIST_USERS_PARAMS.has(k));
    if (unknown)
      return send(400, oktaError('E0000001', 'Api validation failed: ' + unknown, [{ errorSummary: `${unknown}: unknown query parameter` }]), rateHeaders());
    const limitText = req.query.get('limit');
    const limit = limitText === null ? MAX_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return send(400, oktaError('E0000001', 'Api validation failed: limit', [{ errorSummary: `limit: must be between 1 and ${MAX_LIMIT}` }]), rateHeaders());
    const filter = req.query.get('filter');
    const statuses = filter === null ? null : statusFilter(filter);
    if (filter !== null && !statuses) return send(400, oktaError('E0000031', 'Invalid search criteria.'), rateHeaders());

    // Without a filter Okta leaves deprovisioned users out; with one, exactly the statuses named.
    const listed = options.users.filter((u) => (statuses ? statuses.has(u.status) : u.status !== 'DEPROVISIONED'));
    const after = req.query.get('after');
    const start = after === null ? 0 : listed.findIndex((u) => u.id === after) + 1;
    if (after !== null && start === 0) return send(400, oktaError('E0000001', 'Api validation failed: after'), rateHeaders());
    const size = Math.min(limit, options.pageLimit ?? MAX_LIMIT);
    const page = listed.slice(start, start + size);
    const link = (cursor: string | null) => {
      const q = new URLSearchParams(req.query);
      q.delete('after');
      if (cursor) q.set('after', cursor);
      return `${req.origin}${req.path}?${q.toString()}`;
    };
    const links = [`<${link(after)}>; rel="self"`];
    if (start + size < listed.length) links.push(`<${link(page.at(-1)!.id)}>; rel="next"`);
    return send(200, page, { ...rateHeaders(), Link: links.join(', ') });
  }

  return startLoopback((req, send) => {
    if (req.method === 'POST' && req.path === '/oauth2/v1/token') return token(req, send);
    if (req.method === 'GET' && req.path === '/api/v1/users') return users(req, send);
    return send(404, oktaError('E0000022', 'The endpoint does not support the provided HTTP method'));
  });
}
