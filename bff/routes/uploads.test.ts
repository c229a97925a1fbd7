import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { createHarness, type Harness } from '../../test/harness.js';
import { csvProvider, sampleProvider } from '../providers/registry.js';
import { upsertTarget } from '../services/targets.js';
import type { ContactPage, CsvUploadConfirmation, CsvUploadPreview, ImportResult, ProviderInfo, RefreshStatus } from '../../contract/index.js';

let h: Harness;
let acme: string;

/** A spreadsheet as HR exports it: `;`, a BOM, CRLF, quotes, a line break in a cell, a row without email, a repeat. */
const STAFF = [
  '\ufeffEmployee ID;Given name;Surname;Work E-mail;Job Title;Department;Office;Status',
  'E1;Ada;Lovelace;ada@acme.test;Engineer;Engineering;London;Active',
  'E2;Grace;Hopper;grace@acme.test;"Rear Admiral; retired";Engineering;"New\r\nYork";Active',
  'E3;Alan;Turing;;Researcher;Research;London;Active',
  'E4;"Edsger ""EWD""";Dijkstra;ADA@acme.test;Professor;Research;Austin;Active',
  'E5;Barbara;Liskov;barbara@acme.test;Professor;Research;Boston;Terminated',
  'E6;Donald;Knuth;don@acme.test;Author;Research;Stanford;Active',
].join('\r\n');

const MAPPING = {
  email: 'Work E-mail',
  firstName: 'Given name',
  lastName: 'Surname',
  title: 'Job Title',
  department: 'Department',
  location: 'Office',
  status: 'Status',
  id: 'Employee ID',
};

async function upload(text: string | Uint8Array, token = acme, type = 'text/csv', provider = 'csv'): Promise<{ status: number; json: any }> {
  const res = await h.request('POST', `/api/providers/${provider}/uploads`, { token, headers: { 'Content-Type': type }, rawBody: text as string });
  return { status: res.status, json: await res.json() };
}

async function call(method: string, path: string, body?: unknown, token = acme): Promise<{ status: number; json: any }> {
  const res = await h.request(method, path, { token, body });
  return { status: res.status, json: await res.json() };
}

const preview = (id: string, mapping: unknown, token = acme) => call('POST', `/api/providers/csv/uploads/${id}/preview`, { mapping }, token);
const confirm = (id: string, mapping: unknown, token = acme) => call('POST', `/api/providers/csv/uploads/${id}/confirm`, { mapping }, token);
const contacts = async (query = '', token = acme) => (await call('GET', `/api/providers/csv/contacts?limit=500${query}`, undefined, token)).json as ContactPage;
const csvState = async (token = acme) =>
  ((await call('GET', '/api/providers', undefined, token)).json.items as ProviderInfo[]).find((p) => p.id === 'csv')!.connection;

/** Everything an upload, preview or confirmation may write. */
async function snapshot() {
  const rows = async (t: 'csv_uploads' | 'directory_contacts' | 'directory_syncs') =>
    h.db.kysely
      .selectFrom(t)
      .selectAll()
      .orderBy(sql`1`)
      .execute();
  return { uploads: await rows('csv_uploads'), contacts: await rows('directory_contacts'), syncs: await rows('directory_syncs') };
}

beforeEach(async () => {
  h = await createHarness({ providers: [sampleProvider(), csvProvider()] });
  await h.target('organization', 'acme', 10);
  await h.target('organization', 'globex', 10);
  acme = await h.session({ type: 'organization', id: 'acme' });
});
afterEach(() => h.close());

