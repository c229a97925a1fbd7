import { expect } from '@open-wc/testing';

declare global {
  interface Window {
    axe?: typeof import('axe-core');
  }
}

let loading: Promise<void> | undefined;

/** axe-core ships as UMD, not ESM, so it is loaded the way a page would load it. */
function loadAxe(): Promise<void> {
  if (window.axe) return Promise.resolve();
  loading ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  });
  return loading;
}

export async function expectAccessible(el: Element): Promise<void> {
  await loadAxe();
  // No CSSOM preload: it re-parses every adopted stylesheet of every shadow root, and with the
  // widget's light-dark() colors that alone outran the 10 s test timeout on a loaded machine.
  // It serves only css-orientation-lock, which no rule of the widget could trigger.
  const result = await window.axe!.run(el, { resultTypes: ['violations'], preload: false });
  const report = result.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' > ')}: ${n.failureSummary}`).join('\n    ')}`)
    .join('\n');
  expect(result.violations.length, `axe violations:\n${report}`).to.equal(0);
}
