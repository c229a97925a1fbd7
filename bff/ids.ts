/**
 * Ids of our rows and the invite tokens: random, URL-safe, from the OS CSPRNG. At the BFF's root,
 * below every layer that writes rows (services, db, webhooks), so that each can import them
 * without importing another layer or service.
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * Bytes from the OS CSPRNG, drawn 64 KiB at a time: an import of 10,000 people needs 30,000
 * ids and tokens, and one system call per value was a fifth of its time. Each byte is handed
 * out once (as crypto.randomUUID's own cache does).
 */
const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function secureRandom(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n));
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${secureRandom(15).toString('base64url')}`;
}

export function newInviteToken(): { token: string; hash: string } {
  const token = secureRandom(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function acceptLink(acceptUrl: string, token: string): string {
  return `${acceptUrl}${acceptUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
