/**
 * A fresh PostgreSQL database per test harness, dropped afterwards, when TEST_PG_URL names a
 * server (e.g. postgres://postgres@127.0.0.1:5432/postgres). Byte-order collation so results
 * are ordered the same as on SQLite and on every machine.
 *
 * Each one is a copy of a migrated template: migrating a new database costs ~250 ms and a copy
 * ~100 ms, and the PostgreSQL run opens hundreds; test/postgres-teardown.ts drops it after the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../bff/db/connect.js';

/**
 * The run's template, named after the run (vite.config.ts sets HRI_TEST_RUN, letters and digits):
 * runs side by side on one server (two checkouts) never drop each other's. Without a run id (the
 * benchmarks) each database is made empty and its caller migrates it.
 */
const templateOf = (run: string | undefined) => (run && /^[a-z0-9]+$/.test(run) ? `hri_tmpl_${run}` : null);
const TEMPLATE = templateOf(process.env.HRI_TEST_RUN);
/** Serialises the template's creation across the run's worker processes. */
const TEMPLATE_LOCK = 0x68726974;

async function withAdmin<T>(adminUrl: string, run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
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
  template ??= withAdmin(adminUrl, async (admin) => {
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
  const name = `hri_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (TEMPLATE) await ensureTemplate(adminUrl, TEMPLATE);
  await withAdmin(adminUrl, (admin) => createEmpty(admin, name, TEMPLATE ?? undefined));
  // Commits need not wait for the disk: a test database never outlives a PostgreSQL crash, and
  // what each transaction sees and locks is unchanged (only the fsync at COMMIT is skipped).
  const url = new URL(urlOf(adminUrl, name));
  url.searchParams.set('options', '-c synchronous_commit=off');
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Drops the run's template (vitest's global teardown of the PostgreSQL project). */
export async function dropPgTemplate(adminUrl: string, run: string): Promise<void> {
  const name = templateOf(run);
  if (name) await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
