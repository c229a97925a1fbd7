/**
 * A sync rule's scheduled run over a company-sized directory (`npm run bench`, or `tsx
 * bench/sync.ts` alone): 100,000 people (bench/people.ts `companyPeople`), the target holding
 * every active one with an address as a member, the rule covering everyone and already run once.
 * Then 1% of the directory changes (a quarter each: new hires, terminated, deleted, a new title),
 * the directory is refreshed (not timed), and the rule's evaluation is timed alone: the SQL
 * comparison of directory and target, the updates it writes, its links (services/sync/evaluate.ts
 * `evaluate`), each time in a transaction rolled back afterwards so every run sees the same change.
 *
 * The floor is reading the changed rows: a plain SELECT of those 1,000 people by id. Median of
 * BENCH_RUNS (5). SQLite only: PostgreSQL runs the same SQL (the tests run it there).
 */
import { credentialKey } from '../bff/crypto.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrateToLatest } from '../bff/db/connect.js';
import type { DirectoryContact } from '../bff/connectors/types.js';
import { createProviderRegistry } from '../bff/providers/registry.js';
import { getTarget, syncMembers, upsertTarget } from '../bff/services/targets.js';
import { refreshDirectory } from '../bff/services/directory/refresh.js';
import { evaluate } from '../bff/services/sync/evaluate.js';
import { type SyncDeps } from '../bff/services/sync/rule.js';
import { claimRule, startRun } from '../bff/services/sync/runner.js';
import { newId } from '../bff/ids.js';
import type { AppConfig } from '../bff/deps.js';
import { companyPeople, median } from './people.js';

const SIZE = Number(process.env.BENCH_SYNC_SIZE ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEY = 'bench:*';
const target = { type: 'organization', id: 'big' } as const;

class Rollback extends Error {}

export async function benchSync(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hri-sync-bench-'));
  const db = openDatabase({ sqlitePath: join(dir, 'sync.sqlite') });
  try {
    await migrateToLatest(db);
    let now = new Date('2026-12-01T00:00:00Z');
    let people: DirectoryContact[] = companyPeople(SIZE);
    const directory = () => ({
      cacheKey: KEY,
      connector: () => ({ listContacts: async () => ({ contacts: people, nextCursor: null, total: people.length }) }),
    });
    await upsertTarget(db.kysely, target, { name: 'Big', seatLimit: 1_000_000 }, now);
    await refreshDirectory(db.kysely, directory(), () => now);
    await syncMembers(
      db.kysely,
      target,
      people.filter((p) => p.email && p.status === 'active').map((p) => ({ id: p.id, email: p.email! })),
      now,
    );
    const definition = {
      scope: {},
      roleRules: [{ conditions: [{ field: 'title', operator: 'contains', value: 'manager' }], role: 'admin' }],
      defaultRole: 'user',
      message: { subject: 'Join', body: 'Hi' },
      joiners: 'review',
      leavers: 'review',
    };
    const iso = now.toISOString();
    await db.kysely
      .insertInto('sync_rules')
      .values({
        id: newId('rule'),
        target_type: target.type,
        target_id: target.id,
        provider: 'bench',
        connection: KEY,
        definition: JSON.stringify(definition),
        interval_hours: 24,
        paused: 0,
        leaver_threshold: 20,
        created_by_id: 'u',
        created_by_name: 'U',
        created_by_email: 'u@corp.example',
        created_at: iso,
        updated_at: iso,
        next_run_at: iso,
        lease_until: null,
        lease_holder: null,
      })
      .execute();
    const config = { secret: 's'.repeat(32), inviteTtlDays: 7, acceptUrl: 'http://localhost/accept' } as AppConfig;
    const deps: SyncDeps = {
      db: db.kysely,
      config,
      sealingKey: credentialKey(config.secret),
      providers: createProviderRegistry([]),
      now: () => now,
    };

    // The first run (links every member), untimed, through the evaluation itself.
    const first = (await claimRule(db.kysely, now))!;
    const firstRun = await startRun(db.kysely, first.rule, 'schedule', now);
    await db.kysely.transaction().execute(async (trx) => evaluate(trx, deps, first.rule, firstRun, await getTarget(trx, target)));
    await db.kysely.updateTable('sync_rules').set({ lease_until: null, lease_holder: null }).execute();

    // 1% changes: new hires, terminated, deleted, a new title.
    const quarter = Math.floor(SIZE / 400);
    const changedIds: string[] = [];
    people = people.slice();
    const activeWithEmail = people.map((p, i) => [p, i] as const).filter(([p]) => p.email && p.status === 'active');
    for (const [p, i] of activeWithEmail.slice(0, quarter)) {
      people[i] = { ...p, status: 'inactive' };
      changedIds.push(p.id);
    }
    for (const [p, i] of activeWithEmail.slice(quarter, 2 * quarter)) {
      people[i] = { ...p, title: 'Engineering Manager' };
      changedIds.push(p.id);
    }
    const deleted = new Set(activeWithEmail.slice(2 * quarter, 3 * quarter).map(([p]) => p.id));
    people = people.filter((p) => !deleted.has(p.id));
    for (let i = 0; i < quarter; i++) {
      const id = `new${i}`;
      people.push({ ...people[i]!, id, email: `new.hire${i}@corp.example`, status: 'active' });
      changedIds.push(id);
    }
    now = new Date(now.getTime() + 86_400_000);
    await refreshDirectory(db.kysely, directory(), () => now);
    changedIds.push(...deleted);

    const claimed = (await claimRule(db.kysely, now))!;
    const run = await startRun(db.kysely, claimed.rule, 'schedule', now);
    const evaluations: number[] = [];
    const floors: number[] = [];
    let found = '';
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await db.kysely
        .transaction()
        .execute(async (trx) => {
          const o = await evaluate(trx, deps, claimed.rule, run, await getTarget(trx, target));
          evaluations.push(performance.now() - started);
          found = `${o.joiners} joiners, ${o.leavers} leavers, ${o.roleChanges} role changes, status ${o.status}`;
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
      const floorStarted = performance.now();
      await db.kysely.selectFrom('directory_contacts').selectAll().where('connection', '=', KEY).where('contact_id', 'in', changedIds).execute();
      floors.push(performance.now() - floorStarted);
    }
    const value = median(evaluations);
    const floor = median(floors);
    console.log(`sync-rule evaluation ${SIZE / 1000}k, 1% changed (sqlite): ${found}`);
    console.log(
      `${'sync-rule evaluation (sqlite)'.padEnd(34)} ${`${value.toFixed(0)} ms`.padStart(10)}   floor ${`${floor.toFixed(1)} ms`.padStart(10)}   ratio ${(value / floor).toFixed(1)}×   target < 2000 ms`,
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSync();
