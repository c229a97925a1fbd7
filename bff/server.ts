#!/usr/bin/env node
// `npm start` and the `hr-import` bin: the standalone BFF (and, with no API key set, the demo)
// on http://localhost:8787 (PORT overrides).
import { ConfigError } from './config.js';
import { startStandalone } from './standalone.js';

try {
  const server = await startStandalone(process.env);
  const settings = server.bff.settings;
  const devKey = !process.env.HR_IMPORT_API_KEY;
  console.log(`hr-import is running on ${server.url} (listening on ${server.host}; HOST overrides)`);
  if (devKey) console.log(`  demo:   ${server.url}/`);
  console.log(`  API:    ${server.url}${settings.basePath} (health: ${server.url}${settings.basePath}/health)`);
  console.log(`  data:   ${settings.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : settings.dataDir}`);
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
