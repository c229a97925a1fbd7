/** How much one directory refresh may do, and how it reads the provider: the `refreshLimits` setting's defaults. */
/**
 * How much one refresh may do before it stops with an `error` status: a provider that keeps
 * sending full pages, or one page that never ends, cannot fill the database or the memory.
 * The defaults fit a 100,000-person directory with room to spare.
 */
export interface RefreshLimits {
  /** Provider pages one refresh reads. */
  pages: number;
  /** People one refresh stages. */
  contacts: number;
  /** Bytes of one provider answer, counted as it streams. */
  responseBytes: number;
  /** Seconds one refresh may run (below the claim's 10 minute lease, so no other process takes over a live one). */
  seconds: number;
  /** Seconds between two refreshes of one connection that an admin forces. */
  minIntervalSeconds: number;
  /**
   * Incremental refreshes (only what changed, where the provider can tell) between two full
   * ones; 0 makes every refresh full. Most providers never report who was deleted, so only a
   * full refresh finds them.
   */
  incrementalRefreshes: number;
  /** Seconds after a full refresh when the next refresh is full again, however few incremental ones ran. */
  fullRefreshSeconds: number;
}

export const DEFAULT_REFRESH_LIMITS: RefreshLimits = {
  pages: 10_000,
  contacts: 250_000,
  responseBytes: 50 * 1024 * 1024,
  seconds: 540,
  minIntervalSeconds: 60,
  incrementalRefreshes: 23,
  fullRefreshSeconds: 86_400,
};

/** Pages fetched at once from a provider whose API allows it, unless its configuration says otherwise. */
export const DEFAULT_REFRESH_CONCURRENCY = 4;
