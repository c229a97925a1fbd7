/**
 * Reading a whole directory several pages at a time, against the offset-paged providers'
 * stand-ins (each answering with a round-trip latency so requests overlap): never more requests
 * in flight than allowed, more than one when allowed, every person exactly once, and throttling
 * that pauses every worker and still ends with everyone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, readAhead } from './paging.js';
import { createPersonioConnector } from './personio.js';
import { createUnifiedConnector } from './unified.js';
import { createWorkdayConnector } from './workday.js';
import type { Connector, DirectoryContact } from './types.js';
import { startPersonioServer, type PersonioEmployee } from '../../test/fakes/personio-server.js';
import { startUnifiedFake } from '../../test/fakes/unified-server.js';
import { startWorkdayServer } from '../../test/fakes/workday-server.js';
import type { Failure } from '../../test/fakes/loopback.js';
import { closeFakes, setupConnector, signal, track } from '../../test/connector-kit.js';

afterEach(closeFakes);

const PERSONIO = { clientId: 'personio-client', clientSecret: 'personio-secret' };
const WORKDAY = { tenant: 'acme_impl', clientId: 'wd-client', clientSecret: 'wd-secret', refreshToken: 'wd-refresh' };
const UNIFIED = { apiKey: 'unified-key', connectionId: 'conn_1' };

const personio = (n: number): PersonioEmployee[] =>
  Array.from({ length: n }, (_, i) => ({ id: 1000 + i, first_name: `P${i}`, last_name: 'Example', email: `p${i}@acme.test`, status: 'active' }));
const workers = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `w${i}`, descriptor: `Worker ${i}`, primaryWorkEmail: `w${i}@acme.test` }));
const unified = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `emp_${i}`, name: `Person ${i}`, emails: [{ email: `e${i}@acme.test`, type: 'WORK' }] }));

async function readAll(connector: Connector, concurrency: number) {
  const contacts: DirectoryContact[] = [];
  const totals: (number | null | undefined)[] = [];
  for await (const page of allPages(connector, { signal: signal(), concurrency })) {
    contacts.push(...page.contacts);
    totals.push(page.total);
  }
  return { contacts, totals };
}

/** The offsets a fake was asked for, each once, in ascending order. */
const offsetsAsked = (requests: { path: string; query: URLSearchParams }[], path: RegExp) =>
  requests
    .filter((r) => path.test(r.path))
    .map((r) => Number(r.query.get('offset')))
    .sort((a, b) => a - b);

const hundreds = (n: number) => Array.from({ length: n }, (_, i) => i * 100);

