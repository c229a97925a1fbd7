/** Email and search normalization shared by the directory cache, members and invites. */

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

/** Lowercase without accents, so "jose" finds "José" and "muller" finds "Müller". */
export function foldForSearch(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likePattern(term: string): string {
  return '%' + foldForSearch(term).replace(/[\\%_]/g, (m) => '\\' + m) + '%';
}
