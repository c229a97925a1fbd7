/**
 * The incremental refresh: only what changed at the provider since the last refresh, where the
 * provider can tell, written over the cached directory in one transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ProviderError, type ChangedContact, type Connector, type DirectoryContact } from '../../connectors/types.js';
import { displayNameOf } from '../../connectors/normalize.js';
import { AppError } from '../../errors.js';
import type { RefreshLimits } from './limits.js';
import { countDirectory, stage, storedContact, toRow, type Q } from './rows.js';
import { directoryChanged } from '../../db/answer-generations.js';

/** Whether this refresh may ask only for what changed: the provider can, and the periodic full refresh is not due. */
export function incrementalDue(
  connector: Connector,
  sync: { watermark: string | null; full_synced_at: string | null; incremental_refreshes: number },
  now: Date,
  limits: RefreshLimits,
): boolean {
  if (!connector.listChanges || sync.watermark === null || sync.full_synced_at === null) return false;
  if (Number(sync.incremental_refreshes) >= limits.incrementalRefreshes) return false;
  const age = now.getTime() - Date.parse(sync.full_synced_at);
  return age >= 0 && age < limits.fullRefreshSeconds * 1000;
}

/** A failure once the slot was released and the changes were being written: no fallback after it. */
export class CommitFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('The directory changes could not be written.');
  }
}

/** A later change of one person laid over an earlier one of the same refresh: the fields it sent win. */
function laidOver(earlier: ChangedContact, later: ChangedContact): ChangedContact {
  const out: Record<string, unknown> = { ...earlier };
  for (const [field, value] of Object.entries(later)) if (value !== undefined) out[field] = value;
  return out as ChangedContact;
}

/** A person the cache does not hold, before any field is known. */
function unknownContact(id: string): DirectoryContact {
  return {
    id,
    firstName: null,
    lastName: null,
    displayName: id,
    email: null,
    personalEmail: null,
    title: null,
    department: null,
    location: null,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
  };
}

/**
 * Changed people as whole records: the fields a provider left out of a change (Graph may send
 * only what changed) keep what the cache holds, read in batches of 500; a person the cache does
 * not hold gets null for them, and a display name from what is known.
 */
async function completed(db: Q, connection: string, changes: ChangedContact[]): Promise<DirectoryContact[]> {
  const isWhole = (c: ChangedContact): c is DirectoryContact =>
    Object.keys(unknownContact(c.id)).every((field) => c[field as keyof DirectoryContact] !== undefined);
  const partial = changes.filter((c) => !isWhole(c)).map((c) => c.id);
  const stored = new Map<string, DirectoryContact>();
  for (let i = 0; i < partial.length; i += 500) {
    const rows = await db
      .selectFrom('directory_contacts')
      .selectAll()
      .where('connection', '=', connection)
      .where('contact_id', 'in', partial.slice(i, i + 500))
      .execute();
    for (const row of rows) stored.set(row.contact_id, storedContact(row));
  }
  return changes.map((c) => {
    if (isWhole(c)) return c;
    const known = stored.get(c.id);
    const merged = laidOver(known ?? unknownContact(c.id), c) as DirectoryContact;
    return known || c.displayName !== undefined ? merged : { ...merged, displayName: displayNameOf(merged) };
  });
}

export interface ChangeRun {
  startedAt: Date;
  now: () => Date;
  signal: AbortSignal;
  release: () => void;
  limits: RefreshLimits;
  cancelled: () => AppError;
}

/**
 * An incremental refresh: the provider's changes since the stored watermark, held in memory
 * (bounded by the refresh limits, and a small share of the directory when run as often as the
 * cache expires), then written to the cached directory in one transaction: changed people
 * upserted, deleted ones removed, and the new watermark stored with them, so the watermark only
 * advances when the changes it stands for have landed.
 */
export async function applyChanges(
  db: Kysely<Database>,
  connector: Connector,
  connection: string,
  claim: { started_at: string | null; watermark: string | null },
  { startedAt, now, signal, release, limits, cancelled }: ChangeRun,
): Promise<void> {
  const changed = new Map<string, ChangedContact>();
  const deleted = new Set<string>();
  let watermark: string | null = null;
  let pages = 0;
  for await (const page of connector.listChanges!({ since: claim.watermark!, startedAt, signal })) {
    signal.throwIfAborted();
    if (++pages > limits.pages) {
      throw new AppError(502, 'refresh_too_many_pages', `The provider kept sending pages: a refresh stops after ${limits.pages} (the refreshLimits setting).`);
    }
    // In the provider's order: a person changed and then deleted is gone, deleted and then back is there.
    for (const c of page.contacts) {
      deleted.delete(c.id);
      const earlier = changed.get(c.id);
      changed.delete(c.id);
      changed.set(c.id, earlier ? laidOver(earlier, c) : c);
    }
    for (const id of page.deleted) {
      changed.delete(id);
      deleted.add(id);
    }
    if (changed.size + deleted.size > limits.contacts) {
      throw new AppError(
        502,
        'refresh_too_many_contacts',
        `The provider sent more than ${limits.contacts} people: a refresh stops there (the refreshLimits setting).`,
      );
    }
    if (page.watermark !== null) watermark = page.watermark;
  }
  signal.throwIfAborted();
  if (watermark === null) throw new ProviderError('bad_response', "The provider's list of changes did not say where the next one starts.");
  const next = watermark;
  release();
  try {
    await db.transaction().execute(async (trx) => {
      const mine = await trx
        .updateTable('directory_syncs')
        .set({ status: 'ready', synced_at: now().toISOString(), watermark: next, incremental_refreshes: (eb) => eb('incremental_refreshes', '+', 1) })
        .where('connection', '=', connection)
        .where('status', '=', 'syncing')
        .where('started_at', '=', claim.started_at)
        .executeTakeFirst();
      // Disconnected or reconnected since: what was fetched with the old credentials never lands.
      if (Number(mine.numUpdatedRows) !== 1) throw cancelled();
      await stage(
        trx,
        (await completed(trx, connection, [...changed.values()])).map((c) => toRow(connection, c)),
      );
      const gone = [...deleted];
      for (let i = 0; i < gone.length; i += 500) {
        await trx
          .deleteFrom('directory_contacts')
          .where('connection', '=', connection)
          .where('contact_id', 'in', gone.slice(i, i + 500))
          .execute();
      }
      const count = await countDirectory(trx, connection);
      await trx.updateTable('directory_syncs').set({ fetched: count, total: count }).where('connection', '=', connection).execute();
      await directoryChanged(trx, connection);
    });
  } catch (err) {
    throw new CommitFailed(err);
  }
}
