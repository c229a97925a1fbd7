/**
 * Reading the directory cache: a page of contacts with its counts, the facets of a search, and
 * the contacts a selection names, all matched by one condition (`contactMatches`).
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, DirectoryContactRow, Target } from '../../db/schema.js';
import type { Contact, ContactFacets, ContactFilters, ContactPage, Membership } from '../../../contract/index.js';
import { seatHolders, seatsHeldAmong } from '../targets.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { dialectOf, type Dialect } from '../../db/connect.js';
import { countByIndex, fewHits, HITS_FIRST, indexPlan, inConnection, matchesSearch, searchWords, type Access, type MatchCounts } from './search.js';
import { storedContact, type Q } from './rows.js';

export interface DirectoryQuery {
  search?: string | undefined;
  filters?: ContactFilters | undefined;
  /** Only the people an import warns of: left the company, or an address another person has too. */
  flagged?: boolean | undefined;
}

export type ContactQuery = SelectQueryBuilder<Database, 'directory_contacts', object>;

/**
 * The contacts matching a search and filters; inactive people only when asked. The flow's listing,
 * Select All and sync rules' scopes (services/sync/rule.ts) all match through it, as a query's
 * WHERE (`applyQuery`) or as a condition on a row joined from elsewhere.
 */
export function contactMatches(dialect: Dialect, connection: string, q: DirectoryQuery, access: Access, scope: number | null = null) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> => {
    const checks: Expression<SqlBool>[] = [inConnection(dialect, connection, access)(eb)];
    const status = q.filters?.status ?? 'active';
    if (status !== 'all') checks.push(eb('directory_contacts.status', '=', status));
    if (q.filters?.department) checks.push(eb('directory_contacts.department', '=', q.filters.department));
    if (q.filters?.location) checks.push(eb('directory_contacts.location', '=', q.filters.location));
    if (q.filters?.employmentType) checks.push(eb('directory_contacts.employment_type', '=', q.filters.employmentType));
    // Each word must match somewhere: "ada eng" finds Ada in Engineering.
    const words = searchWords(q.search);
    if (words.length > 0) checks.push(matchesSearch(dialect, words, access, scope)(eb));
    if (q.flagged) checks.push(eb.or([eb('directory_contacts.status', '=', 'inactive'), hasSharedEmail(connection)(eb)]));
    return eb.and(checks);
  };
}

/**
 * Whether another person of the directory has the row's address: one probe of the
 * `(connection, email_normalized)` index per row checked. Only the review's `flagged` query asks
 * it of every match; a page's `sharedEmail` is read for its own rows (`sharedEmails`).
 */
function hasSharedEmail(connection: string) {
  return (eb: ExpressionBuilder<Database, 'directory_contacts'>): Expression<SqlBool> =>
    eb.exists(
      eb
        .selectFrom('directory_contacts as twin')
        .select(sql`1`.as('one'))
        .where('twin.connection', '=', connection)
        .whereRef('twin.email_normalized', '=', 'directory_contacts.email_normalized')
        .whereRef('twin.contact_id', '<>', 'directory_contacts.contact_id'),
    );
}

/** Narrows a query of the directory to the contacts matching a search and filters (`contactMatches`). */
export function applyQuery(
  qb: ContactQuery,
  dialect: Dialect,
  connection: string,
  q: DirectoryQuery,
  access: Access,
  scope: number | null = null,
): ContactQuery {
  return qb.where(contactMatches(dialect, connection, q, access, scope));
}

/** Each of a page's addresses' seat in the target (`seatsHeldAmong`), in their order: the cost follows the page, never the directory. */
export async function seatsOf(db: Q, target: Target, emails: readonly (string | null)[], now: Date): Promise<Membership[]> {
  const held = await seatsHeldAmong(db, target, [...new Set(emails.filter((e): e is string => e !== null))], now);
  return emails.map((e) => (e === null ? null : (held.get(e) ?? null)));
}

/**
 * Which of `emails` more than one person of the directory has: one grouped read of the
 * `(connection, email_normalized)` index for the addresses of a page's rows (at most its limit),
 * so the cost follows the page and never the directory's size. Another connection's people do
 * not count: an organization's directory is its own.
 */
