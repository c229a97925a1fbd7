import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS build script, typed by use
import { TEMPLATE_FILE, mailTemplateModule } from '../../scripts/build-mail-template.mjs';

describe('the invite mail template', () => {
  it('is what `npm run mail-template` compiles from bff/mail/invite.mjml now', async () => {
    const committed = await readFile(new URL(`../../${TEMPLATE_FILE}`, import.meta.url), 'utf8');
    expect(committed === (await mailTemplateModule()), `${TEMPLATE_FILE} is out of date with bff/mail/invite.mjml: run npm run mail-template`).toBe(true);
  });

  it('loads nothing from elsewhere: no remote images, fonts or styles', async () => {
    const { INVITE_TEMPLATE } = await import('./invite-template.js');
    expect(INVITE_TEMPLATE).not.toMatch(/<img\b|<link\b|@import|url\(/i);
    // Its only addresses are the accept link's.
    expect([...INVITE_TEMPLATE.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1])).toEqual(['{{acceptUrl}}', '{{acceptUrl}}']);
  });
});
