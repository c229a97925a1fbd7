/**
 * A typed client for host backends: the API-key operations of the BFF (sessions, targets,
 * members), typed by contract/openapi-types.ts, which `npm run contract` generates from the same
 * OpenAPI document the BFF serves. `api` is the openapi-fetch client itself, for any of those
 * operations; the helpers answer the body or throw a HostApiError with the BFF's code.
 *
 * ```ts
 * const bff = createHostClient({ baseUrl: 'https://bff.example.com/api', apiKey: process.env.HR_IMPORT_API_KEY! });
 * await bff.putTarget({ type: 'lab', id: 'acme-robotics' }, { name: 'Robotics Lab', seatLimit: 30, organizationId: 'acme' });
 * const { token } = await bff.createSession({ inviter, target: { type: 'lab', id: 'acme-robotics' } });
 * ```
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../contract/openapi-types.js';

type Schemas = components['schemas'];

/** The operations a host backend calls with its API key. */
export type HostPaths = Pick<
  paths,
  '/sessions' | '/targets/{type}/{id}' | '/targets/{type}/{id}/members' | '/events' | '/privacy/erase' | '/privacy/export' | '/health' | '/openapi.json'
>;

export type TargetRef = paths['/targets/{type}/{id}']['put']['parameters']['path'];

export interface HostClientOptions {
  /** The BFF's API as mounted, e.g. `https://bff.example.com/api` (the document's server). */
  baseUrl: string;
  /** One of the BFF's `HR_IMPORT_API_KEY`s. */
  apiKey: string;
  /** Defaults to the global fetch; give the BFF's own `fetch` to call it in process. */
  fetch?: (request: Request) => Promise<Response>;
}

/** An error answer of the BFF (`{ error: { code, message, details? } }`), or an answer that was not one. */
export class HostApiError extends Error {
  override readonly name = 'HostApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface HostClient {
  api: Client<HostPaths>;
  /** A widget session for one inviter on one target: hand `token` to `<hr-import session-token>`. */
  createSession(request: Schemas['SessionRequest']): Promise<Schemas['SessionToken']>;
  /** Creates or updates a target (an organization, lab or challenge) with its user limit and roles. */
  putTarget(target: TargetRef, definition: Schemas['TargetUpsert']): Promise<Schemas['Target']>;
  /** Replaces the target's members with the host's list. */
  syncMembers(target: TargetRef, members: Schemas['MemberSync']['members']): Promise<Schemas['MemberSyncResult']>;
  /** Events after `after` (from the start without it), in commit order: store `next` and ask again. */
  listEvents(query?: { after?: string; limit?: number }): Promise<Schemas['EventList']>;
  /** Erases a person (an email address, optionally within one organization): idempotent, audited without the address. */
  erasePerson(request: Schemas['PrivacyRequest']): Promise<Schemas['PrivacyErasure']>;
  /** Everything the BFF holds about a person, as JSON. */
  exportPerson(request: Schemas['PrivacyRequest']): Promise<Schemas['PrivacyExport']>;
}

/** The body of a successful answer, or a HostApiError made from the refusal. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const refusal = (error as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (refusal && typeof refusal.code === 'string' && typeof refusal.message === 'string')
    throw new HostApiError(response.status, refusal.code, refusal.message, refusal.details);
  throw new HostApiError(response.status, `http_${response.status}`, `The BFF answered ${response.status} without an error body.`);
}

export function createHostClient({ baseUrl, apiKey, fetch }: HostClientOptions): HostClient {
  const api = createClient<HostPaths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` }, ...(fetch ? { fetch } : {}) });
  return {
    api,
    createSession: (request) => unwrap(api.POST('/sessions', { body: request })),
    putTarget: (target, definition) => unwrap(api.PUT('/targets/{type}/{id}', { params: { path: target }, body: definition })),
    syncMembers: (target, members) => unwrap(api.PUT('/targets/{type}/{id}/members', { params: { path: target }, body: { members } })),
    listEvents: (query = {}) => unwrap(api.GET('/events', { params: { query } })),
    erasePerson: (request) => unwrap(api.POST('/privacy/erase', { body: request })),
    exportPerson: (request) => unwrap(api.POST('/privacy/export', { body: request })),
  };
}