describe('POST /api/providers/csv/uploads', () => {
  it('answers the columns, the mapping guessed from the header, the first rows under it and the counts', async () => {
    const { status, json } = await upload(STAFF);
    expect(status).toBe(201);
    const answer = json as CsvUploadPreview;
    expect(answer.id).toMatch(/^up_/);
    expect(answer.delimiter).toBe(';');
    expect(answer.columns).toEqual(['Employee ID', 'Given name', 'Surname', 'Work E-mail', 'Job Title', 'Department', 'Office', 'Status']);
    expect(answer.mapping).toEqual({ ...MAPPING, displayName: null, employmentType: null, manager: null });
    expect(answer.counts).toEqual({ rows: 6, contacts: 6, withoutEmail: 1, duplicates: 1, ragged: 0 });
    expect(answer.preview).toHaveLength(5);
    expect(answer.preview[1]).toEqual({
      line: 3,
      contact: {
        id: 'E2',
        firstName: 'Grace',
        lastName: 'Hopper',
        displayName: 'Grace Hopper',
        email: 'grace@acme.test',
        personalEmail: null,
        // A line break inside a quoted cell is text, made a space for the directory.
        title: 'Rear Admiral; retired',
        department: 'Engineering',
        location: 'New York',
        employmentType: null,
        managerId: null,
        status: 'active',
        avatarUrl: null,
      },
    });
    expect(answer.preview.map((r) => [r.line, r.contact.displayName, r.contact.email])).toEqual([
      [2, 'Ada Lovelace', 'ada@acme.test'],
      [3, 'Grace Hopper', 'grace@acme.test'],
      [5, 'Alan Turing', null],
      [6, 'Edsger "EWD" Dijkstra', 'ADA@acme.test'],
      [7, 'Barbara Liskov', 'barbara@acme.test'],
    ]);
    expect(answer.expiresAt).toBe(new Date(h.clock.now.getTime() + 3_600_000).toISOString());
    // Held, not yet the directory.
    expect(await csvState()).toBe('needs_credentials');
    expect((await call('GET', '/api/providers/csv/contacts')).json.error.code).toBe('csv_not_uploaded');
  });

  it('reads a Windows-1252 export and reports ragged rows instead of failing', async () => {
    const bytes = Uint8Array.from(
      [...'email,name\nm@x.test,M']
        .map((c) => c.charCodeAt(0))
        .concat(
          [0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x0a],
          [...'short@x.test\n'].map((c) => c.charCodeAt(0)),
        ),
    );
    const res = await h.request('POST', '/api/providers/csv/uploads', {
      token: acme,
      headers: { 'Content-Type': 'text/csv' },
      rawBody: bytes as unknown as string,
    });
    const json = (await res.json()) as CsvUploadPreview;
    expect(res.status).toBe(201);
    expect(json.preview.map((r) => r.contact.displayName)).toEqual(['Müller', 'short@x.test']);
    expect(json.ragged).toEqual([{ line: 3, cells: 1 }]);
    expect(json.counts.ragged).toBe(1);
  });
});

