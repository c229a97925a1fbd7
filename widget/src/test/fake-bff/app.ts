/**
 * FakeBff: replaces `window.fetch`, records every request, and routes each to the module that
 * answers it as the BFF's route of the same path would (the fake's state in ./state.ts).
 */
import type { Contact, SessionInfo, SyncDryRun, SyncRuleInput, ImportRequest } from '../../api/types.js';
import { facets, matches, matching, page, type ContactFilters } from './contacts.js';
import { answer, errorResponse, notFound, TOKEN, type Handler, type RecordedRequest } from './http.js';
import { importContacts } from './imports.js';
import { invites } from './invites.js';
import { connection, refresh, session } from './providers.js';
import { FakeState, type Matches } from './state.js';
import { dryRun, sync } from './sync.js';
import { csvUpload } from './uploads.js';

export class FakeBff extends FakeState {
  readonly requests: RecordedRequest[] = [];
  readonly #handlers = new Map<string, Handler>();
  readonly #hanging = new Set<string>();
  #original: typeof window.fetch | undefined;

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
    if (r.method === 'GET' && m) return page(this, params);
    if (/^\/providers\/([^/]+)\/refresh$/.test(r.path) && (r.method === 'GET' || r.method === 'POST')) return refresh(this, r.method);
    m = /^\/providers\/([^/]+)\/contacts\/facets$/.exec(r.path);
    if (r.method === 'GET' && m) return answer('/providers/{provider}/contacts/facets', 'get', 200, facets(this, params));
    if (r.method === 'POST' && r.path === '/imports') return importContacts(this, r.body as ImportRequest);
    m = /^\/providers\/([^/]+)\/uploads(?:\/([^/]+)\/(preview|confirm))?$/.exec(r.path);
    if (r.method === 'POST' && m) return csvUpload(this, r, m[2], m[3]);
    m = /^\/providers\/([^/]+)\/connection(\/test)?$/.exec(r.path);
    if (m) return connection(this, r.method, decodeURIComponent(m[1]!), m[2] !== undefined);
    if (r.path.startsWith('/sync')) return sync(this, r);
    if (r.path.startsWith('/invites')) return invites(this, r);
    return notFound(r);
  }

  session(): SessionInfo {
    return session(this);
  }

  matching(search: string | null, filters: ContactFilters): Contact[] {
    return matching(this, search, filters);
  }

  /** The matches of a query: over `contacts`, or positions in the generated directory. */
  matches(search: string | null, filters: ContactFilters): Matches {
    return matches(this, search, filters);
  }

  /** Who the rule matches now, and who a run would invite with which role (first matching role rule, else the default). */
  dryRun(input: SyncRuleInput): SyncDryRun {
    return dryRun(this, input);
  }
}
