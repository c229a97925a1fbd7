import { expect, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendMouse } from '@web/test-runner-commands';
import type { ProviderInfo } from '../../api/types.js';
import type { HrConnectionChangeEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, errorResponse, json } from '../../test/fake-bff/index.js';
import { mountWithApi } from '../../test/mount.js';
import { findByRole, getByRole, visibleText } from '../../test/queries.js';
import type { HrProviderPicker } from '../provider-picker/provider-picker.js';
import '../provider-picker/provider-picker.js';
import type { HrProviderConnect } from './provider-connect.js';
import './provider-connect.js';

const ENTRA: ProviderInfo = { id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'needs_credentials', fields: [], oauth: true };
const SIGN_IN = 'Sign in with Microsoft Entra ID';

/** The stand-in for the provider and the BFF's callback page, opened in the real popup. */
function popupUrl(params: Record<string, string>): string {
  return `${location.origin}/widget/src/test/oauth-popup.html?${new URLSearchParams({ provider: 'entra', ...params })}`;
}

let bff: FakeBff;
let windowOpen: typeof window.open;

/** The BFF answers the sign-in start with this popup behaviour and callback origin. */
function signInAnswers(params: Record<string, string>, callbackOrigin = location.origin) {
  bff.on('POST /providers/entra/oauth', () => json(200, { authorizeUrl: popupUrl(params), callbackOrigin }));
}

beforeEach(() => {
  windowOpen = window.open;
  bff = new FakeBff({ providers: [ENTRA] }).install();
});

afterEach(() => {
  window.open = windowOpen;
  bff.uninstall();
});

async function mount(reconnect = false): Promise<HrProviderConnect> {
  const el = await mountWithApi<HrProviderConnect>('hr-provider-connect', (e) => {
    e.provider = ENTRA;
    e.reconnect = reconnect;
  });
  await findByRole(el, 'button', SIGN_IN);
  return el;
}

/** A real click (a user gesture), as popup blockers require. */
async function click(button: HTMLElement): Promise<void> {
  const box = button.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
}

describe('hr-provider-connect: sign in (OAuth popup)', () => {
  it('offers one button to sign in, nothing to type', async () => {
    const el = await mount();
    expect(visibleText(getByRole(el, 'heading'))).to.equal('Connect Microsoft Entra ID');
    expect(el.shadowRoot!.querySelectorAll('input')).to.have.length(0);
    await expectAccessible(el);
  });

  it('accepts the message from the BFF origin sent by its popup, re-checks the connection, and announces it', async () => {
    signInAnswers({ post: 'ok', close: '1' });
    const el = await mount();
    bff.on('GET /providers', () => json(200, { items: [{ ...ENTRA, connection: 'ready' }] }));
    const changed = oneEvent(el, 'hr-connection-change') as unknown as Promise<HrConnectionChangeEvent>;
    await click(getByRole(el, 'button', SIGN_IN));
    const event = await changed;
    expect(event.connection).to.equal('ready');
    expect(bff.requestsTo('POST', '/providers/entra/oauth')[0]!.body).to.deep.equal({ origin: location.origin });
    expect(bff.requestsTo('GET', '/providers')).to.have.length(1);
  });

  it('ignores a message from another origin, and one not sent by its popup', async () => {
    // The BFF says its callback is on another origin: this page's popup does not qualify.
    signInAnswers({ post: 'ok', target: '*', delay: '100', close: '1', closeAfter: '400' }, 'https://bff.example');
    const el = await mount();
    let changed = false;
    el.addEventListener('hr-connection-change', () => (changed = true));
    await click(getByRole(el, 'button', SIGN_IN));
    await waitUntil(() => bff.requestsTo('POST', '/providers/entra/oauth').length === 1);
    // From the right origin (this page) but not from the popup: ignored too.
    window.postMessage({ type: 'hr-import-oauth', provider: 'entra', ok: true }, '*');
    const alert = await findByRole(el, 'alert', undefined, 5000);
    expect(visibleText(alert)).to.include('closed before the sign-in finished');
    expect(changed).to.equal(false);
    expect(bff.requestsTo('GET', '/providers')).to.have.length(0);
  });

  it('notices the popup closed without an answer and is usable again', async () => {
    signInAnswers({ close: '1' });
    const el = await mount();
    await click(getByRole(el, 'button', SIGN_IN));
    const alert = await findByRole(el, 'alert', undefined, 5000);
    expect(visibleText(alert)).to.include('The sign-in window was closed before the sign-in finished');
    const button = getByRole<HTMLButtonElement>(el, 'button', SIGN_IN);
    expect(button.disabled).to.equal(false);
    await expectAccessible(el);
    // And signing in again works.
    signInAnswers({ post: 'ok', close: '1' });
    bff.on('GET /providers', () => json(200, { items: [{ ...ENTRA, connection: 'ready' }] }));
    const changed = oneEvent(el, 'hr-connection-change');
    await click(button);
    await changed;
    expect(bff.requestsTo('POST', '/providers/entra/oauth')).to.have.length(2);
  });

  it('says so when the provider reports the admin declined', async () => {
    signInAnswers({ post: 'denied', close: '1' });
    const el = await mount();
    await click(getByRole(el, 'button', SIGN_IN));
    const alert = await findByRole(el, 'alert', undefined, 5000);
    expect(visibleText(alert)).to.include('Access was not granted');
    expect(getByRole<HTMLButtonElement>(el, 'button', SIGN_IN).disabled).to.equal(false);
  });

  it('says so when the browser blocks the popup, and asks the BFF nothing', async () => {
    window.open = () => null;
    const el = await mount();
    await click(getByRole(el, 'button', SIGN_IN));
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('blocked the sign-in window');
    expect(bff.requestsTo('POST', '/providers/entra/oauth')).to.have.length(0);
  });

  it("shows the BFF's refusal (origin not allowed) and closes the empty window", async () => {
    bff.on('POST /providers/entra/oauth', () => errorResponse(403, 'origin_not_allowed', 'This page is not an origin this deployment allows.'));
    let opened: Window | null = null;
    window.open = (...args) => (opened = windowOpen.apply(window, args));
    const el = await mount();
    await click(getByRole(el, 'button', SIGN_IN));
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('not an origin this deployment allows');
    expect(opened!.closed).to.equal(true);
  });
});

describe('reconnect: expired or revoked credentials', () => {
  it('the picker opens the sign-in step for that provider, saying why', async () => {
    bff.providers = [{ ...ENTRA, connection: 'ready' }];
    const picker = await mountWithApi<HrProviderPicker>('hr-provider-picker', (el) => {
      el.reconnect = { ...ENTRA, connection: 'ready' };
    });
    await waitUntil(() => picker.shadowRoot!.querySelector('hr-provider-connect'));
    const el = picker.shadowRoot!.querySelector('hr-provider-connect')!;
    await findByRole(el, 'button', SIGN_IN);
    expect(visibleText(getByRole(el, 'heading'))).to.equal('Reconnect Microsoft Entra ID');
    expect(visibleText(getByRole(el, 'alert'))).to.include('expired or was revoked');
    await expectAccessible(el);
  });
});
