/**
 * Where webhooks may go: the endpoint settings, and the refusal of loopback, private and
 * link-local addresses at delivery (webhooks/address.ts), through the worker. The scene:
 * test/webhook-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { SECRET, webhookScene } from '../../test/webhook-scene.js';
import { webhookEndpointSchema, webhookEndpointSchemaFor } from './worker.js';
import { guardedLookup, isPrivateAddress } from './address.js';

const s = webhookScene();
const { received, hooks, importPeople, types } = s;

describe('where webhooks may go', () => {
  const names = (map: Record<string, string>) =>
    ((hostname: string, _options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
      const address = map[hostname];
      if (!address) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
      callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    }) as unknown as typeof import('node:dns').lookup;

  it('refuses loopback, private and link-local addresses, by name after resolving or as literals, unless allowed', async () => {
    const lookup = names({ 'hooks.example.test': '127.0.0.1', 'metadata.example.test': '169.254.169.254', 'v6.example.test': 'fd12::1' });
    const urls = [
      `https://hooks.example.test:${s.receiverPort}/hooks`,
      'https://metadata.example.test/',
      'https://v6.example.test/',
      'https://10.1.2.3/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
    ];
    const refusing = urls.map((url) => hooks({ endpoints: [{ url, secret: SECRET }], allowPrivate: false, lookup }));
    // The same name, allowed for development (which also allows http), is delivered to.
    const allowed = hooks({ endpoints: [{ url: `http://hooks.example.test:${s.receiverPort}/hooks`, secret: SECRET }], allowPrivate: true, lookup });
    for (const w of [...refusing, allowed]) await w.runOnce();
    await importPeople('acme', 1);

    for (const w of refusing) expect(await w.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    const refused = await s.h.db.kysely.selectFrom('webhook_deliveries').select('last_error').where('status', '=', 'pending').execute();
    expect(refused.length).toBe(urls.length);
    for (const r of refused) expect(r.last_error).toMatch(/^refused: /);
    expect(received).toEqual([]);

    expect(await allowed.runOnce()).toMatchObject({ delivered: 1 });
    expect(types()).toEqual(['import.completed']);
  });

  it('knows the private ranges, IPv4 and IPv6', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'ff02::1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '2a00:1450:4001::1']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses a name when any of its addresses is private', async () => {
    const mixed = ((_h: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.8', family: 4 },
      ])) as unknown as typeof import('node:dns').lookup;
    const result = await new Promise<unknown>((ok) => guardedLookup(mixed)('mixed.example.test', { all: true }, (err) => ok(err)));
    expect(result).toBeInstanceOf(Error);
    const single = await new Promise<unknown[]>((ok) =>
      guardedLookup(((_h: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
        cb(null, [{ address: '93.184.216.34', family: 4 }])) as unknown as typeof import('node:dns').lookup)(
        'public.example.test',
        {},
        (err, address, family) => ok([err, address, family]),
      ),
    );
    expect(single).toEqual([null, '93.184.216.34', 4]);
  });

  it('validates endpoint settings: https and a whsec_ secret, http only when private addresses are allowed', () => {
    expect(webhookEndpointSchema.safeParse({ url: 'https://hooks.example.com/hr', secret: SECRET }).success).toBe(true);
    expect(webhookEndpointSchema.safeParse({ url: 'http://hooks.example.com/hr', secret: SECRET }).success).toBe(false);
    expect(webhookEndpointSchemaFor({ allowPrivate: true }).safeParse({ url: 'http://localhost:3000/hr', secret: SECRET }).success).toBe(true);
    expect(webhookEndpointSchema.safeParse({ url: 'https://user:pw@hooks.example.com/', secret: SECRET }).success).toBe(false);
    expect(webhookEndpointSchema.safeParse({ url: 'ftp://hooks.example.com/', secret: SECRET }).success).toBe(false);
    for (const secret of ['secret', SECRET.slice('whsec_'.length), 'whsec_', `whsec_${randomBytes(8).toString('base64')}`, 'whsec_not base64!']) {
      const parsed = webhookEndpointSchema.safeParse({ url: 'https://hooks.example.com/', secret });
      expect(parsed.success, secret).toBe(false);
      // The message names the rule, never the value.
      if (!parsed.success && secret.length > 8) expect(JSON.stringify(parsed.error.issues)).not.toContain(secret);
    }
    expect(() => hooks({ endpoints: [{ url: 'http://hooks.example.com/', secret: SECRET }], allowPrivate: false })).toThrow(
      /invalid webhook endpoint 1: url must be an https URL/,
    );
  });
});
