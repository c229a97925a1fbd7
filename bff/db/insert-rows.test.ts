/**
 * Many rows in a few statements (insert-rows.ts) write exactly what they were given, on SQLite and
 * on PostgreSQL, where each column travels as one array in PostgreSQL's text form: quotes,
 * backslashes, braces, commas, the word NULL, empty strings, line breaks and non-ASCII text come
 * back as they went in, a missing value as null, and numbers as numbers.
 */
import { afterEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { insertRows } from './insert-rows.js';

let h: Harness;
afterEach(() => h.close());

const AWKWARD = [
  'plain',
  'say "hi"',
  'back\\slash',
  '\\"',
  '{braces}',
  'a,b',
  'NULL',
  'null',
  '',
  ' padded ',
  'line\nbreak',
  'tab\there',
  'Zoë Ørsted 名前',
  '"',
  '\\',
];

it('writes every value as given, in statements of a few rows each', async () => {
  h = await createHarness();
  const rows = AWKWARD.map((scope, i) => ({ scope, hour: i % 2 ? `2026-12-03T${String(i).padStart(2, '0')}` : 'x', count: i * 1_000_003 }));
  await insertRows(h.db.kysely, 'mail_counts', ['scope', 'hour', 'count'], rows, { perStatement: 4 });
  const back = await h.db.kysely.selectFrom('mail_counts').select(['scope', 'hour', 'count']).execute();
  const byScope = (a: { scope: string }, b: { scope: string }) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0);
  expect(back.map((r) => ({ ...r, count: Number(r.count) })).sort(byScope)).toEqual([...rows].sort(byScope));
});

it('writes a value left out as null', async () => {
  h = await createHarness();
  const person = (contact_id: string, first_name: string | undefined) => ({
    connection: 'hr:*',
    contact_id,
    display_name: 'Ada',
    first_name,
    status: 'active',
    search_text: 'ada',
    sort_name: 'ada',
  });
  const rows = [person('p1', 'Ada'), person('p2', undefined)];
  await insertRows(h.db.kysely, 'directory_contacts', ['connection', 'contact_id', 'display_name', 'first_name', 'status', 'search_text', 'sort_name'], rows, {
    perStatement: 10,
  });
  const back = await h.db.kysely.selectFrom('directory_contacts').select(['contact_id', 'first_name']).orderBy('contact_id').execute();
  expect(back).toEqual([
    { contact_id: 'p1', first_name: 'Ada' },
    { contact_id: 'p2', first_name: null },
  ]);
});
