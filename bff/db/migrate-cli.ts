// `npm run migrate`: brings the configured database to the latest schema and says what ran.
import { ConfigError, settingsFromEnv, sqlitePathOf } from '../config.js';
import { openDatabase, migrateToLatest } from './connect.js';

let settings;
try {
  settings = settingsFromEnv(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`hr-import: ${err.message}`);
  process.exit(1);
}
const db = openDatabase({ url: settings.databaseUrl, sqlitePath: sqlitePathOf(settings.dataDir) });
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.close();
}
