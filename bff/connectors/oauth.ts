/**
 * Access tokens for connectors that sign in before they list: requested from the provider's token
 * endpoint through the shared HTTP client, kept until shortly before they expire, fetched once
 * however many pages ask at the same moment, and replaced once when the provider rejects one
 * early (revoked, or a session timeout shorter than the token said).
 */
import type { ProviderHttp, Verdict } from './http.js';
import { blankToNull, isRecord } from './normalize.js';
import { ProviderError, type Credentials, type ProviderErrorKind } from './types.js';

export interface AccessToken {
  accessToken: string;
  /** Null when the provider does not say (Salesforce): the token is kept until it is rejected. */
  expiresInSeconds: number | null;
  /** The whole token response, for provider extras such as Salesforce's instance_url. */
  response: Record<string, unknown>;
}

/** Renew this long before the stated expiry, so a page never starts with a token about to die. */
export const EXPIRY_MARGIN_SECONDS = 60;

/** How a provider reads an OAuth error code it treats specially (e.g. missing delegation is a permission problem). */
export type OAuthDenial = (error: string) => { kind: ProviderErrorKind; message?: string } | undefined;

/** Token endpoints answer 400/401 with RFC 6749 `{error, error_description}`: credentials, not a malformed request of ours. */
function oauthVerdict(deny: OAuthDenial | undefined) {
  return (status: number, body: string): Verdict | undefined => {
    if (status !== 400 && status !== 401) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    const error = isRecord(parsed) ? blankToNull(parsed.error) : null;
    if (!error || !isRecord(parsed)) return undefined;
    if (error === 'temporarily_unavailable' || error === 'slow_down') return { retry: true, kind: 'unavailable' };
    const described = blankToNull(parsed.error_description) ?? error;
    const special = deny?.(error);
    return { retry: false, kind: special?.kind ?? 'auth', message: special?.message ?? described };
  };
}

export async function requestToken(
  http: ProviderHttp,
  provider: string,
  url: string,
  form: Record<string, string>,
  signal: AbortSignal,
  deny?: OAuthDenial,
  /** For clients that authenticate with HTTP Basic instead of form fields (Workday). */
  headers: Record<string, string> = {},
): Promise<AccessToken> {
  const page = 'token request';
  const response = await http.json<unknown>(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    signal,
    page,
    classify: oauthVerdict(deny),
  });
  const accessToken = isRecord(response) ? blankToNull(response.access_token) : null;
  if (!isRecord(response) || !accessToken) {
    throw new ProviderError('bad_response', `${provider} answered the token request without an access token.`, { page });
  }
  const expiresIn = Number(response.expires_in);
  return { accessToken, expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : null, response };
}

export interface TokenCache {
  /** Runs `call` with a valid token; a 401 gets one fresh token before the error stands. */
  use<R>(signal: AbortSignal, call: (token: AccessToken) => Promise<R>): Promise<R>;
}

export function createTokenCache(fetchToken: (signal: AbortSignal) => Promise<AccessToken>, now: () => number = Date.now): TokenCache {
  let cached: { token: AccessToken; renewAt: number } | null = null;
  let pending: Promise<AccessToken> | null = null;

  async function get(signal: AbortSignal): Promise<AccessToken> {
    if (cached && now() < cached.renewAt) return cached.token;
    pending ??= fetchToken(signal)
      .then((token) => {
        const life = token.expiresInSeconds;
        cached = { token, renewAt: life === null ? Infinity : now() + (life - EXPIRY_MARGIN_SECONDS) * 1000 };
        return token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  return {
    async use(signal, call) {
      const token = await get(signal);
      try {
        return await call(token);
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'auth' && err.details.status === 401)) throw err;
        if (cached?.token === token) cached = null;
        return call(await get(signal));
      }
    },
  };
}

/**
 * What a provider needs for the OAuth authorization-code flow (RFC 6749 §4.1) an organization's
 * admin goes through in the widget's popup: where its authorize and token endpoints are on the
 * auth host, which scope buys a refresh token, whether it verifies PKCE (RFC 7636, S256), and
 * what of its token answer to keep as the organization's credentials.
 */
export interface AuthorizationCodeSpec {
  /** The real auth host, used when the providers file sets no `tokenUrl`. */
  authHost: string;
  /** Where the consent screen is, when not on the auth host (Google: accounts.google.com); `tokenUrl` overrides both. */
  authorizeHost?: string;
  authorizePath(credentials: Credentials): string;
  tokenPath(credentials: Credentials): string;
  scope: string;
  pkce: boolean;
  /** Extra authorize parameters the provider documents (e.g. Microsoft's response_mode). */
  authorizeParams?: Record<string, string>;
  /**
   * The credentials to store from a token answer: at least the refresh token, plus extras such as
   * Salesforce's instance_url. Throws a ProviderError for an answer that cannot be used.
   */
  keep(response: Record<string, unknown>, settings: { baseUrl: string; tokenUrl: string }): Credentials;
}

/**
 * Redeems an authorization code at the token endpoint (client secret in the form, as Microsoft
 * and Salesforce document it), with the PKCE verifier when one was sent. The answer must carry a
 * refresh token: without one the grant would die with the first access token.
 */
export async function redeemAuthorizationCode(
  http: ProviderHttp,
  provider: string,
  url: string,
  grant: { code: string; redirectUri: string; clientId: string; clientSecret: string; codeVerifier: string | null; scope?: string },
  signal: AbortSignal,
): Promise<AccessToken> {
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: grant.clientId,
    client_secret: grant.clientSecret,
    ...(grant.codeVerifier ? { code_verifier: grant.codeVerifier } : {}),
    ...(grant.scope ? { scope: grant.scope } : {}),
  };
  const token = await requestToken(http, provider, url, form, signal);
  if (!blankToNull(token.response.refresh_token)) {
    throw new ProviderError(
      'permission',
      `${provider} signed in but granted no refresh token; the app registration must allow offline access (refresh_token / offline_access scope).`,
      { page: 'token request' },
    );
  }
  return token;
}
