/**
 * The server the load test hammers, in its own process so the load generator never shares its
 * event loop: the real createApp on @hono/node-server over a SQLite file, a 10,000-person
 * directory already cached, and a target with room for every import. Prints `{ port, token }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { benchApp, benchPeople } from './people.js';

const dir = mkdtempSync(join(tmpdir(), 'hr-import-load-'));
const db = openDatabase({ sqlitePath: join(dir, 'load.sqlite') });
await migrateToLatest(db);
// The limiters still run (and count, in this process's memory) on every request; only their
// ceilings are raised, since one session at 64 connections is exactly what they exist to refuse.
const { app, token } = await benchApp(db, benchPeople(10_000), { rateLimits: { session: 1e9, address: 1e9, accept: 1e9 } });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, token }) + '\n');
});

const stop = () => server.close(() => void db.close().finally(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
