/**
 * What the fake BFF holds: the directory, the providers, the seats, the sync rules and invites.
 * Tests read and change it between steps; each route module reads and changes it as the BFF's
 * database would.
 */
import type { Contact, InviteSummary, ProviderInfo, RefreshStatus, Role, Seats, SyncRule, SyncRun, SyncUpdate } from '../../api/types.js';
import { ROLES, directory, refreshIdle, type GeneratedDirectory } from './data.js';

export interface FakeBffOptions {
  /**
   * How the directory refresh goes: the statuses `GET …/refresh` answers after a `POST`, one a
   * request, the last one repeated. Without it the directory is ready and fresh at once.
   */
  refreshSteps?: RefreshStatus[];
  /** What `GET …/refresh` answers before any `POST` (default: ready and fresh, or idle with refreshSteps). */
  refreshState?: RefreshStatus;
  contacts?: Contact[];
  providers?: ProviderInfo[];
  seats?: Seats;
  roles?: Role[];
}

/** The matches of a query, by position, without copying a 100,000-row directory. */
export interface Matches {
  readonly size: number;
  at(k: number): Contact;
  readonly selectable: number;
}

/** A CSV upload: the file's header and rows. */
export interface Upload {
  columns: string[];
  rows: string[][];
}

export class FakeState {
  contacts: Contact[];
  /** When set, the directory served instead of `contacts` (which is then ignored). */
  generated: GeneratedDirectory | null = null;
  providers: ProviderInfo[];
  seats: Seats;
  roles: Role[];
  refreshSteps: RefreshStatus[];
  refreshState: RefreshStatus;
  /** Sync rules of the session target, oldest first; each rule's runs newest first. */
  rules: SyncRule[] = [];
  readonly runs = new Map<string, SyncRun[]>();
  updates: SyncUpdate[] = [];
  invites: InviteSummary[] = [];
  /** How many reads of a rule's runs a Sync now stays running for. */
  runReadsUntilDone = 1;
  /** CSV uploads, by upload id. */
  readonly uploads = new Map<string, Upload>();

  // The routes' own bookkeeping, which no test needs to set.
  /** The step of `refreshSteps` the last `GET …/refresh` answered; -1 before any `POST`. */
  refreshAt = -1;
  /** Matches of a generated directory per query: positions only, computed once. */
  readonly generatedMatches = new Map<string, Matches>();
  /** Reads of the running Sync now's runs so far. */
  runReads = 0;
  /** Imports done, for their ids. */
  importCount = 0;

  constructor(options: FakeBffOptions = {}) {
    this.contacts = options.contacts ?? directory();
    this.providers = options.providers ?? [
      { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' },
      { id: 'bamboohr', type: 'bamboohr', name: 'BambooHR', connection: 'needs_credentials' },
      { id: 'entra', type: 'microsoft', name: 'Microsoft Entra ID', connection: 'error' },
    ];
    this.seats = options.seats ?? { limit: 50, used: 10, remaining: 40 };
    this.roles = options.roles ?? ROLES;
    this.refreshSteps = options.refreshSteps ?? [];
    this.refreshState = options.refreshState ?? (options.refreshSteps ? refreshIdle() : this.refreshReady());
  }

  /** A ready, fresh directory of the fake's contacts. */
  refreshReady(syncedAt = '2026-11-24T12:00:00.000Z'): RefreshStatus {
    return { status: 'ready', fetched: this.contacts.length, total: this.contacts.length, syncedAt, stale: false };
  }
}
