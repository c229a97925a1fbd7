import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS build script, typed by use
import { LOGOS_FILE, providerLogosModule } from '../scripts/build-provider-logos.mjs';

describe('the provider logos', () => {
  it('are what `npm run provider-logos` takes from simple-icons now, with its version and licence', async () => {
    const committed = await readFile(new URL(`../${LOGOS_FILE}`, import.meta.url), 'utf8');
    expect(committed === (await providerLogosModule()), `${LOGOS_FILE} is out of date with simple-icons: run npm run provider-logos`).toBe(true);
    expect(committed).toMatch(/simple-icons 16\.\d+\.\d+ \(CC0-1\.0/);
  });

  it('have a logo for the providers simple-icons has, and only SVG path data', async () => {
    const { LOGOS } = await import('../widget/src/components/provider-picker/logos.generated.js');
    expect(Object.keys(LOGOS).sort()).toEqual(['google', 'hibob', 'okta', 'personio']);
    for (const logo of Object.values(LOGOS)) {
      expect(logo.hex).toMatch(/^[0-9A-F]{6}$/);
      expect(logo.path).toMatch(/^[MmLlHhVvCcSsQqTtAaZz0-9.,\s-]+$/);
    }
  });
});
