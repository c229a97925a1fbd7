/** An organization's own connection to a provider: credentials entered in the widget, stored sealed. */
import { z } from 'zod';
import { count } from './common.js';
import { connectionState } from './providers.js';
import { answer, request } from './registry.js';

/**
 * An organization's credentials for a provider, entered in the widget. Which fields a provider
 * takes is checked against its type; values are bounded (a Google key file is about 2.4 KB).
 */
export const connectionRequest = request(
  'ConnectionRequest',
  z
    .object({
      credentials: z
        .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a credential field name'), z.string().max(16_384))
        .refine((c) => Object.keys(c).length <= 20, 'too many fields'),
    })
    .strict(),
);
export type ConnectionRequest = z.input<typeof connectionRequest>;

/** Answer of `PUT` and `DELETE /providers/:provider/connection`. */
export const connectionInfo = answer('ConnectionInfo', z.object({ connection: connectionState }).strict());
export type ConnectionInfo = z.infer<typeof connectionInfo>;

/** Answer of `POST /providers/:provider/connection/test`: people on the provider's first page. */
export const connectionTest = answer('ConnectionTest', z.object({ ok: z.literal(true), sample: count }).strict());
export type ConnectionTest = z.infer<typeof connectionTest>;
