import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contractFiles } from '../scripts/generate-contract.js';

const root = new URL('../', import.meta.url);

describe('the generated contract types', () => {
  it('are what `npm run contract` writes from the OpenAPI document now', async () => {
    const expected = await contractFiles();
    for (const [file, text] of Object.entries(expected)) {
      const committed = await readFile(new URL(file, root), 'utf8').catch(() => '(missing)');
      // One assertion per file, with the fix in its message: a diff of 3,000 lines helps nobody.
      expect(committed === text, `${file} is out of date with contract/: run npm run contract`).toBe(true);
    }
  });
});

describe('the widget', () => {
  it('imports nothing from bff/ and no zod, and from contract/ at most types: its types come from the generated contract', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(new URL('widget/src/', root), { recursive: true })).filter((f) => /\.ts$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    const offending: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(`widget/src/${file}`, root), 'utf8');
      // The widget's tests (its fake BFF) may use the contract's values; what ships may not.
      const ships = !/(^|\/)test\/|\.test\.ts$/.test(file);
      for (const m of source.matchAll(/(import\s+type\b[^'"]*?from|from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const [, how, spec] = m as unknown as [string, string, string];
        const contractValue = ships && /(^|\/)contract\//.test(spec) && !how.startsWith('import type');
        if (/(^|\/)bff\//.test(spec) || /^zod(\/|$)/.test(spec) || contractValue) offending.push(`${file}: ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});

describe('the invitation text the widget and the BFF share', () => {
  it('imports nothing, so the BFF can import it from widget/src/model/message.ts', async () => {
    const source = await readFile(new URL('widget/src/model/message.ts', root), 'utf8');
    expect([...source.matchAll(/(?:^|\s)(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/gm)].map((m) => m[1])).toEqual([]);
    expect(source).not.toMatch(/\b(document|window|HTMLElement|customElements)\b/);
  });
});
