import type { Kysely } from 'kysely';

// What the contact list's kept answers are valid for (bff/services/directory/answers.ts): one row
// per directory (`directory:<connection>`) and per target's seats (`seats:<type>:<id>`), whose
// number every write that can change a search's answer raises in its own transaction. Replicas
// keep their answers in memory and read these rows before serving one, so a write on one replica
// is seen by all of them at their next read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('answer_generations')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('answer_generations').ifExists().execute();
}
