/**
 * <hr-import> on somebody else's page: its light or dark scheme, styles that must not cross the
 * shadow boundary, a session token refreshed by the host, requests that hang, and a 320 px
 * column with names from any script. Its language: hr-import.language.test.ts.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { emulateMedia } from '@web/test-runner-commands';
import { TOKEN, errorResponse, json, makeContact, type FakeBff } from '../../test/fake-bff/index.js';
import { findByRole, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import { auth, onHostPage } from '../../test/host-page.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';
import { heading } from '../../test/flow.js';

let bff: FakeBff;
onHostPage(
  (b) => (bff = b),
  () => bff,
);

describe('hr-import: light and dark', () => {
  async function cardBackground(): Promise<string> {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    return getComputedStyle(el.shadowRoot!.querySelector('.card')!).backgroundColor;
  }

  it('is light on a page that declares no color scheme, even when the reader prefers dark', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    expect(await cardBackground()).to.equal('rgb(255, 255, 255)');
  });

  it('is dark on a page whose color-scheme is dark', async () => {
    document.documentElement.style.colorScheme = 'dark';
    expect(await cardBackground()).to.equal('rgb(21, 27, 35)');
  });

  it('follows prefers-color-scheme on a page that allows both', async () => {
    document.documentElement.style.colorScheme = 'light dark';
    await emulateMedia({ colorScheme: 'dark' });
    expect(await cardBackground()).to.equal('rgb(21, 27, 35)');
    await emulateMedia({ colorScheme: 'light' });
    expect(await cardBackground()).to.equal('rgb(255, 255, 255)');
  });

  it('turns dark when the page switches its scheme, or the reader their preference, while it is open', async () => {
    document.documentElement.style.colorScheme = 'light';
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    const card = el.shadowRoot!.querySelector('.card')!;
    expect(getComputedStyle(card).backgroundColor).to.equal('rgb(255, 255, 255)');
    document.documentElement.style.colorScheme = 'dark';
    await waitUntil(() => getComputedStyle(card).backgroundColor === 'rgb(21, 27, 35)', 'did not turn dark');
    document.documentElement.style.colorScheme = 'light dark';
    await emulateMedia({ colorScheme: 'light' });
    await waitUntil(() => getComputedStyle(card).backgroundColor === 'rgb(255, 255, 255)', 'did not follow the preference');
  });

  it('follows a scheme set on the element itself while it is open', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    const card = el.shadowRoot!.querySelector('.card')!;
    expect(getComputedStyle(card).backgroundColor).to.equal('rgb(255, 255, 255)');
    el.style.colorScheme = 'dark';
    await waitUntil(() => getComputedStyle(card).backgroundColor === 'rgb(21, 27, 35)', 'did not turn dark');
  });

  it('lets --hr-* custom properties win over either scheme', async () => {
    document.documentElement.style.colorScheme = 'dark';
    const el = await fixture<HrImport>(
      html`<hr-import session-token=${TOKEN} style="--hr-color-surface: rgb(1, 2, 3); --hr-color-text: rgb(4, 5, 6)"></hr-import>`,
    );
    await findByRole(el, 'button', 'Sample directory');
    const card = el.shadowRoot!.querySelector('.card')!;
    expect(getComputedStyle(card).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(card).color).to.equal('rgb(4, 5, 6)');
  });
});

describe('hr-import: styles stay on their side', () => {
  let hostStyle: HTMLStyleElement;
  afterEach(() => hostStyle?.remove());

  it("is not changed by the host page's element and universal rules", async () => {
    hostStyle = document.createElement('style');
    hostStyle.textContent = `
      * { font: italic 40px/5 serif !important; color: rgb(255, 0, 0) !important; letter-spacing: 3px; text-transform: uppercase; }
      button { color: rgb(255, 0, 0); background: rgb(255, 255, 0); border: 5px dotted red; padding: 30px; }
      h2, p { margin: 50px; }`;
    document.head.append(hostStyle);
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    const cancel = await findByRole(el, 'button', 'Cancel');
    const style = getComputedStyle(cancel);
    expect(style.color).not.to.equal('rgb(255, 0, 0)');
    expect(style.backgroundColor).to.equal('rgb(255, 255, 255)');
    expect(style.fontSize).not.to.equal('40px');
    expect(style.fontStyle).to.equal('normal');
    expect(style.fontFamily).not.to.equal('serif');
    expect(style.letterSpacing).to.equal('normal');
    expect(style.textTransform).to.equal('none');
    expect(style.borderTopStyle).to.equal('solid');
    const title = el.shadowRoot!.getElementById('heading')!;
    expect(getComputedStyle(title).marginTop).to.equal('0px');
    expect(getComputedStyle(title).color).not.to.equal('rgb(255, 0, 0)');
  });

  it("does not change the host page's elements", async () => {
    const page = await fixture<HTMLDivElement>(
      html`<div>
        <h2 class="card">Host</h2>
        <button class="btn primary" type="button">Host button</button>
        <p class="alert muted">Text</p>
      </div>`,
    );
    const hostElements = [...page.children];
    const snapshot = () =>
      hostElements.map((n) => {
        const s = getComputedStyle(n);
        return [s.color, s.backgroundColor, s.fontFamily, s.fontSize, s.margin, s.padding, s.border, s.display].join('|');
      });
    const before = snapshot();
    const sheets = document.styleSheets.length + document.adoptedStyleSheets.length;
    const el = document.createElement('hr-import');
    el.setAttribute('session-token', TOKEN);
    page.append(el);
    await findByRole(el, 'button', 'Sample directory');
    expect(snapshot()).to.deep.equal(before);
    expect(document.styleSheets.length + document.adoptedStyleSheets.length).to.equal(sheets);
  });
});

describe('hr-import: session token refresh', () => {
  it('asks the host for a new token before the session expires, and sends that one from then on', async () => {
    let issued = 0;
    bff.on('GET /session', (r) => {
      if (auth(r) === `Bearer ${TOKEN}`) return json(200, { ...bff.session(), expiresAt: new Date(Date.now() + 1000).toISOString() });
      if (auth(r) === 'Bearer fresh-1') return json(200, bff.session()); // an hour
      return undefined;
    });
    const errors: Event[] = [];
    const tokenProvider = async () => `fresh-${++issued}`;
    const el = await fixture<HrImport>(
      html`<hr-import session-token=${TOKEN} .tokenProvider=${tokenProvider} @hr-import-error=${(e: Event) => errors.push(e)}></hr-import>`,
    );
    await findByRole(el, 'button', 'Sample directory');
    expect(issued).to.equal(0);
    await waitUntil(() => issued === 1, 'the token was not refreshed before expiry', { timeout: 2000 });
    await waitUntil(() => bff.requestsTo('GET', '/session').some((r) => auth(r) === 'Bearer fresh-1'), 'the new session was not read');
    // The new session lasts an hour: no further refresh, and the flow went on undisturbed.
    await new Promise((ok) => setTimeout(ok, 1200));
    expect(issued).to.equal(1);
    expect(errors).to.have.length(0);
    expect(await heading(el)).to.equal('Choose an HR application');
  });

  it('on 401 session_expired gets a new token and sends the failed request once more', async () => {
    let issued = 0;
    bff.on('GET /providers', (r) =>
      auth(r) === `Bearer ${TOKEN}`
        ? errorResponse(401, 'session_expired', 'The session has expired.')
        : auth(r) === 'Bearer fresh'
          ? json(200, { items: bff.providers })
          : undefined,
    );
    bff.on('GET /session', (r) => (auth(r) === 'Bearer fresh' ? json(200, bff.session()) : undefined));
    const errors: Event[] = [];
    const el = await fixture<HrImport>(
      html`<hr-import session-token=${TOKEN} .tokenProvider=${async () => (issued++, 'fresh')} @hr-import-error=${(e: Event) => errors.push(e)}></hr-import>`,
    );
    await findByRole(el, 'button', 'Sample directory');
    expect(issued).to.equal(1);
    expect(bff.requestsTo('GET', '/providers').map(auth)).to.deep.equal([`Bearer ${TOKEN}`, 'Bearer fresh']);
    expect(errors).to.have.length(0);
  });

  it('ends the flow with the expired message when the host cannot give a new token', async () => {
    bff.on('GET /providers', () => errorResponse(401, 'session_expired', 'The session has expired.'));
    const reported = oneEvent(document, 'hr-import-error');
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} .tokenProvider=${() => Promise.reject(new Error('signed out'))}></hr-import>`);
    const event = await reported;
    expect(event.detail.code).to.equal('session_expired');
    await waitForText(el, 'Your session has expired');
    expect(bff.requestsTo('GET', '/providers')).to.have.length(1);
  });

  it('takes a new session-token attribute in place, without loading anything again', async () => {
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await findByRole(el, 'button', 'Sample directory');
    const before = bff.requests.length;
    el.setAttribute('session-token', 'handed-by-host');
    await el.updateComplete;
    await new Promise((ok) => setTimeout(ok, 50));
    expect(bff.requests.length).to.equal(before);
    getByRole(el, 'button', 'Sample directory').click();
    // The contacts step's first request (the directory's refresh status) goes with the new token.
    await waitUntil(() => bff.requests.length > before, undefined, { timeout: 5000 });
    expect(auth(bff.requests[before]!)).to.equal('Bearer handed-by-host');
  });
});

describe('hr-import: every network state is shown', () => {
  it('ends a hung session request in an error with Retry, and Retry asks again', async () => {
    bff.hang('GET /session');
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN} request-timeout="200"></hr-import>`);
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('took too long');
    expect(queryByRole(el, 'status')?.textContent ?? '').not.to.include('Loading');
    getByRole(el, 'button', 'Retry').click();
    await waitUntil(() => bff.requestsTo('GET', '/session').length === 2);
  });

  it('says so when no HR application is configured', async () => {
    bff.providers = [];
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await waitForText(el, 'No HR applications are configured for this deployment.');
  });

  it('says so when the plan has no seats left', async () => {
    bff.seats = { limit: 10, used: 10, remaining: 0 };
    const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
    await waitForText(el, '10 of 10 seats used · no seats remaining');
  });
});

describe('hr-import: a 320 px column', () => {
  it('fits long, right-to-left names and missing emails and photos without overflowing', async () => {
    const long = 'Maximiliane-Konstantina Wolfeschlegelsteinhausenbergerdorff-Vonhohenzollern';
    bff.contacts = [
      makeContact(0, { displayName: long, firstName: 'Maximiliane-Konstantina', lastName: 'Wolfeschlegelsteinhausenbergerdorff', email: null }),
      makeContact(1, { displayName: 'محمد عبد الرحمن الإسكندراني', firstName: 'محمد', lastName: 'الإسكندراني', avatarUrl: null }),
      makeContact(2, {
        displayName: 'שׁוֹשַׁנָּה בֶּן־אַבְרָהָם',
        firstName: 'שׁוֹשַׁנָּה',
        lastName: 'בֶּן־אַבְרָהָם',
        email: 'shoshana.ben-avraham.very.long.address@subdomain.example.co.il',
      }),
      makeContact(3),
    ];
    const column = await fixture<HTMLDivElement>(html`<div style="width: 320px; overflow: visible"><hr-import session-token=${TOKEN}></hr-import></div>`);
    const el = column.querySelector('hr-import')!;
    const fits = async (where: string) => {
      await el.updateComplete;
      const card = el.shadowRoot!.querySelector<HTMLElement>('.card')!;
      expect(el.getBoundingClientRect().width, where).to.be.at.most(320);
      expect(column.scrollWidth, `${where}: the column scrolls sideways`).to.be.at.most(320);
      expect(card.scrollWidth, `${where}: the card overflows`).to.be.at.most(card.clientWidth);
    };
    (await findByRole(el, 'button', 'Sample directory')).click();
    await findByRole(el, 'checkbox', /محمد عبد الرحمن الإسكندراني/);
    await fits('contacts');
    (await findByRole<HTMLInputElement>(el, 'checkbox', /محمد/)).click();
    (await findByRole<HTMLInputElement>(el, 'checkbox', /שׁוֹשַׁנָּה/)).click();
    (await findByRole(el, 'button', 'Next')).click();
    await findByRole(el, 'combobox', /Role for محمد/);
    await fits('roles');
    (await findByRole(el, 'button', 'Next')).click();
    await findByRole(el, 'textbox', 'Subject');
    await fits('message');
  });
});
