/**
 * CSV uploads given bad input: each refused with a 4xx and its code, nothing written. The scene:
 * test/upload-scene.ts.
 */
import { describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAPPING, STAFF, uploadScene } from '../../test/upload-scene.js';

const s = uploadScene();
const { upload, call, preview, confirm, contacts, snapshot } = s;

describe('bad input', () => {
  it('refuses every bad file with a 4xx JSON error and writes nothing', async () => {
    const cases: [string | Uint8Array, number, string, string?][] = [
      ['', 400, 'csv_empty'],
      ['\ufeff\r\n\r\n', 400, 'csv_empty'],
      [',,\nada@x.test,,', 400, 'csv_no_header'],
      ['email,name\n', 400, 'csv_no_rows'],
      ['email,name\n"ada@x.test,Ada\n', 400, 'csv_unterminated_quote'],
      ['PK\u0003\u0004\u0000\u0000binary', 400, 'csv_not_text'],
      ['email\n' + 'a@x.test\n'.repeat(100_001), 413, 'payload_too_large'],
      ['{"email":"ada@x.test"}', 415, 'unsupported_media_type', 'application/json'],
      ['email\nada@x.test', 415, 'unsupported_media_type', 'image/png'],
    ];
    const before = await snapshot();
    for (const [body, status, code, type] of cases) {
      const res = await upload(body, s.acme, type);
      expect([res.status, res.json.error.code], String(body).slice(0, 30)).toEqual([status, code]);
      expect(res.json.error.message.length).toBeGreaterThan(0);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a header of a million commas fast, before padding 2,000 rows to its width', async () => {
    // About 1 MB: once, every row became a million empty cells and the process died at 4.3 GB.
    const body = ','.repeat(1_000_000) + '\n' + 'a@x.test\n'.repeat(2_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const res = await upload(body);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
    expect(res.json.error.details).toEqual({ limit: 'columns', max: 200 });
    expect(res.json.error.message).toMatch(/200 columns/);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(await s.h.db.kysely.selectFrom('csv_uploads').selectAll().execute()).toEqual([]);
  });

  it('refuses a 200 KB file that would expand to millions of cells without stalling other requests or storing anything', async () => {
    // 10,000 columns by 2,000 rows: 20 million padded cells, once a 60 MB value and a 5 s stall.
    const body = 'email' + ',x'.repeat(9_999) + '\n' + 'a@x.test,\n'.repeat(2_000);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      const started = performance.now();
      const res = await s.h.request('GET', '/api/health');
      return { status: res.status, ms: performance.now() - started };
    })();
    const res = await upload(body);
    const answered = await health;
    delay.disable();
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeLessThan(500);
    expect(delay.max / 1e6).toBeLessThan(500);
    expect(await s.h.db.kysely.selectFrom('csv_uploads').selectAll().execute()).toEqual([]);
  });

  it("names each bound a file breaks: columns in any row, a cell's length, rows, padded cells", async () => {
    const cases: [string, { limit: string; max: number }][] = [
      ['email\n' + 'a@x.test,'.repeat(200) + '\n', { limit: 'columns', max: 200 }],
      ['email,name\na@x.test,' + 'n'.repeat(10_001) + '\n', { limit: 'cellLength', max: 10_000 }],
      ['email,name\na@x.test,"' + 'n'.repeat(10_001) + '"\n', { limit: 'cellLength', max: 10_000 }],
      ['email\n' + 'a@x.test\n'.repeat(100_001), { limit: 'rows', max: 100_000 }],
      ['email' + ',c'.repeat(199) + '\n' + 'a@x.test\n'.repeat(10_001), { limit: 'cells', max: 2_000_000 }],
    ];
    for (const [body, limit] of cases) {
      const res = await upload(body);
      expect([res.status, res.json.error.code, res.json.error.details], body.slice(0, 20)).toEqual([413, 'payload_too_large', limit]);
    }
    // At the bounds, a file is read.
    expect((await upload('email' + ',c'.repeat(199) + '\n' + 'a@x.test,' + 'n'.repeat(10_000) + '\n')).status).toBe(201);
    expect(await s.h.db.kysely.selectFrom('csv_uploads').select('row_count').execute()).toEqual([{ row_count: 1 }]);
  });

  it('refuses a file over 10 MB with 413', async () => {
    const res = await upload('email\n' + 'x'.repeat(10 * 1024 * 1024 + 10));
    expect([res.status, res.json.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('refuses an upload for a provider that takes none, and a missing session', async () => {
    expect((await upload(STAFF, s.acme, 'text/csv', 'sample')).json.error.code).toBe('not_a_csv_provider');
    expect((await upload(STAFF, s.acme, 'text/csv', 'nowhere')).status).toBe(404);
    expect((await upload(STAFF, '')).status).toBe(401);
    expect((await call('PUT', '/api/providers/csv/connection', { credentials: {} })).json.error.code).toBe('csv_provider');
  });

  it('refuses bad mappings and unknown, expired or foreign uploads, leaving the directory as it was', async () => {
    const { json: up } = await upload(STAFF);
    await confirm(up.id, MAPPING);
    const { json: next } = await upload('email\nnew@acme.test\n');
    const before = await snapshot();
    const refusals: [Promise<{ status: number; json: any }>, number, string][] = [
      [confirm(next.id, { firstName: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'Work E-mail' }), 400, 'unknown_column'],
      [confirm(next.id, { email: 'email', nickname: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'email', title: 42 }), 400, 'invalid_request'],
      [preview(next.id, { email: 'email', department: 'Dept' }), 400, 'unknown_column'],
      [call('POST', `/api/providers/csv/uploads/${next.id}/confirm`, { mapping: { email: 'email' }, extra: 1 }), 400, 'invalid_request'],
      [confirm('up_' + 'x'.repeat(24), { email: 'email' }), 404, 'upload_not_found'],
      [confirm('../../etc', { email: 'email' }), 404, 'not_found'],
      [confirm('nope', { email: 'email' }), 400, 'invalid_request'],
      [confirm(next.id, { email: 'email' }, await s.h.session({ type: 'organization', id: 'globex' })), 404, 'upload_not_found'],
      [call('POST', `/api/providers/sample/uploads/${next.id}/confirm`, { mapping: { email: 'email' } }), 409, 'not_a_csv_provider'],
    ];
    for (const [pending, status, code] of refusals) {
      const res = await pending;
      expect([res.status, res.json.error?.code]).toEqual([status, code]);
    }
    const raw = await s.h.request('POST', `/api/providers/csv/uploads/${next.id}/confirm`, {
      token: s.acme,
      headers: { 'Content-Type': 'text/csv' },
      rawBody: 'email',
    });
    expect(raw.status).toBe(415);
    // An hour later the upload is gone (the session is a new one: the first has expired too).
    s.h.clock.now = new Date(s.h.clock.now.getTime() + 3_600_000);
    s.acme = await s.h.session({ type: 'organization', id: 'acme' });
    expect((await confirm(next.id, { email: 'email' })).json.error.code).toBe('upload_not_found');
    expect(await snapshot()).toEqual(before);
    expect((await contacts()).total).toBe(5);
  });
});
