/**
 * SQLite's checkpoints in a worker thread (checkpointer.ts): the log is copied into the database
 * file while the app's connection goes on writing, and nothing is lost or left behind at close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from './connect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file() {
  const dir = mkdtempSync(join(tmpdir(), 'hr-import-checkpoint-'));
  dirs.push(dir);
  return join(dir, 'app.sqlite');
}

const until = async (test: () => boolean | Promise<boolean>, ms = 5_000) => {
  for (const end = Date.now() + ms; !(await test()); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error('timed out');
};

/** The connection's own automatic checkpoint, in pages (0: never). */
const autocheckpoint = async (db: Db) => Number(Object.values((await sql`pragma wal_autocheckpoint`.execute(db.kysely)).rows[0] as object)[0]);

describe('checkpoints in a worker', () => {
  it('copies what the app writes into the database file, and leaves no log at close', async () => {
    const path = file();
    const db = openDatabase({ sqlitePath: path, checkpointAfterMs: 0 });
    await sql`create table notes (text text)`.execute(db.kysely);
    // The app's own connection no longer checkpoints once the worker has started.
    await until(async () => (await autocheckpoint(db)) === 0);
    const before = statSync(path).size;
    // Some 8 MB of commits, far past the 1,000 pages at which a commit would checkpoint itself.
    for (let i = 0; i < 2_000; i++) await sql`insert into notes values (${'x'.repeat(4_000)})`.execute(db.kysely);
    await until(() => statSync(path).size > before + 7_000_000);
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(db.kysely);
    expect(Number(rows[0]!.n)).toBe(2_000);
    await db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = openDatabase({ sqlitePath: path });
    try {
      expect(Number((await sql<{ n: number }>`select count(*) as n from notes`.execute(again.kysely)).rows[0]!.n)).toBe(2_000);
    } finally {
      await again.close();
    }
  });

  it('is not started for a connection closed before its time', async () => {
    const path = file();
    const db = openDatabase({ sqlitePath: path, checkpointAfterMs: 60_000 });
    await sql`create table notes (text text)`.execute(db.kysely);
    expect(await autocheckpoint(db)).toBe(1000);
    await db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
