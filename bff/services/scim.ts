/**
 * The SCIM 2.0 service provider's Users (RFC 7643/7644): what an organization's identity provider
 * pushes. Each user is kept as the resource it was sent as (scim_users: userName, externalId,
 * active, the enterprise extension, meta.version, …) and mirrored, in the same transaction, into
 * the organization's directory of the SCIM provider (directory_contacts), so listing, search,
 * sync rules and imports read pushed people exactly like fetched ones. `active: false` makes the
 * person inactive there (a leaver for the rules); DELETE removes them. The providers file's
 * storage policy for the scim entry applies to the mirror as to a fetched directory: a user outside
 * its scope is kept in scim_users only, and fields it turns off are stored null.
 *
 * What the protocol asks of a request (its body, filter, paging and PATCH operations) and its
 * errors are scim-protocol.ts; PATCH operations are applied here by scim-patch.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { scimPatch } from 'scim-patch';
import type { Database, ScimUserRow } from '../db/schema.js';
import { writeTransaction } from '../db/connect.js';
import type { DirectoryContact } from '../connectors/types.js';
import { admit, type StoragePolicy } from '../connectors/minimize.js';
import { SCIM_ENTERPRISE_SCHEMA, SCIM_LIST_SCHEMA, SCIM_USER_SCHEMA } from '../../contract/index.js';
import { cacheKeyOf, toRow } from './directory/rows.js';
import { isValidEmail, normalizeEmail } from '../text.js';
import {
  hasEmail,
  integerParam,
  parseUser,
  parseUserFilter,
  patchOperations,
  SCIM_MAX_PAGE,
  ScimError,
  taken,
  type ListRequest,
  type ScimType,
  type StoredUser,
  type Term,
  UNSUPPORTED_FILTER,
} from './scim-protocol.js';
import { directoryChanged } from '../db/answer-generations.js';

type Q = Kysely<Database> | Transaction<Database>;

/** Users a filter may match before its finer terms are applied here (the indexed ones narrow first). */
const FILTER_CANDIDATES = 1_000;
export interface ScimDirectory {
  /** `cacheKeyOf(scim provider, organization scope)`. */
  connection: string;
  /** The absolute URL of `/Users/{id}` (meta.location). */
  location(id: string): string;
  /** Users one organization may hold: a pushed directory is bounded like a fetched one. */
  maxUsers: number;
  /** The providers file's policy for the scim entry: who reaches the directory, and which fields. */
  storagePolicy: StoragePolicy | undefined;
}

export function scimDirectory(providerId: string, scope: string, baseUrl: string, maxUsers: number, storagePolicy?: StoragePolicy): ScimDirectory {
  return { connection: cacheKeyOf(providerId, scope), location: (id) => `${baseUrl}/Users/${encodeURIComponent(id)}`, maxUsers, storagePolicy };
}

type Email = NonNullable<StoredUser['emails']>[number];

/** The email a directory shows and invites: the primary one, else the work one, else the first. */
function directoryEmail(user: StoredUser): string | null {
  const emails = (user.emails ?? []).filter((e): e is Email & { value: string } => typeof e.value === 'string' && e.value.trim() !== '');
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
  if (chosen) return chosen.value.trim();
  // Okta and Entra often send the sign-in name, an address, as userName and nothing else.
  const userName = normalizeEmail(user.userName);
  return userName && isValidEmail(userName) ? user.userName.trim() : null;
}

/** The person as the directory holds them: what sync rules, search and imports read. */
export function directoryContact(id: string, user: StoredUser): DirectoryContact {
  const given = user.name?.givenName?.trim() || null;
  const family = user.name?.familyName?.trim() || null;
  const address = user.addresses?.find((a) => a.primary === true) ?? user.addresses?.find((a) => a.type?.toLowerCase() === 'work') ?? user.addresses?.[0];
  const enterprise = user[SCIM_ENTERPRISE_SCHEMA];
  const manager = typeof enterprise?.manager === 'string' ? enterprise.manager : enterprise?.manager?.value;
  const home = user.emails?.find((e) => e.type?.toLowerCase() === 'home' && e.value?.trim());
  return {
    id,
    firstName: given,
    lastName: family,
    displayName: user.displayName?.trim() || user.name?.formatted?.trim() || [given, family].filter(Boolean).join(' ') || user.userName,
    email: directoryEmail(user),
    personalEmail: home?.value?.trim() ?? null,
    title: user.title?.trim() || null,
    department: enterprise?.department?.trim() || null,
    location: address?.locality?.trim() || address?.formatted?.trim() || null,
    employmentType: user.userType?.trim() || null,
    managerId: manager?.trim() || null,
    status: user.active ? 'active' : 'inactive',
    avatarUrl: null,
  };
}