describe('preview and confirm', () => {
  it('previews another mapping, then makes the mapped rows the organization’s directory', async () => {
    const { json: up } = await upload(STAFF);
    const other = await preview(up.id, { email: 'Work E-mail', displayName: 'Surname', department: 'Office' });
    expect(other.status).toBe(200);
    expect(other.json.preview[0].contact).toMatchObject({ displayName: 'Lovelace', department: 'London', firstName: null, status: 'active' });
    expect(other.json.mapping).toEqual({
      email: 'Work E-mail',
      displayName: 'Surname',
      department: 'Office',
      firstName: null,
      lastName: null,
      title: null,
      location: null,
      employmentType: null,
      manager: null,
      status: null,
      id: null,
    });

    const done = await confirm(up.id, MAPPING);
    expect(done).toEqual({
      status: 200,
      json: { connection: 'ready', counts: { rows: 6, contacts: 6, withoutEmail: 1, duplicates: 1, ragged: 0 } } satisfies CsvUploadConfirmation,
    });
    expect(await csvState()).toBe('ready');
    const page = await contacts();
    // Terminated people are hidden by default, as for every provider; the one without email is listed.
    expect(page.items.map((c) => [c.id, c.displayName, c.email, c.location])).toEqual([
      ['E1', 'Ada Lovelace', 'ada@acme.test', 'London'],
      ['E3', 'Alan Turing', null, 'London'],
      ['E6', 'Donald Knuth', 'don@acme.test', 'Stanford'],
      ['E4', 'Edsger "EWD" Dijkstra', 'ADA@acme.test', 'Austin'],
      ['E2', 'Grace Hopper', 'grace@acme.test', 'New York'],
    ]);
    expect(page.selectable).toBe(4);
    expect((await contacts('&status=inactive')).items.map((c) => c.id)).toEqual(['E5']);
    expect((await contacts('&search=research')).total).toBe(3);

    // A lab of the organization sees the same directory; another organization has none.
    await upsertTarget(h.db.kysely, { type: 'lab', id: 'robotics' }, { name: 'Robotics', seatLimit: 5, organizationId: 'acme' }, h.clock.now);
    const lab = await h.session({ type: 'lab', id: 'robotics' });
    expect((await contacts('', lab)).total).toBe(5);
    const globex = await h.session({ type: 'organization', id: 'globex' });
    expect(await csvState(globex)).toBe('needs_credentials');
    expect((await call('GET', '/api/providers/csv/contacts', undefined, globex)).status).toBe(409);
  });

  it('imports from the uploaded directory, skipping the row without email and the repeated address', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    const res = await h.request('POST', '/api/imports', {
      token: acme,
      headers: { 'Idempotency-Key': 'csv-import-0001' },
      body: { provider: 'csv', selection: { ids: ['E1', 'E3', 'E4', 'E6'] }, role: 'user', message: { subject: 'Join us', body: 'Hi {{firstName}}' } },
    });
    const result = (await res.json()) as ImportResult;
    expect(res.status).toBe(201);
    expect(result.invited).toBe(2);
    expect(result.skipped.map((s) => [s.contactId, s.reason])).toEqual([
      ['E3', 'no_email'],
      ['E4', 'duplicate'],
    ]);
  });

  it('replaces the directory on a new upload, keeping the ids of the same people so a selection stays valid', async () => {
    const noIds = 'email,first name,last name\nada@acme.test,Ada,Lovelace\ngrace@acme.test,Grace,Hopper\n,Nobody,Known\n';
    const { json: first } = await upload(noIds);
    expect(first.mapping).toMatchObject({ email: 'email', firstName: 'first name', lastName: 'last name', id: null });
    await confirm(first.id, first.mapping);
    const before = new Map((await contacts()).items.map((c) => [c.displayName, c.id]));

    const { json: second } = await upload('Last Name,E-Mail,First Name\nKnown,,Nobody\nHopper,GRACE@acme.test,Grace\nKnuth,don@acme.test,Donald\n');
    await confirm(second.id, second.mapping);
    const after = new Map((await contacts()).items.map((c) => [c.displayName, c.id]));
    expect([...after.keys()]).toEqual(['Donald Knuth', 'Grace Hopper', 'Nobody Known']);
    expect(after.get('Grace Hopper')).toBe(before.get('Grace Hopper'));
    expect(after.get('Nobody Known')).toBe(before.get('Nobody Known'));
    const syncs = await h.db.kysely.selectFrom('directory_syncs').selectAll().execute();
    expect(syncs.map((s) => [s.connection, s.status, s.total])).toEqual([['csv:organization:acme', 'ready', 3]]);
  });

  it('forgets the upload on disconnect', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    expect(await call('DELETE', '/api/providers/csv/connection')).toEqual({ status: 200, json: { connection: 'needs_credentials' } });
    expect(await csvState()).toBe('needs_credentials');
    expect(await h.db.kysely.selectFrom('directory_contacts').selectAll().execute()).toEqual([]);
  });
});

/** A file as an admin downloads it from the console (test/fixtures/csv/README.md). */
const exportFile = (name: string) => readFileSync(new URL(`../../test/fixtures/csv/${name}.csv`, import.meta.url));
/** The text as UTF-16 with its byte order mark, as Excel's "Unicode Text" and some consoles write it. */
function utf16(text: string, order: 'le' | 'be'): Uint8Array {
  const le = Buffer.from('\ufeff' + text.replace(/^\ufeff/, ''), 'utf16le');
  if (order === 'le') return new Uint8Array(le);
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
  return new Uint8Array(be);
}

