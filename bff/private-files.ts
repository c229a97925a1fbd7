/**
 * The data folder holds personal data (contacts, invites) and, in queued mail and the secret,
 * live credentials: readable by the server's own user only, whatever the umask says. Folders are
 * 0700 and files 0600; a folder or file left more open by an older version is tightened on start.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) private, or tightens it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE).catch(() => undefined);
}

/**
 * A SQLite file, created empty and private before SQLite opens it: SQLite gives its `-wal` and
 * `-shm` files the database file's mode, so they are private from their first byte too.
 */
export function ensurePrivateDatabaseFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) tighten(file, PRIVATE_FILE_MODE);
}

/** Tightens a file an older version (or a copy) left more open. */
export function tightenPrivateFile(path: string): void {
  if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE);
}

/** Another user's folder (a shared mount, say) may refuse chmod; what we create is private anyway. */
function tighten(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // Left as it is: the operator chose that folder and its owner.
  }
}
