/** What the fake BFF records of a request and how it answers: JSON, typed by the contract's operations. */
import type { Answer } from '../../api/types.js';
import type { paths } from '../../../../contract/openapi-types.js';

export const TOKEN = 'test-session-token';

export interface RecordedRequest {
  method: string;
  url: URL;
  /** Path below the API base, e.g. `/providers/sample/contacts`. */
  path: string;
  headers: Headers;
  body: unknown;
}

export type Handler = (request: RecordedRequest) => Response | undefined | Promise<Response | undefined>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** The fake's own answers, typed by the operation they answer: a shape the BFF would not send fails tsc. */
export function answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete'>(
  _route: P,
  _method: M,
  status: number,
  body: Answer<P, M>,
): Response {
  return json(status, body);
}

export function errorResponse(status: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}): Response {
  const response = json(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const notFound = (r: RecordedRequest): Response => errorResponse(404, 'not_found', `No route ${r.method} ${r.path}`);