describe('reading a directory several pages at a time', () => {
  it('Personio: plans the pages from total_elements, at most `concurrency` in flight, everyone once', async () => {
    const { fake, connector } = await setupConnector(startPersonioServer, createPersonioConnector, { employees: personio(1_050) }, PERSONIO);
    fake.latencyMs = 15;
    const { contacts, totals } = await readAll(connector, 3);
    expect(contacts.map((c) => c.id).sort()).toEqual(
      personio(1_050)
        .map((e) => String(e.id))
        .sort(),
    );
    expect(new Set(totals)).toEqual(new Set([1_050]));
    expect(offsetsAsked(fake.requests, /employees$/)).toEqual(hundreds(11));
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('Workday: plans the pages from the collection total', async () => {
    const { fake, connector } = await setupConnector(startWorkdayServer, createWorkdayConnector, { workers: workers(730) }, WORKDAY);
    fake.latencyMs = 15;
    const { contacts } = await readAll(connector, 4);
    expect(contacts).toHaveLength(730);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(730);
    expect(offsetsAsked(fake.requests, /\/workers$/)).toEqual(hundreds(8));
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('Unified.to: without a total, asks ahead until a short page and keeps nothing past it', async () => {
    const { fake, connector } = await setupConnector(startUnifiedFake, createUnifiedConnector, { employees: unified(1_030), ...UNIFIED }, UNIFIED);
    fake.latencyMs = 15;
    const { contacts } = await readAll(connector, 4);
    expect(contacts.map((c) => c.id).sort()).toEqual(
      unified(1_030)
        .map((e) => e.id)
        .sort(),
    );
    const asked = offsetsAsked(fake.requests, /employee$/);
    // Pages 1..11 are the directory; at most three more were asked speculatively past its end.
    expect(asked.slice(0, 11)).toEqual(hundreds(11));
    expect(asked.length).toBeLessThanOrEqual(11 + 3);
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('reads one page after another with a concurrency of 1', async () => {
    const { fake, connector } = await setupConnector(startUnifiedFake, createUnifiedConnector, { employees: unified(450), ...UNIFIED }, UNIFIED);
    fake.latencyMs = 5;
    const { contacts } = await readAll(connector, 1);
    expect(contacts).toHaveLength(450);
    expect(fake.maxInFlight).toBe(1);
    expect(offsetsAsked(fake.requests, /employee$/)).toEqual(hundreds(5));
  });

  it('still lists everyone when throttled mid-way, waiting the second Personio asks for', async () => {
    const failures: (Failure | null)[] = [null, null, null, 'throttle', null, 'throttle'];
    const { fake, connector, slept } = await setupConnector(startPersonioServer, createPersonioConnector, { employees: personio(1_200), failures }, PERSONIO);
    fake.latencyMs = 10;
    const { contacts } = await readAll(connector, 4);
    expect(contacts.map((c) => c.id).sort()).toEqual(
      personio(1_200)
        .map((e) => String(e.id))
        .sort(),
    );
    expect(slept.length).toBeGreaterThanOrEqual(1);
    expect(slept.every((ms) => ms === 1000)).toBe(true);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('pauses every worker while one of them waits out a 429', async () => {
    const fake = track(await startPersonioServer({ employees: personio(1_000), failures: [null, 'throttle'] }));
    // Page 2 answers last, so the worker waiting on it is free to ask for more during the pause.
    fake.latencyMs = (req) => (req.query.get('offset') === '100' ? 120 : 10);
    let pausedAt = Infinity;
    const started: number[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      started.push(performance.now());
      return fetch(input, init);
    };
    let release!: () => void;
    const paused = new Promise<void>((ok) => {
      release = ok;
    });
    const sleep = (ms: number) => {
      expect(ms).toBe(1000);
      pausedAt = performance.now();
      return new Promise<void>((wake) => setTimeout(wake, 300)).then(() => release());
    };
    const reading = readAll(createPersonioConnector({ baseUrl: fake.url, credentials: PERSONIO, fetch: countingFetch }, { sleep }), 3);
    await paused;
    const duringPause = started.filter((t) => t >= pausedAt);
    expect(duringPause).toEqual([]);
    const { contacts } = await reading;
    expect(contacts).toHaveLength(1_000);
    expect(started.filter((t) => t >= pausedAt).length).toBeGreaterThan(0);
  });
});

describe('reading ahead of the database writes', () => {
  /** A source that records when each item was asked for, answering each after a tick. */
  function counted(items: number, failAt?: number) {
    const asked: number[] = [];
    async function* source() {
      for (let i = 0; i < items; i++) {
        asked.push(i);
        await new Promise((ok) => setTimeout(ok, 1));
        if (i === failAt) throw new Error(`item ${i} failed`);
        yield i;
      }
    }
    return { asked, source: source() };
  }

  it('has the next items asked for while the reader is still busy with one, in order', async () => {
    const { asked, source } = counted(6);
    const seen: number[] = [];
    for await (const item of readAhead(source, 2)) {
      seen.push(item);
      if (item === 0) {
        await new Promise((ok) => setTimeout(ok, 30));
        // Items 1 and 2 were fetched while item 0 was being written.
        expect(asked).toEqual([0, 1, 2]);
      }
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never asks the source for more than `most` items', async () => {
    const { asked, source } = counted(100);
    const seen: number[] = [];
    for await (const item of readAhead(source, 2, 5)) seen.push(item);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(asked).toEqual([0, 1, 2, 3, 4]);
  });

  it('passes on a failure in its place, after the items before it', async () => {
    const { source } = counted(10, 3);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(source, 2)) seen.push(item);
      })(),
    ).rejects.toThrow('item 3 failed');
    expect(seen).toEqual([0, 1, 2]);
  });
});
