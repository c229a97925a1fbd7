// Runs the BFF's tests, the fuzz and the scope tests again on PostgreSQL (TEST_PG_URL, default the local server). Where no
// server answers, says so in one line and skips, unless HR_IMPORT_REQUIRE_PG=1 (CI) makes that
// a failure: the embedded default (SQLite) needs no server, PostgreSQL is for deployments.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const url = process.env.TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
try {
  await client.connect();
  await client.end();
} catch (err) {
  const line = `PostgreSQL not reachable at ${url.replace(/\/\/[^@]*@/, '//')} (${err.code ?? err.message}): `;
  if (process.env.HR_IMPORT_REQUIRE_PG === '1') {
    console.error(line + 'the PostgreSQL run is required here (HR_IMPORT_REQUIRE_PG=1).');
    process.exit(1);
  }
  console.warn(line + 'skipping the PostgreSQL run (set TEST_PG_URL to run it).');
  process.exit(0);
}
console.log(`BFF tests on PostgreSQL (${url.replace(/\/\/[^@]*@/, '//')})`);
// Files named on the command line run alone (`node scripts/test-postgres.mjs bff/x.test.ts`).
const files = process.argv.slice(2);
const run = spawnSync('npx', ['vitest', 'run', ...(files.length ? files : ['bff', 'test/fuzz.test.ts', 'test/scope.test.ts', 'test/minimal-fields.test.ts'])], { stdio: 'inherit', env: { ...process.env, TEST_PG_URL: url } });
process.exit(run.status ?? 1);
