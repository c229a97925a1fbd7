/**
 * SCIM bearer tokens: one per organization, created (or rotated) and revoked by the host's backend
 * with its API key, pasted once into the identity provider. A token reads `hrscim.<id>.<secret>`:
 * the id finds the row, and the secret's SHA-256 is compared in constant time with the stored
 * digest. The token itself is never stored or logged; a rotation replaces the row, so the old
 * token stops working at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { writeTransaction } from '../db/connect.js';
import { AppError } from '../errors.js';
import { cacheKeyOf } from './directory/rows.js';
import { scopeOfOrganization } from './connections.js';

const PREFIX = 'hrscim';
const TOKEN = /^hrscim\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** 404 unless some target belongs to the organization: a token for a mistyped id would feed nobody. */
async function checkOrganization(db: Kysely<Database>, organizationId: string): Promise<void> {
  const found = await db
    .selectFrom('targets')
    .select('id')
    .where((eb) => eb.or([eb.and([eb('type', '=', 'organization'), eb('id', '=', organizationId)]), eb('organization_id', '=', organizationId)]))
    .limit(1)
    .executeTakeFirst();
  if (!found)
    throw new AppError(
      404,
      'organization_not_found',
      `No target belongs to organization ${organizationId}; create one with PUT /api/targets/organization/${organizationId}.`,
    );
}

/**
 * Creates the organization's token, replacing (and so revoking) any earlier one, and makes its SCIM
 * directory exist (empty until the identity provider pushes), so the widget lists it as ready.
 */
export async function createScimToken(
  db: Kysely<Database>,
  providerId: string,
  organizationId: string,
  now: Date,
): Promise<{ token: string; createdAt: string }> {
  await checkOrganization(db, organizationId);
  const scope = scopeOfOrganization(organizationId);
  const id = randomBytes(12).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const at = now.toISOString();
  const connection = cacheKeyOf(providerId, scope);
  await writeTransaction(db, async (trx) => {
    await trx.deleteFrom('scim_tokens').where('scope', '=', scope).execute();
    await trx
      .insertInto('scim_tokens')
      .values({ id, scope, secret_hash: digest(secret).toString('hex'), created_at: at })
      .execute();
    await trx
      .insertInto('directory_syncs')
      .values({ connection, status: 'ready', fetched: 0, total: 0, started_at: at, synced_at: at, error_code: null, error_message: null })
      .onConflict((oc) => oc.column('connection').doNothing())
      .execute();
  });
  return { token: `${PREFIX}.${id}.${secret}`, createdAt: at };
}

/** Revokes the organization's token; what its identity provider pushed stays (a new token carries on with it). */
export async function revokeScimToken(db: Kysely<Database>, organizationId: string): Promise<void> {
  const gone = await db.deleteFrom('scim_tokens').where('scope', '=', scopeOfOrganization(organizationId)).executeTakeFirst();
  if (Number(gone.numDeletedRows) === 0) throw new AppError(404, 'scim_token_not_found', `Organization ${organizationId} has no SCIM token.`);
}

/** The scope a presented token writes to, or null: unknown, malformed, revoked or rotated away. */
export async function authenticateScimToken(db: Kysely<Database>, token: string): Promise<{ id: string; scope: string } | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const row = await db.selectFrom('scim_tokens').select(['id', 'scope', 'secret_hash']).where('id', '=', m[1]!).executeTakeFirst();
  if (!row) return null;
  const stored = Buffer.from(row.secret_hash, 'hex');
  const given = digest(m[2]!);
  return stored.length === given.length && timingSafeEqual(stored, given) ? { id: row.id, scope: row.scope } : null;
}
