/**
 * `npm start`'s server as an operator meets it: a bad configuration stops it with one line that
 * names the field, and a good one serves the providers it lists.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'hr-import-start-'));

function start(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bff/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, DATA_DIR: join(dir, 'data'), PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, stderr: run.stderr.trim() };
}

describe('starting the server', () => {
  it('stops with one line naming the field of a bad providers file', () => {
    const file = join(dir, 'providers.json');
    writeFileSync(file, JSON.stringify({ providers: [{ id: 'bamboo', type: 'bamboohr', credentials: { companyDomain: 'acme', apiKey: 'literal-secret' } }] }));
    const { status, stderr } = start({ HR_IMPORT_CONFIG: file });
    expect(status).toBe(1);
    expect(stderr.split('\n')).toEqual([
      'hr-import: invalid providers file: providers[0].credentials.apiKey: is a secret: write { "env": "VARIABLE" } and set the variable, never the value itself',
    ]);
    expect(stderr).not.toContain('literal-secret');
  });

  it('stops with one line naming a bad environment variable', () => {
    const { status, stderr } = start({ HR_IMPORT_ORIGINS: 'not a url' });
    expect(status).toBe(1);
    expect(stderr).toBe('hr-import: invalid environment: HR_IMPORT_ORIGINS must be origins like https://app.example.com');
  });
});
