/** A directory written straight into the cache, for tests that read it back through the BFF's queries. */
import type { Kysely } from 'kysely';
import type { Database } from '../bff/db/schema.js';
import type { DirectoryContact } from '../bff/connectors/types.js';
import { toRow } from '../bff/services/directory/rows.js';

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
