/**
 * Where a webhook may be sent. A delivery URL is the deployment's setting, but it is still an
 * outgoing request from inside the host's network: without a check, `https://10.0.0.5/` or a
 * name that resolves to 169.254.169.254 would let a webhook reach internal services. The check
 * is made on the address the connection is actually opened to (the `lookup` the HTTP client
 * calls), so a name that resolves to a public address when validated and to a private one when
 * connecting (DNS rebinding) is refused too.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: tunnels to an embedded IPv4 address
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: also embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Loopback, private, link-local, shared, reserved or multicast (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const bare = address.replace(/%.*$/, '');
  if (family === 4) return blocked.check(bare, 'ipv4');
  // NAT64's well-known prefix carries an IPv4 address in its last 32 bits: judge that one.
  const nat64 = /^64:ff9b::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (nat64) {
    const n = (parseInt(nat64[1]!, 16) << 16) | parseInt(nat64[2]!, 16);
    return blocked.check([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
  }
  return blocked.check(bare, 'ipv6');
}

export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'ADDRESS_REFUSED';
}

type LookupFn = typeof dnsLookup;

/**
 * A `lookup` for node:http(s) that refuses private addresses. Node asks for every address
 * (`all: true`, for happy eyeballs) or for one; any private answer refuses the whole name, so a
 * record set mixing public and private addresses cannot be steered onto the private one.
 */
export function guardedLookup(resolve: LookupFn = dnsLookup): LookupFn {
  return ((hostname: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address?: string | LookupAddress[], family?: number) => void;
    const opts = (typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {})) as { all?: boolean };
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad || !list.length) return cb(new AddressRefusedError(`${hostname} resolves to a private or reserved address`));
      if (opts.all) return cb(null, list);
      cb(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFn;
}

/** The subset of fetch a delivery uses; the global `fetch` fits it. */
export type WebhookFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<{ status: number }>;

/**
 * POST over node:http(s), with no redirects (none are ever followed by this client) and, unless
 * `allowPrivate`, only to public addresses: IP literals are checked here (Node opens them without
 * a lookup), names in `guardedLookup` when the socket connects.
 */
export function guardedFetch(options: { allowPrivate: boolean; lookup?: LookupFn }): WebhookFetch {
  const lookup = options.allowPrivate ? options.lookup : guardedLookup(options.lookup);
  return (url, init) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
        reject(new AddressRefusedError(`${host} is a private or reserved address`));
        return;
      }
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        u,
        {
          method: init.method,
          headers: { ...init.headers, 'Content-Length': String(Buffer.byteLength(init.body)) },
          signal: init.signal,
          ...(lookup ? { lookup } : {}),
        },
        (res: IncomingMessage) => {
          // Only the status matters; the body is not read, however long the receiver makes it.
          resolve({ status: res.statusCode ?? 0 });
          res.destroy();
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
}
