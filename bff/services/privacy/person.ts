/**
 * Where one person's data is held, for their rights of access (export.ts) and erasure (erase.ts):
 * the scope asked about (every target and directory, or one organization's) and the queries that
 * find the person's rows in it, by their address, in columns or inside stored JSON.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { normalizeEmail } from '../../text.js';
import type { TargetType } from '../../../contract/common.js';

export interface PersonRef {
  email: string;
  /** Only this organization's directories and targets. */
  organizationId?: string | undefined;
}

/** The domain of every tombstone: `.invalid` is reserved (RFC 2606), so no mail can ever reach one. */
export const ERASED_DOMAIN = 'erased.invalid';
/** An erased invite's address: unique per invite (the pending-invite index stays satisfied), meaningless otherwise. */
export const tombstoneEmail = (id: string) => `${id}@${ERASED_DOMAIN}`;

/** Rows read per page when scanning stored JSON for the address; scans stop after MAX_PAGES. */
export const PAGE = 500;
const MAX_PAGES = 20_000;

export type Q = Kysely<Database>;
export type Ref = { type: TargetType; id: string };

/** Where the person's data may be: every target and directory, or one organization's. */
export interface Scope {
  email: string;
  /** Null: everywhere. */
  targets: Set<string> | null;
  organizationScope: string | null;
}

const targetKey = (type: string, id: string) => `${type}\u0000${id}`;

export async function scopeOf(db: Q, person: PersonRef): Promise<Scope> {
  const email = normalizeEmail(person.email)!;
  const org = person.organizationId;
  if (org === undefined) return { email, targets: null, organizationScope: null };
  const rows = await db
    .selectFrom('targets')
    .select(['type', 'id'])
    .where((eb) => eb.or([eb('organization_id', '=', org), eb.and([eb('type', '=', 'organization'), eb('id', '=', org)])]))
    .limit(1_000_000)
    .execute();
  // The same scope string services/connections.ts gives an organization's connections.
  return { email, targets: new Set(rows.map((r) => targetKey(r.type, r.id))), organizationScope: `organization:${org}` };
}

export const inTargets = (scope: Scope) => (row: { target_type: string; target_id: string }) =>
  !scope.targets || scope.targets.has(targetKey(row.target_type, row.target_id));

/** `provider:scope` or `~staging:provider:scope` → scope. */
export function connectionScope(connection: string): string {
  const key = connection.startsWith('~staging:') ? connection.slice('~staging:'.length) : connection;
  return key.slice(key.indexOf(':') + 1);
}

export const inDirectories = (scope: Scope) => (connection: string) => !scope.organizationScope || connectionScope(connection) === scope.organizationScope;

/** `%address%` for LIKE, wildcards escaped; matched against lower(column). */
const containing = (email: string) => '%' + email.replace(/[\\%_]/g, (m) => '\\' + m) + '%';

export function directoryRows(db: Q, scope: Scope) {
  return db
    .selectFrom('directory_contacts')
    .selectAll()
    .where((eb) => eb.or([eb('email_normalized', '=', scope.email), eb(eb.fn('lower', ['personal_email']), '=', scope.email)]))
    .limit(100_000)
    .execute()
    .then((rows) => rows.filter((r) => inDirectories(scope)(r.connection)));
}

export const matches = (email: string) => (v: unknown) => typeof v === 'string' && normalizeEmail(v) === email;

/** CSV rows (string[][]) of unconfirmed uploads that hold the address in any cell. */
export async function csvUploads(db: Q, scope: Scope) {
  const rows = await db
    .selectFrom('csv_uploads')
    .select(['id', 'provider_id', 'scope', 'columns', 'rows', 'lines'])
    .where(sql<boolean>`lower(${sql.ref('rows')}) like ${containing(scope.email)} escape '\\'`)
    .$if(scope.organizationScope !== null, (qb) => qb.where('scope', '=', scope.organizationScope!))
    .limit(10_000)
    .execute();
  const is = matches(scope.email);
  return rows.map((u) => {
    const data = JSON.parse(u.rows) as string[][];
    const hit = data.map((cells) => cells.some(is));
    return { ...u, data, hit };
  });
}

/** Rows of a table with a JSON text column mentioning the address, page by page (bounded). */
export async function* scanJson<T extends { key: string; text: string }>(
  read: (after: string, like: string) => Promise<T[]>,
  email: string,
): AsyncGenerator<T> {
  let after = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await read(after, containing(email));
    for (const r of rows) yield r;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.key;
  }
}

export function eventRows(db: Q, email: string) {
  return scanJson(
    (after, like) =>
      db
        .selectFrom('events')
        .select(['id as key', 'payload as text', 'id', 'type', 'target_type', 'target_id', 'created_at'])
        .where('id', '>', after)
        .where(sql<boolean>`lower(payload) like ${like} escape '\\'`)
        .orderBy('id')
        .limit(PAGE)
        .execute(),
    email,
  );
}

/** What sync rules noted about the person (services/sync/): updates waiting or done, and the links to their HR record. */
export async function syncNotes(db: Q, scope: Scope) {
  const inScope = inTargets(scope);
  const updates = (
    await db.selectFrom('sync_updates').selectAll().where('email_normalized', '=', scope.email).orderBy('detected_at').orderBy('id').limit(100_000).execute()
  ).filter(inScope);
  const links = (
    await db
      .selectFrom('sync_links')
      .innerJoin('sync_rules', 'sync_rules.id', 'sync_links.rule_id')
      .select(['sync_links.rule_id', 'sync_links.contact_id', 'sync_links.facts', 'sync_rules.target_type', 'sync_rules.target_id'])
      .where('sync_links.email_normalized', '=', scope.email)
      .orderBy('sync_links.rule_id')
      .limit(100_000)
      .execute()
  ).filter(inScope);
  return { updates, links };
}

/** The fields that name the person in a stored JSON record that holds their address. */
const PERSON_NAME_FIELDS = new Set(['name', 'displayName', 'firstName', 'lastName', 'toName']);

/**
 * The JSON with the address replaced wherever it is a value: by the invite's tombstone where the
 * object names its invite (events), else by `fallback`. Null when nothing matched.
 */
export function scrubJson(text: string, email: string, fallback: string | null): string | null {
  const is = matches(email);
  let changed = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // An object holding the address is a record of the person: their name in it goes too (an
    // import's answer names each invited person beside their address).
    const theirs = Object.values(o).some(is);
    for (const [k, x] of Object.entries(o)) {
      if (is(x)) {
        changed = true;
        out[k] = typeof o.inviteId === 'string' ? tombstoneEmail(o.inviteId) : fallback;
      } else if (theirs && PERSON_NAME_FIELDS.has(k) && typeof x === 'string') out[k] = 'erased';
      else out[k] = walk(x, depth + 1);
    }
    return out;
  };
  const result = walk(JSON.parse(text), 0);
  return changed ? JSON.stringify(result) : null;
}

/** Erasures and exports are about a person, not a target: the organization asked about, or the whole deployment. */
export function auditTarget(person: PersonRef): { type: string; id: string } {
  return person.organizationId === undefined ? { type: 'deployment', id: '*' } : { type: 'organization', id: person.organizationId };
}
