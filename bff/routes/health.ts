/**
 * Liveness and readiness, for a load balancer or an orchestrator:
 * - `GET /health/live`: the process answers. Restart it when this fails.
 * - `GET /health` (and `/health/ready`): the process can do its work: the database answers and
 *   takes a write. 503 `database_unavailable` otherwise (full disk, read-only database, no
 *   database): send traffic elsewhere, but do not restart, reads may still be served.
 * The readiness check writes one row and is cached for a moment, so polling it costs nearly nothing.
 */
import { Hono } from 'hono';
import { sql } from 'kysely';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RouteDeps } from '../deps.js';
import type { Db } from '../db/connect.js';
import { AppError, isDatabaseBusy } from '../errors.js';
import type { Health } from '../../contract/index.js';

/** How long one check's outcome answers every readiness request. */
const CHECK_TTL_MS = 1500;
/** Below this much free space beside the SQLite file, the next import may fail midway: not ready. */
export const MIN_FREE_BYTES = 1024 * 1024;

type Readiness = { ready: true } | { ready: false; reason: string; code?: string | undefined };

async function checkDatabase(db: Db, now: Date): Promise<Readiness> {
  try {
    await sql`select 1`.execute(db.kysely);
  } catch (err) {
    return { ready: false, reason: 'The database does not answer.', code: codeOf(err) };
  }
  try {
    await db.kysely
      .insertInto('health_probes')
      .values({ id: 'probe', checked_at: now.toISOString() })
      .onConflict((oc) => oc.column('id').doUpdateSet({ checked_at: now.toISOString() }))
      .execute();
  } catch (err) {
    // Another writer holds the lock: the database takes writes, just not this instant.
    if (!isDatabaseBusy(err)) return { ready: false, reason: 'The database answers but cannot store changes.', code: codeOf(err) };
  }
  if (db.dialect === 'sqlite') {
    // A small write may still fit in a page SQLite already has, where an import would not.
    const files = await sql<{ file: string }>`pragma database_list`.execute(db.kysely);
    const file = files.rows.find((f) => f.file)?.file;
    if (file) {
      const disk = await statfs(dirname(file));
      if (disk.bavail * disk.bsize < MIN_FREE_BYTES) return { ready: false, reason: 'The disk of the database is full.', code: 'SQLITE_FULL' };
    }
  }
  return { ready: true };
}

const codeOf = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const healthRoutes = ({ db, logger, now }: RouteDeps) => {
  let last: { at: number; readiness: Readiness } | undefined;
  let running: Promise<Readiness> | undefined;
  const readiness = async (): Promise<Readiness> => {
    const at = now().getTime();
    if (last && at - last.at >= 0 && at - last.at < CHECK_TTL_MS) return last.readiness;
    // Requests that arrive during a check wait for that one check, not for one each.
    running ??= checkDatabase(db, now())
      .then((result) => {
        if (!result.ready && (last?.readiness.ready ?? true)) logger.warn('not ready', { reason: result.reason, code: result.code });
        if (result.ready && last && !last.readiness.ready) logger.info('ready again', {});
        last = { at, readiness: result };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const ready = async () => {
    const result = await readiness();
    if (!result.ready) throw new AppError(503, 'database_unavailable', result.reason, undefined, 5);
    return { ok: true } satisfies Health;
  };
  return new Hono()
    .get('/', async (c) => c.json(await ready()))
    .get('/ready', async (c) => c.json(await ready()))
    .get('/live', (c) => c.json({ ok: true } satisfies Health));
};
