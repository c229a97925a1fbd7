/**
 * The SCIM 2.0 protocol as the Users endpoint speaks it (RFC 7643/7644), apart from storage
 * (scim.ts): its error (a status and `scimType`, answered as a SCIM error body by routes/scim.ts),
 * a User body checked and bounded, list paging parameters, the filters it answers (parsed by
 * scim2-parse-filter) and PATCH operations as scim-patch takes them. Every write's result is
 * validated by the same schema as a created user (contract/scim.ts).
 */
import { parse as parseFilter, type Compare, type Filter, type LogExp, type ValuePath } from 'scim2-parse-filter';
import type { ScimPatchOperation } from 'scim-patch';
import { SCIM_USER_SCHEMA, scimPatch as scimPatchRequest, scimUser, type ScimErrorBody, type ScimUser } from '../../contract/index.js';
import { normalizeEmail } from '../text.js';

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
/** A stored resource, as JSON: a person with every attribute Entra or Okta sends is a few KB. */
const MAX_RESOURCE_CHARS = 32 * 1024;
/** Bounds on what is kept of attributes hr-import does not map (the mapped ones have their own, contract/scim.ts). */
const BOUNDS = { depth: 6, string: 2048, items: 50, keys: 100 };

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

/** One term of a filter joined by `and`, as this endpoint answers it. */
export type Term =
  | { column: 'user_name_normalized' | 'external_id' | 'email_normalized' | 'id'; value: string }
  /** `emails[type eq "work"]`: checked on the candidates the indexed terms found. */
  | { emailType: string | null; emailValue: string | null };

export const UNSUPPORTED_FILTER =
  'Only eq on userName, externalId, id and emails.value (or emails[type eq "…" and value eq "…"]), joined with and, is supported.';

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
export function hasEmail(user: StoredUser, type: string | null, value: string | null): boolean {
  return (user.emails ?? []).some(
    (e) => (type === null || e.type?.toLowerCase() === type.toLowerCase()) && (value === null || normalizeEmail(e.value) === value),
  );
}

export interface ListRequest {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
}

export function integerParam(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d{1,12}$/.test(raw.trim())) throw new ScimError(400, `${name} must be an integer.`, 'invalidValue');
  return Number(raw);
}

/** The request's operations as scim-patch takes them: `op` lowercased (Entra sends `Replace`). */
export function patchOperations(body: unknown): ScimPatchOperation[] {
  const parsed = scimPatchRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScimError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalidSyntax');
  }
  checkBounds(parsed.data.Operations);
  return parsed.data.Operations.map((o) => ({ ...o, op: o.op.toLowerCase() }) as ScimPatchOperation);
}

/** The 409 a userName already taken gets, whether found before the write or refused by the unique index. */
export const taken = (userName: string) => new ScimError(409, `A user with userName "${userName}" already exists.`, 'uniqueness');
