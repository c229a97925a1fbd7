/**
 * CSV uploads: a file uploaded, previewed with a column mapping and confirmed as the directory,
 * and real admin-console exports read as HR writes them. Refresh: uploads-refresh.test.ts; bad
 * input: uploads-bad-input.test.ts. The scene: test/upload-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MAPPING, STAFF, uploadScene } from '../../test/upload-scene.js';
import { upsertTarget } from '../services/targets.js';
import type { CsvUploadConfirmation, CsvUploadPreview, ImportResult } from '../../contract/index.js';

const s = uploadScene();
const { upload, call, preview, confirm, contacts, csvState } = s;

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
    expect(answer.expiresAt).toBe(new Date(s.h.clock.now.getTime() + 3_600_000).toISOString());
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
    const res = await s.h.request('POST', '/api/providers/csv/uploads', {
      token: s.acme,
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
    await upsertTarget(s.h.db.kysely, { type: 'lab', id: 'robotics' }, { name: 'Robotics', seatLimit: 5, organizationId: 'acme' }, s.h.clock.now);
    const lab = await s.h.session({ type: 'lab', id: 'robotics' });
    expect((await contacts('', lab)).total).toBe(5);
    const globex = await s.h.session({ type: 'organization', id: 'globex' });
    expect(await csvState(globex)).toBe('needs_credentials');
    expect((await call('GET', '/api/providers/csv/contacts', undefined, globex)).status).toBe(409);
  });

  it('imports from the uploaded directory, skipping the row without email and the repeated address', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    const res = await s.h.request('POST', '/api/imports', {
      token: s.acme,
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
    const syncs = await s.h.db.kysely.selectFrom('directory_syncs').selectAll().execute();
    expect(syncs.map((s) => [s.connection, s.status, s.total])).toEqual([['csv:organization:acme', 'ready', 3]]);
  });

  it('forgets the upload on disconnect', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    expect(await call('DELETE', '/api/providers/csv/connection')).toEqual({ status: 200, json: { connection: 'needs_credentials' } });
    expect(await csvState()).toBe('needs_credentials');
    expect(await s.h.db.kysely.selectFrom('directory_contacts').selectAll().execute()).toEqual([]);
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
