/** A directory written straight into the cache, for tests that read it back through the BFF's queries. */
import type { Kysely } from 'kysely';
import type { Database } from '../bff/db/schema.js';
import type { DirectoryContact } from '../bff/connectors/types.js';
import { toRow } from '../bff/services/directory/rows.js';
import { refreshDirectory } from '../bff/services/directory/refresh.js';
import { createHarness, type Harness } from './harness.js';

/** SQLite always, PostgreSQL too when TEST_PG_URL names a server: for a `describe.each` that compares them side by side. */
export const harnessDialects: { name: string; open(): Promise<Harness> }[] = [
  { name: 'sqlite', open: () => createHarness({ sqlitePath: ':memory:' }) },
  ...(process.env.TEST_PG_URL ? [{ name: 'postgres', open: () => createHarness() }] : []),
];

/** The harness's directory under `connection`, as a full refresh from a connector listing `contacts` leaves it. */
export const fillDirectory = (h: Harness, contacts: readonly DirectoryContact[], connection: string) =>
  refreshDirectory(
    h.db.kysely,
    { cacheKey: connection, connector: () => ({ listContacts: async () => ({ contacts: [...contacts], nextCursor: null, total: contacts.length }) }) },
    () => h.clock.now,
  );

/** A person with an id, a name from it, an address `<id>@acme.test` and nothing else; `more` changes any of it. */
export const directoryPerson = (id: string, more: Partial<DirectoryContact> = {}): DirectoryContact => ({
  id,
  firstName: null,
  lastName: null,
  displayName: `Person ${id}`,
  email: `${id}@acme.test`,
  personalEmail: null,
  title: null,
  department: null,
  location: null,
  employmentType: null,
  managerId: null,
  status: 'active',
  avatarUrl: null,
  ...more,
});

/** Writes `people` as the cached directory of `connection`, as a refresh would leave them. */
export async function seedDirectory(db: Kysely<Database>, connection: string, people: readonly DirectoryContact[]): Promise<void> {
  await db
    .insertInto('directory_contacts')
    .values(people.map((p) => toRow(connection, p)))
    .execute();
}

/** An invite row of `target` to `email` (normalized), as the services write one: pending unless said, expiring at `expiresAt`. */
export const inviteRow = (
  id: string,
  email: string,
  at: { createdAt: Date; expiresAt: Date },
  more: { status?: string; target?: { type: string; id: string } } = {},
) => ({
  id,
  target_type: more.target?.type ?? 'organization',
  target_id: more.target?.id ?? 'acme',
  import_id: null,
  provider: 'acme-hr',
  contact_id: null,
  email,
  email_normalized: email,
  name: null,
  first_name: null,
  role: 'user',
  status: more.status ?? 'pending',
  token_hash: `hash-${id}`,
  inviter_id: 'u-1',
  expires_at: at.expiresAt.toISOString(),
  created_at: at.createdAt.toISOString(),
  accepted_at: null,
  revoked_at: null,
});
