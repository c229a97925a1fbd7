import type { Kysely } from 'kysely';

// A target's seats in use as the last import counted them (bff/db/seat-counts.ts), so the next
// import reads one row instead of counting the target's members and live invites again: kept
// for the seats generation it was counted at (answer_generations) and until the earliest live
// invite it counted expires.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('seat_counts')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addColumn('valid_until', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('seat_counts').ifExists().execute();
}
