/**
 * The plumbing the fake providers share: a node:http server on a loopback port (port 0) that
 * records every request, so tests can check the auth and paging a connector sent, and answers
 * JSON. Each fake supplies only its provider's wire format.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** `http://127.0.0.1:<port>`, what the provider would call its own origin. */
  origin: string;
}

export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** What a fake answers a data request instead of serving it, one entry per request, in order. */
export type Failure = 'throttle' | '5xx' | 'malformed';

export interface Loopback {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  /** The most requests the server was answering at one time (for concurrent paging tests). */
  readonly maxInFlight: number;
  /** Requests being answered now: a paged read's look-ahead past the last page may still be here. */
  readonly inFlight: number;
  /** Added before every answer is sent (settable; per request when a function), so requests overlap the way a real round trip makes them. */
  latencyMs: number | ((req: RecordedRequest) => number);
}

export async function startLoopback(handle: (req: RecordedRequest, reply: Reply) => void | Promise<void>): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        origin: url.origin,
      };
      requests.push(recorded);
      const reply: Reply = (status, body, headers = {}) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers }).end(text);
      };
      // The answer is decided when the request arrives (a queued failure goes to the request that
      // came first, as on a real server) and sent after the latency, so round trips overlap.
      const latency = typeof loopback.latencyMs === 'function' ? loopback.latencyMs(recorded) : loopback.latencyMs;
      const later: Reply = (status, body, headers) => (latency ? void setTimeout(() => reply(status, body, headers), latency) : reply(status, body, headers));
      Promise.resolve()
        .then(() => handle(recorded, later))
        .catch((err: unknown) => reply(500, { fakeError: String(err) }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const loopback: Loopback = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    latencyMs: 0,
  };
  return loopback;
}

/** A request's bearer token, or null. */
export function bearerOf(req: RecordedRequest): string | null {
  const match = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
  return match ? match[1]! : null;
}

/** A request's HTTP Basic user and password (split at the first colon), or null without Basic auth. */
export function basicOf(req: RecordedRequest): { user: string; password: string } | null {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const [user = '', ...rest] = Buffer.from(header.slice('Basic '.length), 'base64').toString().split(':');
  return { user, password: rest.join(':') };
}
