/** Signing an organization in to a provider from the widget's popup. */
import { z } from 'zod';
import { answer, request } from './registry.js';

/** `POST /providers/:provider/oauth`: the host page's origin, where the popup reports back. */
export const oauthStartRequest = request(
  'OAuthStartRequest',
  z
    .object({
      origin: z
        .string()
        .max(200)
        .regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://app.example.com'),
    })
    .strict(),
);

export const oauthStart = answer(
  'OAuthStart',
  z
    .object({
      authorizeUrl: z.string().describe('Open this in the popup.'),
      callbackOrigin: z.string().describe("The origin the popup's message comes from (the BFF's public origin); accept no other."),
    })
    .strict(),
  'Where to send the popup, and the origin its answer will come from',
);
export type OAuthStart = z.infer<typeof oauthStart>;

/** What the callback page posts to the host page (its `origin` exactly). Not an HTTP answer, but part of the contract all the same. */
export const oauthResultMessage = answer(
  'OAuthResultMessage',
  z
    .object({
      type: z.literal('hr-import-oauth'),
      provider: z.string(),
      ok: z.boolean(),
      error: z.string().optional(),
      message: z.string().optional(),
    })
    .strict(),
  'What the sign-in popup posts to the host page with `postMessage`',
);
export type OAuthResultMessage = z.infer<typeof oauthResultMessage>;

/** What the callback reads; anything longer or missing is an invalid sign-in, answered as a page. */
export const oauthCallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
});
