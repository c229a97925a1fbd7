import type { ReactiveControllerHost } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import type { ImportRequest, ImportResult, Seats } from '../../api/types.js';
import { newIdempotencyKey, toApiError, type ApiClient, type ApiError } from '../../api/client.js';

export interface SubmissionOptions {
  api(): ApiClient | undefined;
  /** The import is done: shown and told before the submission counts as finished. */
  imported(result: ImportResult): Promise<void>;
  /** The seats the server said are left, when it refused for seats. */
  onSeats(seats: Seats): void;
  /** An error the page hears of (`hr-import-error`). */
  report(error: ApiError): void;
}

/**
 * Sending the import (a Task), at most once per submission: each submission has an
 * Idempotency-Key, kept while no answer came back so that a retry cannot import twice.
 */
export class Submission {
  readonly #options: SubmissionOptions;
  readonly #task: Task<[ImportRequest], ImportResult>;
  /** The submission in flight or last failed without an answer: a retry reuses its key. */
  #pending: { key: string; json: string } | null = null;
  /** Why the last submission failed; cleared when the admin moves to another step. */
  error: ApiError | null = null;

  constructor(host: ReactiveControllerHost, options: SubmissionOptions) {
    this.#options = options;
    this.#task = new Task(host, {
      autoRun: false,
      task: async ([request]) => {
        const api = options.api();
        if (!api) throw new Error('No session');
        const json = JSON.stringify(request);
        // One key per submission: retrying the same request after a lost answer must not import twice.
        if (this.#pending?.json !== json) this.#pending = { key: newIdempotencyKey(), json };
        const result = await importWithKey(api, request, this.#pending.key);
        this.#pending = null;
        await options.imported(result);
        return result;
      },
      onError: (error) => this.#failed(toApiError(error)),
    });
  }

  get submitting(): boolean {
    return this.#task.status === TaskStatus.PENDING;
  }

  submit(request: ImportRequest | null): void {
    if (!request || !this.#options.api() || this.submitting) return;
    this.error = null;
    void this.#task.run([request]);
  }

  #failed(e: ApiError) {
    // The server answered: a new attempt is a new submission. Without an answer, keep the key.
    if (!e.retryable) this.#pending = null;
    if (e.status === 401) return;
    this.error = e;
    if (e.code === 'seat_limit_exceeded') {
      const seats = (e.details as { seats?: Seats } | null | undefined)?.seats;
      if (seats && typeof seats.remaining === 'number') this.#options.onSeats(seats);
    } else {
      this.#options.report(e);
    }
  }
}

/**
 * An attempt with this key still running (a double submit, a second tab) answers 409 in flight:
 * wait as the server says (Retry-After) and ask again, and the finished import's answer comes back.
 */
async function importWithKey(api: ApiClient, request: ImportRequest, key: string): Promise<ImportResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.createImport(request, key);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code !== 'idempotency_key_in_flight' || attempt >= 5) throw error;
      await new Promise((ok) => setTimeout(ok, apiError.retryAfterMs ?? 1000));
    }
  }
}
