/**
 * The refresh of a directory that came from a CSV upload. The scene: test/upload-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAPPING, STAFF, uploadScene } from '../../test/upload-scene.js';
import type { RefreshStatus } from '../../contract/index.js';

const s = uploadScene();
const { upload, call, confirm, contacts, csvState } = s;

describe('refresh of an uploaded directory', () => {
  /** The refresh line's view of the directory, as the widget polls it. */
  const refreshState = async () => (await call('GET', '/api/providers/csv/refresh')).json as RefreshStatus;

  it('keeps the file as the directory when Refresh is pressed, and on Retry: no error, no 429, the contacts stay', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    // Two minutes on: past the minute that throttles forced provider refreshes.
    s.h.clock.now = new Date(s.h.clock.now.getTime() + 2 * 60_000);
    const confirmed = await refreshState();
    expect(confirmed).toMatchObject({ status: 'ready', stale: false, fetched: 6, total: 6 });

    // The widget's Refresh: POST with force. It used to start a refresh whose "connector" only
    // said "No CSV file has been uploaded", leaving status error and a Retry that never cleared.
    const forced = await call('POST', '/api/providers/csv/refresh', { force: true });
    expect(forced.status).toBe(200);
    expect(forced.json).toEqual(confirmed);
    await new Promise((ok) => setTimeout(ok, 50));
    expect(await refreshState()).toEqual(confirmed);
    // Retry (forced again, inside the minute that throttles provider refreshes) is no 429 either.
    expect((await call('POST', '/api/providers/csv/refresh', { force: true })).json).toEqual(confirmed);
    expect((await call('POST', '/api/providers/csv/refresh')).json).toEqual(confirmed);
    expect((await contacts()).total).toBe(5);
    expect(await csvState()).toBe('ready');
  });

  it('heals a directory an earlier refresh left in error: the file stays and the status says ready', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    // What the bug left behind in databases that ran it.
    await s.h.db.kysely
      .updateTable('directory_syncs')
      .set({
        status: 'error',
        error_code: 'csv_not_uploaded',
        error_message: 'No CSV file has been uploaded to CSV file for your organization yet: upload one in the provider picker.',
      })
      .execute();
    expect(await refreshState()).toMatchObject({ status: 'ready', stale: false, fetched: 6 });
    expect((await call('POST', '/api/providers/csv/refresh', { force: true })).json).toMatchObject({ status: 'ready' });
    const sync = await s.h.db.kysely.selectFrom('directory_syncs').selectAll().executeTakeFirstOrThrow();
    expect([sync.status, sync.error_code]).toEqual(['ready', null]);
    expect((await contacts()).total).toBe(5);
  });

  it('says there is nothing to refresh before a file is confirmed', async () => {
    expect(await call('POST', '/api/providers/csv/refresh', { force: true })).toMatchObject({ status: 409, json: { error: { code: 'csv_not_uploaded' } } });
    expect((await call('GET', '/api/providers/csv/refresh')).json.error.code).toBe('csv_not_uploaded');
    expect(await s.h.db.kysely.selectFrom('directory_syncs').selectAll().execute()).toEqual([]);
  });
});
