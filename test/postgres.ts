/**
 * A PostgreSQL database of its own per test harness when TEST_PG_URL names a server (e.g.
 * postgres://postgres@127.0.0.1:5432/postgres). Byte-order collation so results are ordered the
 * same as on SQLite and on every machine.
 *
 * Each one is a copy of a migrated template (migrating a new database costs ~250 ms, a copy
 * ~100 ms), lent again once wiped (leasePgDatabase); test/postgres-teardown.ts drops the template
 * and its copies after the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../bff/db/connect.js';

/**
 * The run's template, named after the run (vite.config.ts sets HRI_TEST_RUN, letters and digits):
 * runs side by side on one server (two checkouts) never drop each other's. Without a run id (the
 * benchmarks) each database is made empty and its caller migrates it.
 */
const runOf = (run: string | undefined) => (run && /^[a-z0-9]+$/.test(run) ? run : null);
const templateOf = (run: string | undefined) => (runOf(run) ? `hri_tmpl_${run}` : null);
const RUN = runOf(process.env.HRI_TEST_RUN);
const TEMPLATE = templateOf(process.env.HRI_TEST_RUN);
/** Serialises the template's creation across the run's worker processes. */
const TEMPLATE_LOCK = 0x68726974;

/** One connection for `run`, to the server's admin database or to one test database. */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * This worker's connection to the server's admin database, kept: a connection is a new server
 * process, and every harness given back used two (the rename, then the wipe's own). Statements of
 * two harnesses given back at once queue on it, each whole. A broken one is opened anew.
 */
let adminClient: { url: string; client: Promise<pg.Client>; socket: { ref(): void; unref(): void }; using: number } | undefined;
async function withAdmin<T>(adminUrl: string, run: (admin: pg.Client) => Promise<T>): Promise<T> {
  if (adminClient?.url !== adminUrl) {
    const client = new pg.Client({ connectionString: adminUrl });
    const socket = (client as unknown as { connection: { stream: { ref(): void; unref(): void } } }).connection.stream;
    const kept = { url: adminUrl, client: client.connect().then(() => client), socket, using: 0 };
    const forget = () => {
      if (adminClient === kept) adminClient = undefined;
    };
    client.on('error', forget);
    kept.client.catch(forget);
    adminClient = kept;
  }
  const kept = adminClient;
  // Held open only while in use: between uses it must not keep a process alive that is done
  // (a benchmark's, whose last statement awaits nothing else).
  if (kept.using++ === 0) kept.socket.ref();
  try {
    return await run(await kept.client);
  } finally {
    if (--kept.using === 0) kept.socket.unref();
  }
}

const urlOf = (adminUrl: string, name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

const createEmpty = (admin: pg.Client, name: string, template = 'template0') =>
  admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);

let template: Promise<void> | undefined;
function ensureTemplate(adminUrl: string, name: string): Promise<void> {
  template ??= withClient(adminUrl, async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return;
      // Built under another name and renamed when migrated, so a run killed midway leaves no half template.
      const building = `${name}_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await createEmpty(admin, building);
      const db = openDatabase({ url: urlOf(adminUrl, building), sqlitePath: '' });
      try {
        await migrateToLatest(db);
      } finally {
        await db.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  }).catch((err: unknown) => {
    template = undefined;
    throw err;
  });
  return template;
}

export async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = await createCopy(adminUrl);
  return { url: testUrl(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

const copyName = () => `hri_test_${RUN ? `${RUN}_` : ''}${process.pid}_${randomBytes(4).toString('hex')}`;

/** A new database: a copy of the run's template (migrated) or, without a run, an empty one. */
async function createCopy(adminUrl: string): Promise<string> {
  const name = copyName();
  if (TEMPLATE) await ensureTemplate(adminUrl, TEMPLATE);
  await withAdmin(adminUrl, (admin) => createEmpty(admin, name, TEMPLATE ?? undefined));
  return name;
}

/**
 * Commits need not wait for the disk: a test database never outlives a PostgreSQL crash, and
 * what each transaction sees and locks is unchanged (only the fsync at COMMIT is skipped).
 */
function testUrl(adminUrl: string, name: string): string {
  const url = new URL(urlOf(adminUrl, name));
  url.searchParams.set('options', '-c synchronous_commit=off');
  return url.toString();
}

const dropDatabase = (adminUrl: string, name: string) =>
  withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);

/**
 * A migrated database for one harness at a time. Copying the template and dropping the copy cost
 * 0.3–2 s a test (the drop most, waiting on the server's checkpoint), and the PostgreSQL project
 * opens some 500; so each worker process keeps the databases its tests gave back and hands them
 * out again, wiped back to what the template held. A database whose schema or settings a test
 * changed (a migration test, one switched read-only) is dropped instead, and so is one that
 * could not be wiped. Without a run's template (the benchmarks) it is a plain copy, dropped after.
 */
export async function leasePgDatabase(adminUrl: string): Promise<{ url: string; migrated: boolean; release(): Promise<void> }> {
  if (!TEMPLATE) {
    const copy = await createPgDatabase(adminUrl);
    return { url: copy.url, migrated: false, release: copy.drop };
  }
  let name = returned.pop();
  if (!name) {
    name = await createCopy(adminUrl);
    pristine ??= withClient(urlOf(adminUrl, name), readPristine);
    await pristine;
  }
  const leased = name;
  return { url: testUrl(adminUrl, leased), migrated: true, release: () => giveBack(adminUrl, leased) };
}

/** This worker's databases that tests gave back, wiped, ready to lend again. */
const returned: string[] = [];

/** What a fresh copy of the template is: its outline, and the rows the migrations put in. */
interface Pristine {
  outline: string;
  tables: string[];
  seeds: { table: string; rows: string }[];
}
let pristine: Promise<Pristine> | undefined;

/** The tables the tests write: all but the migrator's own. */
const MIGRATOR_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

async function readPristine(client: pg.Client): Promise<Pristine> {
  const { rows } = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const tables = rows.map((r) => r.tablename).filter((t) => !MIGRATOR_TABLES.has(t));
  const seeds: Pristine['seeds'] = [];
  for (const table of tables) {
    const { rows: seeded } = await client.query<{ rows: string | null }>(`SELECT json_agg(t)::text AS rows FROM "${table}" t`);
    if (seeded[0]?.rows) seeds.push({ table, rows: seeded[0].rows });
  }
  return { outline: await outlineOf(client), tables, seeds };
}

/** The schemas a test database's own objects live in: all but PostgreSQL's. */
const OWN_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** The schema, the migrations applied and the database's own settings: equal outlines, interchangeable databases once wiped. */
async function outlineOf(client: pg.Client): Promise<string> {
  // From the catalogs themselves: information_schema's views cost 20 ms a database given back,
  // about a fifth of what the server did for the PostgreSQL project's tests.
  const { rows } = await client.query(`SELECT
    (SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()) AS settings,
    (SELECT string_agg(n.nspname || '.' || c.relname || '.' || a.attname || ':' || a.atttypid || ':' || a.atttypmod, ',' ORDER BY 1)
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OWN_SCHEMA} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
    (SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OWN_SCHEMA} AND c.relkind IN ('i', 'I')) AS indexes,
    (SELECT string_agg(name, ',' ORDER BY name) FROM kysely_migration) AS migrations`);
  return JSON.stringify(rows[0]);
}

async function giveBack(adminUrl: string, name: string): Promise<void> {
  // Renamed first: a pool a test left open (a background worker it did not stop) reconnects to
  // the old name and fails, as it did when the database was dropped, instead of writing into the
  // next test's database.
  const fresh = copyName();
  try {
    await withAdmin(adminUrl, async (admin) => {
      // A few tries: an autovacuum worker may connect between the two statements, and the rename
      // fails while anyone is connected.
      for (let attempt = 1; ; attempt++) {
        await admin.query('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1', [name]);
        try {
          await admin.query(`ALTER DATABASE ${name} RENAME TO ${fresh}`);
          return;
        } catch (err) {
          if (attempt === 3) throw err;
        }
      }
    });
  } catch {
    return dropDatabase(adminUrl, name);
  }
  try {
    const clean = await pristine!;
    // Its wipe need not wait for the disk either (testUrl).
    await withClient(testUrl(adminUrl, fresh), async (client) => {
      if ((await outlineOf(client)) !== clean.outline) throw new Error(`${fresh} was changed by its test`);
      await wipe(client, clean);
    });
    returned.push(fresh);
  } catch {
    await dropDatabase(adminUrl, fresh);
  }
}

/**
 * Every table back to the template's rows. DELETE while a table is small (no files made anew, as
 * TRUNCATE makes them: 150–900 ms for all); TRUNCATE once it grew, so that no test scans the
 * dead rows of an earlier one.
 */
async function wipe(client: pg.Client, clean: Pristine): Promise<void> {
  // By oid: a name cast to regclass is resolved for other schemas' rows too (PostgreSQL may test
  // the size before the schema), and information_schema's tables are not on the search path.
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_relation_size(c.oid) > 65536`,
  );
  const grown = rows.map((r) => r.relname).filter((t) => clean.tables.includes(t));
  await client.query('BEGIN');
  try {
    if (grown.length) await client.query(`TRUNCATE ${grown.map((t) => `"${t}"`).join(', ')} CASCADE`);
    // Foreign keys are not checked while every referencing row goes too.
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(clean.tables.map((t) => `DELETE FROM "${t}";`).join(' '));
    for (const seed of clean.seeds)
      await client.query(`INSERT INTO "${seed.table}" SELECT * FROM json_populate_recordset(NULL::"${seed.table}", $1)`, [seed.rows]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** Drops the run's template and every database made of it (vitest's global teardown of the PostgreSQL project). */
export async function dropPgTemplate(adminUrl: string, run: string): Promise<void> {
  const name = templateOf(run);
  if (!name) return;
  await withClient(adminUrl, async (admin) => {
    const prefix = `hri_test_${run}_`;
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, $1) = $2', [prefix.length, prefix]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
