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
}

export async function startLoopback(handle: (req: RecordedRequest, reply: Reply) => void | Promise<void>): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
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
      Promise.resolve(handle(recorded, reply)).catch((err: unknown) => reply(500, { fakeError: String(err) }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
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
