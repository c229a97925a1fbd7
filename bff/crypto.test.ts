import { describe, expect, it } from 'vitest';
import { SealError, credentialKey, open, seal } from './crypto.js';

const key = credentialKey('a-deployment-secret-of-at-least-32-characters');
const secret = { apiKey: 'sk_live_do-not-leak', companyDomain: 'acme' };

/** Flips one bit of one base64url part of a sealed value. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealed credentials', () => {
  it('round-trips a JSON object and never holds its plaintext', () => {
    const sealed = seal(key, secret, 'bamboo|organization:acme');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('sk_live');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('sk_live');
    expect(open(key, sealed, 'bamboo|organization:acme')).toEqual(secret);
  });

  it('uses a fresh IV each time', () => {
    const a = seal(key, secret);
    const b = seal(key, secret);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a.split('.')[3]).not.toBe(b.split('.')[3]);
  });

  it('refuses a value altered anywhere, moved to another row, or sealed with another secret', () => {
    const sealed = seal(key, secret, 'bamboo|organization:acme');
    for (const part of [1, 2, 3]) expect(() => open(key, flip(sealed, part), 'bamboo|organization:acme')).toThrow(SealError);
    expect(() => open(key, sealed, 'bamboo|organization:globex')).toThrow(SealError);
    expect(() => open(credentialKey('another-deployment-secret-0123456789abcdef'), sealed, 'bamboo|organization:acme')).toThrow(SealError);
    expect(() => open(key, sealed.replace(/^v1/, 'v2'), 'bamboo|organization:acme')).toThrow(SealError);
    expect(() => open(key, 'v1.not.enough', '')).toThrow(SealError);
    expect(() => open(key, `v1.${Buffer.alloc(12).toString('base64url')}.${Buffer.alloc(8).toString('base64url')}.AAAA`, '')).toThrow(SealError);
  });

  it('derives the key with HKDF so the same secret always opens what it sealed', () => {
    const again = credentialKey('a-deployment-secret-of-at-least-32-characters');
    expect(open(again, seal(key, secret))).toEqual(secret);
    expect(again.symmetricKeySize).toBe(32);
    expect(String(again)).not.toMatch(/[0-9a-f]{64}/);
  });
});
