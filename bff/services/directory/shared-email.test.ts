/**
 * `sharedEmail` on the contact list: true exactly for the people whose address another person of
 * the same directory has too (whatever its case), false for everyone else, including a person
 * whose address belongs to someone in another organization's directory.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.js';
import { directoryPerson, seedDirectory } from '../../../test/directory.js';
import type { DirectoryContact } from '../../connectors/types.js';
import { listContacts } from './queries.js';
import { getTarget } from '../targets.js';

const KEY = 'acme-hr:*';
const OTHER = 'globex-hr:*';
let h: Harness;

beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 100);
});
afterEach(() => h.close());

const person = (id: string, email: string | null, status: DirectoryContact['status'] = 'active') => directoryPerson(id, { email, status });
const seed = (connection: string, people: DirectoryContact[]) => seedDirectory(h.db.kysely, connection, people);

type Query = Parameters<typeof listContacts>[3];

async function list(q: Query) {
  const target = await getTarget(h.db.kysely, { type: 'organization', id: 'acme' });
  return listContacts(h.db.kysely, target, KEY, q, h.clock.now);
}

async function shared(q: Query = { limit: 100, filters: { status: 'all' } }) {
  return Object.fromEntries((await list(q)).items.map((c) => [c.id, c.sharedEmail]));
}

it('flags the people of one directory who share an address, and no one else', async () => {
  await seed(KEY, [
    person('a1', 'team@acme.test'),
    person('a2', ' Team@ACME.test'),
    // A leaver's address given to a newcomer: still shared while both are in the directory.
    person('a3', 'kim@acme.test', 'inactive'),
    person('a4', 'kim@acme.test'),
    person('a5', 'solo@acme.test'),
    person('a6', null),
    person('a7', null),
    person('a8', 'lee@acme.test'),
  ]);
  // Another organization's directory holds Lee's and Solo's addresses: not this directory's concern.
  await seed(OTHER, [person('g1', 'lee@acme.test'), person('g2', 'solo@acme.test'), person('g3', 'solo@acme.test')]);

  expect(await shared()).toEqual({ a1: true, a2: true, a3: true, a4: true, a5: false, a6: false, a7: false, a8: false });
  // Without Show inactive, Kim's newcomer is still warned of the leaver's row, hidden or not.
  expect(await shared({ limit: 100 })).toEqual({ a1: true, a2: true, a4: true, a5: false, a6: false, a7: false, a8: false });
});

it('lists only the people an import warns of when asked (`flagged`), with their counts', async () => {
  await seed(KEY, [
    person('a1', 'team@acme.test'),
    person('a2', 'TEAM@acme.test'),
    person('a3', 'gone@acme.test', 'inactive'),
    person('a4', 'solo@acme.test'),
    person('a5', null, 'inactive'),
    person('a6', 'lee@acme.test'),
  ]);
  await seed(OTHER, [person('g1', 'lee@acme.test')]);
  const everyone = await list({ limit: 100, filters: { status: 'all' }, flagged: true });
  expect(everyone.items.map((c) => c.id)).toEqual(['a1', 'a2', 'a3', 'a5']);
  expect([everyone.total, everyone.selectable]).toEqual([4, 3]);
  const active = await list({ limit: 100, flagged: true });
  expect(active.items.map((c) => c.id)).toEqual(['a1', 'a2']);
  expect([active.total, active.selectable]).toEqual([2, 2]);
  // With a search too, and on the path SQLite would otherwise count from its FTS index.
  const searched = await list({ search: 'person', limit: 1, filters: { status: 'all' }, flagged: true });
  expect([searched.items.map((c) => c.id), searched.total, searched.nextCursor !== null]).toEqual([['a1'], 4, true]);
});

it('flags a row whose twin is on another page', async () => {
  await seed(KEY, [person('a1', 'team@acme.test'), person('a2', 'x@acme.test'), person('a3', 'y@acme.test'), person('a4', 'team@acme.test')]);
  expect(await shared({ limit: 1 })).toEqual({ a1: true });
  expect(await shared({ limit: 2, offset: 2 })).toEqual({ a3: false, a4: true });
});