export async function sharedEmails(db: Q, connection: string, emails: readonly (string | null)[]): Promise<Set<string>> {
  const wanted = [...new Set(emails.filter((e): e is string => e !== null))];
  if (!wanted.length) return new Set();
  const rows = await db
    .selectFrom('directory_contacts')
    .select('email_normalized')
    .where('connection', '=', connection)
    .where('email_normalized', 'in', wanted)
    .groupBy('email_normalized')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  return new Set(rows.map((r) => r.email_normalized!));
}

/**
 * Random access by position, for a virtualized list that jumps to row 99,900 without walking
 * a thousand cursors. The page still ends with a keyset `nextCursor`, so reading on from
 * there is keyset paging again.
 */
function skipTo<T extends SelectQueryBuilder<Database, 'directory_contacts', object>>(page: T, offset: number): T {
  return (offset > 0 ? page.offset(offset) : page) as T;
}

/** What a page query asks for: a search and filters, where to start, how many. */
export type PageQuery = DirectoryQuery & { cursor?: string | undefined; offset?: number | undefined; limit: number };

/**
 * A page of the directory as every target sees it: its people, `nextCursor`, how many match and
 * how many of them have an address, and no seat of any target. A member or invite changes none
 * of it (answers.ts keeps it across them); `seatsOf` and `countTaken` add the target's part.
 */
export interface DirectoryPage {
  items: Omit<Contact, 'membership'>[];
  /** The items' addresses as seats are held by (`email_normalized`), in their order. */
  emails: (string | null)[];
  nextCursor: string | null;
  total: number;
  /** The matches with an address: `selectable` before the seats taken. */
  reachable: number;
}

/**
 * A new search's page, and the seats the target holds among its matches where they can be
 * counted in the same pass as `total`: on PostgreSQL, the seat holders hashed once, about 3 ms
 * more than the count alone against 13 ms for `countTaken`'s 3,000 lookups. Null where they are
 * counted apart (SQLite, whose index answers them from the members' and invites' entries; a
 * count its FTS index answers; counts `known` from the directory's copy, copy.ts, which is
 * asked once the page's statement is on its way where the page does not depend on them).
 */
export async function pageCountingTaken(
  db: Kysely<Database>,
  target: Target,
  connection: string,
  q: PageQuery,
  now: Date,
  known: (() => MatchCounts | null) | null = null,
): Promise<{ page: DirectoryPage; taken: number | null }> {
  const dialect = dialectOf(db);
  // On SQLite the FTS index answers the counts alone when it can, and they choose the page's way in.
  // The FTS index knows nothing of shared addresses: a `flagged` query is counted on the rows.
  const plan = await planOf(db, connection, q);
  let counts = plan === null ? null : (known?.() ?? (plan === 'empty' ? { total: 0, reachable: 0 } : await countByIndex(db, plan)));
  const hits = plan !== null && plan !== 'empty' && counts !== null && counts.total < HITS_FIRST;
  let page = applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, hits ? 'hits' : 'walk', hits ? plan.id : null)
    .selectAll('directory_contacts')
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .limit(q.limit + 1);
  if (q.offset !== undefined) page = skipTo(page, q.offset);
  if (q.cursor) {
    // Keyset paging: stable and as fast on the last page as on the first.
    const [name, id] = decodeCursor(q.cursor);
    page = page.where((eb) =>
      eb.or([
        eb('directory_contacts.sort_name', '>', name),
        eb.and([eb('directory_contacts.sort_name', '=', name), eb('directory_contacts.contact_id', '>', id)]),
      ]),
    );
  }
  // The shared addresses are looked up for the page's rows alone, beside the counts.
  const pageRead = page.execute().then(
    async (rows) =>
      [
        rows,
        await sharedEmails(
          db,
          connection,
          rows.slice(0, q.limit).map((r) => r.email_normalized),
        ),
      ] as const,
  );
  if (plan === null && known) {
    // The page does not depend on the counts: on PostgreSQL its statement reaches the server
    // (the promise's steps run before the next turn) while the copy is counted here.
    if (dialect === 'postgres') {
      // Handled below, by Promise.all: a failure meanwhile is not an unhandled rejection.
      pageRead.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
    counts = known();
  }
  const [[rows, shared], matched] = await Promise.all([
    pageRead,
    counts ? { ...counts, taken: null } : countMatches(db, dialect, connection, q, dialect === 'postgres' ? { target, now } : null),
  ]);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return {
    page: {
      items: items.map((row) => ({ ...storedContact(row), sharedEmail: row.email_normalized !== null && shared.has(row.email_normalized) })),
      emails: items.map((row) => row.email_normalized),
      nextCursor: more ? encodeCursor([items[items.length - 1]!.sort_name, items[items.length - 1]!.contact_id]) : null,
      total: matched.total,
      reachable: matched.reachable,
    },
    taken: matched.taken,
  };
}

