/**
 * Incremental refresh on a real database (SQLite in memory, or PostgreSQL with TEST_PG_URL): a
 * connector that can list what changed is asked only for that once a full refresh has set a
 * watermark; the changes land in one transaction; every so often a full refresh runs anyway and
 * finds the people the provider never reported deleted; a failed incremental refresh falls back
 * to a full one; the watermark only moves when a refresh succeeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.js';
import { directoryPerson } from '../../../test/directory.js';
import { ProviderError, type Connector, type DirectoryContact } from '../../connectors/types.js';
import { DEFAULT_REFRESH_LIMITS, type RefreshLimits } from './limits.js';
import { listContacts } from './queries.js';
import { refreshDirectory, refreshStatus } from './refresh.js';
import { getTarget } from '../targets.js';
import { createMicrosoftConnector } from '../../connectors/microsoft.js';
import { startMicrosoftFake } from '../../../test/fakes/microsoft-server.js';

const KEY = 'acme-hr:*';
let h: Harness;

beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 100);
});
afterEach(() => h.close());

const person = (id: string, name: string) => directoryPerson(id, { displayName: name });

/**
 * A provider whose directory the test edits, keeping a change log numbered like a provider's
 * sequence: the watermark `v<n>` means "everything up to change n". `reportsDeletes` is whether
 * its change list names deleted people (Graph's does; timestamp filters never do).
 */
function changingProvider(initial: DirectoryContact[], reportsDeletes = true) {
  const people = new Map(initial.map((p) => [p.id, p]));
  const log: { id: string; deleted: boolean }[] = [];
  const calls = { full: 0, since: [] as string[] };
  const failing = { changes: null as ProviderError | null, full: null as ProviderError | null };
  const connector: Connector = {
    async listContacts() {
      calls.full++;
      if (failing.full) throw failing.full;
      return { contacts: [...people.values()], nextCursor: null, total: people.size };
    },
    async changeWatermark() {
      return `v${log.length}`;
    },
    async *listChanges({ since }) {
      calls.since.push(since);
      if (failing.changes) throw failing.changes;
      const entries = log.slice(Number(since.slice(1)));
      // Two pages, the watermark on the last, as providers page their change lists.
      const half = Math.ceil(entries.length / 2);
      for (const part of [entries.slice(0, half), entries.slice(half)]) {
        yield {
          contacts: part.filter((e) => !e.deleted && people.has(e.id)).map((e) => people.get(e.id)!),
          deleted: reportsDeletes ? part.filter((e) => e.deleted).map((e) => e.id) : [],
          watermark: null,
        };
      }
      yield { contacts: [], deleted: [], watermark: `v${log.length}` };
    },
  };
  return {
    connector,
    calls,
    failing,
    change(p: DirectoryContact) {
      people.set(p.id, p);
      log.push({ id: p.id, deleted: false });
    },
    remove(id: string) {
      people.delete(id);
      log.push({ id, deleted: true });
    },
  };
}

const limits = (more: Partial<RefreshLimits> = {}): RefreshLimits => ({ ...DEFAULT_REFRESH_LIMITS, ...more });
const refresh = (connector: Connector, more: Partial<RefreshLimits> = {}) =>
  refreshDirectory(h.db.kysely, { cacheKey: KEY, connector: () => connector }, () => h.clock.now, undefined, limits(more));
const names = async () => {
  const target = await getTarget(h.db.kysely, { type: 'organization', id: 'acme' });
  const page = await listContacts(h.db.kysely, target, KEY, { limit: 100 }, h.clock.now);
  return page.items.map((c) => c.displayName);
};
const sync = () =>
  h.db.kysely
    .selectFrom('directory_syncs')
    .select(['watermark', 'full_synced_at', 'incremental_refreshes'])
    .where('connection', '=', KEY)
    .executeTakeFirstOrThrow();
const later = (seconds: number) => {
  h.clock.now = new Date(h.clock.now.getTime() + seconds * 1000);
};

