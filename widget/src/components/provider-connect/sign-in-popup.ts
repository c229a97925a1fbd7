/**
 * The sign-in window of an OAuth provider, as the opener sees it. The window is opened by the
 * caller inside the click handler (`openSignInWindow`), before any await, so popup blockers let it
 * through; it is sent to the provider once the BFF has answered where. The BFF's callback page
 * reports with `postMessage`; only a message from the BFF's origin, sent by that very window, of
 * our type and for this provider counts. A window closed without one is the admin giving up.
 */
import type { OAuthResultMessage } from '../../api/types.js';

export type SignInOutcome = { kind: 'result'; ok: boolean; error?: string; message?: string } | { kind: 'closed' } | { kind: 'aborted' };

const FEATURES = 'popup,width=520,height=680';

/** Opens the empty sign-in window; null when the browser blocked it. Call synchronously from a click. */
export function openSignInWindow(): Window | null {
  return window.open('about:blank', 'hr-import-sign-in', FEATURES);
}

function isResult(data: unknown, provider: string): data is OAuthResultMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  return m.type === 'hr-import-oauth' && m.provider === provider && typeof m.ok === 'boolean';
}

/**
 * Waits for the callback page's message or for the window to close. Two polls in a row must see
 * it closed: the callback page posts and then closes itself, and its message must win that race.
 */
export function waitForSignIn(popup: Window, options: { origin: string; provider: string; signal: AbortSignal; pollMs?: number }): Promise<SignInOutcome> {
  return new Promise((resolve) => {
    let closedPolls = 0;
    const finish = (outcome: SignInOutcome) => {
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== options.origin || event.source !== popup || !isResult(event.data, options.provider)) return;
      const { ok, error, message } = event.data;
      finish({ kind: 'result', ok, ...(typeof error === 'string' ? { error } : {}), ...(typeof message === 'string' ? { message } : {}) });
    };
    const onAbort = () => {
      if (!popup.closed) popup.close();
      finish({ kind: 'aborted' });
    };
    const timer = setInterval(() => {
      closedPolls = popup.closed ? closedPolls + 1 : 0;
      if (closedPolls >= 2) finish({ kind: 'closed' });
    }, options.pollMs ?? 250);
    window.addEventListener('message', onMessage);
    options.signal.addEventListener('abort', onAbort);
  });
}
