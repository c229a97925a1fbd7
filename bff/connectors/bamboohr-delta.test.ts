/**
 * The BambooHR connector's incremental refresh (changed employees), against a stand-in for
 * BambooHR. The full listing: bamboohr.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBambooHRConnector } from './bamboohr.js';
import { ADA, ALAN, GRACE, KATE, setupBambooHR as setup } from '../../test/fakes/bamboohr-connector.js';
import { closeFakes, expectProviderError as failure, listChangesAll } from '../../test/connector-kit.js';

afterEach(closeFakes);

describe('BambooHR connector: incremental refresh (changed employees)', () => {
  const since = '2026-11-24T11:00:00.000Z';
  const before = '2026-11-01T09:00:00+00:00';
  const changed = '2026-11-24T11:30:00+00:00';
  const LIN = {
    id: '5',
    firstName: 'Lin',
    lastName: 'Wei',
    displayName: 'Lin Wei',
    workEmail: 'lin@acme.test',
    status: 'Active',
    lastChanged: '2026-11-24T11:45:00+00:00',
    inserted: true,
  } as const;

  it('asks who changed since the watermark, reads only them through one filtered report, and names the deleted', async () => {
    const employees = [{ ...ADA, lastChanged: before }, { ...GRACE, jobTitle: 'Staff Engineer', lastChanged: changed }, { ...ALAN, lastChanged: before }, LIN];
    const { fake, connector } = await setup({ employees, directoryFields: undefined, deleted: [{ id: 9, lastChanged: changed }] });
    const changes = await listChangesAll(connector, since);
    expect(changes.contacts.map((c) => [c.id, c.title ?? c.email])).toEqual([
      ['2', 'Staff Engineer'],
      ['5', 'lin@acme.test'],
    ]);
    expect(changes.deleted).toEqual(['9']);
    // BambooHR's `latest`: the newest change it listed, by its own clock.
    expect(changes.watermark).toBe('2026-11-24T11:45:00+00:00');
    const [list, directory, report] = fake.requests;
    // The reference's form, without fractions of a second.
    expect(list).toMatchObject({ method: 'GET', path: '/api/v1/employees/changed' });
    expect(list!.query.get('since')).toBe('2026-11-24T11:00:00Z');
    expect(directory).toMatchObject({ path: '/api/v1/employees/directory' });
    expect(JSON.parse(report!.body).filters).toEqual({ lastChanged: { includeNull: 'no', value: '2026-11-24T11:00:00Z' } });
    expect(fake.requests).toHaveLength(3);
  });

  it('asks nothing more when nobody changed, and starts there again next time', async () => {
    const { fake, connector } = await setup({ employees: [{ ...ADA, lastChanged: before }] });
    expect(await listChangesAll(connector, since)).toEqual({ contacts: [], deleted: [], watermark: since, pages: 1 });
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps to the directory when the company shares it: a changed person no longer there is gone, as a full refresh would find', async () => {
    const employees = [
      { ...ADA, lastChanged: changed },
      { ...GRACE, lastChanged: before },
      { ...ALAN, lastChanged: changed },
      { ...KATE, lastChanged: changed },
    ];
    const { fake, connector } = await setup({ employees });
    const changes = await listChangesAll(connector, since);
    expect(changes.contacts.map((c) => c.id)).toEqual(['1']);
    // Alan turned inactive and Kate is hidden: neither is in the directory.
    expect(changes.deleted.sort()).toEqual(['3', '4']);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/employees/changed', '/api/v1/employees/directory']);
  });

  it('refuses a stored watermark that is not a time, before asking BambooHR', async () => {
    const { fake, connector } = await setup();
    expect(await failure(listChangesAll(connector, 'https://acme.bamboohr.com/'))).toMatchObject({ kind: 'bad_response' });
    expect(fake.requests).toHaveLength(0);
  });

  it('has a stand-in as strict as the reference: since required, in one of its five forms', async () => {
    const { fake } = await setup();
    const ask = async (query: string) =>
      (
        await fetch(`${fake.url}/api/v1/employees/changed${query}`, {
          headers: { Authorization: `Basic ${Buffer.from('bamboo-key:x').toString('base64')}`, Accept: 'application/json' },
        })
      ).status;
    expect(await ask('')).toBe(400);
    expect(await ask('?since=2026-11-24')).toBe(400);
    expect(await ask('?since=2026-11-24T11:00:00.000Z')).toBe(400);
    expect(await ask('?since=2026-11-24T11:00:00Z&type=moved')).toBe(400);
    for (const form of ['2026-11-24T11:00:00Z', '2026-11-24T11:00:00%2B01:00', '2026-11-24T11:00:00-0700']) expect(await ask(`?since=${form}`)).toBe(200);
  });

  it("replays BambooHR's own sample answer: the deleted by id, the others read, `latest` as the next watermark", async () => {
    const sample = readFileSync(new URL('../../test/fixtures/providers/bamboohr/get-changed-employee-ids-sample.json', import.meta.url), 'utf8');
    const asked: { url: string; body: string }[] = [];
    const connector = createBambooHRConnector({
      baseUrl: 'https://acme.bamboohr.com',
      credentials: { companyDomain: 'acme', apiKey: 'bamboo-key' },
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        asked.push({ url, body: String(init?.body ?? '') });
        if (url.includes('/employees/changed')) return new Response(sample, { status: 200, headers: { 'Content-Type': 'application/json' } });
        if (url.endsWith('/employees/directory')) return new Response('', { status: 403 });
        // The report's answer is not published: people 3, 4 and 10 as the stand-in would write them.
        return Response.json({
          title: 'hr-import contacts',
          fields: [],
          employees: [
            { id: 3, firstName: 'Ann', workEmail: 'ann@acme.test' },
            { id: 4, firstName: 'Bo' },
            { id: 10, firstName: 'Cy' },
          ],
        });
      },
    });
    const changes = await listChangesAll(connector, '2011-05-01T00:00:00Z');
    expect(changes.deleted).toEqual(['5']);
    expect(changes.contacts.map((c) => [c.id, c.firstName])).toEqual([
      ['3', 'Ann'],
      ['4', 'Bo'],
      ['10', 'Cy'],
    ]);
    expect(changes.watermark).toBe('2011-06-02T19:26:23+00:00');
    expect(asked[0]!.url).toBe('https://acme.bamboohr.com/api/v1/employees/changed?since=2011-05-01T00%3A00%3A00Z');
    // The next `since` carries an offset: its `+` goes as %2B, as the reference asks.
    await listChangesAll(connector, changes.watermark!);
    expect(asked.at(-3)!.url).toBe('https://acme.bamboohr.com/api/v1/employees/changed?since=2011-06-02T19%3A26%3A23Z');
  });
});
