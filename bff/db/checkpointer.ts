/**
 * SQLite's checkpoints, off the event loop. In WAL mode each commit appends its pages to the log,
 * and every 1,000 pages the commit that crosses the line copies the log back into the database
 * file and syncs both: on this machine one commit in about fifty held the event loop for some
 * 20 ms, 0.35 ms an import on average, a seventh of the whole request (docs/performance.md).
 *
 * A worker thread with a connection of its own runs PASSIVE checkpoints instead, which wait for
 * no reader or writer: the main connection keeps appending while the worker copies what is
 * committed, and the log starts over at the next commit once everything in it is copied. The
 * worker looks four times a second (better-sqlite3 has no hook for the log's size): a busy
 * second's imports add a few thousand pages, some megabytes, before they are copied. Under writes
 * that never pause, no commit finds everything copied, and the log grows until they pause
 * (560 MB in 30 s of imports at full speed; making it start over cost more than it saved,
 * docs/performance.md).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';

const EVERY_MS = 250;

// A script, not a module of ours: the worker must start the same under tsx, vitest and the built
// package, none of which would load a TypeScript file in a worker alike.
const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next round copies what this one could not.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Copies what is left and stops. */
  close(): Promise<void>;
}

/**
 * Hands the checkpoints of `sqlite` (the connection to the file at `path`) to a worker once the
 * connection has been open `afterMs`: starting a worker costs some 60 ms, which a short-lived
 * connection (a CLI, a test) would pay for nothing. Until then, and if the worker fails, SQLite
 * checkpoints in the commit as it does by default.
 */
export function checkpointInWorker(sqlite: SQLite.Database, path: string, afterMs = 2_000): Checkpointer {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = setTimeout(() => {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(SCRIPT, { eval: true, workerData: { module, path, everyMs: EVERY_MS } });
    // A process may exit with its database open (a CLI that forgot close): the worker never keeps it alive.
    started.unref();
    exited = new Promise<void>((done) => started.once('exit', () => done()));
    started.once('error', () => {
      worker = null;
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    });
    worker = started;
    sqlite.pragma('wal_autocheckpoint = 0');
  }, afterMs);
  start.unref();
  return {
    async close() {
      clearTimeout(start);
      if (worker) {
        // Held open until it has copied the rest and closed its connection.
        worker.ref();
        worker.postMessage('close');
      }
      await exited;
    },
  };
}
