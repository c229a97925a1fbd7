/**
 * The directory cache: a provider's contacts copied into our database per connection, so that
 * search, filters, paging and "Select All" over a company-sized directory are answered here,
 * and an import resolves contacts from rows we fetched ourselves, never from what a browser says.
 */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database, DirectoryContactRow, NewDirectoryContact, Target } from '../db/schema.js';
import type { Contact, ContactFacets, ContactFilters, ContactPage, Membership } from '../contract.js';
import type { Connector, DirectoryContact } from '../connectors/types.js';
import { AppError } from '../errors.js';
import { foldForSearch, likePattern, normalizeEmail } from './text.js';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * The cache key of a connection: the provider and whose credentials reach it (`*` for the
 * deployment's own, else the organization's scope), so organizations never share a directory.
 */
export function connectionKey(providerId: string, scope: string): string {
  return `${providerId}:${scope}`;
}

/** A directory the cache holds: its key, and how to reach the provider behind it. */
export interface DirectorySource {
  /** `connectionKey(provider, scope)`. */
  key: string;
  /** The connector for this connection; throws an AppError while it has no usable credentials. */
  connector(): Connector;
}

/** Forgets a connection's cached directory (its credentials changed or were removed). */
export async function dropDirectory(db: Q, connection: string): Promise<void> {
  await db.deleteFrom('directory_contacts').where('connection', '=', connection).execute();
  await db.deleteFrom('directory_syncs').where('connection', '=', connection).execute();
}

const INSERT_BATCH = 200; // 17 columns × 200 rows stays far below every driver's parameter limit

