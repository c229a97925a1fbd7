/**
 * The one encoding of a page's keyset cursor: the sort key of its last row, as a JSON array of
 * two strings in base64url. JSON, not a joined string, so a key holding any character (a name with a
 * `|`) comes back whole; a cursor that does not decode to as many strings is refused as not ours.
 */
import { AppError } from '../errors.js';

/** A keyset: the last row's sort value and its id, which breaks ties. */
export type CursorKey = [sortValue: string, id: string];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the error below
  }
  throw new AppError(400, 'invalid_cursor', 'The cursor is not one this server issued.');
}
