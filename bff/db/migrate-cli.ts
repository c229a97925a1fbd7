// `npm run migrate`: brings the configured database to the latest schema and says what ran.
import { loadEnvConfig } from '../config.js';
import { openDatabase, migrateToLatest } from './connect.js';

const config = loadEnvConfig(process.env);
const db = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.close();
}