describe('incremental refresh', () => {
  it('applies only the changes after a full refresh: changed people upserted, deleted ones removed', async () => {
    const provider = changingProvider([person('a', 'Ada'), person('b', 'Bob'), person('c', 'Cy')]);
    await refresh(provider.connector);
    expect(await sync()).toMatchObject({ watermark: 'v0', full_synced_at: h.clock.now.toISOString(), incremental_refreshes: 0 });

    provider.change(person('b', 'Bob Renamed'));
    provider.change(person('d', 'Dee New'));
    provider.remove('c');
    later(60);
    await refresh(provider.connector);
    expect(provider.calls).toEqual({ full: 1, since: ['v0'] });
    expect(await names()).toEqual(['Ada', 'Bob Renamed', 'Dee New']);
    expect(await sync()).toMatchObject({ watermark: 'v3', incremental_refreshes: 1 });
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'ready', fetched: 3, total: 3, syncedAt: h.clock.now.toISOString() });
  });

  it('runs a full refresh every so many refreshes, which finds people the provider never reported deleted', async () => {
    const provider = changingProvider([person('a', 'Ada'), person('b', 'Bob')], false);
    await refresh(provider.connector, { incrementalRefreshes: 2 });
    provider.remove('b');
    await refresh(provider.connector, { incrementalRefreshes: 2 });
    await refresh(provider.connector, { incrementalRefreshes: 2 });
    // Two incremental refreshes: the change list never said Bob was gone.
    expect(provider.calls.full).toBe(1);
    expect(await names()).toEqual(['Ada', 'Bob']);
    await refresh(provider.connector, { incrementalRefreshes: 2 });
    expect(provider.calls.full).toBe(2);
    expect(await names()).toEqual(['Ada']);
    expect(await sync()).toMatchObject({ watermark: 'v1', incremental_refreshes: 0 });
  });

  it('runs a full refresh once the last one is older than fullRefreshSeconds', async () => {
    const provider = changingProvider([person('a', 'Ada'), person('b', 'Bob')], false);
    await refresh(provider.connector);
    provider.remove('b');
    later(3_599);
    await refresh(provider.connector, { fullRefreshSeconds: 3_600 });
    expect(provider.calls.full).toBe(1);
    later(1);
    await refresh(provider.connector, { fullRefreshSeconds: 3_600 });
    expect(provider.calls.full).toBe(2);
    expect(await names()).toEqual(['Ada']);
  });

  it('never refreshes incrementally with incrementalRefreshes 0', async () => {
    const provider = changingProvider([person('a', 'Ada')]);
    await refresh(provider.connector, { incrementalRefreshes: 0 });
    await refresh(provider.connector, { incrementalRefreshes: 0 });
    expect(provider.calls).toEqual({ full: 2, since: [] });
  });

  it('falls back to a full refresh when the incremental one fails, and starts again from its watermark', async () => {
    const provider = changingProvider([person('a', 'Ada'), person('b', 'Bob')]);
    await refresh(provider.connector);
    provider.change(person('a', 'Ada Changed'));
    provider.failing.changes = new ProviderError('bad_response', 'Acme HR: the delta link has expired');
    await refresh(provider.connector);
    expect(provider.calls).toEqual({ full: 2, since: ['v0'] });
    expect(await names()).toEqual(['Ada Changed', 'Bob']);
    expect(await sync()).toMatchObject({ watermark: 'v1', incremental_refreshes: 0 });
    expect((await refreshStatus(h.db.kysely, KEY, h.clock.now)).status).toBe('ready');
  });

  it('keeps the watermark and the directory when both the incremental and the full refresh fail', async () => {
    const provider = changingProvider([person('a', 'Ada')]);
    await refresh(provider.connector);
    provider.change(person('a', 'Ada Changed'));
    provider.failing.changes = new ProviderError('unavailable', 'Acme HR is not answering');
    provider.failing.full = new ProviderError('unavailable', 'Acme HR is not answering');
    await expect(refresh(provider.connector)).rejects.toThrow(/not answering/);
    expect(await sync()).toMatchObject({ watermark: 'v0', incremental_refreshes: 0 });
    expect(await names()).toEqual(['Ada']);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'error', error: { code: 'provider_unavailable' } });

    // Once the provider answers again, the change is read from the watermark that never moved.
    provider.failing.changes = null;
    provider.failing.full = null;
    await refresh(provider.connector);
    expect(provider.calls.since).toEqual(['v0', 'v0']);
    expect(await names()).toEqual(['Ada Changed']);
  });

  it('keeps the watermark when a change list ends without naming the next one', async () => {
    const provider = changingProvider([person('a', 'Ada')]);
    await refresh(provider.connector);
    const broken: Connector = {
      ...provider.connector,
      async *listChanges() {
        yield { contacts: [person('a', 'Ada Half')], deleted: [], watermark: null };
      },
      async listContacts() {
        throw new ProviderError('unavailable', 'Acme HR is not answering');
      },
    };
    await expect(refresh(broken)).rejects.toThrow(/not answering/);
    expect(await names()).toEqual(['Ada']);
    expect((await sync()).watermark).toBe('v0');
  });

  it('holds the refresh limits on a change list', async () => {
    const provider = changingProvider([person('a', 'Ada')]);
    await refresh(provider.connector);
    for (let i = 0; i < 5; i++) provider.change(person(`n${i}`, `New ${i}`));
    provider.failing.full = new ProviderError('unavailable', 'Acme HR is not answering');
    // Too many changes: the incremental refresh stops, the full one is tried (and fails here).
    await expect(refresh(provider.connector, { contacts: 3 })).rejects.toThrow(/not answering/);
    expect(await names()).toEqual(['Ada']);
    expect((await sync()).watermark).toBe('v0');
  });

  it('lands nothing from a connection dropped while its changes were listed', async () => {
    const provider = changingProvider([person('a', 'Ada')]);
    await refresh(provider.connector);
    provider.change(person('a', 'Ada Changed'));
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    const slow: Connector = {
      ...provider.connector,
      async *listChanges(options) {
        await gate;
        yield* provider.connector.listChanges!(options);
      },
    };
    const running = refresh(slow);
    await new Promise((ok) => setTimeout(ok, 50));
    await h.db.kysely.deleteFrom('directory_syncs').where('connection', '=', KEY).execute();
    release();
    await expect(running).rejects.toThrow(/stopped/);
    expect(await names()).toEqual(['Ada']);
  });
});

