/**
 * What a reviewer tries: with a valid session for one organization, read or change another's
 * contacts, invites and connection; replay tokens; and look in every answer for a secret. Two
 * organizations share one BFF, each with its own BambooHR connection and its own invites.
 * Runs on SQLite and, with TEST_PG_URL, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from './harness.js';
import { startBambooHRServer } from './fakes/bamboohr-server.js';
import { loadProvidersFile } from '../bff/providers/file.js';
import { PROVIDER_CATALOG } from '../bff/providers/catalog.js';
import { sampleProvider } from '../bff/providers/registry.js';
import { queuedMessage } from '../bff/mail/outbox.js';

const ACME_KEY = 'acme-bamboo-secret-91c2';
const GLOBEX_KEY = 'globex-bamboo-secret-5d7e';
const person = (id: string, first: string, domain: string) => ({
  id,
  firstName: first,
  lastName: 'Doe',
  displayName: `${first} Doe`,
  workEmail: `${first.toLowerCase()}@${domain}`,
  status: 'Active' as const,
});

let h: Harness;
let acmeFake: Awaited<ReturnType<typeof startBambooHRServer>>;
let globexFake: Awaited<ReturnType<typeof startBambooHRServer>>;
let acme: string;
let globex: string;
/** Every body answered to acme's session: none may hold globex's data or any secret. */
const seenByAcme: string[] = [];
let globexInvite: { id: string; token: string };

async function asAcme(method: string, path: string, body?: unknown) {
  const res = await h.request(method, path, { token: acme, body });
  const text = await res.text();
  seenByAcme.push(text);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  // One BambooHR company each; the base URL is the deployment's, the key each organization's.
  acmeFake = await startBambooHRServer({
    companyDomain: 'acme',
    apiKey: ACME_KEY,
    employees: [person('1', 'Ada', 'acme.test'), person('2', 'Alan', 'acme.test')],
  });
  globexFake = await startBambooHRServer({
    companyDomain: 'globex',
    apiKey: GLOBEX_KEY,
    employees: [person('1', 'Gus', 'globex.test'), person('2', 'Greta', 'globex.test')],
  });
  const dir = mkdtempSync(join(tmpdir(), 'hr-import-scope-'));
  const file = join(dir, 'providers.json');
  writeFileSync(
    file,
    JSON.stringify({
      providers: [
        { id: 'bamboo', type: 'bamboohr', baseUrl: acmeFake.url },
        { id: 'bamboo-eu', type: 'bamboohr', baseUrl: globexFake.url },
      ],
    }),
  );
  h = await createHarness({ providers: [sampleProvider(), ...loadProvidersFile(file, {}, PROVIDER_CATALOG)] });
  await h.target('organization', 'acme', 10);
  await h.target('organization', 'globex', 10);
  acme = await h.session({ type: 'organization', id: 'acme' });
  globex = await h.session({ type: 'organization', id: 'globex' });

  // Globex connects both providers and invites Gus.
  for (const provider of ['bamboo', 'bamboo-eu']) {
    const res = await h.request('PUT', `/api/providers/${provider}/connection`, {
      token: globex,
      body: { credentials: { companyDomain: 'globex', apiKey: GLOBEX_KEY } },
    });
    if (provider === 'bamboo-eu') expect(res.status).toBe(200);
  }
  const imported = await h.request('POST', '/api/imports', {
    token: globex,
    headers: { 'Idempotency-Key': 'globex-import-1' },
    body: { provider: 'bamboo-eu', selection: { ids: ['1'] }, role: 'user', message: { subject: 'Join', body: 'Hi {{firstName}}' } },
  });
  expect(imported.status).toBe(201);
  const row = await h.db.kysely
    .selectFrom('invites')
    .innerJoin('outbox', 'outbox.invite_id', 'invites.id')
    .select(['invites.id', 'outbox.payload'])
    .where('invites.target_id', '=', 'globex')
    .executeTakeFirstOrThrow();
  globexInvite = { id: row.id, token: /token=([A-Za-z0-9_-]+)/.exec(queuedMessage(row.payload!)!.text)![1]! };
});

