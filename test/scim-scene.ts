/**
 * The scene of the SCIM tests (bff/routes/scim*.test.ts): the BFF on a real database with the
 * SCIM directory, organizations acme and globex, and acme's SCIM token; requests as an identity
 * provider sends them, and the widget's view of what they wrote.
 *
 * `scimScene()` registers its hooks in the calling test file; each test calls `setUp` first.
 */
import { afterEach, expect } from 'vitest';
import { API_KEY, createHarness, type Harness } from './harness.js';
import { sampleProvider, scimProvider, type ProviderEntry } from '../bff/providers/registry.js';
import type { AppConfig } from '../bff/deps.js';
import type { ContactPage } from '../contract/index.js';

export const SCIM = '/api/scim/v2';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});

export function scimScene() {
  const scene = {
    /** The BFF of the running test, and acme's SCIM token. */
    h: undefined as unknown as Harness,
    acme: '',
  };

  async function setUp(config: Partial<AppConfig> = {}, scim: ProviderEntry = scimProvider()) {
    scene.h = await createHarness({ providers: [sampleProvider(), scim], config });
    await scene.h.target('organization', 'acme', 10);
    await scene.h.target('organization', 'globex', 10);
    scene.acme = await createToken('acme');
  }

  async function createToken(org: string): Promise<string> {
    const res = await scene.h.request('POST', `/api/organizations/${org}/scim-token`, { token: API_KEY });
    expect(res.status).toBe(201);
    const json = (await res.json()) as { token: string; baseUrl: string };
    return json.token;
  }

  /** A SCIM request as an identity provider sends it: `application/scim+json`, the organization's token. */
  async function scim(method: string, path: string, body?: unknown, token: string | null = scene.acme, contentType = 'application/scim+json; charset=utf-8') {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = contentType;
    const res = await scene.h.request(method, `${SCIM}${path}`, {
      headers,
      rawBody: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  }

  /** The widget's view: the session of an admin of the organization. */
  async function widget(path: string, org = 'acme') {
    const token = await scene.h.session({ type: 'organization', id: org });
    const res = await scene.h.request('GET', `/api${path}`, { token });
    return { status: res.status, json: await res.json() };
  }
  const contacts = async (query = '', org = 'acme') => (await widget(`/providers/scim/contacts?limit=100${query}`, org)).json as ContactPage;

  afterEach(() => scene.h.close());

  return Object.assign(scene, { setUp, createToken, scim, widget, contacts });
}