describe('real admin-console exports', () => {
  /** Uploads and confirms the file under the guessed mapping, unchanged, and lists every contact. */
  async function importAsIs(body: Uint8Array) {
    const up = await upload(body);
    expect(up.status).toBe(201);
    expect(up.json.notices).toEqual([]);
    expect((await confirm(up.json.id, up.json.mapping)).status).toBe(200);
    return (await contacts('&status=all')).items.map((c) => [c.id, c.displayName, c.email, c.title, c.department, c.location, c.status]);
  }

  it('maps Google Workspace, Microsoft 365, BambooHR and Personio (German) exports with no manual change', async () => {
    expect(await importAsIs(exportFile('google-workspace-users'))).toEqual([
      ['E-1001', 'Ada Lovelace', 'ada@example.com', 'Staff Engineer', 'Engineering', null, 'active'],
      ['E-1003', 'Alan Turing', 'alan@example.com', 'Researcher', 'Research', null, 'inactive'],
      ['E-1002', 'Grace Hopper', 'grace@example.com', 'VP Engineering', 'Engineering', null, 'active'],
    ]);
    expect(await importAsIs(exportFile('microsoft-365-active-users'))).toEqual([
      ['4a1b2c3d-0000-4000-8000-000000000003', 'Adele Vance', 'AdeleV@contoso.example', 'Retail Manager', null, null, 'active'],
      ['4a1b2c3d-0000-4000-8000-000000000001', 'Megan Bowen', 'MeganB@contoso.example', 'Marketing Manager', 'Sales', 'Building 18', 'active'],
      ['4a1b2c3d-0000-4000-8000-000000000002', 'Weber, Jonas', 'JonasW@contoso.example', 'Researcher', 'Research', 'München Office', 'inactive'],
    ]);
    expect(await importAsIs(exportFile('bamboohr-report'))).toEqual([
      ['102', 'Ashley Adams', 'aadams@efficientoffice.example', 'HR Administrator', 'Human Resources', 'Lindon, Utah', 'active'],
      ['101', 'Charlotte Abbott', 'cabbott@efficientoffice.example', 'Sr. HR Administrator', 'Human Resources', 'Lindon, Utah', 'active'],
      ['103', 'Christina Agluinda', null, 'Software Engineer', 'Product', 'London', 'inactive'],
    ]);
    const personio = [
      ['P-0042', 'Jürgen Groß', 'juergen.gross@beispiel.example', 'Leiter Vertrieb', 'Vertrieb', 'München', 'active'],
      ['P-0060', 'Lukas Bauer', 'lukas.bauer@beispiel.example', 'Werkstudent', 'IT', 'Köln', 'active'],
      ['P-0051', 'Özlem Şahin', 'oezlem.sahin@beispiel.example', 'Entwicklerin', 'IT', 'Köln', 'inactive'],
      ['P-0043', 'Sabine Köhler', 'sabine.koehler@beispiel.example', 'Geschäftsführerin', 'Geschäftsführung', 'Berlin', 'active'],
    ];
    expect(await importAsIs(exportFile('personio-de'))).toEqual(personio);
  });

  it('reads UTF-16 files with a byte order mark, little and big endian, as the same people', async () => {
    const text = exportFile('personio-de').toString('utf8');
    for (const order of ['le', 'be'] as const) {
      const { status, json } = await upload(utf16(text, order));
      expect(status).toBe(201);
      expect(json.columns).toContain('Büro');
      expect(json.mapping).toMatchObject({ email: 'E-Mail', location: 'Büro', manager: 'Vorgesetzte:r', id: 'Personalnummer' });
      expect(json.preview.map((r: { contact: { displayName: string } }) => r.contact.displayName)).toEqual([
        'Jürgen Groß',
        'Sabine Köhler',
        'Özlem Şahin',
        'Lukas Bauer',
      ]);
    }
    // Excel's "Unicode Text": UTF-16LE, tab-separated.
    const tabbed = await upload(utf16('Vorname\tNachname\tE-Mail\r\nJürgen\tGroß\tj@beispiel.example\r\n', 'le'));
    expect(tabbed.json).toMatchObject({ delimiter: '\t', mapping: { email: 'E-Mail' }, counts: { rows: 1, withoutEmail: 0 } });
  });

  it('says in the preview when no column holds the email, and why it is needed; confirming without one is refused', async () => {
    const { status, json } = await upload('First name,Last name,Private mail,Department\nAda,Lovelace,ada@home.test,Engineering\n');
    expect(status).toBe(201);
    expect(json.mapping.email).toBeNull();
    expect(json.notices).toEqual([{ code: 'no_email_column', message: expect.stringMatching(/no column .* email.*invitation is sent/is) }]);
    expect(json.counts).toMatchObject({ rows: 1, withoutEmail: 1 });
    // Chosen by hand, the notice goes.
    expect((await preview(json.id, { email: 'Private mail' })).json.notices).toEqual([]);
    expect((await confirm(json.id, { ...json.mapping })).status).toBe(400);
    expect(await csvState()).toBe('needs_credentials');
  });
});

