/**
 * The authorization-code grant as an authorization server enforces it, for the fakes of providers
 * an organization signs in to (microsoft-server.ts, salesforce-server.ts). From RFC 6749 §4.1 and
 * RFC 7636, which both providers follow:
 * - authorize (§4.1.1–4.1.2.1): an unknown client_id or a redirect_uri that is not registered is
 *   shown to the user and NOT redirected; otherwise the browser goes to redirect_uri with `code`
 *   and `state`, or with `error=access_denied` (and `state`) when the user declines.
 * - token (§4.1.3, §5.2): client authenticated (invalid_client); the code known, unexpired, not yet
 *   redeemed (a second redemption also revokes what the first one issued, §4.1.2), issued to this
 *   client, and redirect_uri identical to the authorize request's (invalid_grant); with PKCE,
 *   BASE64URL(SHA256(code_verifier)) equal to the code_challenge (invalid_grant).
 * - refresh (§6): a refresh token issued to this client and not revoked.
 * Each fake turns a refusal into its provider's own error body.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SignInOptions {
  /** Redirect URIs registered for the app (exact match). */
  redirectUris: string[];
  /** What the simulated admin does on the consent screen. */
  consent?: 'grant' | 'deny';
  /** Leave the refresh token out of the token answer (the app lacks offline access). */
  noRefreshToken?: boolean;
  codeLifetimeMs?: number;
}

export type Refusal = {
  status: 400 | 401;
  error: string;
  reason: 'client' | 'code_unknown' | 'code_used' | 'code_expired' | 'redirect_uri' | 'pkce' | 'refresh_token';
};

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge: string | null;
  issuedAt: number;
  redeemed: boolean;
  refreshToken: string | null;
}

export function createAuthorizationServer(client: { clientId: string; clientSecret: string }, options: SignInOptions) {
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Set<string>();

  return {
    /** Where the consent screen sends the browser, or the error page shown at the provider. */
    authorize(query: URLSearchParams): { redirect: string } | { page: string } {
      if (query.get('client_id') !== client.clientId) return { page: 'unknown client_id' };
      const redirectUri = query.get('redirect_uri') ?? '';
      if (!options.redirectUris.includes(redirectUri)) return { page: 'redirect_uri is not registered for this app' };
      const back = new URL(redirectUri);
      const state = query.get('state');
      if (query.get('response_type') !== 'code') {
        back.searchParams.set('error', 'unsupported_response_type');
      } else if (options.consent === 'deny') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'end-user denied authorization');
      } else {
        const method = query.get('code_challenge_method');
        const challenge = query.get('code_challenge');
        const code = randomBytes(24).toString('base64url');
        codes.set(code, {
          clientId: client.clientId,
          redirectUri,
          scope: query.get('scope') ?? '',
          challenge: challenge && method === 'S256' ? challenge : null,
          issuedAt: Date.now(),
          redeemed: false,
          refreshToken: null,
        });
        back.searchParams.set('code', code);
      }
      if (state !== null) back.searchParams.set('state', state);
      return { redirect: back.toString() };
    },

    /** grant_type=authorization_code: the refresh token it buys, or why not. */
    redeem(form: URLSearchParams): { refreshToken: string | null; scope: string } | Refusal {
      if (form.get('client_id') !== client.clientId || form.get('client_secret') !== client.clientSecret)
        return { status: 401, error: 'invalid_client', reason: 'client' };
      const issued = codes.get(form.get('code') ?? '');
      if (!issued || issued.clientId !== client.clientId) return { status: 400, error: 'invalid_grant', reason: 'code_unknown' };
      if (issued.redeemed) {
        if (issued.refreshToken) refreshTokens.delete(issued.refreshToken);
        return { status: 400, error: 'invalid_grant', reason: 'code_used' };
      }
      issued.redeemed = true;
      if (Date.now() - issued.issuedAt > (options.codeLifetimeMs ?? 600_000)) return { status: 400, error: 'invalid_grant', reason: 'code_expired' };
      if (form.get('redirect_uri') !== issued.redirectUri) return { status: 400, error: 'invalid_grant', reason: 'redirect_uri' };
      if (issued.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return { status: 400, error: 'invalid_grant', reason: 'pkce' };
      }
      if (options.noRefreshToken) return { refreshToken: null, scope: issued.scope };
      issued.refreshToken = `rt-${randomBytes(24).toString('base64url')}`;
      refreshTokens.add(issued.refreshToken);
      return { refreshToken: issued.refreshToken, scope: issued.scope };
    },

    /** grant_type=refresh_token: valid, or why not. */
    refresh(form: URLSearchParams): { ok: true } | Refusal {
      if (form.get('client_id') !== client.clientId || form.get('client_secret') !== client.clientSecret)
        return { status: 401, error: 'invalid_client', reason: 'client' };
      if (!refreshTokens.has(form.get('refresh_token') ?? '')) return { status: 400, error: 'invalid_grant', reason: 'refresh_token' };
      return { ok: true };
    },

    /** The admin revoked the app's access (or the grant expired): every refresh token dies. */
    revokeAll() {
      refreshTokens.clear();
    },
  };
}

export type AuthorizationServer = ReturnType<typeof createAuthorizationServer>;

/** A fake's answer to the browser at the authorize endpoint. */
export function authorizeReply(server: AuthorizationServer, query: URLSearchParams): { status: number; body: string; headers: Record<string, string> } {
  const outcome = server.authorize(query);
  if ('redirect' in outcome) return { status: 302, body: '', headers: { Location: outcome.redirect } };
  return { status: 400, body: `<!doctype html><p>Sign-in error: ${outcome.page}</p>`, headers: { 'Content-Type': 'text/html' } };
}
