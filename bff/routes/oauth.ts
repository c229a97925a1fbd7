/**
 * Signing an organization in to a provider from the widget's popup.
 * - `POST /api/providers/:provider/oauth` (session token; mounted by providersRoutes) → the
 *   authorize URL to open in the popup.
 * - `GET /api/oauth/callback` (public: the provider redirects the popup here) → a small HTML page
 *   that posts `{ type: 'hr-import-oauth', provider, ok, error?, message }` to the host page's
 *   exact origin (the one stored with the state) and closes itself.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import { oauthCallbackQuery, oauthStartRequest, providerParams, type OAuthResultMessage, type OAuthStart } from '../../contract/index.js';
import { getProvider } from '../providers/registry.js';
import { escapeHtml } from '../services/message.js';
import {
  browserNonce,
  finishSignIn,
  startSignIn,
  OAUTH_CALLBACK_PATH,
  OAUTH_STATE_TTL_SECONDS,
  type SignInDeps,
  type SignInOutcome,
} from '../services/oauth-grants.js';
import { validate } from '../validate.js';

/** Read per request: the standalone server knows its own URL (port 0) only once it listens. */
function signInDeps({ db, config, sealingKey }: RouteDeps): SignInDeps {
  return {
    db: db.kysely,
    sealingKey,
    get redirectUri() {
      return config.publicUrl ? `${config.publicUrl.replace(/\/+$/, '')}${config.basePath ?? '/api'}${OAUTH_CALLBACK_PATH}` : null;
    },
    get origins() {
      return config.origins;
    },
  };
}

/**
 * The cookie that binds a sign-in to the browser that started it. Over https it is a `__Host-`
 * cookie (Secure, Path=/, no Domain) with SameSite=None, so a widget on another site can set it
 * with its credentialed start request; it holds only a nonce that is compared at the callback and
 * grants nothing by itself, so being sent cross-site costs nothing. Plain http (localhost) cannot
 * have Secure, hence another name and SameSite=Lax (all of localhost is one site).
 */
function browserCookie(signIn: SignInDeps) {
  const secure = signIn.redirectUri?.startsWith('https:') ?? false;
  return secure
    ? { name: '__Host-hr-import-sign-in', options: { path: '/', secure: true, httpOnly: true, sameSite: 'None', maxAge: OAUTH_STATE_TTL_SECONDS } as const }
    : { name: 'hr-import-sign-in', options: { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: OAUTH_STATE_TTL_SECONDS } as const };
}

const readBrowserNonce = (c: Context, signIn: SignInDeps) => getCookie(c, browserCookie(signIn).name);

export const oauthStartRoutes = (deps: RouteDeps) => {
  const { providers, now } = deps;
  const signIn = signInDeps(deps);
  return new Hono<SessionEnv>().post('/', validate('param', providerParams), validate('json', oauthStartRequest), async (c) => {
    const entry = getProvider(providers, c.req.valid('param').provider);
    const nonce = browserNonce(readBrowserNonce(c, signIn));
    const answer = (await startSignIn(signIn, entry, c.get('session').target, c.req.valid('json').origin, nonce, now())) satisfies OAuthStart;
    const cookie = browserCookie(signIn);
    setCookie(c, cookie.name, nonce, cookie.options);
    c.header('Cache-Control', 'no-store');
    return c.json(answer);
  });
};

/** JSON inside a `<script type="application/json">`: nothing in it can close the element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The popup's last page. The result rides in a JSON data block; the one script (allowed by nonce,
 * nothing else may run or load) posts it to the stored origin only, never `*`, and closes the
 * window. Without a trusted origin (unknown state) nothing is posted: the page just says why, and
 * the widget notices the window closing. No token or code is ever part of the page.
 */
function callbackPage(outcome: SignInOutcome, nonce: string): string {
  const message: OAuthResultMessage = {
    type: 'hr-import-oauth',
    provider: outcome.provider?.id ?? '',
    ok: outcome.ok,
    ...(outcome.error ? { error: outcome.error } : {}),
    message: outcome.message,
  };
  const title = outcome.ok ? 'Connected' : 'Not connected';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2328}h1{font-size:1.25rem}</style></head>
<body>
<h1>${title}</h1>
<p role="${outcome.ok ? 'status' : 'alert'}">${escapeHtml(outcome.message)}</p>
<script type="application/json" id="result">${scriptJson({ message, origin: outcome.origin })}</script>
<script nonce="${nonce}">
(function () {
  var data = JSON.parse(document.getElementById('result').textContent);
  if (!data.origin || !window.opener) return;
  window.opener.postMessage(data.message, data.origin);
  window.close();
})();
</script>
</body>
</html>`;
}

export const oauthCallbackRoutes = (deps: RouteDeps) => {
  const { providers, now } = deps;
  const signIn = signInDeps(deps);
  return new Hono().get('/callback', async (c) => {
    // Anything longer or missing is an invalid sign-in, answered as a page.
    const parsed = oauthCallbackQuery.safeParse(c.req.query());
    const outcome = await finishSignIn(signIn, providers, parsed.success ? parsed.data : {}, readBrowserNonce(c, signIn), now(), c.req.raw.signal);
    deps.logger.info('oauth sign-in', { provider: outcome.provider?.id ?? null, ok: outcome.ok, error: outcome.error ?? null });
    const nonce = randomBytes(16).toString('base64');
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    // The page must keep its opener (the host page, another origin) to post back to it.
    c.header('Cross-Origin-Opener-Policy', 'unsafe-none');
    // The URL carries the authorization code: never cached, never sent on as a referrer.
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(callbackPage(outcome, nonce), outcome.status);
  });
};
