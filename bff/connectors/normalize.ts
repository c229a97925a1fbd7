/**
 * What every connector does the same way: blank values become null, a display name always
 * exists, ids are strings, missing credentials are named, unreadable answers name their page,
 * and paged cursors carry the page number so an error can say which page was bad.
 */
import { createHttp, type HttpPolicy, type ProviderHttp } from './http.js';
import { ProviderError, type ConnectorSettings, type Credentials, type DirectoryContact } from './types.js';

/** A connector factory's optional second argument: tests inject `sleep`, deployments may soften the retry policy. */
export interface ConnectorOptions {
  sleep?: ((ms: number) => Promise<void>) | undefined;
  policy?: Partial<HttpPolicy> | undefined;
}

/** A connector's HTTP client: the provider named in its errors, the settings' fetch, the options' sleep and retry policy. */
export function connectorHttp(provider: string, settings: ConnectorSettings, options: ConnectorOptions): ProviderHttp {
  return createHttp({
    provider,
    fetch: settings.fetch,
    sleep: options.sleep,
    policy: options.policy,
    secrets: Object.values(settings.credentials),
  });
}

/** A configured URL (or `fallback` when it is unset or empty) without trailing slashes, ready for a path to be appended. */
export function urlOr(setting: string | undefined, fallback: string): string {
  return (setting || fallback).replace(/\/+$/, '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The records of an array field; anything else (absent, null, a stray string) is no records. */
export function recordsOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Trimmed text, or null for absent, empty, whitespace-only and non-text values; numbers become text (ids). */
export function blankToNull(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' ? null : text;
}

/**
 * An address worth inviting, as the provider wrote it (the BFF folds case): HR systems put "n/a",
 * "-" or a name into email fields, and those must read as "no email", not as an address.
 */
export function emailOrNull(value: unknown): string | null {
  const text = blankToNull(value);
  return text && /^[^\s@]+@[^\s@]+$/.test(text) ? text : null;
}

/** True for a parseable date that has passed: a termination date in the future is not a leaver yet. */
export function isPast(value: unknown, now = Date.now()): boolean {
  const text = blankToNull(value);
  if (!text) return false;
  const at = Date.parse(text);
  return !Number.isNaN(at) && at <= now;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A provider's values for one person, before normalization; any of them may be missing or junk. */
export interface RawContact {
  id: unknown;
  firstName?: unknown;
  lastName?: unknown;
  displayName?: unknown;
  email?: unknown;
  personalEmail?: unknown;
  title?: unknown;
  department?: unknown;
  location?: unknown;
  employmentType?: unknown;
  managerId?: unknown;
  avatarUrl?: unknown;
  inactive?: boolean | undefined;
}

export function displayNameOf(fields: { displayName?: unknown; firstName: string | null; lastName: string | null; email: string | null; id: string }): string {
  return blankToNull(fields.displayName) ?? ([fields.firstName, fields.lastName].filter(Boolean).join(' ') || fields.email || fields.id);
}

/** The one place a provider's values become a DirectoryContact; null for a record without an id, which nothing could refer to. */
export function toContact(raw: RawContact): DirectoryContact | null {
  const id = blankToNull(raw.id);
  if (!id) return null;
  const firstName = blankToNull(raw.firstName);
  const lastName = blankToNull(raw.lastName);
  const email = emailOrNull(raw.email);
  return {
    id,
    firstName,
    lastName,
    displayName: displayNameOf({ displayName: raw.displayName, firstName, lastName, email, id }),
    email,
    personalEmail: emailOrNull(raw.personalEmail),
    title: blankToNull(raw.title),
    department: blankToNull(raw.department),
    location: blankToNull(raw.location),
    employmentType: blankToNull(raw.employmentType),
    managerId: blankToNull(raw.managerId),
    status: raw.inactive ? 'inactive' : 'active',
    avatarUrl: blankToNull(raw.avatarUrl),
  };
}

export function toContacts<T>(records: readonly T[], read: (record: T) => RawContact): DirectoryContact[] {
  const out: DirectoryContact[] = [];
  for (const record of records) {
    const contact = toContact(read(record));
    if (contact) out.push(contact);
  }
  return out;
}

/** The named credentials, trimmed, or a `config` error naming the first one missing. */
export function requireCredentials<K extends string>(provider: string, credentials: Credentials, fields: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const field of fields) {
    const value = blankToNull(credentials[field]);
    if (!value) throw new ProviderError('config', `${provider}: the credential "${field}" is missing.`);
    out[field] = value;
  }
  return out;
}

/** A `bad_response` naming the page ("page 3", "the custom report") whose answer we cannot read. */
export function unreadable(provider: string, page: string, what: string): ProviderError {
  return new ProviderError('bad_response', `${provider} sent an answer we cannot read (${page}): ${what}.`, { page });
}

export const pageLabel = (page: number): string => `page ${page}`;

/** Cursors are `<page number>:<the provider's own continuation>`, opaque to the BFF. */
export function pageCursor(page: number, state: string): string {
  return `${page}:${state}`;
}

/** The page a cursor points at (1 without a cursor) and the provider's continuation in it. */
export function readCursor(provider: string, cursor: string | null): { page: number; state: string | null } {
  if (!cursor) return { page: 1, state: null };
  const match = /^(\d{1,9}):(.+)$/s.exec(cursor);
  if (!match) throw new ProviderError('bad_response', `${provider}: the paging cursor is not one this connector issued.`);
  return { page: Number(match[1]), state: match[2]! };
}

/** An offset-paged listing's position: the page number and the record offset the cursor carries. */
export function readOffsetCursor(provider: string, cursor: string | null): { page: number; offset: number } {
  const { page, state } = readCursor(provider, cursor);
  const offset = state === null ? 0 : Number(state);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ProviderError('bad_response', `${provider}: the paging cursor is not one this connector issued.`);
  return { page, offset };
}

/**
 * The cursor after an offset page, or null at the end. The provider's total wins when it gives
 * one, because permission filtering can leave pages short before the end; an empty page always
 * ends the listing, so a provider that miscounts cannot keep us paging forever.
 */
export function nextOffsetCursor(page: number, offset: number, received: number, pageSize: number, total: number | null): string | null {
  if (received === 0) return null;
  const next = offset + received;
  const more = total === null ? received >= pageSize : next < total;
  return more ? pageCursor(page + 1, String(next)) : null;
}
