/**
 * The loop behind the background workers (webhooks, retention): run, then wait `intervalMs`, or
 * go again at once when the run says more is due; a failed run is logged and the loop goes on.
 * `stop()` ends the loop and waits for the run in flight.
 */
import type { Logger } from './logger.js';

export interface Repeater {
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/** `run` resolves true when more work is likely due right away. */
export function repeat(run: () => Promise<boolean>, logger: Logger, failure: string): Repeater {
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<boolean> | null = null;
  return {
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      const tick = async () => {
        inFlight = run().catch((err: unknown) => {
          logger.error(failure, { error: err instanceof Error ? err.name : 'unknown' });
          return false;
        });
        const more = await inFlight;
        inFlight = null;
        if (!stopped) timer = setTimeout(tick, more ? 0 : intervalMs).unref();
      };
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