describe('refresh of an uploaded directory', () => {
  /** The refresh line's view of the directory, as the widget polls it. */
  const refreshState = async () => (await call('GET', '/api/providers/csv/refresh')).json as RefreshStatus;

  it('keeps the file as the directory when Refresh is pressed, and on Retry: no error, no 429, the contacts stay', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    // Two minutes on: past the minute that throttles forced provider refreshes.
    h.clock.now = new Date(h.clock.now.getTime() + 2 * 60_000);
    const confirmed = await refreshState();
    expect(confirmed).toMatchObject({ status: 'ready', stale: false, fetched: 6, total: 6 });

    // The widget's Refresh: POST with force. It used to start a refresh whose "connector" only
    // said "No CSV file has been uploaded", leaving status error and a Retry that never cleared.
    const forced = await call('POST', '/api/providers/csv/refresh', { force: true });
    expect(forced.status).toBe(200);
    expect(forced.json).toEqual(confirmed);
    await new Promise((ok) => setTimeout(ok, 50));
    expect(await refreshState()).toEqual(confirmed);
    // Retry (forced again, inside the minute that throttles provider refreshes) is no 429 either.
    expect((await call('POST', '/api/providers/csv/refresh', { force: true })).json).toEqual(confirmed);
    expect((await call('POST', '/api/providers/csv/refresh')).json).toEqual(confirmed);
    expect((await contacts()).total).toBe(5);
    expect(await csvState()).toBe('ready');
  });

  it('heals a directory an earlier refresh left in error: the file stays and the status says ready', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    // What the bug left behind in databases that ran it.
    await h.db.kysely
      .updateTable('directory_syncs')
      .set({
        status: 'error',
        error_code: 'csv_not_uploaded',
        error_message: 'No CSV file has been uploaded to CSV file for your organization yet: upload one in the provider picker.',
      })
      .execute();
    expect(await refreshState()).toMatchObject({ status: 'ready', stale: false, fetched: 6 });
    expect((await call('POST', '/api/providers/csv/refresh', { force: true })).json).toMatchObject({ status: 'ready' });
    const sync = await h.db.kysely.selectFrom('directory_syncs').selectAll().executeTakeFirstOrThrow();
    expect([sync.status, sync.error_code]).toEqual(['ready', null]);
    expect((await contacts()).total).toBe(5);
  });

  it('says there is nothing to refresh before a file is confirmed', async () => {
    expect(await call('POST', '/api/providers/csv/refresh', { force: true })).toMatchObject({ status: 409, json: { error: { code: 'csv_not_uploaded' } } });
    expect((await call('GET', '/api/providers/csv/refresh')).json.error.code).toBe('csv_not_uploaded');
    expect(await h.db.kysely.selectFrom('directory_syncs').selectAll().execute()).toEqual([]);
  });
});

