/**
 * Sign-ins in the widget's popup (OAuth 2.0 authorization code, RFC 6749 §4.1, with PKCE S256,
 * RFC 7636): `startSignIn` gives the widget the provider's authorize URL and remembers the sign-in
 * under a random `state`; `finishSignIn` is the provider's redirect back, which consumes that state
 * once, redeems the code at the provider's token endpoint, and stores what the grant gives (the
 * refresh token, Salesforce's instance) sealed as the organization's connection credentials.
 *
 * The state is 32 random bytes, stored only as its SHA-256 with the organization scope, the
 * provider, the host page's origin (checked against the allowed origins) and a 10-minute expiry.
 * It is deleted as it is read, so a replayed or forged callback finds nothing.
 *
 * The sign-in is also bound to the browser that started it (RFC 9700 §4.7, the OAuth 2.0 security
 * BCP): the start's answer sets a cookie holding a random browser nonce, whose SHA-256 is sealed
 * with the verifier; the callback must carry the same cookie. A sign-in URL minted by one
 * organization's session and opened in anyone else's browser (sent in a mail, say) is refused
 * before the code is redeemed, so nobody's directory is connected to another organization.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OAuthStart } from '../../contract/index.js';
import { createHttp } from '../connectors/http.js';
import { redeemAuthorizationCode } from '../connectors/oauth.js';
import { ProviderError } from '../connectors/types.js';
import { open, seal, SealError } from '../crypto.js';
import { AppError } from '../errors.js';
import type { OAuthClient, OrganizationProvider, ProviderEntry, ProviderRegistry } from '../providers/registry.js';
import { organizationScope, storeCredentials, type ConnectionDeps } from './connections.js';
import type { TargetRef } from './targets.js';

export const OAUTH_STATE_TTL_SECONDS = 600;
/** Where the provider sends the admin back, below the BFF's public URL and its base path. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

export interface SignInDeps extends ConnectionDeps {
  /** `<publicUrl><basePath>/oauth/callback`, or null when the deployment has no public URL configured. */
  redirectUri: string | null;
  /** Host origins the popup may report to. */
  origins: readonly string[];
  /** For tests that swap the network; defaults to global fetch. */
  fetch?: typeof fetch | undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const stateHash = (state: string) => digest(state).toString('hex');
const verifierContext = (hash: string) => `oauth-state|${hash}`;

/** What the browser cookie holds: 32 random bytes, base64url. */
export const BROWSER_NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** The browser's nonce from its cookie when it has a well-formed one (kept, so two sign-ins in two tabs both finish), else a new one. */
export const browserNonce = (fromCookie: string | undefined): string =>
  fromCookie && BROWSER_NONCE_PATTERN.test(fromCookie) ? fromCookie : randomBytes(32).toString('base64url');

interface SealedState {
  verifier: string;
  /** SHA-256 (base64url) of the starting browser's nonce; absent in states from before the binding, which are refused. */
  browser?: string;
}

function sameBrowser(sealed: SealedState, nonce: string | undefined): boolean {
  if (!sealed.browser || !nonce) return false;
  const expected = Buffer.from(sealed.browser, 'base64url');
  const actual = digest(nonce);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function signInProvider(entry: ProviderEntry): OrganizationProvider & { oauth: OAuthClient } {
  if (entry.configuredBy === 'organization' && entry.oauth) return entry as OrganizationProvider & { oauth: OAuthClient };
  throw new AppError(
    409,
    'sign_in_not_offered',
    `${entry.name} is not connected by signing in; ${entry.configuredBy === 'deployment' ? 'this deployment connects it' : 'enter its credentials instead'}.`,
  );
}

/** `POST /api/providers/:provider/oauth`: where to send the popup; `nonce` is the browser's (the caller sets it as a cookie). */
export async function startSignIn(deps: SignInDeps, entry: ProviderEntry, ref: TargetRef, origin: string, nonce: string, now: Date): Promise<OAuthStart> {
  const provider = signInProvider(entry);
  if (!deps.redirectUri) {
    throw new AppError(
      409,
      'sign_in_not_configured',
      "Signing in to a provider needs the server's public URL (HR_IMPORT_PUBLIC_URL), where the provider sends the admin back.",
    );
  }
  if (!deps.origins.includes(origin)) {
    throw new AppError(
      403,
      'origin_not_allowed',
      `${origin} is not an origin this deployment allows (HR_IMPORT_ORIGINS); the sign-in window would have nowhere to report.`,
    );
  }
  const scope = await organizationScope(deps.db, ref);
  const state = randomBytes(32).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const hash = stateHash(state);
  await deps.db.deleteFrom('oauth_states').where('expires_at', '<', now.toISOString()).execute();
  await deps.db
    .insertInto('oauth_states')
    .values({
      state_hash: hash,
      provider_id: provider.id,
      scope,
      origin,
      code_verifier: seal(deps.sealingKey, { verifier, browser: digest(nonce).toString('base64url') } satisfies SealedState, verifierContext(hash)),
      expires_at: new Date(now.getTime() + OAUTH_STATE_TTL_SECONDS * 1000).toISOString(),
      created_at: now.toISOString(),
    })
    .execute();
  const { spec, authorizeHost, clientId, credentials } = provider.oauth;
  const url = new URL(`${authorizeHost}${spec.authorizePath(credentials)}`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: deps.redirectUri,
    scope: spec.scope,
    state,
    ...(spec.pkce ? { code_challenge: digest(verifier).toString('base64url'), code_challenge_method: 'S256' } : {}),
    ...spec.authorizeParams,
  }).toString();
  return { authorizeUrl: url.toString(), callbackOrigin: new URL(deps.redirectUri).origin };
}

