import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Health } from '../contract.js';

export const healthRoutes = ({ db }: AppDeps) =>
  new Hono().get('/', async (c) => {
    try {
      await sql`select 1`.execute(db.kysely);
    } catch {
      throw new AppError(503, 'database_unavailable', 'The database does not answer.');
    }
    return c.json({ ok: true } satisfies Health);
  });
