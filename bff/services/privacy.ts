/**
 * One person's rights of access and erasure (GDPR arts. 15 and 17), asked for by the host's
 * backend with an email address. Erasure removes the person from every directory cache and
 * unconfirmed CSV upload, replaces their invites' and memberships' personal fields with a
 * tombstone (the rows, their ids and every count stay, so seats, imports' counts and the audit
 * trail still add up), cancels their unsent mail, and scrubs their address from the events the
 * host polls or receives and from stored import answers. It runs in one transaction and records
 * itself in the audit trail by id and count, never by address. The SQLite file zeroes what it
 * deletes (`secure_delete`, bff/db/connect.ts), so erased bytes do not linger in free pages.
 *
 * What erasure cannot reach: a provider's next refresh copies the person again if the HR system
 * still lists them (the HR system is the source), and a mail already handed to the mail server.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PrivacyErasure, PrivacyExport } from '../contract/privacy.js';
import type { TargetType } from '../contract/common.js';
import { writeTransaction } from '../db/connect.js';
import { recordAudit } from './audit.js';
import { newId } from './ids.js';
import { normalizeEmail } from '../text.js';
import { cancelUnsentMail } from '../db/outbox.js';

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
const PAGE = 500;
const MAX_PAGES = 20_000;

type Q = Kysely<Database>;
type Ref = { type: TargetType; id: string };

/** Where the person's data may be: every target and directory, or one organization's. */
interface Scope {
  email: string;
  /** Null: everywhere. */
  targets: Set<string> | null;
  organizationScope: string | null;
}

const targetKey = (type: string, id: string) => `${type}\u0000${id}`;