/** A stored user as SCIM answers it. */
export function toResource(row: ScimUserRow, dir: ScimDirectory): Record<string, unknown> {
  const user = JSON.parse(row.resource) as Record<string, unknown>;
  const extensions = Object.keys(user).filter((k) => k.startsWith('urn:'));
  return {
    schemas: [SCIM_USER_SCHEMA, ...extensions],
    id: row.id,
    ...user,
    active: row.active === 1,
    meta: { resourceType: 'User', created: row.created_at, lastModified: row.updated_at, version: `W/"${row.version}"`, location: dir.location(row.id) },
  };
}

/** `GET /Users`: a page in a stable order (by id), filtered where asked. */
export async function listUsers(db: Q, dir: ScimDirectory, q: ListRequest): Promise<Record<string, unknown>> {
  // Out-of-range values are brought into range, as RFC 7644 §3.4.2.4 says.
  const startIndex = Math.max(1, integerParam('startIndex', q.startIndex, 1));
  const count = Math.min(SCIM_MAX_PAGE, Math.max(0, integerParam('count', q.count, SCIM_MAX_PAGE)));
  const list = (total: number, rows: ScimUserRow[]) => ({
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: rows.length,
    Resources: rows.map((r) => toResource(r, dir)),
  });
  const base = db.selectFrom('scim_users').where('connection', '=', dir.connection);
  if (!q.filter) {
    const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows =
      count === 0
        ? []
        : await base
            .selectAll()
            .orderBy('id')
            .limit(count)
            .offset(startIndex - 1)
            .execute();
    return list(Number(n), rows);
  }
  const filter = parseUserFilter(q.filter);
  const indexed = filter.filter((t): t is Extract<Term, { column: string }> => 'column' in t);
  const emailTerms = filter.filter((t): t is Extract<Term, { emailType: string | null }> => 'emailType' in t);
  // `emails[value eq …]` is as indexed as `emails.value eq …`.
  for (const t of emailTerms) if (t.emailValue !== null) indexed.push({ column: 'email_normalized', value: t.emailValue });
  if (!indexed.length) throw new ScimError(400, `The filter must compare userName, externalId, id or an email with eq. ${UNSUPPORTED_FILTER}`, 'invalidFilter');
  let candidates = base.selectAll();
  for (const t of indexed) candidates = candidates.where(t.column, '=', t.value);
  const found = await candidates
    .orderBy('id')
    .limit(FILTER_CANDIDATES + 1)
    .execute();
  if (found.length > FILTER_CANDIDATES) throw new ScimError(400, `The filter matches more than ${FILTER_CANDIDATES} users; narrow it.`, 'tooMany');
  const matching = found.filter((r) => emailTerms.every((t) => hasEmail(JSON.parse(r.resource) as StoredUser, t.emailType, t.emailValue)));
  return list(matching.length, matching.slice(startIndex - 1, startIndex - 1 + count));
}

async function findUser(db: Q, dir: ScimDirectory, id: string): Promise<ScimUserRow> {
  const row = await db.selectFrom('scim_users').selectAll().where('connection', '=', dir.connection).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ScimError(404, `User ${id} not found.`);
  return row;
}

/** `GET /Users/{id}`. */
export async function getUser(db: Q, dir: ScimDirectory, id: string): Promise<Record<string, unknown>> {
  return toResource(await findUser(db, dir, id), dir);
}

/** A unique index refused the write: another user took the userName between our check and our insert. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

async function checkUserName(trx: Q, dir: ScimDirectory, user: StoredUser, except: string | null): Promise<void> {
  const other = await trx
    .selectFrom('scim_users')
    .select('id')
    .where('connection', '=', dir.connection)
    .where('user_name_normalized', '=', user.userName.trim().toLowerCase())
    .$if(except !== null, (qb) => qb.where('id', '!=', except!))
    .executeTakeFirst();
  if (other) throw taken(user.userName);
}

/**
 * The directory's count and freshness after a push: the widget's Refresh reports them
 * (services/csv-uploads.ts heldRefreshStatus). A push is a use: the retention worker drops only a
 * directory that neither its identity provider nor the widget touched for its period. And the
 * searches kept of it are out of date.
 */
