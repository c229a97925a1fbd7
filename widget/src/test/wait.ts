/**
 * @open-wc/testing's waitUntil, with room for a loaded machine: CI runs these tests beside the
 * BFF's suite on two cores, where a step that takes 50 ms alone has been seen to take over a
 * second. A wait that asserts a deadline (a token refreshed before it expires) still passes its
 * own `timeout`.
 */
import { waitUntil as waitUntilBrief } from '@open-wc/testing';

export const WAIT_MS = 5000;

export const waitUntil = (predicate: () => unknown, message?: string, options: { interval?: number; timeout?: number } = {}): Promise<void> =>
  waitUntilBrief(predicate, message, { timeout: WAIT_MS, ...options });
