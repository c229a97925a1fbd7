/**
 * An in-browser stand-in for the BFF: replaces `window.fetch`, answers the widget-facing routes
 * with contract-shaped JSON from an in-test directory, and records every request.
 */
import type {
  Answer,
  Contact,
  CsvColumnMapping,
  CsvContactField,
  CsvUploadPreview,
  ImportRequest,
  ImportResult,
  InviteResendResult,
  InviteSummary,
  ProviderInfo,
  RefreshStatus,
  Role,
  Seats,
  SessionInfo,
  SkipReason,
  SyncDryRun,
  SyncRule,
  SyncRuleInput,
  SyncRun,
  SyncUpdate,
  SyncUpdateResult,
} from '../api/types.js';
import type { paths } from '../api/schema.js';
// The BFF's own list, so the stand-in answers with the fields the real one does.
import { CSV_CONTACT_FIELDS as CSV_FIELDS } from '../../../contract/uploads.js';

export const TOKEN = 'test-session-token';

export interface RecordedRequest {
  method: string;
  url: URL;
  /** Path below the API base, e.g. `/providers/sample/contacts`. */
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: RecordedRequest) => Response | undefined | Promise<Response | undefined>;

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Linus',
  'Frances',
  'Ken',
  'Radia',
  'Dennis',
  'Hedy',
  'Tim',
  'Katherine',
  'John',
  'Annie',
  'Niklaus',
  'Sophie',
  'Bjarne',
  'Shafi',
  'Guido',
  'Jean',
  'Brian',
  'Mary',
  'Vint',
  'Karen',
  'Leslie',
  'Evelyn',
  'Robin',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Torvalds',
  'Allen',
  'Thompson',
  'Perlman',
  'Ritchie',
  'Lamarr',
  'Berners-Lee',
  'Johnson',
  'McCarthy',
  'Easley',
  'Wirth',
  'Wilson',
  'Stroustrup',
  'Goldwasser',
  'van Rossum',
  'Bartik',
  'Kernighan',
  'Keller',
  'Cerf',
  'Spärck Jones',
  'Lamport',
  'Boyd',
  'Milner',
];
export const DEPARTMENTS = ['Engineering', 'Sales', 'Support'];
export const LOCATIONS = ['London', 'Berlin'];

export function makeContact(i: number, overrides: Partial<Contact> = {}): Contact {
  const firstName = FIRST[i % FIRST.length]!;
  const lastName = LAST[i % LAST.length]! + (i >= LAST.length ? ` ${Math.floor(i / LAST.length) + 1}` : '');
  const id = `c${String(i + 1).padStart(3, '0')}`;
  return {
    id,
    firstName,
    lastName,
    displayName: `${firstName} ${lastName}`,
    email: `${firstName.toLowerCase()}.${id}@example.com`,
    personalEmail: null,
    title: i % 2 ? 'Engineer' : 'Manager',
    department: DEPARTMENTS[i % DEPARTMENTS.length]!,
    location: LOCATIONS[i % LOCATIONS.length]!,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
    membership: null,
    sharedEmail: false,
    ...overrides,
  };
}

/**
 * 30 people: Grace Hopper (c002) is a member, Alan Turing (c003) is invited, Edsger Dijkstra
 * (c004) has no email and Barbara Liskov (c005) has left (inactive). 26 active selectable.
 */
export function directory(size = 30): Contact[] {
  return Array.from({ length: size }, (_, i) => {
    if (i === 1) return makeContact(i, { membership: 'member' });
    if (i === 2) return makeContact(i, { membership: 'invited' });
    if (i === 3) return makeContact(i, { email: null });
    if (i === 4) return makeContact(i, { status: 'inactive' });
    return makeContact(i);
  });
}

/** A directory computed row by row, for lists of 100,000: nothing is stored but its size. */
export interface GeneratedDirectory {
  readonly size: number;
  /** The contact at a position in the directory's name order. */
  at(index: number): Contact;
}

/**
 * `size` people in a fixed order: every 50th from the second is a member, every 50th from the
 * third is invited, every 97th has no email; the rest can be invited. Contact `i` has the id
 * `c<i+1>` and a name unique to it.
 */
export function generatedDirectory(size: number): GeneratedDirectory {
  return {
    size,
    at(i) {
      const membership = i % 50 === 1 ? 'member' : i % 50 === 2 ? 'invited' : null;
      return makeContact(i, { membership, ...(i % 97 === 3 ? { email: null } : {}) });
    },
  };
}

