/**
 * A BFF in a process of its own, for the crash and multi-process tests (test/crash/fixture.ts):
 * the real createApp on the database the parent names (CRASH_DATABASE: a SQLite file or a
 * postgres:// URL), with a directory of CRASH_DIRECTORY_SIZE people from an in-process
 * connector. It prints `{"port":…}` once it listens, and nothing else; the parent kills it.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../../bff/app.js';
import { isPostgresUrl, migrateToLatest, openDatabase } from '../../bff/db/connect.js';
import { silentLogger } from '../../bff/logger.js';
import { createProviderRegistry } from '../../bff/providers/registry.js';
import { APP_CONFIG, crashProvider } from './fixture.js';

const database = process.env.CRASH_DATABASE ?? '';
const db = openDatabase(isPostgresUrl(database) ? { url: database, sqlitePath: '' } : { sqlitePath: database });
await migrateToLatest(db);
const app = createApp({
  db,
  config: APP_CONFIG,
  providers: createProviderRegistry([crashProvider(Number(process.env.CRASH_DIRECTORY_SIZE))]),
  logger: silentLogger,
});
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${JSON.stringify({ port: info.port })}\n`));