function toRow(connection: string, c: DirectoryContact): NewDirectoryContact {
  const email = c.email?.trim() || null;
  return {
    connection,
    contact_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    display_name: c.displayName,
    email,
    email_normalized: normalizeEmail(email),
    personal_email: c.personalEmail,
    title: c.title,
    department: c.department,
    location: c.location,
    manager_id: c.managerId,
    status: c.status,
    avatar_url: c.avatarUrl,
    search_text: foldForSearch([c.displayName, email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')),
    sort_name: foldForSearch(c.displayName),
  };
}

/** How long a refresh may hold the claim before another process may take over (it crashed). */
const SYNC_LEASE_MS = 10 * 60_000;
const SYNC_POLL_MS = 200;

/** Refreshes already running in this process, per database, so concurrent requests share one. */
const inFlight = new WeakMap<Kysely<Database>, Map<string, Promise<void>>>();

/**
 * Takes the right to refresh a connection's cache, across processes: one UPDATE that only
 * succeeds when nobody else holds a live claim. False means another refresh is running.
 */
async function claimRefresh(db: Kysely<Database>, connection: string, now: Date): Promise<boolean> {
  await db
    .insertInto('directory_syncs')
    .values({ connection, status: 'idle', fetched: 0, total: null, started_at: null, synced_at: null, error_code: null, error_message: null })
    .onConflict((oc) => oc.column('connection').doNothing())
    .execute();
  const stale = new Date(now.getTime() - SYNC_LEASE_MS).toISOString();
  const claimed = await db
    .updateTable('directory_syncs')
    .set({ status: 'syncing', fetched: 0, started_at: now.toISOString(), error_code: null, error_message: null })
    .where('connection', '=', connection)
    .where((eb) => eb.or([eb('status', '!=', 'syncing'), eb('started_at', '<', stale)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** Waits for another process's refresh to end; its failure is ours too. */
async function awaitRefresh(db: Kysely<Database>, connection: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const sync = await db.selectFrom('directory_syncs').select(['status', 'error_message']).where('connection', '=', connection).executeTakeFirst();
    if (sync?.status === 'ready') return;
    if (sync?.status === 'error') throw new AppError(502, 'provider_sync_failed', sync.error_message ?? 'The directory could not be fetched.');
    await new Promise((ok) => setTimeout(ok, SYNC_POLL_MS));
  }
}

/**
 * Fetches every page from the provider and replaces the cached directory in one transaction,
 * so readers see either the old directory or the new one, never half of each. Concurrent calls
 * (in this process or any other) share one refresh.
 */
export function refreshDirectory(
  db: Kysely<Database>,
  source: DirectorySource,
  now: () => Date,
  signal: AbortSignal = new AbortController().signal,
): Promise<void> {
  const connection = source.key;
  let mine = inFlight.get(db);
  if (!mine) inFlight.set(db, (mine = new Map()));
  let running = mine.get(connection);
  if (!running) {
    running = runRefresh(db, source.connector(), connection, now, signal).finally(() => mine.delete(connection));
    mine.set(connection, running);
  }
  return running;
}

async function runRefresh(db: Kysely<Database>, connector: Connector, connection: string, now: () => Date, signal: AbortSignal): Promise<void> {
  if (!(await claimRefresh(db, connection, now()))) return awaitRefresh(db, connection, signal);
  const seen = new Map<string, DirectoryContact>();
  let cursor: string | null = null;
  let total: number | null = null;
  try {
    do {
      const page = await connector.listContacts({ cursor, signal });
      // A provider may list a person twice across pages; the last word wins.
      for (const c of page.contacts) seen.set(c.id, c);
      total = page.total ?? total;
      cursor = page.nextCursor;
      await db.updateTable('directory_syncs').set({ fetched: seen.size, total }).where('connection', '=', connection).execute();
    } while (cursor);
    const rows = [...seen.values()].map((c) => toRow(connection, c));
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('directory_contacts').where('connection', '=', connection).execute();
      for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx.insertInto('directory_contacts').values(rows.slice(i, i + INSERT_BATCH)).execute();
      await trx.updateTable('directory_syncs').set({ status: 'ready', fetched: rows.length, total: rows.length, synced_at: now().toISOString() }).where('connection', '=', connection).execute();
    });
  } catch (err) {
    const code = err instanceof Error ? err.name : 'error';
    const message = err instanceof Error ? err.message : String(err);
    await db.updateTable('directory_syncs').set({ status: 'error', error_code: code, error_message: message.slice(0, 500) }).where('connection', '=', connection).execute();
    throw err;
  }
}

/**
 * Makes sure the cache can answer: refreshed when it was never filled, or, with `maxAgeSeconds`,
 * when it is older than that. An import passes no age: it resolves contacts from the directory
 * the admin was looking at, and must not wait on the provider for a fresher one.
 */
export async function ensureDirectory(db: Kysely<Database>, source: DirectorySource, now: () => Date, maxAgeSeconds?: number): Promise<void> {
  // Asked first, even for a fresh cache: a disconnected organization's directory is never served.
  const connector = source.connector();
  const sync = await db.selectFrom('directory_syncs').selectAll().where('connection', '=', source.key).executeTakeFirst();
  const filled = sync?.synced_at != null;
  const fresh = filled && (maxAgeSeconds === undefined || now().getTime() - Date.parse(sync.synced_at!) < maxAgeSeconds * 1000);
  if (!fresh) await refreshDirectory(db, { key: source.key, connector: () => connector }, now);
}

export interface DirectoryQuery {
  search?: string | undefined;
  filters?: ContactFilters | undefined;
}

type ContactQuery = SelectQueryBuilder<Database, 'directory_contacts', object>;

/** Narrows to the contacts matching a search and filters; inactive people only when asked. */
function applyQuery(qb: ContactQuery, connection: string, q: DirectoryQuery): ContactQuery {
  let out = qb.where('directory_contacts.connection', '=', connection);
  const status = q.filters?.status ?? 'active';
  if (status !== 'all') out = out.where('directory_contacts.status', '=', status);
  if (q.filters?.department) out = out.where('directory_contacts.department', '=', q.filters.department);
  if (q.filters?.location) out = out.where('directory_contacts.location', '=', q.filters.location);
  // Each word must match somewhere: "ada eng" finds Ada in Engineering.
  for (const word of (q.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8)) {
    out = out.where(sql<boolean>`directory_contacts.search_text like ${likePattern(word)} escape '\\'`);
  }
  return out;
}

function isMember(target: Target) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>) =>
    eb.exists(
      eb
        .selectFrom('members')
        .select(sql`1`.as('one'))
        .where('members.target_type', '=', target.type)
        .where('members.target_id', '=', target.id)
        .whereRef('members.email', '=', 'directory_contacts.email_normalized'),
    );
}

function isInvited(target: Target, now: Date) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>) =>
    eb.exists(
      eb
        .selectFrom('invites')
        .select(sql`1`.as('one'))
        .where('invites.target_type', '=', target.type)
        .where('invites.target_id', '=', target.id)
        .where('invites.status', '=', 'pending')
        .where('invites.expires_at', '>', now.toISOString())
        .whereRef('invites.email_normalized', '=', 'directory_contacts.email_normalized'),
    );
}

function toContact(row: DirectoryContactRow & { member: unknown; invited: unknown }): Contact {
  const membership: Membership = Number(row.member) ? 'member' : Number(row.invited) ? 'invited' : null;
  return {
    id: row.contact_id,
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    email: row.email,
    personalEmail: row.personal_email,
    title: row.title,
    department: row.department,
    location: row.location,
    managerId: row.manager_id,
    status: row.status === 'inactive' ? 'inactive' : 'active',
    avatarUrl: row.avatar_url,
    membership,
  };
}