/** A directory page with the target's part: each person's seat, and `selectable`. */
export function withSeats(page: DirectoryPage, seats: readonly Membership[], taken: number): ContactPage {
  return {
    items: page.items.map((item, i) => ({ ...item, membership: seats[i] ?? null })),
    nextCursor: page.nextCursor,
    total: page.total,
    // Exact, as Select All weighs it against the seats: people with an address who are neither
    // members nor holders of a live invite.
    selectable: page.reachable - taken,
  };
}

export async function listContacts(db: Kysely<Database>, target: Target, connection: string, q: PageQuery, now: Date): Promise<ContactPage> {
  const { page, taken } = await pageCountingTaken(db, target, connection, q, now);
  // SQLite has one connection: the reads would queue one after another side by side too.
  return withSeats(page, await seatsOf(db, target, page.emails, now), taken ?? (await countTaken(db, target, connection, q, now)));
}

/** Whether the SQLite index alone answers a query's counts (`indexPlan`); never for a `flagged` one, whose shared addresses it knows nothing of. */
const planOf = (db: Kysely<Database>, connection: string, q: DirectoryQuery) =>
  dialectOf(db) === 'sqlite' && !q.flagged ? indexPlan(db, connection, q.search, q.filters) : Promise.resolve(null);

/**
 * How a count reads a query's rows: from the FTS index's hits when SQLite's index says they are
 * few, else by `otherwise`; null when the index says nothing matches.
 */
async function countAccess(
  db: Kysely<Database>,
  connection: string,
  q: DirectoryQuery,
  otherwise: Access,
): Promise<{ access: Access; planId: number | null } | null> {
  const plan = await planOf(db, connection, q);
  if (plan === 'empty') return null;
  return plan !== null && (await fewHits(db, plan)) ? { access: 'hits', planId: plan.id } : { access: otherwise, planId: null };
}

/**
 * How many people a query matches, and how many of them have an address: one pass over the
 * matching rows, no per-row subquery; over SQLite's facets index when it holds every column the
 * query checks (not the employment type, nor the shared addresses of `flagged`). With `seats`,
 * also how many of them are the target's members or hold a live invite: each match's address
 * looked up in the seat holders, read once into a hash.
 */
async function countMatches(
  db: Kysely<Database>,
  dialect: Dialect,
  connection: string,
  q: DirectoryQuery,
  seats: { target: Target; now: Date } | null,
): Promise<MatchCounts & { taken: number | null }> {
  const access = q.flagged || q.filters?.employmentType ? 'count' : 'tally';
  const row = await applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, access)
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.count<number>('directory_contacts.email_normalized').as('reachable'),
      seats
        ? eb.fn
            .countAll<number>()
            .filterWhere('directory_contacts.email_normalized', 'in', seatHolders(db, seats.target, seats.now))
            .as('taken')
        : sql<null>`null`.as('taken'),
    ])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), reachable: Number(row.reachable), taken: row.taken === null ? null : Number(row.taken) };
}

/**
 * How many of the people a query matches already hold a seat or a live invite of the target.
 * Driven from the target's members and pending invites (few, against a directory of many) through
 * the `(connection, email_normalized)` index, so the cost follows the seats taken and not the
 * size of the directory: each found person is checked against the query, on SQLite in that
 * index's own entries (`directory_contacts_seats_idx` holds the status and text). A word with few
 * hits goes the other way on SQLite, from its hits to the seats, when the FTS index says so
 * (`fewHits`).
 */