/** The matches of a query, by position, without copying a 100,000-row directory. */
interface Matches {
  readonly size: number;
  at(k: number): Contact;
  readonly selectable: number;
}

export const ROLES: Role[] = [
  { id: 'member', label: 'User' },
  { id: 'admin', label: 'Admin' },
  { id: 'viewer', label: 'Viewer' },
];

/** A saved rule over the whole directory, joiners and leavers waiting for the admin; `overrides` change any of it. */
export function makeRule(n: number, overrides: Partial<SyncRule> = {}): SyncRule {
  return {
    id: `rule_${String(n).padStart(10, '0')}`,
    target: { type: 'organization', id: 'org-1' },
    provider: 'sample',
    scope: { filters: { department: 'Engineering' } },
    reportsToName: null,
    roleRules: [],
    defaultRole: 'member',
    message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, welcome.' },
    joiners: 'review',
    leavers: 'review',
    intervalHours: 24,
    leaverThresholdPercent: 20,
    paused: false,
    createdBy: { id: 'u1', name: 'Iris Inviter' },
    createdAt: '2026-11-30T08:00:00.000Z',
    updatedAt: '2026-11-30T08:00:00.000Z',
    nextRunAt: '2026-12-02T08:00:00.000Z',
    lastRun: null,
    ...overrides,
  };
}

export function makeRun(n: number, ruleId: string, overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: `run_${String(n).padStart(10, '0')}`,
    ruleId,
    trigger: 'schedule',
    status: 'completed',
    startedAt: '2026-12-01T08:00:00.000Z',
    finishedAt: '2026-12-01T08:00:05.000Z',
    matched: 10,
    invited: 0,
    joiners: 2,
    leavers: 1,
    roleChanges: 1,
    revoked: 0,
    skipped: [],
    skippedCount: 0,
    error: null,
    ...overrides,
  };
}

export function makeUpdate(n: number, kind: SyncUpdate['kind'], overrides: Partial<SyncUpdate> = {}): SyncUpdate {
  const c = makeContact(n);
  return {
    id: `upd_${String(n).padStart(10, '0')}`,
    ruleId: 'rule_0000000001',
    kind,
    contactId: c.id,
    email: c.email!,
    name: c.displayName,
    title: c.title,
    department: c.department,
    membership: kind === 'joiner' ? null : 'member',
    role: kind === 'leaver' ? null : kind === 'role_change' ? 'admin' : 'member',
    currentRole: kind === 'joiner' ? null : 'member',
    reason: kind === 'leaver' ? 'terminated' : null,
    status: 'open',
    detectedAt: '2026-12-01T08:00:05.000Z',
    ...overrides,
  };
}

export function makeInvite(n: number, overrides: Partial<InviteSummary> = {}): InviteSummary {
  const c = makeContact(n);
  return {
    id: `inv_${String(n).padStart(10, '0')}`,
    email: c.email!,
    name: c.displayName,
    role: 'member',
    status: 'expired',
    delivery: 'sent',
    deliveryError: null,
    expiresAt: '2026-11-20T08:00:00.000Z',
    createdAt: '2026-11-13T08:00:00.000Z',
    importId: null,
    ...overrides,
  };
}

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

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** The fake's own answers, typed by the operation they answer: a shape the BFF would not send fails tsc. */
function answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete'>(_route: P, _method: M, status: number, body: Answer<P, M>): Response {
  return json(status, body);
}