function encodeCursor(row: { sort_name: string; contact_id: string }): string {
  return Buffer.from(JSON.stringify([row.sort_name, row.contact_id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the error below
  }
  throw new AppError(400, 'invalid_cursor', 'The cursor is not one this server issued.');
}

/**
 * Random access by position, for a virtualized list that jumps to row 99,900 without walking
 * a thousand cursors. The page still ends with a keyset `nextCursor`, so reading on from
 * there is keyset paging again.
 */
function skipTo<T extends SelectQueryBuilder<Database, 'directory_contacts', object>>(page: T, offset: number): T {
  return (offset > 0 ? page.offset(offset) : page) as T;
}

export async function listContacts(
  db: Kysely<Database>,
  target: Target,
  connection: string,
  q: DirectoryQuery & { cursor?: string | undefined; offset?: number | undefined; limit: number },
  now: Date,
): Promise<ContactPage> {
  const base = applyQuery(db.selectFrom('directory_contacts'), connection, q);
  let page = base
    .selectAll('directory_contacts')
    .select((eb) => [isMember(target)(eb).as('member'), isInvited(target, now)(eb).as('invited')])
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .limit(q.limit + 1);
  if (q.offset !== undefined) page = skipTo(page, q.offset);
  if (q.cursor) {
    // Keyset paging: stable and as fast on the last page as on the first.
    const [name, id] = decodeCursor(q.cursor);
    page = page.where((eb) =>
      eb.or([eb('directory_contacts.sort_name', '>', name), eb.and([eb('directory_contacts.sort_name', '=', name), eb('directory_contacts.contact_id', '>', id)])]),
    );
  }
  const [rows, counts] = await Promise.all([
    page.execute(),
    base
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn
          .countAll<number>()
          .filterWhere((w) => w.and([w('directory_contacts.email_normalized', 'is not', null), w.not(isMember(target)(w)), w.not(isInvited(target, now)(w))]))
          .as('selectable'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return {
    items: items.map(toContact),
    nextCursor: more ? encodeCursor(items[items.length - 1]!) : null,
    total: Number(counts.total),
    selectable: Number(counts.selectable),
  };
}

export async function listFacets(db: Kysely<Database>, connection: string, q: DirectoryQuery): Promise<ContactFacets> {
  const facet = async (column: 'department' | 'location') => {
    const rows = await applyQuery(db.selectFrom('directory_contacts'), connection, { search: q.search, filters: { status: q.filters?.status } })
      .select([`directory_contacts.${column} as value`, (eb) => eb.fn.countAll<number>().as('count')])
      .where(`directory_contacts.${column}`, 'is not', null)
      .groupBy(`directory_contacts.${column}`)
      .orderBy(`directory_contacts.${column}`)
      .execute();
    return rows.map((r) => ({ value: String(r.value), count: Number(r.count) }));
  };
  return { departments: await facet('department'), locations: await facet('location') };
}

export type Selection = { ids: string[] } | { all: true; search?: string | undefined; filters?: ContactFilters | undefined; except?: string[] | undefined };

/**
 * The contacts a selection names, read from the cache. Ids the cache does not hold come back in
 * `missing` so the import can say so instead of dropping them silently.
 */
/** What an import needs of a selected contact: who, and where to write. */
const SELECTED_COLUMNS = ['contact_id', 'display_name', 'first_name', 'email', 'email_normalized'] as const;
export type SelectedContact = Pick<DirectoryContactRow, (typeof SELECTED_COLUMNS)[number]>;

export async function resolveSelection(
  db: Q,
  connection: string,
  selection: Selection,
): Promise<{ contacts: SelectedContact[]; missing: string[] }> {
  if ('ids' in selection) {
    const wanted = [...new Set(selection.ids)];
    const found = new Map<string, SelectedContact>();
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await db
        .selectFrom('directory_contacts')
        .select(SELECTED_COLUMNS)
        .where('connection', '=', connection)
        .where('contact_id', 'in', wanted.slice(i, i + 500))
        .execute();
      for (const r of rows) found.set(r.contact_id, r);
    }
    // Keep the order the admin selected in.
    return { contacts: wanted.flatMap((id) => found.get(id) ?? []), missing: wanted.filter((id) => !found.has(id)) };
  }
  const except = new Set(selection.except ?? []);
  const rows = await applyQuery(db.selectFrom('directory_contacts'), connection, selection)
    .select(SELECTED_COLUMNS.map((c) => `directory_contacts.${c}` as const))
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .execute();
  return { contacts: rows.filter((r) => !except.has(r.contact_id)), missing: [] };
}
