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
 * Filters are parsed by scim2-parse-filter and PATCH operations applied by scim-patch; the result
 * of every write is validated by the same schema as a created user (bff/contract/scim.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { parse as parseFilter, type Compare, type Filter, type LogExp, type ValuePath } from 'scim2-parse-filter';
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import type { Database, ScimUserRow } from '../db/schema.js';
import { writeTransaction } from '../db/connect.js';
import type { DirectoryContact } from '../connectors/types.js';
import { admit, type StoragePolicy } from '../connectors/minimize.js';
import {
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_LIST_SCHEMA,
  SCIM_USER_SCHEMA,
  scimPatch as scimPatchRequest,
  scimUser,
  type ScimErrorBody,
  type ScimUser,
} from '../contract.js';
import { cacheKeyOf, toRow } from './directory/rows.js';
import { isValidEmail, normalizeEmail } from '../text.js';

type Q = Kysely<Database> | Transaction<Database>;

/** RFC 7644 §3.12's `scimType`, where one fits. */
export type ScimType = NonNullable<ScimErrorBody['scimType']>;

/** A refusal answered as a SCIM error body (routes/scim.ts). */
export class ScimError extends Error {
  override readonly name = 'ScimError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 501 | 503,
    message: string,
    readonly scimType?: ScimType,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** How much one list answers (Okta asks for 100 at a time). */
export const SCIM_MAX_PAGE = 100;
/** Users a filter may match before its finer terms are applied here (the indexed ones narrow first). */
const FILTER_CANDIDATES = 1_000;
/** A stored resource, as JSON: a person with every attribute Entra or Okta sends is a few KB. */
const MAX_RESOURCE_CHARS = 32 * 1024;
/** Bounds on what is kept of attributes hr-import does not map (the mapped ones have their own, bff/contract/scim.ts). */
const BOUNDS = { depth: 6, string: 2048, items: 50, keys: 100 };

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

/** Refuses what no schema check can bound: deep nesting, huge strings or lists in attributes we keep as sent. */
function checkBounds(value: unknown, depth = 0): void {
  if (depth > BOUNDS.depth) throw new ScimError(400, `Attributes are nested deeper than ${BOUNDS.depth} levels.`, 'invalidValue');
  if (typeof value === 'string' && value.length > BOUNDS.string)
    throw new ScimError(400, `A value is longer than ${BOUNDS.string} characters.`, 'invalidValue');
  if (Array.isArray(value)) {
    if (value.length > BOUNDS.items) throw new ScimError(400, `A multi-valued attribute has more than ${BOUNDS.items} values.`, 'invalidValue');
    for (const v of value) checkBounds(v, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length > BOUNDS.keys) throw new ScimError(400, `An object has more than ${BOUNDS.keys} attributes.`, 'invalidValue');
    for (const [, v] of entries) checkBounds(v, depth + 1);
  }
}

/** The attributes stored for a user: validated, `active` a boolean, without what we own (id, meta) or never keep (password, groups). */
export type StoredUser = ScimUser & { active: boolean };

/** A User as sent (POST, PUT) or as a PATCH leaves it: checked, or a 400 naming the attribute. */
export function parseUser(raw: unknown): StoredUser {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ScimError(400, 'The body must be a SCIM User object.', 'invalidSyntax');
  checkBounds(raw);
  const parsed = scimUser.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScimError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalidValue');
  }
  // The password Okta sends on create is for applications that sign people in; hr-import does not, and never keeps it.
  const {
    schemas,
    id: _id,
    meta: _meta,
    password: _password,
    groups: _groups,
    ...user
  } = parsed.data as ScimUser & { id?: unknown; meta?: unknown; password?: unknown; groups?: unknown };
  if (schemas && !schemas.includes(SCIM_USER_SCHEMA)) throw new ScimError(400, `schemas must include ${SCIM_USER_SCHEMA}.`, 'invalidValue');
  const stored: StoredUser = { ...user, active: user.active ?? true };
  if (JSON.stringify(stored).length > MAX_RESOURCE_CHARS)
    throw new ScimError(400, `The user's attributes take more than ${MAX_RESOURCE_CHARS / 1024} KB.`, 'invalidValue');
  return stored;
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

/** One term of a filter joined by `and`, as this endpoint answers it. */
type Term =
  | { column: 'user_name_normalized' | 'external_id' | 'email_normalized' | 'id'; value: string }
  /** `emails[type eq "work"]`: checked on the candidates the indexed terms found. */
  | { emailType: string | null; emailValue: string | null };

const UNSUPPORTED_FILTER = 'Only eq on userName, externalId, id and emails.value (or emails[type eq "…" and value eq "…"]), joined with and, is supported.';

/** Attribute names are case-insensitive in SCIM; the core schema's URN may prefix them. */
const attribute = (path: string) => path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').toLowerCase();

/** The filters joined by `and` (all of them must hold). */
const conjunction = (filter: Filter): Filter[] => (filter.op === 'and' ? (filter as LogExp).filters.flatMap(conjunction) : [filter]);

function unsupported(): ScimError {
  return new ScimError(400, UNSUPPORTED_FILTER, 'invalidFilter');
}

/** `x eq "…"`'s attribute and string, or 400. */
function comparison(filter: Filter): { attr: string; value: string } {
  if (filter.op !== 'eq') throw unsupported();
  const { attrPath, compValue } = filter as Compare;
  if (typeof compValue !== 'string') throw new ScimError(400, `${attrPath} is compared with a string.`, 'invalidFilter');
  return { attr: attribute(attrPath), value: compValue };
}

function term(filter: Filter): Term {
  if (filter.op === '[]') {
    const path = filter as ValuePath;
    if (attribute(path.attrPath) !== 'emails') throw unsupported();
    let emailType: string | null = null;
    let emailValue: string | null = null;
    // Inside the brackets `type` and `value` are the email's own sub-attributes.
    for (const f of conjunction(path.valFilter)) {
      const { attr, value } = comparison(f);
      if (attr === 'type' && emailType === null) emailType = value;
      else if (attr === 'value' && emailValue === null) emailValue = normalizeEmail(value) ?? '';
      else throw unsupported();
    }
    return { emailType, emailValue };
  }
  const { attr, value } = comparison(filter);
  if (attr === 'username') return { column: 'user_name_normalized', value: value.trim().toLowerCase() };
  if (attr === 'externalid') return { column: 'external_id', value };
  if (attr === 'id') return { column: 'id', value };
  if (attr === 'emails.value' || attr === 'emails') return { column: 'email_normalized', value: normalizeEmail(value) ?? '' };
  throw unsupported();
}

/** The terms of a filter (scim2-parse-filter's syntax tree), or 400 invalidFilter. */
export function parseUserFilter(text: string): Term[] {
  if (text.length > 1024) throw new ScimError(400, 'The filter is longer than 1024 characters.', 'invalidFilter');
  let ast: Filter;
  try {
    ast = parseFilter(text);
  } catch {
    throw new ScimError(400, `The filter could not be parsed. ${UNSUPPORTED_FILTER}`, 'invalidFilter');
  }
  return conjunction(ast).map(term);
}

/** Whether one of the user's emails fits `emails[type eq … and value eq …]`. */
function hasEmail(user: StoredUser, type: string | null, value: string | null): boolean {
  return (user.emails ?? []).some(
    (e) => (type === null || e.type?.toLowerCase() === type.toLowerCase()) && (value === null || normalizeEmail(e.value) === value),
  );
}

export interface ListRequest {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
}

function integerParam(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d{1,12}$/.test(raw.trim())) throw new ScimError(400, `${name} must be an integer.`, 'invalidValue');
  return Number(raw);
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

const taken = (userName: string) => new ScimError(409, `A user with userName "${userName}" already exists.`, 'uniqueness');

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
 * directory that neither its identity provider nor the widget touched for its period.
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

/** The request's operations as scim-patch takes them: `op` lowercased (Entra sends `Replace`). */
function operations(body: unknown): ScimPatchOperation[] {
  const parsed = scimPatchRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScimError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalidSyntax');
  }
  checkBounds(parsed.data.Operations);
  return parsed.data.Operations.map((o) => ({ ...o, op: o.op.toLowerCase() }) as ScimPatchOperation);
}

/** `PATCH /Users/{id}` (RFC 7644 §3.5.2): add, replace and remove, then the result checked like a new user. */
export async function patchUser(db: Kysely<Database>, dir: ScimDirectory, id: string, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const ops = operations(body);
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