export function errorResponse(status: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}): Response {
  const response = json(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const refreshIdle = (): RefreshStatus => ({ status: 'idle', fetched: 0, total: null, syncedAt: null, stale: true });

/** A refresh under way: `fetched` so far of `total` (null when the provider does not tell). */
export const refreshSyncing = (fetched: number, total: number | null): RefreshStatus => ({ status: 'syncing', fetched, total, syncedAt: null, stale: true });

const canInvite = (c: Contact) => c.membership === null && c.email !== null;

export class FakeBff {
  readonly requests: RecordedRequest[] = [];
  contacts: Contact[];
  /** When set, the directory served instead of `contacts` (which is then ignored). */
  generated: GeneratedDirectory | null = null;
  providers: ProviderInfo[];
  seats: Seats;
  roles: Role[];
  refreshSteps: RefreshStatus[];
  refreshState: RefreshStatus;
  #refreshAt = -1;
  readonly #handlers = new Map<string, Handler>();
  /** Matches of a generated directory per query: positions only, computed once. */
  readonly #generatedMatches = new Map<string, Matches>();
  readonly #hanging = new Set<string>();
  /** Sync rules of the session target, oldest first; each rule's runs newest first. */
  rules: SyncRule[] = [];
  readonly runs = new Map<string, SyncRun[]>();
  updates: SyncUpdate[] = [];
  invites: InviteSummary[] = [];
  /** How many reads of a rule's runs a Sync now stays running for. */
  runReadsUntilDone = 1;
  #runReads = 0;
  #original: typeof window.fetch | undefined;
  #imports = 0;

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

  /** POST starts the scripted refresh; each GET then moves one step along it. */
  private refresh(method: string): Response {
    if (method === 'POST') {
      this.#refreshAt = 0;
      this.refreshState = this.refreshSteps[0] ?? this.refreshReady();
      return answer('/providers/{provider}/refresh', 'post', 202, this.refreshState);
    }
    if (this.#refreshAt >= 0 && this.#refreshAt < this.refreshSteps.length - 1) {
      this.#refreshAt += 1;
      this.refreshState = this.refreshSteps[this.#refreshAt]!;
    }
    return answer('/providers/{provider}/refresh', 'get', 200, this.refreshState);
  }

  install(): this {
    this.#original = window.fetch;
    window.fetch = (input, init) => this.handle(input, init);
    return this;
  }

  uninstall(): void {
    if (this.#original) window.fetch = this.#original;
    this.#original = undefined;
  }

  /** Answer `"METHOD /path"` (below /api) with `handler`; returning undefined falls through. */
  on(route: string, handler: Handler): this {
    this.#handlers.set(route, handler);
    return this;
  }

  /** Never answer `"METHOD /path"` (until the request is aborted). */
  hang(route: string): this {
    this.#hanging.add(route);
    return this;
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  contactRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && /\/contacts$/.test(r.path));
  }

  async handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const recorded: RecordedRequest = {
      method: request.method,
      url,
      path: url.pathname.replace(/^\/api/, ''),
      headers: request.headers,
      // A CSV upload's body is the file's text; everything else is JSON.
      body: text ? (/json/.test(request.headers.get('Content-Type') ?? '') ? JSON.parse(text) : text) : undefined,
    };
    this.requests.push(recorded);
    const route = `${recorded.method} ${recorded.path}`;
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    if (this.#hanging.has(route)) {
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    const custom = await this.#handlers.get(route)?.(recorded);
    if (custom) return custom;
    if (request.headers.get('Authorization') !== `Bearer ${TOKEN}`) {
      return errorResponse(401, 'unauthorized', 'The session token is missing, invalid or expired.');
    }
    return this.route(recorded);
  }

  private route(r: RecordedRequest): Response {
    const params = r.url.searchParams;
    if (r.method === 'GET' && r.path === '/session') return answer('/session', 'get', 200, this.session());
    if (r.method === 'GET' && r.path === '/providers') return answer('/providers', 'get', 200, { items: this.providers });
    let m = /^\/providers\/([^/]+)\/contacts$/.exec(r.path);
    if (r.method === 'GET' && m) return this.page(params);
    if (/^\/providers\/([^/]+)\/refresh$/.test(r.path) && (r.method === 'GET' || r.method === 'POST')) return this.refresh(r.method);
    m = /^\/providers\/([^/]+)\/contacts\/facets$/.exec(r.path);
    if (r.method === 'GET' && m) return answer('/providers/{provider}/contacts/facets', 'get', 200, this.facets(params));
    if (r.method === 'POST' && r.path === '/imports') return this.import(r.body as ImportRequest);
    m = /^\/providers\/([^/]+)\/uploads(?:\/([^/]+)\/(preview|confirm))?$/.exec(r.path);
    if (r.method === 'POST' && m) return this.csvUpload(r, m[2], m[3]);
    m = /^\/providers\/([^/]+)\/connection(\/test)?$/.exec(r.path);
    if (m) return this.connection(r.method, decodeURIComponent(m[1]!), m[2] !== undefined);
    if (r.path.startsWith('/sync') || r.path.startsWith('/invites')) return this.sync(r);
    return errorResponse(404, 'not_found', `No route ${r.method} ${r.path}`);
  }

  session(): SessionInfo {
    return {
      inviter: { id: 'u1', name: 'Iris Inviter', email: 'iris@example.com' },
      target: { type: 'organization', id: 'org-1', name: 'Acme Labs', roles: this.roles, defaultRole: 'member' },
      seats: this.seats,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
  }

  matching(search: string | null, filters: { department?: string; location?: string; status?: string }): Contact[] {
    return this.contacts.filter((c) => this.fits(c, search, filters));
  }

  private fits(c: Contact, search: string | null, filters: { department?: string; location?: string; status?: string }): boolean {
    // As the BFF searches (bff/services/directory-search.ts): every word, folded, somewhere in these.
    const fold = (v: string) => v.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    const words = fold(search ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 8);
    const text = words.length ? fold([c.displayName, c.email ?? '', c.title ?? '', c.department ?? '', c.location ?? ''].join(' ')) : '';
    const status = filters.status ?? 'active';
    return (
      words.every((w) => text.includes(w)) &&
      (!filters.department || c.department === filters.department) &&
      (!filters.location || c.location === filters.location) &&
      (status === 'all' || c.status === status)
    );
  }

  /** The matches of a query: over `contacts`, or positions in the generated directory. */
  matches(search: string | null, filters: { department?: string; location?: string; status?: string }): Matches {
    const generated = this.generated;
    if (!generated) {
      const list = this.matching(search, filters);
      return { size: list.length, at: (k) => list[k]!, selectable: list.filter(canInvite).length };
    }
    const key = JSON.stringify([search?.trim().toLowerCase() ?? '', filters.department, filters.location, filters.status]);
    let found = this.#generatedMatches.get(key);
    if (!found) {
      const positions: number[] = [];
      let selectable = 0;
      for (let i = 0; i < generated.size; i++) {
        const c = generated.at(i);
        if (this.fits(c, search, filters)) {
          positions.push(i);
          if (canInvite(c)) selectable += 1;
        }
      }
      const everyone = positions.length === generated.size;
      const index = everyone ? null : Int32Array.from(positions);
      found = { size: positions.length, at: (k) => generated.at(index ? index[k]! : k), selectable };
      this.#generatedMatches.set(key, found);
    }
    return found;
  }

  /**
   * As the BFF reads it (bff/services/directory/queries.ts sharedEmails): whether another person
   * of the directory has the contact's address, whatever its case. A generated directory's
   * addresses are unique.
   */
  private sharedEmails(): (c: Contact) => boolean {
    if (this.generated) return () => false;
    const key = (c: Contact) => c.email?.trim().toLowerCase() || null;
    const counts = new Map<string, number>();
    for (const c of this.contacts) if (key(c)) counts.set(key(c)!, (counts.get(key(c)!) ?? 0) + 1);
    return (c) => (counts.get(key(c) ?? '') ?? 0) > 1;
  }

  private page(params: URLSearchParams): Response {
    if (params.has('offset') && params.has('cursor')) return errorResponse(400, 'invalid_request', 'Give cursor or offset, not both.');
    let found = this.matches(params.get('search'), {
      department: params.get('department') ?? undefined,
      location: params.get('location') ?? undefined,
      status: params.get('status') ?? undefined,
    });
    const shared = this.sharedEmails();
    if (params.get('flagged') === 'true') {
      // The people an import warns of: left the company, or an address another person has too.
      const list = Array.from({ length: found.size }, (_, k) => found.at(k)).filter((c) => c.status === 'inactive' || shared(c));
      found = { size: list.length, at: (k) => list[k]!, selectable: list.filter(canInvite).length };
    }
    const offset = Number(params.get('offset') ?? params.get('cursor') ?? 0);
    const limit = Number(params.get('limit') ?? 100);
    const end = Math.min(found.size, offset + limit);
    const items: Contact[] = [];
    for (let k = offset; k < end; k++) {
      const c = found.at(k);
      items.push({ ...c, sharedEmail: shared(c) });
    }
    return answer('/providers/{provider}/contacts', 'get', 200, {
      items,
      nextCursor: offset + limit < found.size ? String(offset + limit) : null,
      total: found.size,
      selectable: found.selectable,
    });
  }

  private facets(params: URLSearchParams): Answer<'/providers/{provider}/contacts/facets', 'get'> {
    const found = this.matches(params.get('search'), { status: params.get('status') ?? undefined });
    // As the BFF counts: each filter's counts under the other filter, never under itself.
    const chosen = { department: params.get('department'), location: params.get('location') };
    const count = (key: 'department' | 'location') => {
      const other = key === 'department' ? 'location' : 'department';
      const counts = new Map<string, number>();
      for (let k = 0; k < found.size; k++) {
        const c = found.at(k);
        const value = c[key];
        if (value && (!chosen[other] || c[other] === chosen[other])) counts.set(value, (counts.get(value) ?? 0) + 1);
      }
      return [...counts].map(([value, n]) => ({ value, count: n }));
    };
    return { departments: count('department'), locations: count('location') };
  }

  /** PUT stores (the provider turns ready), POST …/test reads the directory, DELETE forgets. */
  private connection(method: string, id: string, test: boolean): Response {
    const provider = this.providers.find((p) => p.id === id);
    if (!provider) return errorResponse(404, 'provider_not_found', `No HR application "${id}" is configured.`);
    if (test && method === 'POST') {
      if (provider.connection !== 'ready') return errorResponse(409, 'provider_not_connected', `${provider.name} is not connected yet.`);
      return answer('/providers/{provider}/connection/test', 'post', 200, { ok: true, sample: this.contacts.length });
    }
    if (test || (method !== 'PUT' && method !== 'DELETE')) return errorResponse(404, 'not_found', `No route ${method}`);
    if (!provider.fields) return errorResponse(409, 'configured_by_deployment', `${provider.name} is connected by this deployment's configuration.`);
    const connection = method === 'PUT' ? 'ready' : 'needs_credentials';
    this.providers = this.providers.map((p) => (p.id === id ? { ...p, connection } : p));
    return answer('/providers/{provider}/connection', method === 'PUT' ? 'put' : 'delete', 200, { connection });
  }

  /** CSV uploads, by upload id: the file's header and rows (comma-separated, no quoting: test files are simple). */
  readonly uploads = new Map<string, { columns: string[]; rows: string[][] }>();

  /**
   * `POST …/uploads` reads the file and guesses the mapping from exact header names; `…/preview`
   * maps the first five rows; `…/confirm` makes the rows the directory and the provider ready.
   */
  private csvUpload(r: RecordedRequest, id: string | undefined, action: string | undefined): Response {
    const provider = r.path.split('/')[2]!;
    if (!id) {
      const [header, ...rows] = String(r.body ?? '')
        .trim()
        .split(/\r?\n/)
        .map((l) => l.split(','));
      if (!header || !rows.length) return errorResponse(400, 'csv_no_rows', 'The file has a header row but no people below it.');
      id = `up_${String(this.uploads.size + 1).padStart(20, '0')}`;
      this.uploads.set(id, { columns: header, rows });
      const guess = (f: CsvContactField, names: string[]) => header.find((h) => names.includes(h.toLowerCase())) ?? null;
      const mapping = Object.fromEntries(
        CSV_FIELDS.map((f) => [f, guess(f, [f.toLowerCase(), f.replace(/([A-Z])/g, ' $1').toLowerCase()])]),
      ) as CsvColumnMapping;
      return answer('/providers/{provider}/uploads', 'post', 201, this.csvPreview(id, mapping));
    }
    const upload = this.uploads.get(id);
    if (!upload) return errorResponse(404, 'upload_not_found', 'This upload is unknown or has expired.');
    const mapping = {
      ...Object.fromEntries(CSV_FIELDS.map((f) => [f, null])),
      ...(r.body as { mapping: Partial<CsvColumnMapping> }).mapping,
    } as CsvColumnMapping;
    const preview = this.csvPreview(id, mapping);
    if (action === 'preview') return answer('/providers/{provider}/uploads/{upload}/preview', 'post', 200, preview);
    this.contacts = upload.rows.map((_, i) => this.csvContact(upload, mapping, i));
    this.providers = this.providers.map((p) => (p.id === provider ? { ...p, connection: 'ready' } : p));
    return answer('/providers/{provider}/uploads/{upload}/confirm', 'post', 200, { connection: 'ready', counts: preview.counts });
  }

  private csvContact(upload: { columns: string[]; rows: string[][] }, mapping: CsvColumnMapping, i: number): Contact {
    const get = (f: CsvContactField) => (mapping[f] ? upload.rows[i]![upload.columns.indexOf(mapping[f]!)] || null : null);
    const name = get('displayName') ?? ([get('firstName'), get('lastName')].filter(Boolean).join(' ') || get('email') || `row ${i + 2}`);
    return makeContact(i, {
      id: get('id') ?? `csv_${i}`,
      firstName: get('firstName'),
      lastName: get('lastName'),
      displayName: name,
      email: get('email'),
      title: get('title'),
      department: get('department'),
      location: get('location'),
    });
  }

  private csvPreview(id: string, mapping: CsvColumnMapping): CsvUploadPreview {
    const upload = this.uploads.get(id)!;
    const contacts = upload.rows.map((_, i) => this.csvContact(upload, mapping, i));
    const withoutEmail = contacts.filter((c) => !c.email).length;
    return {
      id,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      delimiter: ',',
      columns: upload.columns,
      mapping,
      preview: contacts.slice(0, 5).map(({ membership: _, ...contact }, i) => ({ line: i + 2, contact })),
      counts: { rows: contacts.length, contacts: contacts.length, withoutEmail, duplicates: 0, ragged: 0 },
      ragged: [],
      // As the BFF words it (bff/services/csv-uploads.ts NO_EMAIL_COLUMN); the widget says it in its own words.
      notices: mapping.email ? [] : [{ code: 'no_email_column', message: 'No column of this file looks like an email address.' }],
    };
  }

  /** Sync rules, runs, updates and invites, as contract/sync.ts and invites.ts describe them. */
  private sync(r: RecordedRequest): Response {
    const route = `${r.method} ${r.path.replace(/rule_[\w-]+/, ':id').replace(/run_[\w-]+/, ':run')}`;
    const ruleId = /rule_[\w-]+/.exec(r.path)?.[0];
    const rule = this.rules.find((x) => x.id === ruleId);
    if (ruleId && !rule) return errorResponse(404, 'sync_rule_not_found', 'No such sync rule.');
    const ids = (r.body as { ids?: string[] } | undefined)?.ids ?? [];
    switch (route) {
      case 'GET /sync-rules':
        return answer('/sync-rules', 'get', 200, { items: this.rules });
      case 'POST /sync-rules/dry-run':
        return answer('/sync-rules/dry-run', 'post', 200, this.dryRun(r.body as SyncRuleInput));
      case 'POST /sync-rules':
      case 'PUT /sync-rules/:id':
        return this.saveRule(r.body as SyncRuleInput, rule);
      case 'DELETE /sync-rules/:id':
        this.rules = this.rules.filter((x) => x !== rule);
        this.updates = this.updates.filter((u) => u.ruleId !== rule!.id);
        return new Response(null, { status: 204 });
      case 'POST /sync-rules/:id/run': {
        const runs = this.runs.get(rule!.id) ?? [];
        if (runs[0]?.status === 'running') return errorResponse(409, 'sync_run_in_progress', 'A run of this rule is under way.');
        const run = makeRun(runs.length + 100, rule!.id, { trigger: 'manual', status: 'running', startedAt: new Date().toISOString(), finishedAt: null });
        this.runs.set(rule!.id, [run, ...runs]);
        this.#runReads = 0;
        return answer('/sync-rules/{id}/run', 'post', 202, run);
      }
      case 'GET /sync-rules/:id/runs': {
        const runs = this.runs.get(rule!.id) ?? [];
        if (runs[0]?.status === 'running' && ++this.#runReads >= this.runReadsUntilDone) {
          runs[0] = { ...runs[0], status: 'completed', finishedAt: new Date().toISOString(), invited: 1 };
          this.setRule({ ...rule!, lastRun: runs[0] });
        }
        return answer('/sync-rules/{id}/runs', 'get', 200, { items: runs });
      }
      case 'POST /sync-rules/:id/runs/:run/approve': {
        const runs = this.runs.get(rule!.id) ?? [];
        const run =
          runs.find((x) => r.path.endsWith(`${x.id}/approve`)) ?? (rule!.lastRun && r.path.endsWith(`${rule!.lastRun.id}/approve`) ? rule!.lastRun : undefined);
        if (!run) return errorResponse(404, 'sync_run_not_found', 'No such run.');
        if (run.status !== 'held') return errorResponse(409, 'sync_run_not_held', 'This run is not waiting for an approval.');
        const done: SyncRun = { ...run, trigger: 'approval', status: 'completed', error: null, finishedAt: new Date().toISOString() };
        this.runs.set(
          rule!.id,
          runs.map((x) => (x.id === run.id ? done : x)),
        );
        if (rule!.lastRun?.id === run.id) this.setRule({ ...rule!, lastRun: done });
        this.updates = this.updates.map((u) => (u.ruleId === rule!.id && u.status === 'held' ? { ...u, status: 'done' } : u));
        return answer('/sync-rules/{id}/runs/{run}/approve', 'post', 200, done);
      }
      case 'GET /sync/updates': {
        const kind = r.url.searchParams.get('kind');
        const status = r.url.searchParams.get('status') ?? 'open';
        const open = this.updates.filter((u) => u.status === 'open');
        const count = (k: SyncUpdate['kind']) => open.filter((u) => u.kind === k).length;
        // Paged like the BFF: `limit` at a time, the cursor opaque (here the offset).
        const listed = this.updates.filter((u) => u.status === status && (!kind || u.kind === kind));
        const offset = Number(r.url.searchParams.get('cursor') ?? 0);
        const limit = Number(r.url.searchParams.get('limit') ?? 100);
        return answer('/sync/updates', 'get', 200, {
          items: listed.slice(offset, offset + limit),
          nextCursor: offset + limit < listed.length ? String(offset + limit) : null,
          counts: { joiner: count('joiner'), leaver: count('leaver'), role_change: count('role_change') },
          seats: this.seats,
        });
      }
      case 'POST /sync/updates/approve':
      case 'POST /sync/updates/dismiss':
        return answer('/sync/updates/approve', 'post', 200, this.actOnUpdates(r.path.endsWith('approve'), ids));
      case 'GET /invites': {
        const status = r.url.searchParams.get('status');
        return answer('/invites', 'get', 200, { items: this.invites.filter((i) => !status || i.status === status), nextCursor: null });
      }
      case 'POST /invites/resend':
        return answer('/invites/resend', 'post', 200, this.resend(ids));
    }
    return errorResponse(404, 'not_found', `No route ${r.method} ${r.path}`);
  }

  private setRule(rule: SyncRule) {
    this.rules = this.rules.map((x) => (x.id === rule.id ? rule : x));
  }

  /** Whether `c` reports to the manager: directly, or (indirect) up the managerId chain, at most 50 levels as the BFF goes. */
  private reportsTo(c: Contact, managerId: string, indirect: boolean): boolean {
    let boss = c.managerId;
    for (let level = 0; boss && level < (indirect ? 50 : 1); level++) {
      if (boss === managerId) return true;
      boss = this.contacts.find((x) => x.id === boss)?.managerId ?? null;
    }
    return false;
  }

  /** Who the rule matches now, and who a run would invite with which role (first matching role rule, else the default). */
  dryRun(input: SyncRuleInput): SyncDryRun {
    const reportsTo = input.scope.reportsTo;
    const found = this.matching(input.scope.search ?? null, input.scope.filters ?? {}).filter(
      (c) => !reportsTo || this.reportsTo(c, reportsTo.contactId, reportsTo.indirect),
    );
    const invite = found.filter(canInvite);
    const roles = new Map<string, number>();
    for (const c of invite) {
      const rule = input.roleRules.find((rr) =>
        rr.conditions.every((cond) => {
          const value = String(c[cond.field] ?? '').toLowerCase();
          const wanted = cond.value.toLowerCase();
          return cond.operator === 'is' ? value === wanted : value.includes(wanted);
        }),
      );
      const role = rule?.role ?? input.defaultRole;
      roles.set(role, (roles.get(role) ?? 0) + 1);
    }
    return {
      matched: found.length,
      alreadyIn: found.filter((c) => c.membership !== null).length,
      toInvite: invite.length,
      roles: [...roles].map(([role, count]) => ({ role, count })),
      noEmail: found.filter((c) => c.email === null).length,
      seatsNeeded: invite.length,
      seats: this.seats,
      fits: invite.length <= this.seats.remaining,
    };
  }

  private saveRule(input: SyncRuleInput, existing: SyncRule | undefined): Response {
    const known = new Set(this.roles.map((x) => x.id));
    if (![input.defaultRole, ...input.roleRules.map((x) => x.role)].every((id) => known.has(id))) {
      return errorResponse(400, 'invalid_role', 'A role of the rule is not one the target offers.');
    }
    const dry = this.dryRun(input);
    if (!input.paused && !dry.fits) {
      return errorResponse(409, 'seat_limit_exceeded', 'The rule needs more seats than the plan has left.', { seats: this.seats, requested: dry.seatsNeeded });
    }
    const now = new Date().toISOString();
    const managerId = input.scope.reportsTo?.contactId;
    const reportsToName = (managerId && this.contacts.find((c) => c.id === managerId)?.displayName) || null;
    const rule: SyncRule = existing
      ? { ...existing, ...input, reportsToName, updatedAt: now, nextRunAt: input.paused ? null : (existing.nextRunAt ?? now) }
      : makeRule(this.rules.length + 1, { ...input, reportsToName, createdAt: now, updatedAt: now, nextRunAt: input.paused ? null : now });
    if (existing) this.setRule(rule);
    else this.rules = [...this.rules, rule];
    return existing ? answer('/sync-rules/{id}', 'put', 200, rule) : answer('/sync-rules', 'post', 201, rule);
  }

  private actOnUpdates(approve: boolean, ids: readonly string[]): SyncUpdateResult {
    const result: SyncUpdateResult = { done: 0, invited: 0, revoked: 0, roleChanges: 0, skipped: [], seats: this.seats };
    for (const id of ids) {
      const update = this.updates.find((u) => u.id === id);
      if (!update || update.status !== 'open') {
        result.skipped.push({ id, reason: 'not_open' });
        continue;
      }
      if (approve && update.kind === 'joiner') {
        if (this.seats.remaining <= 0) {
          result.skipped.push({ id, reason: 'seat_limit' });
          continue;
        }
        this.seats = { ...this.seats, used: this.seats.used + 1, remaining: this.seats.remaining - 1 };
        result.invited += 1;
      }
      if (approve && update.kind === 'leaver' && update.membership === 'invited') result.revoked += 1;
      if (approve && update.kind === 'role_change') result.roleChanges += 1;
      this.updates = this.updates.map((u) => (u.id === id ? { ...u, status: approve ? 'done' : 'dismissed' } : u));
      result.done += 1;
    }
    return { ...result, seats: this.seats };
  }

  /** Expired invites take a seat again when resent; accepted or revoked ones are not resent. */
  private resend(ids: readonly string[]): InviteResendResult {
    const result: InviteResendResult = { resent: [], skipped: [], seats: this.seats };
    for (const id of ids) {
      const invite = this.invites.find((i) => i.id === id);
      if (!invite) result.skipped.push({ id, reason: 'invite_not_found' });
      else if (invite.status !== 'pending' && invite.status !== 'expired') result.skipped.push({ id, reason: 'not_resendable' });
      else if (invite.status === 'expired' && this.seats.remaining <= 0) result.skipped.push({ id, reason: 'seat_limit_exceeded' });
      else {
        if (invite.status === 'expired') this.seats = { ...this.seats, used: this.seats.used + 1, remaining: this.seats.remaining - 1 };
        const resent: InviteSummary = { ...invite, status: 'pending', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() };
        this.invites = this.invites.map((i) => (i.id === id ? resent : i));
        result.resent.push(resent);
      }
    }
    return { ...result, seats: this.seats };
  }

  private import(body: ImportRequest): Response {
    const skipped: ImportResult['skipped'] = [];
    const invite: Contact[] = [];
    const skip = (contactId: string, email: string | null, reason: SkipReason) => skipped.push({ contactId, email, reason });
    if ('ids' in body.selection) {
      const seen = new Set<string>();
      for (const id of body.selection.ids) {
        const c = this.contacts.find((x) => x.id === id);
        if (!c) skip(id, null, 'not_found');
        else if (seen.has(id)) skip(id, c.email, 'duplicate');
        else if (c.membership === 'member') skip(id, c.email, 'already_member');
        else if (c.membership === 'invited') skip(id, c.email, 'already_invited');
        else if (!c.email) skip(id, null, 'no_email');
        else invite.push(c);
        seen.add(id);
      }
    } else {
      const except = new Set(body.selection.except ?? []);
      const found = this.matches(body.selection.search ?? null, body.selection.filters ?? {});
      const taken = new Set<string>();
      for (let k = 0; k < found.size; k++) {
        const c = found.at(k);
        if (canInvite(c) && !except.has(c.id)) {
          invite.push(c);
          taken.add(c.id);
        }
      }
      // The ones ticked besides the rule, skipped like ids when they cannot be invited.
      for (const id of body.selection.include ?? []) {
        const c = this.contacts.find((x) => x.id === id);
        if (!c) skip(id, null, 'not_found');
        else if (taken.has(id)) continue;
        else if (!canInvite(c)) skip(id, c.email, c.membership === 'member' ? 'already_member' : c.membership === 'invited' ? 'already_invited' : 'no_email');
        else {
          invite.push(c);
          taken.add(id);
        }
      }
    }
    if (invite.length > this.seats.remaining) {
      return errorResponse(409, 'seat_limit_exceeded', 'The plan has not enough seats left.', { seats: this.seats });
    }
    for (const c of invite) c.membership = 'invited';
    this.seats = { ...this.seats, used: this.seats.used + invite.length, remaining: this.seats.remaining - invite.length };
    this.#imports += 1;
    const roleOf = (c: Contact) => body.roles?.[c.id] ?? body.role;
    const invites = invite.slice(0, 500).map((c) => ({ contactId: c.id, name: c.displayName, email: c.email!, role: roleOf(c) }));
    const roles = this.roles.map(({ id }) => ({ role: id, count: invite.filter((c) => roleOf(c) === id).length })).filter((r) => r.count > 0);
    return answer('/imports', 'post', 201, { id: `imp_${this.#imports}`, invited: invite.length, invites, roles, skipped, seats: this.seats });
  }
}
