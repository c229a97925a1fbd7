/**
 * The host recipes of docs/embedding.md, each run as a real server process exactly as written (the files in
 * test/hosts/recipes/): node:http, Hono, Express 5 behind `express.json()`, Fastify 5. Each host
 * mounts the BFF, an admin's import completes through it, and the invite mail arrives over SMTP.
 * Each runs under plain Node in a host folder where both packages were installed from their
 * `npm pack` tarballs (test/hosts/pack.ts), beside the host's own framework.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { acceptFromMail, importOnePerson, startMailbox, startReceiver, webhookSecret, type Mailbox, type Receiver } from './kit.js';
import { startHost, type Host } from './process.js';
import { installHost } from './pack.js';

const RECIPES = resolve(import.meta.dirname, 'recipes');
const SECRET = webhookSecret();
let mailbox: Mailbox;
let receiver: Receiver;
let hostDir: string;

beforeAll(async () => {
  mailbox = await startMailbox();
  receiver = await startReceiver(SECRET);
  // One host folder serves the four recipes: each is a server file beside the same installs.
  hostDir = await installHost({ packages: ['bff'], dependencies: ['express@^5', 'fastify@^5', 'hono@^4', '@hono/node-server@^1'] });
}, 600_000);
afterAll(async () => {
  await mailbox?.close();
  await receiver?.close();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

describe.each(['node-http', 'hono', 'express', 'fastify'])('the %s recipe', (recipe) => {
  let host: Host;
  beforeAll(async () => {
    copyFileSync(join(RECIPES, `${recipe}.mjs`), join(hostDir, `${recipe}.mjs`));
    host = await startHost(join(hostDir, `${recipe}.mjs`), {
      cwd: hostDir,
      dataDir: mkdtempSync(join(tmpdir(), `hr-import-${recipe}-`)),
      smtpUrl: mailbox.url,
      // The receiver listens on loopback, which only development settings allow.
      env: { HR_IMPORT_WEBHOOK_URL: receiver.url, HR_IMPORT_WEBHOOK_SECRET: SECRET, HR_IMPORT_WEBHOOK_ALLOW_PRIVATE: '1' },
    });
  });
  afterAll(() => host?.stop());

  it('completes an import whose invite mail arrives, and tells the host of the acceptance in a signed webhook', async () => {
    const api = `${host.url}/api`;
    // Each recipe invites the sample directory's first person: read only this host's mail.
    const skip = mailbox.received.length;
    const { email, inviteId, importId } = await importOnePerson(api, host.apiKey, `lab-${recipe}`);
    const mail = await mailbox.waitFor(email, { skip });
    expect(mail).toMatch(/Subject: Join the Robotics lab/);
    await acceptFromMail(api, mail);
    const accepted = await receiver.waitFor('invite.accepted', (d) => d.inviteId === inviteId);
    expect(accepted).toMatchObject({ target: { type: 'lab', id: `lab-${recipe}` }, inviteId, email, role: 'user', importId });
    expect(receiver.refused).toBe(0);
  });

  it("keeps to its own paths: the host's routes are untouched, unknown API paths get the JSON 404", async () => {
    const home = await fetch(`${host.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('host home');
    // The BFF's middleware (request id, secure headers) runs on its own paths only.
    expect(home.headers.get('x-request-id')).toBeNull();
    expect(home.headers.get('x-content-type-options')).toBeNull();

    const unknown = await fetch(`${host.url}/api/no-such-thing`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/no-such-thing.' } });
    expect(unknown.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('the documentation', () => {
  it('shows each recipe exactly as tested', () => {
    const embedding = readFileSync(resolve(import.meta.dirname, '../../docs/embedding.md'), 'utf8');
    for (const recipe of ['node-http', 'hono', 'express', 'fastify']) {
      const file = readFileSync(join(RECIPES, `${recipe}.mjs`), 'utf8').trimEnd();
      expect(embedding, `${recipe}.mjs in docs/embedding.md`).toContain('```js\n' + file + '\n```');
    }
    const packageReadme = readFileSync(resolve(import.meta.dirname, '../../bff/README.md'), 'utf8');
    expect(packageReadme).toContain('```js\n' + readFileSync(join(RECIPES, 'express.mjs'), 'utf8').trimEnd() + '\n```');
  });
});
