/** Every refusal of the BFF, whatever the route: `{ error: { code, message, details? } }`. */
import { z } from 'zod';
import { answer } from './registry.js';

export const errorBody = answer(
  'ErrorBody',
  z.object({
    error: z.object({
      code: z.string().describe('Stable and machine-readable (`seat_limit_exceeded`); the message is for people.'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  }),
  'A refusal: a stable `code` to act on and a `message` to show',
);
export type ErrorBody = z.infer<typeof errorBody>;
