/**
 * Embed sessions: a short-lived HS256 JWT scoped to one inviter and one target, minted by the
 * host backend through POST /api/sessions and carried by every widget call.
 */
import { sign, verify } from 'hono/jwt';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';
import { bearer } from './api-key.js';
import type { SessionToken, TargetType } from '../../contract/index.js';
import { TARGET_TYPES } from '../../contract/common.js';

export interface Session {
  inviter: { id: string; name: string; email: string };
  target: { type: TargetType; id: string };
  expiresAt: Date;
}

interface Claims {
  sub: string;
  name: string;
  email: string;
  tt: TargetType;
  tid: string;
  iat: number;
  exp: number;
  aud: string;
  [key: string]: unknown;
}

const AUDIENCE = 'hr-import:widget';
const TARGET_TYPE_SET = new Set<unknown>(TARGET_TYPES);
/** The latest instant a JavaScript Date holds (8.64e15 ms), in seconds. */
const MAX_EXP_SECONDS = 8.64e12;

export async function mintSessionToken(
  secret: string,
  inviter: Session['inviter'],
  target: Session['target'],
  ttlSeconds: number,
  now: Date,
): Promise<SessionToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Claims = {
    sub: inviter.id,
    name: inviter.name,
    email: inviter.email,
    tt: target.type,
    tid: target.id,
    iat,
    exp: iat + ttlSeconds,
    aud: AUDIENCE,
  };
  return { token: await sign(claims, secret, 'HS256'), expiresAt: new Date((iat + ttlSeconds) * 1000).toISOString() };
}

/**
 * Tokens whose signature and claims were checked (or are being checked), per secret, so a
 * widget's calls with one token pay for the HMAC once, not on every call (an import checked it
 * twice: two WebCrypto round trips through the thread pool, 7% of the server's time under load).
 * A refused token is forgotten at once; the cache is bounded, and the expiry is checked against
 * the clock on every call.
 */
const checked = new Map<string, Map<string, Promise<Claims>>>();
const CHECKED_PER_SECRET = 1000;

function checkedClaims(secret: string, token: string): Promise<Claims> {
  let bySecret = checked.get(secret);
  if (!bySecret) checked.set(secret, (bySecret = new Map()));
  const known = bySecret.get(token);
  if (known) return known;
  if (bySecret.size >= CHECKED_PER_SECRET) bySecret.delete(bySecret.keys().next().value!);
  const claims = verifiedClaims(secret, token);
  bySecret.set(token, claims);
  claims.catch(() => {
    if (bySecret.get(token) === claims) bySecret.delete(token);
  });
  return claims;
}

async function verifiedClaims(secret: string, token: string): Promise<Claims> {
  let claims: Claims;
  try {
    // Time claims are checked by the caller against the injected clock, the one every other expiry uses.
    claims = (await verify(token, secret, { alg: 'HS256', aud: AUDIENCE, exp: false, iat: false, nbf: false })) as Claims;
  } catch {
    throw new AppError(401, 'session_invalid', 'The session token is invalid or has expired; ask the host page for a new one.');
  }
  // Signed is not the same as well-formed: an expiry no Date can hold (1e300) or a claim of the
  // wrong type is refused here rather than failing later as a 500.
  if (
    typeof claims.tid !== 'string' ||
    typeof claims.sub !== 'string' ||
    typeof claims.name !== 'string' ||
    typeof claims.email !== 'string' ||
    !TARGET_TYPE_SET.has(claims.tt) ||
    !Number.isSafeInteger(claims.exp) ||
    Math.abs(claims.exp) > MAX_EXP_SECONDS
  ) {
    throw new AppError(401, 'session_invalid', 'The session token is not an hr-import session.');
  }
  return claims;
}

export async function readSessionToken(secret: string, token: string, now: Date): Promise<Session> {
  const claims = await checkedClaims(secret, token);
  if (claims.exp * 1000 <= now.getTime()) throw new AppError(401, 'session_expired', 'The session has expired; ask the host page for a new one.');
  return {
    inviter: { id: claims.sub, name: claims.name, email: claims.email },
    target: { type: claims.tt, id: claims.tid },
    expiresAt: new Date(claims.exp * 1000),
  };
}

export type SessionEnv = { Variables: { session: Session; requestId: string } };

export function sessionAuth(secret: string, clock: () => Date) {
  return createMiddleware<SessionEnv>(async (c, next) => {
    const token = bearer(c.req.header('Authorization'));
    if (!token) throw new AppError(401, 'session_missing', 'Missing session token: send Authorization: Bearer <session token>.');
    c.set('session', await readSessionToken(secret, token, clock()));
    await next();
  });
}
