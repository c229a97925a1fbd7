/**
 * The directory refresh on a real database (SQLite in memory, or PostgreSQL with TEST_PG_URL):
 * pages are staged as they arrive and swapped in at the end, so a reader mid-refresh sees the old
 * directory whole; a person listed twice keeps their last record; a failed refresh leaves the old
 * directory and no staged rows; progress is reported while it runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.js';
import { directoryPerson } from '../../../test/directory.js';
import { ProviderError, type Connector, type DirectoryContact, type DirectoryPage } from '../../connectors/types.js';
import { listContacts } from './queries.js';
import { refreshDirectory, refreshStatus, startRefresh } from './refresh.js';
import { stagingKey, storedContact, toRow } from './rows.js';
import { getTarget } from '../targets.js';

const KEY = 'acme-hr:*';
let h: Harness;

beforeEach(async () => {
  h = await createHarness();
  await h.target('organization', 'acme', 100);
});
afterEach(() => h.close());

const person = (id: string, name: string, email: string | null = `${id}@acme.test`) => directoryPerson(id, { displayName: name, email });

/**
 * A connector whose pages are released by the test one at a time, so the database can be read
 * between two pages; `fail` makes a page's request end in the provider's error instead.
 */
function steppedConnector(pages: DirectoryContact[][], total: number | null) {
  const gates = pages.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((ok) => (resolve = ok));
    return { promise, resolve };
  });
  const asked: number[] = [];
  let fail: ProviderError | null = null;
  const connector: Connector = {
    async listContacts({ cursor }) {
      const n = cursor ? Number(cursor) : 0;
      asked.push(n);
      await gates[n]!.promise;
      if (fail) throw fail;
      const page: DirectoryPage = { contacts: pages[n]!, nextCursor: n + 1 < pages.length ? String(n + 1) : null, total };
      return page;
    },
  };
  return {
    connector,
    asked,
    release: (n: number) => gates[n]!.resolve(),
    failWith: (err: ProviderError) => {
      fail = err;
    },
  };
}

const source = (connector: Connector) => ({ cacheKey: KEY, connector: () => connector });
const names = async () => {
  const target = await getTarget(h.db.kysely, { type: 'organization', id: 'acme' });
  const page = await listContacts(h.db.kysely, target, KEY, { limit: 100 }, h.clock.now);
  return page.items.map((c) => c.displayName);
};
const staged = async () => (await h.db.kysely.selectFrom('directory_contacts').select('contact_id').where('connection', '=', stagingKey(KEY)).execute()).length;
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((ok) => setTimeout(ok, 10));
};

async function fill(contacts: DirectoryContact[]) {
  await refreshDirectory(h.db.kysely, source({ listContacts: async () => ({ contacts, nextCursor: null, total: contacts.length }) }), () => h.clock.now);
}

