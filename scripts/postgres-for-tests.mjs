// Which PostgreSQL server the tests also run on: TEST_PG_URL, default the local server. Where
// none answers, says so in one line and the run is SQLite only, unless HR_IMPORT_REQUIRE_PG=1
// (CI) makes that a failure: the embedded default (SQLite) needs no server, PostgreSQL is for
// deployments. TEST_PG_URL=off skips it on purpose.
import pg from 'pg';

/**
 * Asked once per process. Vite bundles and evaluates the config again for each project that
 * extends it, each time with a fresh copy of this module, so the answer is kept on the process.
 */
const ANSWER = Symbol.for('hr-import.postgresForTests');
export function postgresForTests() {
  return (globalThis[ANSWER] ??= ask());
}

async function ask() {
  const url = process.env.TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  if (url === 'off') return null;
  const shown = url.replace(/\/\/[^@]*@/, '//');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch (err) {
    const line = `PostgreSQL not reachable at ${shown} (${err.code ?? err.message}): `;
    if (process.env.HR_IMPORT_REQUIRE_PG === '1') throw new Error(line + 'the PostgreSQL run is required here (HR_IMPORT_REQUIRE_PG=1).', { cause: err });
    console.warn(line + 'the tests run on SQLite only (set TEST_PG_URL to run them on PostgreSQL too).');
    return null;
  }
}
