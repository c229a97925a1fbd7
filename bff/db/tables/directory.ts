/** Connections and the directory cache they fill: fetched, uploaded (CSV) or pushed (SCIM). Column types as bff/db/schema.ts says. */
import type { Generated } from 'kysely';

export interface ProviderConnectionTable {
  id: string;
  provider_id: string;
  /** Whose credentials these are: an organization id, or `*` for the whole deployment. */
  scope: string;
  /** AES-256-GCM ciphertext of the credentials JSON (iv.tag.data, base64url). */
  credentials: string;
  created_at: string;
  updated_at: string;
}

export interface DirectorySyncTable {
  /** `provider:scope`. */
  connection: string;
  status: string;
  fetched: number;
  total: number | null;
  started_at: string | null;
  synced_at: string | null;
  error_code: string | null;
  error_message: string | null;
  /** When a listing last read the directory (at most hourly); the retention worker purges unused ones. */
  used_at: string | null;
  /** Where the next incremental refresh starts (the connector's own format); null: next is full. */
  watermark: string | null;
  /** When the last full refresh finished (ISO): the periodic one that also finds deletions. */
  full_synced_at: string | null;
  /** Incremental refreshes since that full one. */
  incremental_refreshes: Generated<number>;
}

/**
 * What the kept answers of the contact list are valid for (services/directory/answers.ts): a
 * number per directory and per target's seats, raised by every write that can change an answer.
 */
export interface AnswerGenerationTable {
  /** `directory:<connection>` or `seats:<target type>:<target id>`. */
  scope: string;
  generation: number;
}

export interface DirectoryContactTable {
  connection: string;
  contact_id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  email: string | null;
  email_normalized: string | null;
  personal_email: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  /** As the provider words it (full-time, contractor…): sync rules scope and assign roles by it. */
  employment_type: string | null;
  manager_id: string | null;
  status: string;
  avatar_url: string | null;
  /** Lowercased, accent-folded name, email, title and department: what search matches. */
  search_text: string;
  /** Lowercased display name: the list's order. */
  sort_name: string;
}

/** A CSV file uploaded for one organization's CSV provider, parsed, waiting for its mapping. */
export interface CsvUploadTable {
  id: string;
  provider_id: string;
  /** The organization scope of the session that uploaded it (services/connections.ts). */
  scope: string;
  inviter_id: string;
  delimiter: string;
  /** JSON: the column names, the data rows (string[][]), each row's file line, the ragged rows. */
  columns: string;
  rows: string;
  lines: string;
  ragged: string;
  row_count: number;
  created_at: string;
  expires_at: string;
}

/** A sign-in in flight (OAuth popup): consumed once by the callback. */
export interface OAuthStateTable {
  /** SHA-256 (hex) of the `state` sent to the provider; the value itself is never stored. */
  state_hash: string;
  provider_id: string;
  /** The organization scope the sign-in connects (services/connections.ts). */
  scope: string;
  /** The host page's origin, the only one the callback page posts its result to. */
  origin: string;
  /** The PKCE verifier, sealed (bff/crypto.ts). */
  code_verifier: string;
  expires_at: string;
  created_at: string;
}

/** An organization's SCIM bearer token (services/scim-tokens.ts): its secret only as a digest. */
export interface ScimTokenTable {
  /** The token's public part, `hrscim.<id>.<secret>`. */
  id: string;
  /** The organization scope it writes to (services/connections.ts); one token each. */
  scope: string;
  /** SHA-256 (hex) of the secret part. */
  secret_hash: string;
  created_at: string;
}

/** A user an identity provider pushed over SCIM, mirrored into directory_contacts (services/scim.ts). */
export interface ScimUserTable {
  /** `provider:scope`, the same key as the mirrored directory. */
  connection: string;
  id: string;
  user_name: string;
  user_name_normalized: string;
  external_id: string | null;
  email_normalized: string | null;
  /** 1 or 0. */
  active: number;
  /** The resource as sent (JSON), without id, meta and password. */
  resource: string;
  version: number;
  created_at: string;
  updated_at: string;
}
