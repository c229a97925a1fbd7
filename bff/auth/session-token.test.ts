import { describe, expect, it } from 'vitest';
import { mintSessionToken, readSessionToken } from './session-token.js';

const A = 'a-secret-of-at-least-thirty-two-characters';
const B = 'another-secret-of-at-least-thirty-two-chars';
const now = new Date('2026-12-03T12:00:00Z');
const inviter = { id: 'u-1', name: 'Ada', email: 'ada@example.com' };

describe('a session token', () => {
  it('read once under its secret is still refused under another, and by the first after it expires', async () => {
    const { token } = await mintSessionToken(A, inviter, { type: 'lab', id: 'l-1' }, 60, now);
    expect(await readSessionToken(A, token, now)).toMatchObject({ inviter, target: { type: 'lab', id: 'l-1' } });
    await expect(readSessionToken(B, token, now)).rejects.toMatchObject({ status: 401, code: 'session_invalid' });
    expect(await readSessionToken(A, token, new Date(now.getTime() + 59_000))).toMatchObject({ inviter });
    await expect(readSessionToken(A, token, new Date(now.getTime() + 60_000))).rejects.toMatchObject({ status: 401, code: 'session_expired' });
  });
});
