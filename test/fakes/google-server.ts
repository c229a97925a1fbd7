/**
 * A loopback Google Workspace (token endpoint and Admin SDK Directory API) for connector tests,
 * built from Google's documentation:
 * - developers.google.com/identity/protocols/oauth2/service-account ("Preparing to make an
 *   authorized API call" over HTTP/REST): POST form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 *   and `assertion`, a JWT `{"alg":"RS256","typ":"JWT"}` whose claims are iss (the service
 *   account's email), scope (space-delimited), aud (the token URI), exp (at most 1 hour after
 *   iat), iat, and sub (the user impersonated with domain-wide delegation); answers
 *   `{access_token, expires_in, token_type}`; a bad signature is 400 `invalid_grant` "Invalid JWT
 *   Signature.", a client not delegated the scope is 401 `unauthorized_client`.
 * - developers.google.com/admin-sdk/directory/reference/rest/v1/users/list: `GET
 *   /admin/directory/v1/users` with `customer` (or `domain`), `maxResults` 1–500 (default 100),
 *   `pageToken`, `projection`; answers `{kind, etag, users, nextPageToken}` (users absent when
 *   none); the users resource fields (name, primaryEmail, suspended, archived, organizations,
 *   relations, emails, locations, thumbnailPhotoUrl).
 * - developers.google.com/admin-sdk/directory/v1/limits: throttling is 403 `userRateLimitExceeded`
 *   or `quotaExceeded`, or 429 `rateLimitExceeded`, in the standard Google error body
 *   `{error: {code, message, errors: [{message, domain, reason}], status}}`.
 * - developers.google.com/identity/protocols/oauth2/web-server (with `signIn`): GET
 *   `/o/oauth2/v2/auth` (accounts.google.com) redirects to the redirect_uri with `code` and
 *   `state` (or `error=access_denied`); POST `/token` with grant_type=authorization_code, code,
 *   client_id, client_secret, redirect_uri, code_verifier answers `{access_token, expires_in,
 *   refresh_token, scope, token_type}`; grant_type=refresh_token answers the same without a
 *   refresh token; refusals are 400 invalid_grant ("Bad Request", "Token has been expired or
 *   revoked.", "Missing code verifier.") and 401 invalid_client ("Unauthorized").
 * - developers.google.com/workspace/admin/directory/v1/guides/performance#partial (partial
 *   response): `fields` names the fields answered, comma-separated, sub-fields in parentheses or
 *   after a slash, applied to each element of a list; a name the resource lacks is 400
 *   `invalidParameter` "Invalid field selection …".
 * Pages are served from `pageLimit` users at most (Google may return fewer than maxResults).
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { authorizeReply, createAuthorizationServer, type Refusal, type SignInOptions } from './authorization-code.js';
import { bearerOf, startLoopback, type Failure, type RecordedRequest, type Reply } from './loopback.js';

export interface GoogleFakeOptions {
  users: Record<string, unknown>[];
  /** The service account's public key: signatures made with another key are refused. */
  publicKey: KeyObject;
  clientEmail: string;
  /** Admins the service account may impersonate (domain-wide delegation). */
  delegatedSubjects: string[];
  expiresIn?: number;
  pageLimit?: number;
  failures?: Failure[];
  throttle?: 'userRateLimitExceeded' | 'quotaExceeded' | 'rateLimitExceeded' | 'dailyLimitExceeded';
  /** Serve the web server flow for this OAuth client (an admin signs in and consents) as well. */
  signIn?: SignInOptions & { clientId: string; clientSecret: string };
}

const GOOGLE_REFUSALS: Record<Refusal['reason'], string> = {
  client: 'Unauthorized',
  code_unknown: 'Malformed auth code.',
  code_used: 'Bad Request',
  code_expired: 'Bad Request',
  redirect_uri: 'Bad Request',
  pkce: 'Invalid code verifier.',
  refresh_token: 'Token has been expired or revoked.',
};

export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

const googleError = (code: number, status: string, reason: string, message: string, domain = 'global') => ({
  error: { code, message, errors: [{ message, domain, reason }], status },
});

const b64url = (s: string) => Buffer.from(s, 'base64url');

/** A `fields` selection: each name with its sub-selection, or null for the whole field. */
type Selection = Map<string, Selection | null>;

