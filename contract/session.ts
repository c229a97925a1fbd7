/** `GET /session`: who is inviting, to what, and how many seats are left. */
import { z } from 'zod';
import { role, seats, targetType, timestamp } from './common.js';
import { answer } from './registry.js';

export const sessionInfo = answer(
  'SessionInfo',
  z
    .object({
      inviter: z.object({ id: z.string(), name: z.string(), email: z.string() }).strict(),
      target: z.object({ type: targetType, id: z.string(), name: z.string(), roles: z.array(role), defaultRole: z.string() }).strict(),
      seats,
      expiresAt: timestamp,
    })
    .strict(),
);
export type SessionInfo = z.infer<typeof sessionInfo>;
