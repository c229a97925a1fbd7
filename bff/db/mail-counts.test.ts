import { afterEach, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { hourOf } from './mail-counts.js';

let h: Harness;
afterEach(() => h.close());

const audit = (id: string, action: string, count: number, at: Date) =>
  sql`insert into audit_events (id, at, action, actor, target_type, target_id, subject, count)
      values (${id}, ${at.toISOString()}, ${action}, 'u-1', 'lab', 'l-1', 'imp', ${count})`.execute(h.db.kysely);

describe('the migration that creates mail_counts', () => {
  it('sums the mails of the last two days per target and inviter per hour, so the budgets read the same after it', async () => {
    h = await createHarness();
    const migrator = new Migrator({ db: h.db.kysely, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('2026_12_03_220000_cover_directory_counts')).error).toBeUndefined();
    // The migration counts back from the real clock; two hours back and a minute back are two different hours.
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await audit('a1', 'import', 2, hourAgo);
    await audit('a2', 'resend', 1, hourAgo);
    await audit('a3', 'accept', 1, hourAgo);
    await audit('a4', 'remind', 4, new Date(Date.now() - 60_000));
    await audit('a5', 'import', 5, new Date(Date.now() - 3 * 86_400_000));
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const rows = await h.db.kysely.selectFrom('mail_counts').selectAll().orderBy('scope').orderBy('hour').execute();
    const hours = [hourOf(hourAgo.toISOString()), hourOf(new Date(Date.now() - 60_000).toISOString())];
    const perHour = (scope: string) => [
      { scope, hour: hours[0], count: 3 },
      { scope, hour: hours[1], count: 4 },
    ];
    expect(rows.map((r) => ({ ...r, count: Number(r.count) }))).toEqual([...perHour('inviter:u-1'), ...perHour('target:lab/l-1')]);
  });
});