/** The `fields` parameter read, or the part Google would call an invalid selection. */
function parseFields(text: string): Selection | { invalid: string } {
  let at = 0;
  function list(): Selection {
    const out: Selection = new Map();
    do {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(at))?.[0];
      if (!name) throw new Error(text.slice(at) || text);
      at += name.length;
      let sub: Selection | null = null;
      if (text[at] === '/') {
        at++;
        sub = list1();
      } else if (text[at] === '(') {
        at++;
        sub = list();
        if (text[at++] !== ')') throw new Error(text);
      }
      out.set(name, sub);
    } while (text[at] === ',' && ++at);
    return out;
  }
  // After a slash: one path, `a/b/c`.
  function list1(): Selection {
    const name = /^[A-Za-z_]\w*/.exec(text.slice(at))?.[0];
    if (!name) throw new Error(text);
    at += name.length;
    const sub = text[at] === '/' ? (at++, list1()) : null;
    return new Map([[name, sub]]);
  }
  try {
    const selection = list();
    return at === text.length ? selection : { invalid: text.slice(at) };
  } catch (err) {
    return { invalid: (err as Error).message };
  }
}

function select(value: unknown, selection: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => select(v, selection));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selection) {
    const field = (value as Record<string, unknown>)[name];
    if (field !== undefined) out[name] = sub ? select(field, sub) : field;
  }
  return out;
}

const LIST_FIELDS = new Set(['kind', 'etag', 'users', 'nextPageToken', 'trigger_event']);
/** The users resource's fields (reference/rest/v1/users). */
const USER_FIELDS = new Set([
  'kind',
  'id',
  'etag',
  'primaryEmail',
  'name',
  'isAdmin',
  'isDelegatedAdmin',
  'lastLoginTime',
  'creationTime',
  'agreedToTerms',
  'suspended',
  'archived',
  'changePasswordAtNextLogin',
  'ipWhitelisted',
  'emails',
  'relations',
  'organizations',
  'phones',
  'addresses',
  'locations',
  'orgUnitPath',
  'isMailboxSetup',
  'includeInGlobalAddressList',
  'thumbnailPhotoUrl',
  'thumbnailPhotoEtag',
  'customerId',
  'customSchemas',
  'externalIds',
  'languages',
  'gender',
  'keywords',
  'recoveryEmail',
  'recoveryPhone',
  'suspensionReason',
  'aliases',
  'nonEditableAliases',
  'isEnrolledIn2Sv',
  'isEnforcedIn2Sv',
  'ims',
  'websites',
  'posixAccounts',
  'sshPublicKeys',
  'notes',
  'deletionTime',
]);

