/** Email and search normalization shared by the directory cache, members and invites. */
import { CONTROL_CHARACTERS } from '../contract/index.js';

/** One person, one key: Unicode NFC, trimmed, lowercased. */
export function normalizeEmail(email: string | null | undefined): string | null {
  if (email == null) return null;
  const e = email.normalize('NFC').trim().toLowerCase();
  return e === '' ? null : e;
}

// Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Stricter checks
// refuse real addresses; the accept link proves the address works.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u;

export function isValidEmail(normalized: string): boolean {
  return normalized.length <= 254 && EMAIL.test(normalized);
}

const CONTROL_RUNS = new RegExp(CONTROL_CHARACTERS.source + '+', 'g');

/**
 * Text from another system (a provider, an SMTP server) with each run of the control characters
 * the contract refuses as one space: PostgreSQL text cannot hold a NUL, so one in a provider's
 * name would fail a whole refresh there while SQLite kept it.
 */
export function plainText(s: string): string {
  return CONTROL_CHARACTERS.test(s) ? s.replace(CONTROL_RUNS, ' ') : s;
}

/** Lowercase without accents, so "jose" finds "José" and "muller" finds "Müller"; control characters part words as spaces do. */
export function foldForSearch(s: string): string {
  return plainText(s).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likePattern(term: string): string {
  return '%' + foldForSearch(term).replace(/[\\%_]/g, (m) => '\\' + m) + '%';
}
