/**
 * The scene of the CSV upload tests (bff/routes/uploads*.test.ts): the BFF on a real database
 * with the CSV directory, organizations acme and globex, an admin's session of acme, and the
 * requests the widget makes to upload, preview and confirm a file.
 *
 * `uploadScene()` registers its hooks in the calling test file: a fresh BFF for each test.
 */
import { afterEach, beforeEach } from 'vitest';
import { sql } from 'kysely';
import { createHarness, type Harness } from './harness.js';
import { csvProvider, sampleProvider } from '../bff/providers/registry.js';
import type { ContactPage, ProviderInfo } from '../contract/index.js';

/** A spreadsheet as HR exports it: `;`, a BOM, CRLF, quotes, a line break in a cell, a row without email, a repeat. */
export const STAFF = [
  '\ufeffEmployee ID;Given name;Surname;Work E-mail;Job Title;Department;Office;Status',
  'E1;Ada;Lovelace;ada@acme.test;Engineer;Engineering;London;Active',
  'E2;Grace;Hopper;grace@acme.test;"Rear Admiral; retired";Engineering;"New\r\nYork";Active',
  'E3;Alan;Turing;;Researcher;Research;London;Active',
  'E4;"Edsger ""EWD""";Dijkstra;ADA@acme.test;Professor;Research;Austin;Active',
  'E5;Barbara;Liskov;barbara@acme.test;Professor;Research;Boston;Terminated',
  'E6;Donald;Knuth;don@acme.test;Author;Research;Stanford;Active',
].join('\r\n');

export const MAPPING = {
  email: 'Work E-mail',
  firstName: 'Given name',
  lastName: 'Surname',
  title: 'Job Title',
  department: 'Department',
  location: 'Office',
  status: 'Status',
  id: 'Employee ID',
};

export function uploadScene() {
  const scene = {
    /** The BFF of the running test, and the session of an admin of acme. */
    h: undefined as unknown as Harness,
    acme: '',
  };

  // Answers are read as JSON whose shape the tests check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = { status: number; json: any };

  async function upload(text: string | Uint8Array, token = scene.acme, type = 'text/csv', provider = 'csv'): Promise<Answer> {
    const res = await scene.h.request('POST', `/api/providers/${provider}/uploads`, { token, headers: { 'Content-Type': type }, rawBody: text as string });
    return { status: res.status, json: await res.json() };
  }

  async function call(method: string, path: string, body?: unknown, token = scene.acme): Promise<Answer> {
    const res = await scene.h.request(method, path, { token, body });
    return { status: res.status, json: await res.json() };
  }

  const preview = (id: string, mapping: unknown, token = scene.acme) => call('POST', `/api/providers/csv/uploads/${id}/preview`, { mapping }, token);
  const confirm = (id: string, mapping: unknown, token = scene.acme) => call('POST', `/api/providers/csv/uploads/${id}/confirm`, { mapping }, token);
  const contacts = async (query = '', token = scene.acme) =>
    (await call('GET', `/api/providers/csv/contacts?limit=500${query}`, undefined, token)).json as ContactPage;
  const csvState = async (token = scene.acme) =>
    ((await call('GET', '/api/providers', undefined, token)).json.items as ProviderInfo[]).find((p) => p.id === 'csv')!.connection;

  /** Everything an upload, preview or confirmation may write. */
  async function snapshot() {
    const rows = async (t: 'csv_uploads' | 'directory_contacts' | 'directory_syncs') =>
      scene.h.db.kysely
        .selectFrom(t)
        .selectAll()
        .orderBy(sql`1`)
        .execute();
    return { uploads: await rows('csv_uploads'), contacts: await rows('directory_contacts'), syncs: await rows('directory_syncs') };
  }

  beforeEach(async () => {
    scene.h = await createHarness({ providers: [sampleProvider(), csvProvider()] });
    await scene.h.target('organization', 'acme', 10);
    await scene.h.target('organization', 'globex', 10);
    scene.acme = await scene.h.session({ type: 'organization', id: 'acme' });
  });
  afterEach(() => scene.h.close());

  return Object.assign(scene, { upload, call, preview, confirm, contacts, csvState, snapshot });
}