describe('incremental refresh against the Microsoft Graph stand-in (delta query)', () => {
  const CLIENT = { tenantId: 'contoso', clientId: 'app', clientSecret: 'secret' };
  const user = (n: number, more: Record<string, unknown> = {}) => ({
    id: `u${n}`,
    givenName: `First${n}`,
    surname: `Last${n}`,
    displayName: `First${n} Last${n}`,
    mail: `u${n}@contoso.com`,
    jobTitle: 'Engineer',
    accountEnabled: true,
    ...more,
  });

  async function graph(sendOnlyChanged: boolean) {
    const fake = await startMicrosoftFake({ users: [user(1, { managerId: 'u2' }), user(2), user(3)], ...CLIENT, pageLimit: 2, sendOnlyChanged });
    const connector = createMicrosoftConnector({ baseUrl: fake.url, tokenUrl: fake.url, credentials: CLIENT }, { sleep: async () => undefined });
    const stored = () =>
      h.db.kysely
        .selectFrom('directory_contacts')
        .select(['contact_id', 'display_name', 'email', 'title', 'manager_id', 'status'])
        .where('connection', '=', KEY)
        .orderBy('contact_id')
        .execute();
    return { fake, connector, stored, close: () => fake.close() };
  }

  it('keeps what a change leaves out, removes the @removed, and stores the next delta link', async () => {
    const g = await graph(true);
    try {
      await refresh(g.connector);
      const first = (await sync()).watermark!;
      expect(first).toContain('/v1.0/users/delta?$deltatoken=');
      g.fake.changeUser('u1', { jobTitle: 'Principal Engineer' });
      g.fake.changeUser('u3', { managerId: 'u1' });
      g.fake.removeUser('u2');
      later(60);
      await refresh(g.connector);
      // Graph sent only the title and the manager: names, addresses and status stay as stored.
      expect(await g.stored()).toEqual([
        { contact_id: 'u1', display_name: 'First1 Last1', email: 'u1@contoso.com', title: 'Principal Engineer', manager_id: 'u2', status: 'active' },
        { contact_id: 'u3', display_name: 'First3 Last3', email: 'u3@contoso.com', title: 'Engineer', manager_id: 'u1', status: 'active' },
      ]);
      expect(await sync()).toMatchObject({ incremental_refreshes: 1 });
      expect((await sync()).watermark).not.toBe(first);
    } finally {
      await g.close();
    }
  });

  it('falls back to a full refresh when the delta link expired, and the admin sees a ready directory', async () => {
    const g = await graph(false);
    try {
      await refresh(g.connector);
      g.fake.expireDeltaLinks();
      g.fake.changeUser('u3', { displayName: 'Cy Renamed' });
      later(60);
      await refresh(g.connector);
      expect((await g.stored()).map((r) => r.display_name)).toEqual(['First1 Last1', 'First2 Last2', 'Cy Renamed']);
      expect(await sync()).toMatchObject({ incremental_refreshes: 0, full_synced_at: h.clock.now.toISOString() });
      expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'ready', total: 3 });
      // The full round set a new link, which the next refresh follows.
      later(60);
      await refresh(g.connector);
      expect(await sync()).toMatchObject({ incremental_refreshes: 1 });
    } finally {
      await g.close();
    }
  });
});
