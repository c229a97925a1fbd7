/**
 * A BFF process killed (SIGKILL) in the middle of a 1,000-invite import: after a restart the
 * import is complete or absent, never partial; a retry with its key makes it exactly one
 * import; and the outbox worker then mails each invite once. On a SQLite file, or on a fresh
 * PostgreSQL database when TEST_PG_URL is set.
 *
 * Nothing in the product pauses for the test: the import's usual duration is measured, and the
 * process is killed at fractions of it. Whatever the kill hits, the invariant must hold; the
 * test also checks that some kill did land inside the import's write transaction, or it would
 * prove little.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOutboxWorker } from '../mail/outbox.js';
import { fileTransport } from '../mail/transport.js';
import { silentLogger } from '../logger.js';
import { postImport, sessionFor, sharedDatabase, startChild, warmDirectory, type Child, type SharedDatabase } from '../../test/crash/fixture.js';

const SIZE = 1_000;
/**
 * Fractions of the import's measured duration, and once as soon as its write transaction is seen
 * open: the transaction is a small part of a fast import, and fractions alone missed it.
 */
const KILL_AT: (number | 'writing')[] = [0.1, 'writing', 0.9];

let shared: SharedDatabase;
let mailDir: string;
beforeAll(async () => {
  shared = await sharedDatabase();
  // tmpfs where there is one: each .eml is fsynced, and durability of mail files is not what this tests.
  mailDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hr-import-crash-mail-'));
});
afterAll(async () => {
  await shared?.close();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
});

async function importAll(child: Child, targetId: string, key: string): Promise<{ status: number; replayed: boolean; invited: number }> {
  const res = await postImport(child, await sessionFor({ type: 'organization', id: targetId }), key, { all: true });
  const body = (await res.json()) as { invited: number };
  return { status: res.status, replayed: res.headers.get('Idempotent-Replayed') === 'true', invited: body.invited };
}

/**
 * How long a whole import of SIZE takes in a fresh process, measured on a database of its own
 * so that its mail does not add to what the outbox worker sends below.
 */
async function measureImport(): Promise<number> {
  const scratch = await sharedDatabase();
  const child = await startChild(scratch.location, SIZE);
  try {
    await scratch.target('measured', 20_000);
    await warmDirectory(child, await sessionFor({ type: 'organization', id: 'measured' }));
    const started = performance.now();
    expect(await importAll(child, 'measured', 'measured-import-1')).toMatchObject({ status: 201, invited: SIZE });
    return performance.now() - started;
  } finally {
    await child.kill();
    await scratch.close();
  }
}

describe('a BFF killed during an import', () => {
  it('leaves the import whole or absent, a retry makes it one, and the outbox mails each invite once', async () => {
    const duration = await measureImport();
    let child = await startChild(shared.location, SIZE);
    try {
      let target = 'crash-1';
      await shared.target(target, 20_000);
      await warmDirectory(child, await sessionFor({ type: 'organization', id: target }));
      const kills: { at: number | 'writing'; target: string; inTransaction: boolean; outcome: 'absent' | 'complete' }[] = [];
      for (const at of KILL_AT) {
        const key = `${target}-key`;
        let answered = false;
        const request = importAll(child, target, key)
          .catch(() => null) // the connection dies with the process
          .finally(() => (answered = true));
        if (at === 'writing') {
          // Bounded: an import that answers, or takes ten times its usual time (a busy machine
          // holds it up before it writes), is killed as it is.
          const until = performance.now() + Math.max(duration * 10, 10_000);
          while (!answered && performance.now() < until && !(await shared.writerActive())) await sleep(1);
        } else {
          await sleep(duration * at);
        }
        const inTransaction = await shared.writerActive();
        await child.kill();
        await request;
        // Restart on the same database: SQLite recovers its WAL, PostgreSQL has rolled back.
        child = await startChild(shared.location, SIZE);
        const written = await shared.written(target);
        expect(
          [
            [0, 0, 0],
            [SIZE, SIZE, 1],
          ],
          `killed ${at === 'writing' ? 'while writing' : `at ${at * 100}%`} of ${duration.toFixed(0)} ms`,
        ).toContainEqual(written);
        kills.push({ at, target, inTransaction, outcome: written[0] ? 'complete' : 'absent' });
        if (written[0]) {
          // Done before the kill: it replays, and the next kill needs an import of its own.
          expect(await importAll(child, target, key)).toMatchObject({ status: 201, replayed: true, invited: SIZE });
          target = `crash-${kills.length + 1}`;
          await shared.target(target, 20_000);
        }
      }
      // The widget retries with the same key: the dead process's claim is taken over, at once.
      const last = kills[kills.length - 1]!;
      if (last.outcome === 'absent') expect(await importAll(child, target, `${target}-key`)).toMatchObject({ status: 201, replayed: false, invited: SIZE });
      for (const t of new Set(kills.map((k) => k.target))) expect(await shared.written(t)).toEqual([SIZE, SIZE, 1]);
      expect(
        kills.some((k) => k.inTransaction && k.outcome === 'absent'),
        JSON.stringify(kills),
      ).toBe(true);
    } finally {
      await child.kill();
    }

    const worker = createOutboxWorker({
      db: shared.db.kysely,
      dialect: shared.db.dialect,
      transport: fileTransport(mailDir),
      from: 'hr-import <no-reply@example.com>',
      logger: silentLogger,
      batchSize: 500,
    });
    for (;;) {
      const { sent, failed } = await worker.runOnce();
      expect(failed).toBe(0);
      if (!sent) break;
    }
    const invites = await shared.db.kysely
      .selectFrom('invites')
      .innerJoin('outbox', 'outbox.invite_id', 'invites.id')
      .select(['invites.email', 'outbox.id as mail', 'outbox.status'])
      .execute();
    expect(invites.every((i) => i.status === 'sent')).toBe(true);
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(files.sort()).toEqual(invites.map((i) => `${i.mail}.eml`).sort());
    // Read as a mail client would: as many messages to each address as it has invites (one per
    // target it was invited to), none more.
    const recipients = files.map((f) => /^To: .*<([^>]+)>$/m.exec(readFileSync(join(mailDir, f), 'utf8'))![1]!);
    expect(recipients.sort()).toEqual(invites.map((i) => i.email).sort());

    // Events for the host: one import.completed per import that committed, none for the killed
    // ones, one invite.sent per mail, numbered without a gap.
    const imports = await shared.db.kysely.selectFrom('imports').select('id').execute();
    const events = await shared.db.kysely.selectFrom('events').select(['type', 'seq', 'payload']).orderBy('seq').execute();
    const completed = events.filter((e) => e.type === 'import.completed').map((e) => (JSON.parse(e.payload) as { data: { importId: string } }).data.importId);
    expect(completed.sort()).toEqual(imports.map((i) => i.id).sort());
    expect(events.filter((e) => e.type === 'invite.sent').length).toBe(invites.length);
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
    // A thousand invites is enough: one kill waits for the import's write transaction, and one
    // of them must land inside it (checked above).
  }, 300_000);
});