describe('bad input', () => {
  it('refuses every bad file with a 4xx JSON error and writes nothing', async () => {
    const cases: [string | Uint8Array, number, string, string?][] = [
      ['', 400, 'csv_empty'],
      ['\ufeff\r\n\r\n', 400, 'csv_empty'],
      [',,\nada@x.test,,', 400, 'csv_no_header'],
      ['email,name\n', 400, 'csv_no_rows'],
      ['email,name\n"ada@x.test,Ada\n', 400, 'csv_unterminated_quote'],
      ['PK\u0003\u0004\u0000\u0000binary', 400, 'csv_not_text'],
      ['email\n' + 'a@x.test\n'.repeat(100_001), 413, 'payload_too_large'],
      ['{"email":"ada@x.test"}', 415, 'unsupported_media_type', 'application/json'],
      ['email\nada@x.test', 415, 'unsupported_media_type', 'image/png'],
    ];
    const before = await snapshot();
    for (const [body, status, code, type] of cases) {
      const res = await upload(body, acme, type);
      expect([res.status, res.json.error.code], String(body).slice(0, 30)).toEqual([status, code]);
      expect(res.json.error.message.length).toBeGreaterThan(0);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a header of a million commas fast, before padding 2,000 rows to its width', async () => {
    // About 1 MB: once, every row became a million empty cells and the process died at 4.3 GB.
    const body = ','.repeat(1_000_000) + '\n' + 'a@x.test\n'.repeat(2_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const res = await upload(body);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
    expect(res.json.error.details).toEqual({ limit: 'columns', max: 200 });
    expect(res.json.error.message).toMatch(/200 columns/);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(await h.db.kysely.selectFrom('csv_uploads').selectAll().execute()).toEqual([]);
  });

  it('refuses a 200 KB file that would expand to millions of cells without stalling other requests or storing anything', async () => {
    // 10,000 columns by 2,000 rows: 20 million padded cells, once a 60 MB value and a 5 s stall.
    const body = 'email' + ',x'.repeat(9_999) + '\n' + 'a@x.test,\n'.repeat(2_000);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      const started = performance.now();
      const res = await h.request('GET', '/api/health');
      return { status: res.status, ms: performance.now() - started };
    })();
    const res = await upload(body);
    const answered = await health;
    delay.disable();
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeLessThan(500);
    expect(delay.max / 1e6).toBeLessThan(500);
    expect(await h.db.kysely.selectFrom('csv_uploads').selectAll().execute()).toEqual([]);
  });

  it("names each bound a file breaks: columns in any row, a cell's length, rows, padded cells", async () => {
    const cases: [string, { limit: string; max: number }][] = [
      ['email\n' + 'a@x.test,'.repeat(200) + '\n', { limit: 'columns', max: 200 }],
      ['email,name\na@x.test,' + 'n'.repeat(10_001) + '\n', { limit: 'cellLength', max: 10_000 }],
      ['email,name\na@x.test,"' + 'n'.repeat(10_001) + '"\n', { limit: 'cellLength', max: 10_000 }],
      ['email\n' + 'a@x.test\n'.repeat(100_001), { limit: 'rows', max: 100_000 }],
      ['email' + ',c'.repeat(199) + '\n' + 'a@x.test\n'.repeat(10_001), { limit: 'cells', max: 2_000_000 }],
    ];
    for (const [body, limit] of cases) {
      const res = await upload(body);
      expect([res.status, res.json.error.code, res.json.error.details], body.slice(0, 20)).toEqual([413, 'payload_too_large', limit]);
    }
    // At the bounds, a file is read.
    expect((await upload('email' + ',c'.repeat(199) + '\n' + 'a@x.test,' + 'n'.repeat(10_000) + '\n')).status).toBe(201);
    expect(await h.db.kysely.selectFrom('csv_uploads').select('row_count').execute()).toEqual([{ row_count: 1 }]);
  });

  it('refuses a file over 10 MB with 413', async () => {
    const res = await upload('email\n' + 'x'.repeat(10 * 1024 * 1024 + 10));
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('refuses an upload for a provider that takes none, and a missing session', async () => {
    expect((await upload(STAFF, acme, 'text/csv', 'sample')).json.error.code).toBe('not_a_csv_provider');
    expect((await upload(STAFF, acme, 'text/csv', 'nowhere')).status).toBe(404);
    expect((await upload(STAFF, '')).status).toBe(401);
    expect((await call('PUT', '/api/providers/csv/connection', { credentials: {} })).json.error.code).toBe('csv_provider');
  });

  it('refuses bad mappings and unknown, expired or foreign uploads, leaving the directory as it was', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    const { json: next } = await upload('email\nnew@acme.test\n');
    const before = await snapshot();
    const refusals: [Promise<{ status: number; json: any }>, number, string][] = [
      [confirm(next.id, { firstName: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'Work E-mail' }), 400, 'unknown_column'],
      [confirm(next.id, { email: 'email', nickname: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'email', title: 42 }), 400, 'invalid_request'],
      [preview(next.id, { email: 'email', department: 'Dept' }), 400, 'unknown_column'],
      [call('POST', `/api/providers/csv/uploads/${next.id}/confirm`, { mapping: { email: 'email' }, extra: 1 }), 400, 'invalid_request'],
      [confirm('up_' + 'x'.repeat(24), { email: 'email' }), 404, 'upload_not_found'],
      [confirm('../../etc', { email: 'email' }), 404, 'not_found'],
      [confirm('nope', { email: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'email' }, await h.session({ type: 'organization', id: 'globex' })), 404, 'upload_not_found'],
      [call('POST', `/api/providers/sample/uploads/${next.id}/confirm`, { mapping: { email: 'email' } }), 409, 'not_a_csv_provider'],
    ];
    for (const [pending, status, code] of refusals) {
      const res = await pending;
      expect([res.status, res.json.error?.code]).toEqual([status, code]);
    }
    const raw = await h.request('POST', `/api/providers/csv/uploads/${next.id}/confirm`, {
      token: acme,
      headers: { 'Content-Type': 'text/csv' },
      rawBody: 'email',
    });
    expect(raw.status).toBe(415);
    // An hour later the upload is gone (the session is a new one: the first has expired too).
    h.clock.now = new Date(h.clock.now.getTime() + 3_600_000);
    acme = await h.session({ type: 'organization', id: 'acme' });
    expect((await confirm(next.id, { email: 'email' })).json.error.code).toBe('upload_not_found');
    expect(await snapshot()).toEqual(before);
    expect((await contacts()).total).toBe(5);
  });
});