export async function countTaken(db: Kysely<Database>, target: Target, connection: string, q: DirectoryQuery, now: Date): Promise<number> {
  const dialect = dialectOf(db);
  const taken = seatHolders(db, target, now);
  if (dialect === 'postgres') {
    // A lateral subquery per member or invite (`offset 0` keeps it from being flattened): left to
    // itself the planner hashes every match of the search instead (28 ms at 25,000 matches,
    // against 3 ms for 3,000 lookups).
    const hits = applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, 'seats')
      .where((eb) => eb(sql.ref('directory_contacts.email_normalized'), '=', sql.ref('taken.email')))
      .select(sql`1`.as('one'))
      .offset(0);
    const found = await sql<{ n: string | number }>`select count(*) as n from ${taken} as taken cross join lateral ${hits} as hit`.execute(db);
    return Number(found.rows[0]!.n);
  }
  const read = await countAccess(db, connection, q, 'seats');
  if (!read) return 0;
  const row = await applyQuery(db.selectFrom('directory_contacts'), dialect, connection, q, read.access, read.planId)
    .where('directory_contacts.email_normalized', 'in', taken)
    .select((eb) => eb.fn.countAll<number>().as('taken'))
    .executeTakeFirstOrThrow();
  return Number(row.taken);
}

/**
 * The departments and locations of the people a search matches, with how many in each: one pass
 * grouped by both, summed here per column (the pairs are few: a company has tens of departments
 * and places, not thousands of each). On SQLite the pass is over `directory_contacts_facets_idx`,
 * in the groups' order; a search with few hits in the FTS index reads those rows alone.
 */
export async function listFacets(db: Kysely<Database>, connection: string, q: DirectoryQuery): Promise<ContactFacets> {
  const matching = { search: q.search, filters: { status: q.filters?.status } };
  const read = await countAccess(db, connection, matching, 'tally');
  if (!read) return { departments: [], locations: [] };
  const pairs = await applyQuery(db.selectFrom('directory_contacts'), dialectOf(db), connection, matching, read.access, read.planId)
    .select(['directory_contacts.department', 'directory_contacts.location', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['directory_contacts.department', 'directory_contacts.location'])
    .execute();
  const departments = new Map<string, number>();
  const locations = new Map<string, number>();
  // Each filter's counts are narrowed by the other filter, never by itself: with Department =
  // People, Location counts the people in People, and Department still offers every department
  // (each counted in the chosen location, if one is). One grouped read serves both.
  const { department, location } = q.filters ?? {};
  for (const p of pairs) {
    if (p.department !== null && (!location || p.location === location)) departments.set(p.department, (departments.get(p.department) ?? 0) + Number(p.count));
    if (p.location !== null && (!department || p.department === department)) locations.set(p.location, (locations.get(p.location) ?? 0) + Number(p.count));
  }
  // Byte order, as the databases sort with their C collation (test/postgres.ts).
  const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, count]) => ({ value, count }));
  return { departments: sorted(departments), locations: sorted(locations) };
}

export type Selection =
  | { ids: string[] }
  | { all: true; search?: string | undefined; filters?: ContactFilters | undefined; except?: string[] | undefined; include?: string[] | undefined };

/**
 * The contacts a selection names, read from the cache. Ids the cache does not hold come back in
 * `missing` so the import can say so instead of dropping them silently.
 */
/** What an import needs of a selected contact: who, and where to write. */
const SELECTED_COLUMNS = ['contact_id', 'display_name', 'first_name', 'email', 'email_normalized'] as const;
export type SelectedContact = Pick<DirectoryContactRow, (typeof SELECTED_COLUMNS)[number]>;

export async function resolveSelection(db: Q, connection: string, selection: Selection): Promise<{ contacts: SelectedContact[]; missing: string[] }> {
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
  const rows = await applyQuery(db.selectFrom('directory_contacts'), dialectOf(db), connection, selection, 'count')
    .select(SELECTED_COLUMNS.map((c) => `directory_contacts.${c}` as const))
    .orderBy('directory_contacts.sort_name')
    .orderBy('directory_contacts.contact_id')
    .execute();
  const contacts = rows.filter((r) => !except.has(r.contact_id));
  if (!selection.include?.length) return { contacts, missing: [] };
  // The ones ticked one by one beside the rule (under other filters): after the rule's, each once.
  const taken = new Set(contacts.map((r) => r.contact_id));
  const extra = await resolveSelection(db, connection, { ids: selection.include.filter((id) => !taken.has(id)) });
  return { contacts: [...contacts, ...extra.contacts], missing: extra.missing };
}