export async function startGoogleFake(options: GoogleFakeOptions) {
  const issued = new Set<string>();
  const claims: Record<string, unknown>[] = [];
  let serial = 0;

  const signIn = options.signIn ? createAuthorizationServer(options.signIn, options.signIn) : null;

  function token(req: RecordedRequest, reply: Reply) {
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type');
    if (signIn && (grant === 'authorization_code' || grant === 'refresh_token')) {
      const outcome = grant === 'authorization_code' ? signIn.redeem(form) : signIn.refresh(form);
      if ('status' in outcome) return reply(outcome.status, { error: outcome.error, error_description: GOOGLE_REFUSALS[outcome.reason] });
      const accessToken = `ya29.fake-${++serial}`;
      issued.add(accessToken);
      const refresh = 'refreshToken' in outcome && outcome.refreshToken ? { refresh_token: outcome.refreshToken } : {};
      return reply(200, { access_token: accessToken, expires_in: options.expiresIn ?? 3599, scope: GOOGLE_SCOPE, token_type: 'Bearer', ...refresh });
    }
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return reply(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + form.get('grant_type') });
    }
    const [h, p, s] = (form.get('assertion') ?? '').split('.');
    if (!h || !p || !s) return reply(400, { error: 'invalid_request', error_description: 'Invalid JWT.' });
    const header = JSON.parse(b64url(h).toString()) as Record<string, unknown>;
    const verified = header.alg === 'RS256' && createVerify('RSA-SHA256').update(`${h}.${p}`).verify(options.publicKey, b64url(s));
    if (!verified) return reply(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const c = JSON.parse(b64url(p).toString()) as Record<string, unknown>;
    claims.push(c);
    const now = Date.now() / 1000;
    const iat = Number(c.iat);
    const exp = Number(c.exp);
    if (c.aud !== `${req.origin}/token` || !(exp > now && iat <= now + 60 && exp - iat <= 3600)) {
      return reply(400, {
        error: 'invalid_grant',
        error_description:
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      });
    }
    if (c.iss !== options.clientEmail) return reply(400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' });
    const scopes = String(c.scope ?? '').split(' ');
    if (!options.delegatedSubjects.includes(String(c.sub)) || !scopes.includes(GOOGLE_SCOPE)) {
      return reply(401, {
        error: 'unauthorized_client',
        error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      });
    }
    const accessToken = `ya29.fake-${++serial}`;
    issued.add(accessToken);
    reply(200, { access_token: accessToken, expires_in: options.expiresIn ?? 3599, token_type: 'Bearer' });
  }

  function users(req: RecordedRequest, reply: Reply) {
    const bearer = bearerOf(req);
    if (!bearer || !issued.has(bearer)) {
      return reply(401, googleError(401, 'UNAUTHENTICATED', 'authError', 'Invalid Credentials'), {
        'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"',
      });
    }
    if (!req.query.get('customer') && !req.query.get('domain')) return reply(400, googleError(400, 'INVALID_ARGUMENT', 'badRequest', 'Bad Request'));
    const maxResults = Number(req.query.get('maxResults') ?? 100);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 500) {
      return reply(
        400,
        googleError(400, 'INVALID_ARGUMENT', 'invalid', `Invalid value '${req.query.get('maxResults')}'. Values must be within the range: [1, 500]`),
      );
    }
    const failure = options.failures?.shift();
    if (failure === 'throttle') {
      const reason = options.throttle ?? 'userRateLimitExceeded';
      const code = reason === 'rateLimitExceeded' ? 429 : 403;
      return reply(
        code,
        googleError(code, code === 429 ? 'RESOURCE_EXHAUSTED' : 'PERMISSION_DENIED', reason, 'Quota exceeded for quota metric', 'usageLimits'),
      );
    }
    if (failure === '5xx') return reply(503, googleError(503, 'UNAVAILABLE', 'backendError', 'The service is currently unavailable.'));
    const offset = req.query.get('pageToken') ? Number(Buffer.from(req.query.get('pageToken')!, 'base64url').toString()) : 0;
    if (failure === 'malformed') return reply(200, { kind: 'admin#directory#users', users: { [String(offset)]: 'not a list' } });
    const fields = req.query.has('fields') ? parseFields(req.query.get('fields')!) : null;
    const unknown =
      fields && !('invalid' in fields)
        ? [...fields].flatMap(([name, sub]) =>
            !LIST_FIELDS.has(name) ? [name] : name === 'users' && sub ? [...sub.keys()].filter((f) => !USER_FIELDS.has(f)) : [],
          )[0]
        : undefined;
    const invalid = fields && 'invalid' in fields ? fields.invalid : unknown;
    if (invalid !== undefined) return reply(400, googleError(400, 'INVALID_ARGUMENT', 'invalidParameter', `Invalid field selection ${invalid}`));
    const size = Math.min(maxResults, options.pageLimit ?? 500);
    const page = options.users.slice(offset, offset + size);
    const next = offset + size < options.users.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
    const answer = {
      kind: 'admin#directory#users',
      etag: '"fake-etag"',
      ...(page.length ? { users: page.map((u) => ({ kind: 'admin#directory#user', ...u })) } : {}),
      ...(next ? { nextPageToken: next } : {}),
    };
    reply(200, fields && !('invalid' in fields) ? select(answer, fields) : answer);
  }

  const loopback = await startLoopback((req, reply) => {
    if (signIn && req.method === 'GET' && req.path === '/o/oauth2/v2/auth') {
      const answer = authorizeReply(signIn, req.query);
      return reply(answer.status, answer.body, answer.headers);
    }
    if (req.method === 'POST' && req.path === '/token') return token(req, reply);
    if (req.method === 'GET' && req.path === '/admin/directory/v1/users') return users(req, reply);
    reply(404, googleError(404, 'NOT_FOUND', 'notFound', 'Not Found'));
  });
  return {
    ...loopback,
    /** The JWT claim sets the token endpoint received, signature verified. */
    claims,
    tokenRequests: () => loopback.requests.filter((r) => r.path === '/token'),
    dataRequests: () => loopback.requests.filter((r) => r.path.startsWith('/admin/')),
  };
}
