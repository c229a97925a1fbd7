/**
 * The accept page in Chromium, against a real BFF on a real database (the test harness, whose
 * clock lets an invitation expire): before accepting it says who invited you to what as which
 * role; after, the role's label; a used, withdrawn, expired or unknown link says so without an
 * Accept button. In English (the browser's language) and German, French and Spanish (`?lang=`),
 * French from the browser's own language too; names from HR systems and hosts stay text.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, type Harness } from '../harness.js';
import { sampleDirectory } from '../../bff/connectors/sample.js';
import { upsertTarget } from '../../bff/services/targets.js';
import type { ImportResult, InviteSummary } from '../../contract/index.js';
import { ensureDemoBuilt } from './demo-build.js';
import { axeViolations } from './axe.js';
import { releaseBrowser, sharedBrowser } from './browser.js';
import { queuedMessage } from '../../bff/mail/outbox.js';

const DAY = 86_400_000;
const LAB = { type: 'lab', id: 'folding' } as const;
const HOSTILE_ROLE = '<img src=x onerror="window.__pwned=1">';
const people = sampleDirectory().filter(
  (p, i, all) => p.status === 'active' && p.email && all.findIndex((q) => q.email?.toLowerCase() === p.email!.toLowerCase()) === i,
);

let h: Harness;
let server: ServerType;
let base: string;
let browser: Browser;
let next = 0;

beforeAll(async () => {
  await ensureDemoBuilt();
  h = await createHarness();
  const root = resolve(import.meta.dirname, '../../dist/demo');
  const app = new Hono()
    .all('/api/*', (c) => h.fetch(c.req.raw))
    .get('/accept', serveStatic({ root, path: 'accept.html' }))
    .use('/assets/*', serveStatic({ root }));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((ok) => server.once('listening', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await sharedBrowser();
}, 120_000);

afterAll(async () => {
  await releaseBrowser(browser);
  await new Promise((ok) => server?.close(ok));
  await h?.close();
});

beforeEach(async () => {
  h.clock.now = new Date('2026-11-24T12:00:00Z');
  await upsertTarget(
    h.db.kysely,
    LAB,
    {
      name: 'Protein Folding',
      seatLimit: 100,
      roles: [
        { id: 'reviewer', label: 'Reviewer' },
        { id: 'odd', label: HOSTILE_ROLE },
        { id: 'user', label: 'Member' },
      ],
      defaultRole: 'user',
    },
    h.clock.now,
  );
});

/** A fresh invite from Dana Admin as `role`; answers its id and the token its mail holds. */
async function invite(role = 'reviewer'): Promise<{ id: string; token: string }> {
  const session = await h.session(LAB);
  const person = people[next++]!;
  const res = await h.request('POST', '/api/imports', {
    token: session,
    body: { provider: 'sample', selection: { ids: [person.id] }, role, message: { subject: 'Join', body: 'Hi' } },
    headers: { 'Idempotency-Key': `accept-page-${next}` },
  });
  const { id: importId } = (await res.json()) as ImportResult;
  const list = (await (await h.request('GET', '/api/invites', { token: session })).json()) as { items: InviteSummary[] };
  const id = list.items.find((i) => i.importId === importId)!.id;
  const row = await h.db.kysely.selectFrom('outbox').select('payload').where('invite_id', '=', id).executeTakeFirstOrThrow();
  return { id, token: decodeURIComponent(/token=([^\s&]+)/.exec(queuedMessage(row.payload!)!.text)![1]!) };
}

/** Script errors of any page a test opened; none is expected. */
const pageErrors: string[] = [];
/** Each test's browser contexts, closed (and awaited) after it: a close left running past the last test failed once the browser had gone. */
const contexts: BrowserContext[] = [];
/** This test's tab per browser language (`open`). */
const tabs = new Map<string, Page>();
afterEach(async () => {
  tabs.clear();
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  expect(pageErrors.splice(0)).toEqual([]);
});

