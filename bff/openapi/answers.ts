/** The answers operations share (JSON, errors, SCIM's own), and the shape of an operation in bff/openapi.ts's table. */
import { z } from 'zod';
import { errorBody, scimError } from '../../contract/index.js';
import { responseSchemas } from '../../contract/registry.js';

export type Schema = Record<string, unknown>;

/** Response headers the document names; each answer lists those it may carry. */
export const HEADERS = {
  'X-Request-Id': { description: 'This request in the BFF log', required: true, schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before sending the same request again', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key: nothing ran again',
    schema: { const: 'true' },
  },
  Location: { description: 'The created SCIM resource (its meta.location)', schema: { type: 'string' } },
  ETag: { description: "The SCIM resource's meta.version", schema: { type: 'string' } },
} as const;
export type ResponseHeader = keyof typeof HEADERS;

export interface Answer {
  description: string;
  /** A named schema of contract/ (JSON); absent with `html` or for an empty answer. */
  json?: z.ZodType;
  /** The JSON is sent as `application/scim+json` (the SCIM routes). */
  scim?: true;
  html?: true;
  headers?: ResponseHeader[];
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Below the base path, as an OpenAPI template: `/providers/{provider}/contacts`. */
  path: string;
  operationId: string;
  summary: string;
  /** `scim`: an organization's SCIM token; such routes answer SCIM bodies and SCIM errors only. */
  auth?: 'apiKey' | 'session' | 'scim';
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Sent with an `Idempotency-Key` header; every answer may then be a replay. */
  idempotent?: true;
  /** A JSON body (a named request schema), or the file itself. */
  body?: z.ZodType | 'csv';
  responses: Record<string, Answer>;
}

export const ok = (json: z.ZodType, description?: string, headers?: ResponseHeader[]): Answer => ({
  json,
  description: description ?? responseSchemas.get(json)?.description ?? 'OK',
  ...(headers ? { headers } : {}),
});
export const error = (description: string, headers?: ResponseHeader[]): Answer => ({ json: errorBody, description, ...(headers ? { headers } : {}) });
export const html = (description: string): Answer => ({ html: true, description });

/** Answers every route may give besides its own. */
export const common: Record<string, Answer> = {
  '400': error('Bad input: `invalid_request` with `details.fields`'),
  '413': error('`payload_too_large`'),
  '415': error('`unsupported_media_type`: send JSON'),
  '429': error('`rate_limited`', ['Retry-After']),
  '503': error(
    '`database_busy` (nothing written; try again now) or `database_unavailable` (the database refuses writes: full disk, read-only; nothing written; reads still work)',
    ['Retry-After'],
  ),
};
/** A SCIM answer or refusal (`application/scim+json`). */
export const scimOk = (json: z.ZodType, description?: string, headers?: ResponseHeader[]): Answer => ({ ...ok(json, description, headers), scim: true });
export const scimRefusal = (description: string, headers?: ResponseHeader[]): Answer => ({
  json: scimError,
  scim: true,
  description,
  ...(headers ? { headers } : {}),
});
/** Answers every SCIM route may give besides its own: SCIM error bodies, never `{ error }`. */
export const scimCommon: Record<string, Answer> = {
  '400': scimRefusal('`invalidValue`, `invalidSyntax`, `invalidFilter`, `invalidPath`, `mutability` or `tooMany`, the attribute named in `detail`'),
  '404': scimRefusal('No such user in this organization, or SCIM is not enabled on this deployment'),
  '413': scimRefusal('The body is over 256 KB'),
  '415': scimRefusal('Send application/scim+json (or application/json)'),
  '429': scimRefusal('Too many requests with this token this minute', ['Retry-After']),
  '503': scimRefusal('The database is busy or refuses writes; nothing was written', ['Retry-After']),
};
export const unauthorized = {
  apiKey: error('`unauthorized`: missing or invalid API key'),
  session: error('`session_missing`, `session_invalid` or `session_expired`'),
  scim: scimRefusal('Missing, revoked, rotated or mistyped SCIM token'),
};
export const providerNotFound = { '404': error('`provider_not_found`') };
export const providerErrors: Record<string, Answer> = {
  '409': error(
    '`provider_not_connected` (the organization has not connected this provider) or `connection_unreadable` (stored credentials no longer open: connect again)',
  ),
  '502': error(
    'The provider refused or answered nonsense: `provider_auth` (reconnect), `provider_permission`, `provider_bad_response`, `provider_sync_failed`',
  ),
  '503': error('`provider_rate_limited` or `provider_quota_exceeded` (Retry-After when the provider tells), or `database_busy`', ['Retry-After']),
  '504': error('`provider_unavailable`: the provider did not answer in time'),
};
export const uploadErrors: Record<string, Answer> = {
  '404': error('`provider_not_found`, or `upload_not_found` (unknown or expired: uploads are kept for an hour)'),
  '409': error('`not_a_csv_provider`'),
};