afterAll(async () => {
  await h.close();
  await acmeFake.close();
  await globexFake.close();
});

describe('one organization cannot reach another', () => {
  it("never lists another organization's directory, even for the same provider", async () => {
    const providers = await asAcme('GET', '/api/providers');
    expect(providers.json.items.find((p: { id: string }) => p.id === 'bamboo-eu').connection).toBe('needs_credentials');
    const contacts = await asAcme('GET', '/api/providers/bamboo-eu/contacts');
    expect(contacts.status).toBe(409);
    expect(contacts.json.error.code).toBe('provider_not_connected');
    expect((await asAcme('GET', '/api/providers/bamboo-eu/contacts/facets')).status).toBe(409);
    expect((await asAcme('POST', '/api/providers/bamboo-eu/connection/test')).status).toBe(409);
  });

  it("cannot import another organization's people by naming their ids", async () => {
    const res = await h.request('POST', '/api/imports', {
      token: acme,
      headers: { 'Idempotency-Key': 'acme-steals-gus' },
      body: { provider: 'bamboo-eu', selection: { ids: ['1', '2'] }, role: 'user', message: { subject: 'Join', body: 'Hi' } },
    });
    seenByAcme.push(await res.text());
    expect(res.status).toBe(409);
    expect(await h.db.kysely.selectFrom('invites').select('id').where('target_id', '=', 'acme').execute()).toEqual([]);
  });

  it("cannot see, resend or revoke another target's invite", async () => {
    expect((await asAcme('GET', '/api/invites')).json.items).toEqual([]);
    expect((await asAcme('POST', `/api/invites/${globexInvite.id}/resend`)).status).toBe(403);
    expect((await asAcme('DELETE', `/api/invites/${globexInvite.id}`)).status).toBe(403);
    const still = await h.db.kysely.selectFrom('invites').select('status').where('id', '=', globexInvite.id).executeTakeFirstOrThrow();
    expect(still.status).toBe('pending');
  });

  it("removing its own connection leaves the other organization's in place", async () => {
    expect((await asAcme('DELETE', '/api/providers/bamboo-eu/connection')).status).toBe(200);
    const theirs = await h.request('GET', '/api/providers/bamboo-eu/contacts', { token: globex });
    expect(theirs.status).toBe(200);
    expect(((await theirs.json()) as { total: number }).total).toBe(2);
  });
});

describe('tokens cannot be reused', () => {
  it('an invite link works once; the second use is refused and changes nothing', async () => {
    const first = await h.request('POST', '/api/invites/accept', { body: { token: globexInvite.token } });
    expect(first.status).toBe(200);
    const again = await h.request('POST', '/api/invites/accept', { body: { token: globexInvite.token } });
    expect(again.status).toBe(410);
    expect(await h.db.kysely.selectFrom('members').select('email').where('target_id', '=', 'globex').execute()).toEqual([{ email: 'gus@globex.test' }]);
  });

  it('a session token opens only its own target, and not the server-to-server routes', async () => {
    const targetRoute = await h.request('PUT', '/api/targets/organization/globex', { token: acme, body: { name: 'Mine now', seatLimit: 1000 } });
    expect(targetRoute.status).toBe(401);
    const session = await asAcme('GET', '/api/session');
    expect(session.json.target).toMatchObject({ type: 'organization', id: 'acme' });
  });
});

describe('no answer carries a secret or another organization', () => {
  it('holds no credential, invite token, token hash or globex person in anything acme was sent', async () => {
    const hashes = (await h.db.kysely.selectFrom('invites').select('token_hash').execute()).map((r) => r.token_hash);
    const seen = seenByAcme.join('\n');
    for (const secret of [GLOBEX_KEY, ACME_KEY, globexInvite.token, ...hashes, 'gus@globex.test', 'greta@globex.test', 'Gus Doe']) {
      expect(seen).not.toContain(secret);
    }
    expect(seenByAcme.length).toBeGreaterThan(8);
  });
});
