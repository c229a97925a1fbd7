/**
 * Where a one-contact import's time goes on SQLite (`npx tsx bench/import-statements.ts`): the
 * app called directly in this process (no HTTP), 20,000 people, 3,000 imports first so that the
 * day's tables hold what a busy day's would, then 1,000 imports timed as a whole and 1,000 with
 * every SQLite statement timed by its text. Prints the time per import and, per statement, its
 * microseconds per import and how many times an import runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import { benchApp, companyPeople } from './people.js';

const WARM = 3000;
const N = 1000;
const dir = mkdtempSync(join(tmpdir(), 'hr-import-statements-'));
let timing = false;
const times = new Map<string, { n: number; ms: number }>();
// Every statement runs through these four methods of better-sqlite3's Statement.
const statement = Object.getPrototypeOf(new SQLite(':memory:').prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
for (const method of ['run', 'all', 'get', 'iterate']) {
  const original = statement[method]!;
  statement[method] = function (this: SQLite.Statement, ...args: unknown[]) {
    if (!timing) return original.apply(this, args);
    const started = performance.now();
    const result = original.apply(this, args);
    const key = this.source.replace(/\s+/g, ' ').slice(0, 110);
    const entry = times.get(key) ?? { n: 0, ms: 0 };
    entry.n++;
    entry.ms += performance.now() - started;
    times.set(key, entry);
    return result;
  };
}

const db = openDatabase({ sqlitePath: join(dir, 'statements.sqlite') });
try {
  await migrateToLatest(db);
  const { app, token } = await benchApp(db, companyPeople(20_000), { rateLimits: { session: 1e9, address: 1e9, accept: 1e9 } });
  const importOne = async () => {
    const res = await app.request('/api/imports', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `one-${randomInt(2 ** 47)}` },
      body: JSON.stringify({
        provider: 'bench',
        selection: { ids: [`p${randomInt(10_000)}`] },
        role: 'user',
        message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' },
      }),
    });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
  };
  for (let i = 0; i < WARM; i++) await importOne();
  let started = performance.now();
  for (let i = 0; i < N; i++) await importOne();
  console.log(`one-contact import after ${WARM}: ${((performance.now() - started) / N).toFixed(2)} ms each`);
  timing = true;
  started = performance.now();
  for (let i = 0; i < N; i++) await importOne();
  timing = false;
  console.log(`with each statement timed: ${((performance.now() - started) / N).toFixed(2)} ms each`);
  let total = 0;
  for (const [text, { n, ms }] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
    total += ms;
    console.log(`${((ms / N) * 1000).toFixed(0).padStart(6)} µs ${(n / N).toFixed(2).padStart(5)}×  ${text}`);
  }
  console.log(`statements: ${((total / N) * 1000).toFixed(0)} µs an import`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