/**
 * The page in a browser whose language is `locale`: one context and tab per language and test,
 * each link opened in it as the next address typed (a new context per link cost a renderer
 * process each, most of this file's time).
 */
async function open(query: string, locale = 'en-US'): Promise<Page> {
  let page = tabs.get(locale);
  if (!page) {
    const context = await browser.newContext({ locale });
    contexts.push(context);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    tabs.set(locale, page);
  }
  await page.goto(`${base}/accept${query}`);
  return page;
}
const status = (page: Page) => page.getByRole('status');

const acceptButton = (page: Page, name: string) => page.getByRole('button', { name });

const LANGUAGES = [
  {
    lang: 'en',
    query: '',
    heading: 'Accept your invitation',
    invited: 'Dana Admin invited you to join the lab Protein Folding as Reviewer.',
    expires: /^This invitation expires on Tuesday, December 1, 2026/,
    accept: 'Accept invitation',
    welcome: 'Welcome! You joined Protein Folding as Reviewer.',
    used: 'This invitation has already been accepted.',
    withdrawn: 'This invitation was withdrawn.',
    expired: 'This invitation has expired. Ask the person who invited you for a new one.',
    unknown: 'This invitation link is not valid. It may have been replaced by a newer email.',
    noToken: 'This link has no invitation in it. Open the link from your email again.',
  },
  {
    lang: 'de',
    query: '&lang=de',
    heading: 'Einladung annehmen',
    invited: 'Dana Admin hat Sie eingeladen, dem Labor Protein Folding als Reviewer beizutreten.',
    expires: /^Diese Einladung gilt bis Dienstag, 1\. Dezember 2026/,
    accept: 'Einladung annehmen',
    welcome: 'Willkommen! Sie sind jetzt Mitglied von Protein Folding als Reviewer.',
    used: 'Diese Einladung wurde bereits angenommen.',
    withdrawn: 'Diese Einladung wurde zurückgezogen.',
    expired: 'Diese Einladung ist abgelaufen. Bitten Sie die Person, die Sie eingeladen hat, um eine neue.',
    unknown: 'Dieser Einladungslink ist nicht gültig. Vielleicht wurde er durch eine neuere E-Mail ersetzt.',
    noToken: 'Dieser Link enthält keine Einladung. Öffnen Sie den Link aus Ihrer E-Mail erneut.',
  },
  {
    lang: 'fr',
    query: '&lang=fr',
    heading: 'Accepter votre invitation',
    invited: 'Dana Admin vous invite à rejoindre le laboratoire Protein Folding en tant que Reviewer.',
    expires: /^Cette invitation expire le mardi 1 décembre 2026/,
    accept: 'Accepter l’invitation',
    welcome: 'Bienvenue ! Vous avez rejoint Protein Folding en tant que Reviewer.',
    used: 'Cette invitation a déjà été acceptée.',
    withdrawn: 'Cette invitation a été retirée.',
    expired: 'Cette invitation a expiré. Demandez-en une nouvelle à la personne qui vous a invité(e).',
    unknown: 'Ce lien d’invitation n’est pas valide. Il a peut-être été remplacé par un e-mail plus récent.',
    noToken: 'Ce lien ne contient pas d’invitation. Rouvrez le lien de votre e-mail.',
  },
  {
    lang: 'es',
    query: '&lang=es',
    heading: 'Acepta tu invitación',
    invited: 'Dana Admin te ha invitado a unirte al laboratorio Protein Folding como Reviewer.',
    expires: /^Esta invitación caduca el martes, 1 de diciembre de 2026/,
    accept: 'Aceptar invitación',
    welcome: '¡Te damos la bienvenida! Te has unido a Protein Folding como Reviewer.',
    used: 'Esta invitación ya se aceptó.',
    withdrawn: 'Esta invitación se ha retirado.',
    expired: 'Esta invitación ha caducado. Pide una nueva a la persona que te invitó.',
    unknown: 'Este enlace de invitación no es válido. Puede que lo haya sustituido un correo más reciente.',
    noToken: 'Este enlace no contiene ninguna invitación. Vuelve a abrir el enlace de tu correo.',
  },
];

