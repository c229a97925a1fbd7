/** `POST /sessions` (API key): a widget session for one inviter on one target. */
import { z } from 'zod';
import { emailAddress, externalId, targetParams, text, timestamp } from './common.js';
import { answer, request } from './registry.js';

export const sessionRequest = request(
  'SessionRequest',
  z
    .object({
      inviter: z.object({ id: externalId, name: text(200), email: emailAddress }).strict(),
      target: targetParams,
      ttlSeconds: z.number().int().min(60).max(3600).optional().describe('Lifetime in seconds; short by default because the token sits in a browser.'),
    })
    .strict(),
);
export type SessionRequest = z.input<typeof sessionRequest>;

export const sessionToken = answer(
  'SessionToken',
  z.object({ token: z.string(), expiresAt: timestamp }).strict(),
  'Hand the token to the page; it expires at `expiresAt`',
);
export type SessionToken = z.infer<typeof sessionToken>;