/** Why a sign-in did not connect, in words for the admin; never the provider's query text. */
export const SIGN_IN_ERRORS = {
  invalid_state: 'This sign-in link is not valid or was already used. Start the sign-in again from the provider picker.',
  expired_state: 'This sign-in took longer than 10 minutes. Start it again from the provider picker.',
  other_browser:
    'This sign-in was started in another browser (or this browser did not keep its cookie), so it was not completed and nothing was connected. Start it again from the provider picker in this browser.',
  access_denied: 'Access was not granted: the sign-in was cancelled or declined at the provider.',
  provider_error: "The provider could not complete the sign-in. Try again, or ask the provider's administrator to check the app registration.",
  token_exchange_failed: 'The provider refused to complete the sign-in',
} as const;
export type SignInError = keyof typeof SIGN_IN_ERRORS;

export interface SignInOutcome {
  status: 200 | 400 | 502;
  /** Null when the state was unknown: no provider and no origin can be trusted to report to. */
  provider: { id: string; name: string } | null;
  origin: string | null;
  ok: boolean;
  error?: SignInError;
  message: string;
}

export interface CallbackQuery {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
}

/** `GET /api/oauth/callback`: consumes the state, checks the browser's nonce (from its cookie), redeems the code, stores the grant. */
export async function finishSignIn(
  deps: SignInDeps,
  providers: ProviderRegistry,
  query: CallbackQuery,
  nonce: string | undefined,
  now: Date,
  signal: AbortSignal,
): Promise<SignInOutcome> {
  const refused = (
    error: SignInError,
    status: 400 | 502,
    at: Pick<SignInOutcome, 'provider' | 'origin'> = { provider: null, origin: null },
    detail?: string,
  ): SignInOutcome => ({
    status,
    ...at,
    ok: false,
    error,
    message: detail ? `${SIGN_IN_ERRORS[error]}: ${detail}` : SIGN_IN_ERRORS[error],
  });
  if (!query.state) return refused('invalid_state', 400);
  const hash = stateHash(query.state);
  // Deleted as it is read: whatever happens next, this state cannot be used again.
  const row = await deps.db.deleteFrom('oauth_states').where('state_hash', '=', hash).returningAll().executeTakeFirst();
  const entry = row ? providers.get(row.provider_id) : undefined;
  if (!row || !entry || entry.configuredBy !== 'organization' || !entry.oauth) return refused('invalid_state', 400);
  const at = { provider: { id: entry.id, name: entry.name }, origin: row.origin };
  if (row.expires_at <= now.toISOString()) return refused('expired_state', 400, at);
  if (query.error) return refused(query.error === 'access_denied' ? 'access_denied' : 'provider_error', 400, at);
  if (!query.code) return refused('provider_error', 400, at);

  const { spec, authHost, clientId, clientSecret, baseUrl, credentials } = entry.oauth;
  // Sealed under the secret of the start; a secret rotated in between makes it unreadable.
  let sealed: SealedState;
  try {
    sealed = open(deps.sealingKey, row.code_verifier, verifierContext(hash)) as SealedState;
  } catch (err) {
    if (err instanceof SealError) return refused('invalid_state', 400, at);
    throw err;
  }
  // Before the code is redeemed: a callback in another browser connects nothing.
  if (!sameBrowser(sealed, nonce)) return refused('other_browser', 400, at);
  const { verifier } = sealed;
  const tokenUrl = `${authHost}${spec.tokenPath(credentials)}`;
  try {
    const http = createHttp({ provider: entry.name, fetch: deps.fetch });
    const token = await redeemAuthorizationCode(
      http,
      entry.name,
      tokenUrl,
      { code: query.code, redirectUri: deps.redirectUri!, clientId, clientSecret, codeVerifier: spec.pkce ? verifier : null },
      signal,
    );
    const granted = spec.keep(token.response, { baseUrl, tokenUrl: authHost });
    await storeCredentials(deps, entry, { scope: row.scope }, granted, now);
  } catch (err) {
    // The provider's own words (from its token endpoint, server to server) help the admin; they
    // are shown as text only. Our own failures are not the provider's and stay unexpected.
    if (err instanceof ProviderError) return refused('token_exchange_failed', 502, at, err.message);
    throw err;
  }
  return { status: 200, ...at, ok: true, message: `${entry.name} is connected. You can close this window.` };
}