describe('refreshing the directory cache', () => {
  it('serves the old directory whole until the new one is swapped in, reporting progress meanwhile', async () => {
    await fill([person('old1', 'Olga Old'), person('old2', 'Otto Old')]);
    const provider = steppedConnector([[person('n1', 'Nina New'), person('n2', 'Noah New')], [person('n3', 'Nora New')]], 3);
    const running = refreshDirectory(h.db.kysely, source(provider.connector), () => h.clock.now);

    provider.release(0);
    await until(async () => (await staged()) === 2 && (await refreshStatus(h.db.kysely, KEY, h.clock.now)).fetched === 2);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'syncing', fetched: 2, total: 3 });
    expect(await staged()).toBe(2);
    expect(await names()).toEqual(['Olga Old', 'Otto Old']);

    provider.release(1);
    await running;
    expect(await names()).toEqual(['Nina New', 'Noah New', 'Nora New']);
    expect(await staged()).toBe(0);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({
      status: 'ready',
      fetched: 3,
      total: 3,
      syncedAt: h.clock.now.toISOString(),
      stale: false,
    });
  });

  it('keeps the last record of a person listed twice, within a page and across pages', async () => {
    const provider = steppedConnector(
      [
        [person('a', 'Ada First'), person('b', 'Bob'), person('a', 'Ada Second')],
        [person('c', 'Cy'), person('a', 'Ada Last', 'ada.last@acme.test')],
      ],
      null,
    );
    provider.release(0);
    provider.release(1);
    await refreshDirectory(h.db.kysely, source(provider.connector), () => h.clock.now);
    expect(await names()).toEqual(['Ada Last', 'Bob', 'Cy']);
    const ada = await h.db.kysely
      .selectFrom('directory_contacts')
      .select(['email', 'email_normalized'])
      .where('connection', '=', KEY)
      .where('contact_id', '=', 'a')
      .executeTakeFirstOrThrow();
    expect(ada).toEqual({ email: 'ada.last@acme.test', email_normalized: 'ada.last@acme.test' });
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'ready', fetched: 3, total: 3 });
  });

  it('stores every field as the provider sent it, whatever characters it holds', async () => {
    // PostgreSQL receives each batch as one array a column: quotes, braces, commas, backslashes,
    // the word NULL and empty strings must come back as they went in, and absent values as null.
    const odd = directoryPerson('o"d{d},\\1', {
      firstName: 'NULL',
      lastName: '',
      displayName: 'Ö\'Brien "Ann", {x} \\ y\tz',
      email: 'ann,{o}@acme.test',
      title: '"quoted"',
      department: 'R&D\\Ops',
      location: null,
      managerId: 'm\\1',
    });
    await fill([odd, person('plain', 'Plain Person')]);
    const rows = await h.db.kysely.selectFrom('directory_contacts').selectAll().where('connection', '=', KEY).orderBy('contact_id').execute();
    expect(rows.map(storedContact)).toEqual([odd, person('plain', 'Plain Person')]);
    expect(rows[0]).toMatchObject(toRow(KEY, odd));
  });

  it("stores a provider's control characters as spaces, which PostgreSQL could not store otherwise", async () => {
    await fill([directoryPerson('c1', { displayName: 'Nil\u0000Null', title: 'Ops\u0007\u0008Lead', department: 'R\u001fD', location: 'Oslo\tNorth' })]);
    const row = await h.db.kysely.selectFrom('directory_contacts').selectAll().where('connection', '=', KEY).executeTakeFirstOrThrow();
    expect([row.display_name, row.title, row.department, row.location]).toEqual(['Nil Null', 'Ops Lead', 'R D', 'Oslo\tNorth']);
  });

  it('leaves the old directory and no staged rows when the provider fails mid-way, and says why', async () => {
    await fill([person('old1', 'Olga Old')]);
    const provider = steppedConnector([[person('n1', 'Nina New')], [person('n2', 'Noah New')]], 2);
    const running = refreshDirectory(h.db.kysely, source(provider.connector), () => h.clock.now);
    provider.release(0);
    await until(async () => (await staged()) === 1);
    provider.failWith(new ProviderError('rate_limited', 'Acme HR: it keeps throttling us; try again later (page 2). It said: Too Many Requests'));
    provider.release(1);
    await expect(running).rejects.toThrow(/throttling/);
    expect(await names()).toEqual(['Olga Old']);
    expect(await staged()).toBe(0);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({
      status: 'error',
      error: { code: 'provider_rate_limited', message: expect.stringContaining('Too Many Requests') },
    });
  });

  it("records a provider's failure whose message holds a NUL", async () => {
    const provider = steppedConnector([[person('n1', 'Nina New')]], 1);
    provider.failWith(new ProviderError('unavailable', 'Acme HR is down. It said: \u0000Service\u0000Unavailable'));
    const running = refreshDirectory(h.db.kysely, source(provider.connector), () => h.clock.now);
    provider.release(0);
    await expect(running).rejects.toThrow(/down/);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({
      status: 'error',
      error: { message: expect.stringContaining(' Service Unavailable') },
    });
  });

  it('starts in the background and shares one refresh between callers', async () => {
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toEqual({ status: 'idle', fetched: 0, total: null, syncedAt: null, stale: true });
    const provider = steppedConnector([[person('n1', 'Nina New')]], 1);
    await startRefresh(h.db.kysely, source(provider.connector), () => h.clock.now);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'syncing', fetched: 0 });
    await startRefresh(h.db.kysely, source(provider.connector), () => h.clock.now);
    const waiting = refreshDirectory(h.db.kysely, source(provider.connector), () => h.clock.now);
    provider.release(0);
    await waiting;
    expect(provider.asked).toEqual([0]);
    expect(await names()).toEqual(['Nina New']);
  });

  it('starts none for a caller who saw a refresh running that has ended since, and one where none ever ran', async () => {
    const provider = steppedConnector([[person('n1', 'Nina New')]], 1);
    provider.release(0);
    await startRefresh(h.db.kysely, source(provider.connector), () => h.clock.now, undefined, true);
    await until(async () => (await refreshStatus(h.db.kysely, KEY, h.clock.now)).status === 'ready');
    expect(provider.asked).toEqual([0]);
    // Seen syncing by a tenant's request, ended before its join: that request costs no provider call.
    await startRefresh(h.db.kysely, source(provider.connector), () => h.clock.now, undefined, true);
    expect(await refreshStatus(h.db.kysely, KEY, h.clock.now)).toMatchObject({ status: 'ready', fetched: 1 });
    expect(provider.asked).toEqual([0]);
    // Without joinOnly it is a new refresh, as a forced one is.
    await startRefresh(h.db.kysely, source(provider.connector), () => h.clock.now);
    await until(async () => (await refreshStatus(h.db.kysely, KEY, h.clock.now)).status === 'ready');
    expect(provider.asked).toEqual([0, 0]);
  });

  it('calls a directory stale once it is older than the cache lifetime', async () => {
    await fill([person('a', 'Ada')]);
    expect((await refreshStatus(h.db.kysely, KEY, h.clock.now, 3600)).stale).toBe(false);
    const later = new Date(h.clock.now.getTime() + 3600_000);
    expect(await refreshStatus(h.db.kysely, KEY, later, 3600)).toMatchObject({ status: 'ready', stale: true });
  });
});
