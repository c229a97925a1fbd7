/**
 * Credentials at rest: AES-256-GCM over the credentials' JSON, with a key derived from the
 * deployment's secret. A sealed value reads `v1.<iv>.<tag>.<ciphertext>` (base64url parts); the
 * version names the key derivation and cipher, so they can change without guessing what a row holds.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'hr-import credentials v1';
const IV_BYTES = 12; // GCM's native nonce size: random 96-bit nonces are safe for far more rows than we store
const TAG_BYTES = 16;

/**
 * The encryption key of stored credentials. HKDF gives it its own purpose, so a secret that also
 * signs session tokens is never used as an AES key directly. A KeyObject prints without its bytes.
 */
export function credentialKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, '', INFO, 32)));
}

/** Stored credentials that cannot be opened: tampered with, moved to another row, or sealed under another secret. */
export class SealError extends Error {
  override readonly name = 'SealError';
  constructor() {
    super('The sealed value cannot be opened: it was altered or sealed with another key.');
  }
}

/**
 * Encrypts `value` as JSON. `context` is authenticated but not stored (GCM's additional data):
 * the row's identity, so a ciphertext copied into another organization's row does not open.
 */
export function seal(key: KeyObject, value: object, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Decrypts what `seal` produced with the same key and context; anything else throws SealError. */
export function open(key: KeyObject, sealed: string, context = ''): unknown {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealError();
  const [iv, tag, data] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  if (iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) throw new SealError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag!);
    return JSON.parse(Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8'));
  } catch {
    throw new SealError();
  }
}
