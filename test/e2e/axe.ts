/** axe-core in a Playwright page, for the end-to-end tests. */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * axe-core's violations on the page as it stands, by rule and element: the whole document, or
 * the first element `selector` names (open shadow roots included, as axe reads them).
 */
export async function axeViolations(page: Page, selector?: string): Promise<string[]> {
  await page.addScriptTag({ path: resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js') });
  return page.evaluate(async (selector) => {
    const axe = (
      window as unknown as { axe: { run(context: Node, options: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }
    ).axe;
    const context = selector ? document.querySelector(selector) : document;
    if (!context) throw new Error(`nothing matches ${selector}`);
    const { violations } = await axe.run(context, { resultTypes: ['violations'] });
    return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, selector);
}