async function scopeOf(db: Q, person: PersonRef): Promise<Scope> {
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

const inTargets = (scope: Scope) => (row: { target_type: string; target_id: string }) =>
  !scope.targets || scope.targets.has(targetKey(row.target_type, row.target_id));

/** `provider:scope` or `~staging:provider:scope` → scope. */
function connectionScope(connection: string): string {
  const key = connection.startsWith('~staging:') ? connection.slice('~staging:'.length) : connection;
  return key.slice(key.indexOf(':') + 1);
}

const inDirectories = (scope: Scope) => (connection: string) => !scope.organizationScope || connectionScope(connection) === scope.organizationScope;

/** `%address%` for LIKE, wildcards escaped; matched against lower(column). */
const containing = (email: string) => '%' + email.replace(/[\\%_]/g, (m) => '\\' + m) + '%';

function directoryRows(db: Q, scope: Scope) {
  return db
    .selectFrom('directory_contacts')
    .selectAll()
    .where((eb) => eb.or([eb('email_normalized', '=', scope.email), eb(eb.fn('lower', ['personal_email']), '=', scope.email)]))
    .limit(100_000)
    .execute()
    .then((rows) => rows.filter((r) => inDirectories(scope)(r.connection)));
}

const matches = (email: string) => (v: unknown) => typeof v === 'string' && normalizeEmail(v) === email;

/** CSV rows (string[][]) of unconfirmed uploads that hold the address in any cell. */
async function csvUploads(db: Q, scope: Scope) {
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
async function* scanJson<T extends { key: string; text: string }>(read: (after: string, like: string) => Promise<T[]>, email: string): AsyncGenerator<T> {
  let after = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await read(after, containing(email));
    for (const r of rows) yield r;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.key;
  }
}

function eventRows(db: Q, email: string) {
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
async function syncNotes(db: Q, scope: Scope) {
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

/** `POST /api/privacy/erase`. A second call for the same person finds nothing and erases nothing. */
export async function erasePerson(db: Q, person: PersonRef, now: Date): Promise<PrivacyErasure> {
  const erasureId = newId('era');
  const at = now.toISOString();
  const erased = await writeTransaction(db, async (trx) => {
    const scope = await scopeOf(trx, person);
    const inScope = inTargets(scope);

    const contacts = await directoryRows(trx, scope);
    for (const c of contacts) {
      await trx.deleteFrom('directory_contacts').where('connection', '=', c.connection).where('contact_id', '=', c.contact_id).execute();
      // A pushed person's SCIM record (services/scim.ts) is the same person: erased with its mirror.
      await trx.deleteFrom('scim_users').where('connection', '=', c.connection).where('id', '=', c.contact_id).execute();
    }
    // One the storage policy kept out of the SCIM directory has no mirror, only its SCIM record.
    const pushed = (
      await trx.selectFrom('scim_users').select(['connection', 'id']).where('email_normalized', '=', scope.email).limit(100_000).execute()
    ).filter((u) => inDirectories(scope)(u.connection));
    for (const u of pushed) await trx.deleteFrom('scim_users').where('connection', '=', u.connection).where('id', '=', u.id).execute();

    let csvRows = 0;
    for (const u of await csvUploads(trx, scope)) {
      const keep = u.hit.map((h) => !h);
      const removed = keep.filter((k) => !k).length;
      if (!removed) continue;
      csvRows += removed;
      const lines = JSON.parse(u.lines) as unknown[];
      await trx
        .updateTable('csv_uploads')
        .set({
          rows: JSON.stringify(u.data.filter((_, i) => keep[i])),
          lines: JSON.stringify(lines.filter((_, i) => keep[i])),
          row_count: keep.length - removed,
        })
        .where('id', '=', u.id)
        .execute();
    }

    const invites = (
      await trx.selectFrom('invites').select(['id', 'target_type', 'target_id', 'status']).where('email_normalized', '=', scope.email).limit(100_000).execute()
    ).filter(inScope);
    const inviteIds = invites.map((i) => i.id);
    let mail = 0;
    for (let i = 0; i < inviteIds.length; i += PAGE) {
      const ids = inviteIds.slice(i, i + PAGE);
      // Unsent mail never leaves; a claimed (`sending`) row is cancelled too, and the worker, which
      // checks the invite before sending, finds it revoked.
      mail += await cancelUnsentMail(trx, ids, { claimed: true });
      await trx.updateTable('outbox').set({ payload: null }).where('invite_id', 'in', ids).where('payload', 'is not', null).execute();
    }
    for (const invite of invites) {
      await trx
        .updateTable('invites')
        .set({
          email: tombstoneEmail(invite.id),
          email_normalized: tombstoneEmail(invite.id),
          name: null,
          first_name: null,
          contact_id: null,
          // A pending invite cannot be accepted by someone who no longer exists here.
          ...(invite.status === 'pending' ? { status: 'revoked', revoked_at: at } : {}),
        })
        .where('id', '=', invite.id)
        .execute();
    }

    const members = (
      await trx.selectFrom('members').select(['target_type', 'target_id', 'email']).where('email', '=', scope.email).limit(100_000).execute()
    ).filter(inScope);
    for (const m of members) {
      // The seat stays taken until the host's next member sync says otherwise.
      await trx
        .updateTable('members')
        .set({ email: tombstoneEmail(newId('mem')), name: null, external_id: null })
        .where('target_type', '=', m.target_type)
        .where('target_id', '=', m.target_id)
        .where('email', '=', m.email)
        .execute();
    }

    const noted = await syncNotes(trx, scope);
    for (let i = 0; i < noted.updates.length; i += 500)
      await trx
        .deleteFrom('sync_updates')
        .where(
          'id',
          'in',
          noted.updates.slice(i, i + 500).map((u) => u.id),
        )
        .execute();
    for (const l of noted.links) await trx.deleteFrom('sync_links').where('rule_id', '=', l.rule_id).where('email_normalized', '=', scope.email).execute();

    // The inviter's own address in unsent mail (Reply-To) and in the imports they sent.
    for await (const row of scanJson(
      (after, like) =>
        trx
          .selectFrom('outbox')
          .select(['id as key', sql<string>`payload`.as('text'), 'id'])
          .where('id', '>', after)
          .where('payload', 'is not', null)
          .where(sql<boolean>`lower(payload) like ${like} escape '\\'`)
          .orderBy('id')
          .limit(PAGE)
          .execute(),
      scope.email,
    )) {
      const payload = JSON.parse(row.text) as { replyTo?: string };
      if (matches(scope.email)(payload.replyTo)) {
        delete payload.replyTo;
        await trx
          .updateTable('outbox')
          .set({ payload: JSON.stringify(payload) })
          .where('id', '=', row.id)
          .execute();
      }
    }

    let events = 0;
    for await (const e of eventRows(trx, scope.email)) {
      if (!inScope(e)) continue;
      const scrubbed = scrubJson(e.text, scope.email, `erased@${ERASED_DOMAIN}`);
      if (scrubbed === null) continue;
      await trx.updateTable('events').set({ payload: scrubbed }).where('id', '=', e.id).execute();
      events++;
    }

    const imports = new Set<string>();
    const sent = (
      await trx
        .selectFrom('imports')
        .select(['id', 'target_type', 'target_id'])
        .where(sql<boolean>`lower(inviter_email) = ${scope.email}`)
        .limit(100_000)
        .execute()
    ).filter(inScope);
    for (const imp of sent) {
      await trx
        .updateTable('imports')
        .set({ inviter_email: `erased@${ERASED_DOMAIN}`, inviter_name: 'erased' })
        .where('id', '=', imp.id)
        .execute();
      imports.add(imp.id);
    }
    // An import's answer (invited people's names and addresses, skipped people's addresses), kept for 24 hours to replay it; keyed by target like imports.
    for await (const key of scanJson(
      (after, like) =>
        trx
          .selectFrom('idempotency_keys')
          .select([sql<string>`claim_id`.as('key'), sql<string>`response_body`.as('text'), 'claim_id', 'target_type', 'target_id'])
          .where('claim_id', '>', after)
          .where(sql<boolean>`lower(response_body) like ${like} escape '\\'`)
          .orderBy('claim_id')
          .limit(PAGE)
          .execute(),
      scope.email,
    )) {
      if (!inScope(key)) continue;
      // The answer's `invites[].email` is never null: an erased address stands in.
      const scrubbed = scrubJson(key.text, scope.email, `erased@${ERASED_DOMAIN}`);
      if (scrubbed !== null) await trx.updateTable('idempotency_keys').set({ response_body: scrubbed }).where('claim_id', '=', key.claim_id).execute();
    }

    const counts: PrivacyErasure['erased'] = {
      directoryContacts: contacts.length + pushed.length,
      csvRows,
      invites: invites.length,
      members: members.length,
      mail,
      events,
      imports: imports.size,
    };
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    await recordAudit(trx, { action: 'erase', actor: 'api', target: auditTarget(person), subject: erasureId, count: total, at: now });
    return counts;
  });
  return { erasureId, erased };
}

/** Erasures and exports are about a person, not a target: the organization asked about, or the whole deployment. */
function auditTarget(person: PersonRef): { type: string; id: string } {
  return person.organizationId === undefined ? { type: 'deployment', id: '*' } : { type: 'organization', id: person.organizationId };
}

/** `POST /api/privacy/export`: everything held about the person, as it is stored. */
export async function exportPerson(db: Q, person: PersonRef, now: Date): Promise<PrivacyExport> {
  const scope = await scopeOf(db, person);
  const inScope = inTargets(scope);
  const ref = (r: { target_type: string; target_id: string }): Ref => ({ type: r.target_type as TargetType, id: r.target_id });

  const directoryContacts = (await directoryRows(db, scope))
    // Staging rows are a refresh in progress: the same person, about to replace the row above.
    .filter((c) => !c.connection.startsWith('~staging:'))
    .map((c) => ({
      provider: c.connection.slice(0, c.connection.indexOf(':')),
      connection: connectionScope(c.connection),
      contactId: c.contact_id,
      firstName: c.first_name,
      lastName: c.last_name,
      displayName: c.display_name,
      email: c.email,
      personalEmail: c.personal_email,
      title: c.title,
      department: c.department,
      location: c.location,
      employmentType: c.employment_type,
      managerId: c.manager_id,
      status: c.status,
      avatarUrl: c.avatar_url,
    }));
  const csvUploadsHeld = (await csvUploads(db, scope))
    .filter((u) => u.hit.some(Boolean))
    .map((u) => ({ uploadId: u.id, provider: u.provider_id, columns: JSON.parse(u.columns) as string[], rows: u.data.filter((_, i) => u.hit[i]) }));
  const inviteRows = (
    await db.selectFrom('invites').selectAll().where('email_normalized', '=', scope.email).orderBy('created_at').limit(100_000).execute()
  ).filter(inScope);
  const invites = inviteRows.map((i) => ({
    id: i.id,
    target: ref(i),
    email: i.email,
    name: i.name,
    role: i.role,
    status: i.status,
    provider: i.provider,
    importId: i.import_id,
    createdAt: i.created_at,
    expiresAt: i.expires_at,
    acceptedAt: i.accepted_at,
    revokedAt: i.revoked_at,
  }));
  const memberships = (await db.selectFrom('members').selectAll().where('email', '=', scope.email).limit(100_000).execute())
    .filter(inScope)
    .map((m) => ({ target: ref(m), email: m.email, name: m.name, role: m.role, createdAt: m.created_at }));
  const ids = inviteRows.map((i) => i.id);
  const mail = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'invite_id', 'status', 'payload', 'created_at', 'sent_at'])
      .where('invite_id', 'in', ids.slice(i, i + PAGE))
      .orderBy('created_at')
      .execute();
    for (const m of rows) {
      const subject = m.payload ? ((JSON.parse(m.payload) as { subject?: unknown }).subject ?? null) : null;
      mail.push({
        id: m.id,
        inviteId: m.invite_id,
        status: m.status,
        subject: typeof subject === 'string' ? subject : null,
        createdAt: m.created_at,
        sentAt: m.sent_at,
      });
    }
  }
  const events = [];
  for await (const e of eventRows(db, scope.email)) {
    if (inScope(e) && scrubJson(e.text, scope.email, null) !== null) events.push({ id: e.id, type: e.type, createdAt: e.created_at });
  }
  const importsSent = (
    await db
      .selectFrom('imports')
      .select(['id', 'target_type', 'target_id', 'inviter_name', 'inviter_email', 'invited_count', 'created_at'])
      .where(sql<boolean>`lower(inviter_email) = ${scope.email}`)
      .orderBy('created_at')
      .limit(100_000)
      .execute()
  )
    .filter(inScope)
    .map((i) => ({
      id: i.id,
      target: ref(i),
      inviterName: i.inviter_name,
      inviterEmail: i.inviter_email,
      invited: Number(i.invited_count),
      createdAt: i.created_at,
    }));

  const noted = await syncNotes(db, scope);
  const syncUpdates = noted.updates.map((u) => ({
    id: u.id,
    ruleId: u.rule_id,
    target: ref(u),
    kind: u.kind,
    contactId: u.contact_id,
    email: u.email,
    name: u.name,
    title: u.title,
    department: u.department,
    membership: u.membership,
    role: u.role,
    currentRole: u.held_role,
    reason: u.reason,
    status: u.status,
    detectedAt: u.detected_at,
    doneAt: u.done_at,
  }));
  const syncLinks = noted.links.map((l) => ({ ruleId: l.rule_id, target: ref(l), contactId: l.contact_id, facts: l.facts }));

  const result: PrivacyExport = {
    email: scope.email,
    exportedAt: now.toISOString(),
    directoryContacts,
    csvUploads: csvUploadsHeld,
    invites,
    memberships,
    mail,
    events,
    importsSent,
    syncUpdates,
    syncLinks,
  };
  const total = Object.values(result).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  await recordAudit(db, { action: 'export', actor: 'api', target: auditTarget(person), subject: newId('exp'), count: total, at: now });
  return result;
}