describe('the accept page', () => {
  for (const l of LANGUAGES) {
    describe(`in ${l.lang}`, () => {
      it('says who invited you to what as which role, then welcomes you with the role’s label', async () => {
        const { token } = await invite();
        const page = await open(`?token=${encodeURIComponent(token)}${l.query}`);
        expect(await page.locator('html').getAttribute('lang')).toBe(l.lang);
        await expect.poll(() => page.getByText(l.invited, { exact: true }).count()).toBe(1);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(l.heading);
        expect(await page.title()).toBe(l.heading);
        expect(await page.locator('#accept-expiry').textContent()).toMatch(l.expires);
        expect(await axeViolations(page)).toEqual([]);
        await acceptButton(page, l.accept).click();
        await expect.poll(() => status(page).textContent()).toBe(l.welcome);
        expect(await axeViolations(page)).toEqual([]);
        expect(await acceptButton(page, l.accept).isVisible()).toBe(false);
        const members = await h.db.kysely.selectFrom('members').select('role').where('target_id', '=', LAB.id).execute();
        expect(members.at(-1)!.role).toBe('reviewer');
      });

      it('shows a used, withdrawn, expired or unknown link for what it is, with no Accept', async () => {
        const used = await invite();
        const withdrawn = await invite();
        const late = await invite();
        expect((await h.request('POST', '/api/invites/accept', { body: { token: used.token } })).status).toBe(200);
        expect((await h.request('DELETE', `/api/invites/${withdrawn.id}`, { token: await h.session(LAB) })).status).toBe(204);
        h.clock.now = new Date(h.clock.now.getTime() + 8 * DAY);
        for (const [token, text] of [
          [used.token, l.used],
          [withdrawn.token, l.withdrawn],
          [late.token, l.expired],
          ['x'.repeat(43), l.unknown],
        ] as const) {
          const page = await open(`?token=${encodeURIComponent(token)}${l.query}`);
          await expect.poll(() => status(page).textContent()).toBe(text);
          expect(await acceptButton(page, l.accept).isVisible()).toBe(false);
          // A known link still says what it was for.
          if (token !== 'x'.repeat(43)) expect(await page.getByText(l.invited, { exact: true }).count()).toBe(1);
          if (token === used.token) expect(await axeViolations(page)).toEqual([]);
        }
        const page = await open(`?x=1${l.query}`);
        await expect.poll(() => status(page).textContent()).toBe(l.noToken);
        expect(await acceptButton(page, l.accept).isVisible()).toBe(false);
      });
    });
  }

  it('speaks the browser’s language when the link names none', async () => {
    const { token } = await invite();
    const page = await open(`?token=${encodeURIComponent(token)}`, 'fr-FR');
    await expect
      .poll(() => page.getByText('Dana Admin vous invite à rejoindre le laboratoire Protein Folding en tant que Reviewer.', { exact: true }).count())
      .toBe(1);
    expect(await acceptButton(page, 'Accepter l’invitation').isVisible()).toBe(true);
  });

  it('shows a role label from the host as text, before and after accepting', async () => {
    const { token } = await invite('odd');
    const page = await open(`?token=${encodeURIComponent(token)}`);
    await expect.poll(() => page.getByText(`as ${HOSTILE_ROLE}.`, { exact: false }).count()).toBe(1);
    await acceptButton(page, 'Accept invitation').click();
    await expect.poll(() => status(page).textContent()).toBe(`Welcome! You joined Protein Folding as ${HOSTILE_ROLE}.`);
    expect(await page.evaluate(() => ({ ran: (window as unknown as { __pwned?: number }).__pwned ?? 0, images: document.images.length }))).toEqual({
      ran: 0,
      images: 0,
    });
  });
});
