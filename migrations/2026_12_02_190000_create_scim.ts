import type { Kysely } from 'kysely';

// SCIM 2.0: an organization's identity provider (Okta, Microsoft Entra, …) pushes its people to
// us. Each organization has one bearer token, stored as a digest; each pushed user is kept as the
// SCIM resource it was sent as (scim_users) and mirrored into directory_contacts under the same
// connection key, so the directory, search, rules and imports read it like any other provider's.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scim_tokens')
    // The token's public part (`hrscim.<id>.<secret>`): found by it, then the secret is compared.
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One token per organization: a rotation replaces the row.
    .addColumn('scope', 'text', (c) => c.notNull().unique())
    // SHA-256 of the secret part (hex); the token itself is shown once and never stored.
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scim_users')
    // `provider:scope`, as in directory_contacts: one directory per organization.
    .addColumn('connection', 'text', (c) => c.notNull())
    // Our id for the resource (`id` in SCIM), also the directory contact's id.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    // userName is case-insensitive in SCIM (RFC 7643 §4.1.1): unique and filtered lowercased.
    .addColumn('user_name_normalized', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    // The directory email (primary, else work, else first), lowercased: `emails.value eq` filters on it.
    .addColumn('email_normalized', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    // The resource as the identity provider sent it (JSON, without id, meta and password).
    .addColumn('resource', 'text', (c) => c.notNull())
    // meta.version: W/"<version>", one more at every write.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_users_pk', ['connection', 'id'])
    .execute();
  await db.schema.createIndex('scim_users_user_name_idx').on('scim_users').columns(['connection', 'user_name_normalized']).unique().execute();
  await db.schema.createIndex('scim_users_external_id_idx').on('scim_users').columns(['connection', 'external_id']).execute();
  await db.schema.createIndex('scim_users_email_idx').on('scim_users').columns(['connection', 'email_normalized']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scim_users').ifExists().execute();
  await db.schema.dropTable('scim_tokens').ifExists().execute();
}
