import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { type CsvMapping, guessMapping, mapRows, meansInactive } from './map.js';
import { CSV_DELIMITERS, CsvError, type CsvTable, parseCsv, parseRecords, serializeCsv } from './read.js';

/** Text a spreadsheet cell may hold, with the characters CSV must escape made likely. */
const cellText = fc
  .array(fc.oneof(fc.constantFrom('"', ',', ';', '\t', '\r', '\n', '\r\n', ' ', 'é', '👩‍💻', 'ש'), fc.string({ maxLength: 4 })), { maxLength: 6 })
  .map((parts) => parts.join('').replace(/[\u0000\ufeff]/g, ''));

const table = fc
  .integer({ min: 1, max: 5 })
  .chain((width) => fc.array(fc.array(cellText, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }));

describe('parseRecords and serializeCsv', () => {
  it('parses back any table of strings written with proper quoting, with CRLF or LF and every delimiter', () => {
    fc.assert(
      fc.property(table, fc.constantFrom(...CSV_DELIMITERS), fc.constantFrom('\r\n', '\n'), (rows, delimiter, newline) => {
        const parsed = parseRecords(serializeCsv(rows, delimiter, newline), delimiter);
        expect(parsed.map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a whole file back identically, the delimiter detected from the header', () => {
    const header = fc.uniqueArray(
      cellText.map((s) => s.trim()).filter((s) => s !== ''),
      { minLength: 2, maxLength: 5, selector: (s) => s.toLowerCase() },
    );
    fc.assert(
      fc.property(
        header.chain((h) => fc.tuple(fc.constant(h), fc.array(fc.array(cellText, { minLength: h.length, maxLength: h.length }), { maxLength: 6 }))),
        fc.constantFrom(...CSV_DELIMITERS),
        fc.boolean(),
        ([columns, rows], delimiter, bom) => {
          const text = (bom ? '\ufeff' : '') + serializeCsv([columns, ...rows], delimiter);
          const parsed = parseCsv(text);
          expect(parsed.delimiter).toBe(delimiter);
          expect(parsed.columns).toEqual(columns);
          expect(parsed.rows).toEqual(rows);
          expect(parsed.ragged).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseCsv', () => {
  it('reads quoted fields, escaped quotes, newlines inside quotes, a BOM and a missing final newline', () => {
    const text = '\ufeffEmail;Name;Note\r\nada@acme.test;"Lovelace; Ada";"said ""hi""\r\ntwice"\nbob@acme.test;Bob;';
    const t = parseCsv(text);
    expect(t.delimiter).toBe(';');
    expect(t.columns).toEqual(['Email', 'Name', 'Note']);
    expect(t.rows).toEqual([
      ['ada@acme.test', 'Lovelace; Ada', 'said "hi"\r\ntwice'],
      ['bob@acme.test', 'Bob', ''],
    ]);
    // The second row starts on line 4: the quoted note spans lines 2 and 3.
    expect(t.lines).toEqual([2, 4]);
  });

  it('detects tabs, and skips blank lines', () => {
    const t = parseCsv('email\tname\n\nada@x.test\tAda\n\n');
    expect(t.delimiter).toBe('\t');
    expect(t.rows).toEqual([['ada@x.test', 'Ada']]);
  });

  it('reports ragged rows with their line instead of failing, padding short ones and cutting long ones', () => {
    const t = parseCsv('email,name\na@x.test\nb@x.test,B,extra\nc@x.test,C\n');
    expect(t.rows).toEqual([
      ['a@x.test', ''],
      ['b@x.test', 'B'],
      ['c@x.test', 'C'],
    ]);
    expect(t.ragged).toEqual([
      { line: 2, cells: 1 },
      { line: 3, cells: 3 },
    ]);
  });

  it('names blank and repeated columns so each can be mapped', () => {
    expect(parseCsv('Email, ,email,Name\n').columns).toEqual(['Email', 'Column 2', 'email (2)', 'Name']);
  });

  it('refuses what it cannot read, saying why', () => {
    const code = (text: string, maxRows?: number) => {
      try {
        parseCsv(text, { maxRows });
        return null;
      } catch (err) {
        return err instanceof CsvError ? err.code : 'other';
      }
    };
    expect(code('')).toBe('csv_empty');
    expect(code('\ufeff \r\n')).toBe('csv_empty');
    expect(code(',,\na,b,c')).toBe('csv_no_header');
    expect(code('email\n"ada@x.test\n')).toBe('csv_unterminated_quote');
    expect(code('PK\u0003\u0004\u0000\u0000')).toBe('csv_not_text');
    expect(code('email\na\nb\nc\n', 2)).toBe('csv_too_many_rows');
    expect(code('email\na\nb\n', 2)).toBe(null);
  });
});

describe('guessMapping', () => {
  it('recognizes the usual headers whatever their case, accents, spaces and punctuation', () => {
    expect(guessMapping(['Employee ID', 'Given name', 'Surname', 'Work E-mail', 'Job Title', 'Department', 'Office', 'Manager', 'Status'])).toEqual({
      email: 'Work E-mail',
      firstName: 'Given name',
      lastName: 'Surname',
      displayName: null,
      title: 'Job Title',
      department: 'Department',
      location: 'Office',
      employmentType: null,
      manager: 'Manager',
      status: 'Status',
      id: 'Employee ID',
    });
    const m = guessMapping(['FIRST NAME', 'last_name', 'Full Name', 'E-Mail', 'Location', 'Prénom']);
    expect([m.firstName, m.lastName, m.displayName, m.email, m.location]).toEqual(['FIRST NAME', 'last_name', 'Full Name', 'E-Mail', 'Location']);
  });

  it('takes a column mentioning email when no name matches exactly, never a personal one', () => {
    expect(guessMapping(['Personal email', 'Email (work)']).email).toBe('Email (work)');
    expect(guessMapping(['Personal email', 'Name']).email).toBe(null);
  });
});

describe('mapRows', () => {
  const mapping = (m: Partial<CsvMapping>): CsvMapping => ({ ...guessMapping([]), ...m });

  it('makes contacts, counting rows without email and duplicates, inactive from the status column', () => {
    const t = parseCsv('Email,First,Last,Status\nAda@Acme.test,Ada,Lovelace,Active\n,Bob,,Active\nada@acme.TEST,Ada,L.,active\nn/a,Eve,,Terminated\n');
    const { contacts, counts } = mapRows(t, mapping({ email: 'Email', firstName: 'First', lastName: 'Last', status: 'Status' }));
    expect(counts).toEqual({ rows: 4, contacts: 3, withoutEmail: 2, duplicates: 1, ragged: 0 });
    expect(contacts.map((c) => [c.displayName, c.email, c.status, c.line])).toEqual([
      // The same email twice is one person; the later row wins.
      ['Ada L.', 'ada@acme.TEST', 'active', 4],
      ['Bob', null, 'active', 3],
      ['Eve', null, 'inactive', 5],
    ]);
  });

  it('gives the same ids to the same people in another upload, whatever the order and the email case', () => {
    const m = mapping({ email: 'email', displayName: 'name' });
    const first = mapRows(parseCsv('email,name\nada@x.test,Ada\nbob@x.test,Bob\n,Nobody\n'), m).contacts;
    const second = mapRows(parseCsv('name,email\n,\nNobody,\nBob B.,BOB@x.test\nAda,ada@x.test\n'), m).contacts;
    const id = (cs: typeof first, name: string) => cs.find((c) => c.displayName.startsWith(name))!.id;
    expect(id(second, 'Ada')).toBe(id(first, 'Ada'));
    expect(id(second, 'Bob')).toBe(id(first, 'Bob'));
    expect(id(second, 'Nobody')).toBe(id(first, 'Nobody'));
    expect(new Set(first.map((c) => c.id)).size).toBe(3);
  });

  it("uses the id column's value as the contact id, and strips control characters from text", () => {
    const t = parseCsv('id,email,name\nE-1,a@x.test,"Ada\u0007 Lovelace"\n');
    const [c] = mapRows(t, mapping({ id: 'id', email: 'email', displayName: 'name' })).contacts;
    expect([c!.id, c!.displayName]).toEqual(['E-1', 'Ada Lovelace']);
  });
});

/** The exports admins download from their consoles (headers as the vendors write them: test/fixtures/csv/README.md). */
const fixture = (name: string) => parseCsv(readFileSync(new URL(`../../test/fixtures/csv/${name}.csv`, import.meta.url), 'utf8'));
const summary = (t: CsvTable) =>
  mapRows(t, guessMapping(t.columns)).contacts.map((c) => [c.id, c.displayName, c.email, c.title, c.department, c.location, c.managerId, c.status]);

describe('guessMapping on real admin-console exports', () => {
  it('Google Workspace "Download users": the [Required]/[READ ONLY] headers, Suspended inactive, recovery and new emails left alone', () => {
    const t = fixture('google-workspace-users');
    expect(guessMapping(t.columns)).toEqual({
      email: 'Email Address [Required]',
      firstName: 'First Name [Required]',
      lastName: 'Last Name [Required]',
      displayName: null,
      title: 'Employee Title',
      department: 'Department',
      location: null,
      employmentType: 'Employee Type',
      manager: 'Manager Email',
      status: 'Status [READ ONLY]',
      id: 'Employee ID',
    });
    expect(summary(t)).toEqual([
      ['E-1001', 'Ada Lovelace', 'ada@example.com', 'Staff Engineer', 'Engineering', null, 'grace@example.com', 'active'],
      ['E-1002', 'Grace Hopper', 'grace@example.com', 'VP Engineering', 'Engineering', null, null, 'active'],
      ['E-1003', 'Alan Turing', 'alan@example.com', 'Researcher', 'Research', null, 'grace@example.com', 'inactive'],
    ]);
  });

  it('Microsoft 365 active users: User principal name is the email, Block credential True is inactive, State is a region', () => {
    const t = fixture('microsoft-365-active-users');
    expect(guessMapping(t.columns)).toEqual({
      email: 'User principal name',
      firstName: 'First name',
      lastName: 'Last name',
      displayName: 'Display name',
      title: 'Title',
      department: 'Department',
      location: 'Office',
      employmentType: null,
      manager: null,
      status: 'Block credential',
      id: 'Object Id',
    });
    expect(summary(t)).toEqual([
      ['4a1b2c3d-0000-4000-8000-000000000001', 'Megan Bowen', 'MeganB@contoso.example', 'Marketing Manager', 'Sales', 'Building 18', null, 'active'],
      ['4a1b2c3d-0000-4000-8000-000000000002', 'Weber, Jonas', 'JonasW@contoso.example', 'Researcher', 'Research', 'München Office', null, 'inactive'],
      // Her State cell says "Inactive": a region column never decides anyone's status.
      ['4a1b2c3d-0000-4000-8000-000000000003', 'Adele Vance', 'AdeleV@contoso.example', 'Retail Manager', null, null, null, 'active'],
    ]);
  });

  it('BambooHR report: Employee # is the id (not a name), Reporting to the manager, the preferred name no display name', () => {
    const t = fixture('bamboohr-report');
    expect(guessMapping(t.columns)).toEqual({
      email: 'Work Email',
      firstName: 'First Name',
      lastName: 'Last Name',
      displayName: null,
      title: 'Job Title',
      department: 'Department',
      location: 'Location',
      employmentType: null,
      manager: 'Reporting to',
      status: 'Status',
      id: 'Employee #',
    });
    expect(summary(t)).toEqual([
      ['101', 'Charlotte Abbott', 'cabbott@efficientoffice.example', 'Sr. HR Administrator', 'Human Resources', 'Lindon, Utah', 'Nguyen, Jennifer', 'active'],
      ['102', 'Ashley Adams', 'aadams@efficientoffice.example', 'HR Administrator', 'Human Resources', 'Lindon, Utah', 'Abbott, Charlotte', 'active'],
      // No work email: the home email is never taken for it.
      ['103', 'Christina Agluinda', null, 'Software Engineer', 'Product', 'London', 'Abbott, Charlotte', 'inactive'],
    ]);
  });

  it('Personio in German: Vorname, Nachname, E-Mail, Abteilung, Büro, Vorgesetzte:r, Personalnummer, Status aktiv/inaktiv', () => {
    const t = fixture('personio-de');
    expect(t.delimiter).toBe(';');
    expect(guessMapping(t.columns)).toEqual({
      email: 'E-Mail',
      firstName: 'Vorname',
      lastName: 'Nachname',
      displayName: null,
      title: 'Position',
      department: 'Abteilung',
      location: 'Büro',
      employmentType: null,
      manager: 'Vorgesetzte:r',
      status: 'Status',
      id: 'Personalnummer',
    });
    expect(summary(t)).toEqual([
      ['P-0042', 'Jürgen Groß', 'juergen.gross@beispiel.example', 'Leiter Vertrieb', 'Vertrieb', 'München', 'Sabine Köhler', 'active'],
      // "Bine" is her preferred name: the display name stays her full name.
      ['P-0043', 'Sabine Köhler', 'sabine.koehler@beispiel.example', 'Geschäftsführerin', 'Geschäftsführung', 'Berlin', null, 'active'],
      ['P-0051', 'Özlem Şahin', 'oezlem.sahin@beispiel.example', 'Entwicklerin', 'IT', 'Köln', 'Sabine Köhler', 'inactive'],
      ['P-0060', 'Lukas Bauer', 'lukas.bauer@beispiel.example', 'Werkstudent', 'IT', 'Köln', 'Özlem Şahin', 'active'],
    ]);
  });

  it('German headers without a Position column take Funktion as the title', () => {
    expect(guessMapping(['Vorname', 'Nachname', 'E-Mail', 'Funktion', 'Abteilung', 'Büro'])).toMatchObject({
      title: 'Funktion',
      department: 'Abteilung',
      location: 'Büro',
    });
  });
});

describe('status', () => {
  it('never takes State (or any region) for the employment status, whatever its cells say', () => {
    for (const header of [
      ['Email', 'State'],
      ['Email', 'State', 'Country/Region'],
      ['E-Mail', 'Bundesland', 'Region'],
    ]) {
      expect(guessMapping(header).status).toBeNull();
    }
    const t = parseCsv('Email,State,Status\na@x.test,Inactive,Active\nb@x.test,CA,Terminated\n');
    expect(guessMapping(t.columns).status).toBe('Status');
    expect(mapRows(t, guessMapping(t.columns)).contacts.map((c) => c.status)).toEqual(['active', 'inactive']);
  });

  it('reads a blocked/suspended column the other way round: yes is inactive, no is active', () => {
    expect(meansInactive('Block credential', 'True')).toBe(true);
    expect(meansInactive('Block credential', 'False')).toBe(false);
    expect(meansInactive('Suspended', 'yes')).toBe(true);
    expect(meansInactive('Status', 'false')).toBe(true);
    expect(meansInactive('Status', 'Suspended')).toBe(true);
    expect(meansInactive('Status', 'inaktiv')).toBe(true);
    expect(meansInactive('Status', 'aktiv')).toBe(false);
    expect(meansInactive('Status [READ ONLY]', 'Active')).toBe(false);
  });

  it('leaves a preferred-name column unmapped, so the full name is the display name', () => {
    const m = guessMapping(['Preferred Name', 'First Name', 'Last Name', 'Email']);
    expect(m.displayName).toBeNull();
    expect(Object.values(m)).not.toContain('Preferred Name');
  });
});
