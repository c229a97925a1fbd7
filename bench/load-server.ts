/**
 * The server the load test hammers, in its own process so the load generator never shares its
 * event loop: the real createApp on @hono/node-server over a SQLite file, a 10,000-person
 * directory already cached, and a target with room for every import. Prints `{ port, token }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from '../bff/app.js';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { createProviderRegistry, staticProvider } from '../bff/providers.js';
import { silentLogger } from '../bff/logger.js';
import { upsertTarget } from '../bff/services/targets.js';
import { refreshDirectory } from '../bff/services/directory.js';
import { mintSessionToken } from '../bff/auth/session-token.js';
import { benchPeople, BENCH_SECRET } from './people.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-import-load-'));
const db = openDatabase({ sqlitePath: join(dir, 'load.sqlite') });
await migrateToLatest(db);
const now = new Date();
await upsertTarget(db.kysely, { type: 'organization', id: 'big' }, { name: 'Big', seatLimit: 1_000_000 }, now);
const people = benchPeople(10_000);
const provider = staticProvider('bench', 'bench', 'Bench', () => ({ listContacts: async () => ({ contacts: people, nextCursor: null, total: people.length }) }), { baseUrl: 'builtin:', credentials: {} });
await refreshDirectory(db.kysely, { key: 'bench:*', connector: () => provider.connector }, () => now);

const app = createApp({
  db,
  // The limiters still run (and count in the database) on every request; only their ceilings are
  // raised, since one session at 64 connections is exactly what they exist to refuse.
  config: {
    apiKeys: ['bench-api-key-0123456789'],
    secret: BENCH_SECRET,
    sessionTtlSeconds: 3600,
    inviteTtlDays: 7,
    acceptUrl: 'http://localhost/accept',
    origins: [],
    rateLimits: { session: 1e9, address: 1e9, accept: 1e9 },
  },
  providers: createProviderRegistry([provider]),
  logger: silentLogger,
});
const { token } = await mintSessionToken(BENCH_SECRET, { id: 'u', name: 'U', email: 'u@example.com' }, { type: 'organization', id: 'big' }, 3600, now);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, token }) + '\n');
});

const stop = () => server.close(() => void db.close().finally(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