async function touchDirectory(trx: Q, connection: string, at: string): Promise<void> {
  const { n } = await trx
    .selectFrom('directory_contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('connection', '=', connection)
    .executeTakeFirstOrThrow();
  const sync = { status: 'ready', fetched: Number(n), total: Number(n), synced_at: at, used_at: at, error_code: null, error_message: null };
  await trx
    .insertInto('directory_syncs')
    .values({ connection, started_at: at, ...sync })
    .onConflict((oc) => oc.column('connection').doUpdateSet(sync))
    .execute();
  await directoryChanged(trx, connection);
}

/** Writes the user and its directory row, in the caller's transaction. */
async function store(trx: Q, dir: ScimDirectory, id: string, user: StoredUser, version: number, createdAt: string, at: string): Promise<ScimUserRow> {
  const row: ScimUserRow = {
    connection: dir.connection,
    id,
    user_name: user.userName,
    user_name_normalized: user.userName.trim().toLowerCase(),
    external_id: user.externalId ?? null,
    email_normalized: normalizeEmail(directoryEmail(user)),
    active: user.active ? 1 : 0,
    resource: JSON.stringify(user),
    version,
    created_at: createdAt,
    updated_at: at,
  };
  await trx.deleteFrom('scim_users').where('connection', '=', dir.connection).where('id', '=', id).execute();
  await trx.insertInto('scim_users').values(row).execute();
  // The identity provider must find every user it pushed (scim_users), but the directory, which
  // the widget and sync rules read, keeps only what the storage policy lets a fetched one keep.
  const contact = directoryContact(id, user);
  const kept = dir.storagePolicy ? admit(dir.storagePolicy, contact) : contact;
  await trx.deleteFrom('directory_contacts').where('connection', '=', dir.connection).where('contact_id', '=', id).execute();
  if (kept) await trx.insertInto('directory_contacts').values(toRow(dir.connection, kept)).execute();
  await touchDirectory(trx, dir.connection, at);
  return row;
}

/** Runs a write; a userName taken by a concurrent write is the same 409 as one taken before. */
async function write<T>(db: Kysely<Database>, user: StoredUser | null, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    return await writeTransaction(db, fn);
  } catch (err) {
    if (user && isUniqueViolation(err)) throw taken(user.userName);
    throw err;
  }
}

/** `POST /Users`. */
export async function createUser(db: Kysely<Database>, dir: ScimDirectory, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const user = parseUser(body);
  const at = now.toISOString();
  const id = randomBytes(12).toString('hex');
  const row = await write(db, user, async (trx) => {
    await checkUserName(trx, dir, user, null);
    // Counted before the write: a full directory still takes updates of the people it holds.
    const { n } = await trx
      .selectFrom('scim_users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection', '=', dir.connection)
      .executeTakeFirstOrThrow();
    if (Number(n) >= dir.maxUsers) throw new ScimError(403, `This organization's directory holds its maximum of ${dir.maxUsers} users.`);
    return store(trx, dir, id, user, 1, at, at);
  });
  return toResource(row, dir);
}

/** `PUT /Users/{id}`: every attribute replaced by the body's (RFC 7644 §3.5.1). */
export async function replaceUser(db: Kysely<Database>, dir: ScimDirectory, id: string, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const user = parseUser(body);
  const row = await write(db, user, async (trx) => {
    const existing = await findUser(trx, dir, id);
    await checkUserName(trx, dir, user, id);
    return store(trx, dir, id, user, existing.version + 1, existing.created_at, now.toISOString());
  });
  return toResource(row, dir);
}

/** `PATCH /Users/{id}` (RFC 7644 §3.5.2): add, replace and remove, then the result checked like a new user. */
export async function patchUser(db: Kysely<Database>, dir: ScimDirectory, id: string, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const ops = patchOperations(body);
  let next: StoredUser | null = null;
  const row = await write(db, null, async (trx) => {
    const existing = await findUser(trx, dir, id);
    const current = {
      schemas: [SCIM_USER_SCHEMA],
      ...(JSON.parse(existing.resource) as StoredUser),
      meta: { created: new Date(existing.created_at), lastModified: new Date(existing.updated_at) },
    };
    let patched: Record<string, unknown>;
    try {
      patched = scimPatch(current, ops, { mutateDocument: false, treatMissingAsAdd: true }) as unknown as Record<string, unknown>;
    } catch (err) {
      const scimType = (err as { scimType?: unknown }).scimType;
      throw new ScimError(
        400,
        err instanceof Error ? err.message.slice(0, 300) : 'The operations could not be applied.',
        typeof scimType === 'string' ? (scimType as ScimType) : 'invalidPath',
      );
    }
    if ('id' in patched && patched.id !== undefined) throw new ScimError(400, 'id cannot be changed.', 'mutability');
    const { meta: _meta, ...rest } = patched;
    next = parseUser(rest);
    await checkUserName(trx, dir, next, id);
    return store(trx, dir, id, next, existing.version + 1, existing.created_at, now.toISOString());
  }).catch((err: unknown) => {
    if (next && isUniqueViolation(err)) throw taken((next as StoredUser).userName);
    throw err;
  });
  return toResource(row, dir);
}

/** `DELETE /Users/{id}`: the person leaves the directory (and the rules see them gone). */
export async function deleteUser(db: Kysely<Database>, dir: ScimDirectory, id: string, now: Date): Promise<void> {
  await writeTransaction(db, async (trx) => {
    await findUser(trx, dir, id);
    await trx.deleteFrom('scim_users').where('connection', '=', dir.connection).where('id', '=', id).execute();
    await trx.deleteFrom('directory_contacts').where('connection', '=', dir.connection).where('contact_id', '=', id).execute();
    await touchDirectory(trx, dir.connection, now.toISOString());
  });
}
