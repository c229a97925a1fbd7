#!/usr/bin/env node
// `npm start`, and the `hr-import` bin of @hr-import/bff: the standalone BFF (and, with no API
// key configured, the demo) on http://localhost:8787 (PORT overrides).
import { ConfigError, loadEnvConfig } from './config.js';
import { startStandalone } from './standalone.js';

try {
  const env = loadEnvConfig(process.env);
  const server = await startStandalone(env);
  const devKey = env.apiKeys.length === 0;
  console.log(`hr-import is running on ${server.url}`);
  console.log(`  demo:   ${server.url}/`);
  console.log(`  API:    ${server.url}/api (health: ${server.url}/api/health)`);
  console.log(`  data:   ${env.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : env.sqlitePath}`);
  // Only a key generated for this run is shown; a configured key is a secret and never printed.
  if (devKey) console.log(`  dev API key for this run: ${server.apiKey} (set HR_IMPORT_API_KEY to choose your own)`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`hr-import: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
