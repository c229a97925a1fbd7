/**
 * <hr-import> mounted by React 19 under StrictMode, which mounts, unmounts and mounts effects
 * and refs again in development: the widget must still send each request once and report each
 * step once. No JSX: `createElement`, as React compiles it.
 */
import { expect } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { FakeBff, TOKEN } from '../../test/fake-bff/index.js';
import { findByRole, getByRole } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from './hr-import.js';

// As in a React app's tests: act() flushes renders and effects.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
type ReactDomClient = typeof import('react-dom/client');
// React is CommonJS; the test runner serves it bundled as ES at this URL (web-test-runner.config.mjs).
const REACT_URL = '/__react.js';
const { React, ReactDOMClient } = (await import(REACT_URL)) as { React: typeof import('react'); ReactDOMClient: ReactDomClient };
const { createRoot } = ReactDOMClient;

let bff: FakeBff;
let container: HTMLDivElement;
let root: ReturnType<ReactDomClient['createRoot']>;

beforeEach(() => {
  bff = new FakeBff().install();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  React.act(() => root.unmount());
  container.remove();
  bff.uninstall();
});

async function walkToContacts(): Promise<HrImport> {
  await waitUntil(() => container.querySelector('hr-import'), 'React did not render <hr-import>');
  const el = container.querySelector('hr-import')!;
  (await findByRole(el, 'button', 'Sample directory')).click();
  await findByRole(el, 'checkbox', /Ada Lovelace/);
  return el;
}

describe('hr-import in React 19 StrictMode', () => {
  it('with props and an on<event> prop: one request each, one step event, the token callback set as a property', async () => {
    const steps: Event[] = [];
    const tokenProvider = async () => TOKEN;
    React.act(() =>
      root.render(
        React.createElement(
          React.StrictMode,
          null,
          React.createElement('hr-import', {
            'session-token': TOKEN,
            'request-timeout': 20000,
            tokenProvider,
            'onhr-import-step': (e: Event) => steps.push(e),
          }),
        ),
      ),
    );
    const el = await walkToContacts();
    expect(el.tokenProvider).to.equal(tokenProvider);
    expect(el.sessionToken).to.equal(TOKEN);
    expect(bff.requestsTo('GET', '/session')).to.have.length(1);
    expect(bff.requestsTo('GET', '/providers')).to.have.length(1);
    expect(steps.map((e) => (e as CustomEvent).detail.step)).to.deep.equal(['contacts']);
  });

  it('with a ref and an effect that adds and removes its listener: still one of each', async () => {
    const steps: Event[] = [];
    const cancels: Event[] = [];
    function Host() {
      const ref = React.useRef<HrImport>(null);
      React.useEffect(() => {
        const el = ref.current!;
        const onStep = (e: Event) => steps.push(e);
        const onCancel = (e: Event) => cancels.push(e);
        el.addEventListener('hr-import-step', onStep);
        el.addEventListener('hr-import-cancel', onCancel);
        el.sessionToken = TOKEN;
        return () => {
          el.removeEventListener('hr-import-step', onStep);
          el.removeEventListener('hr-import-cancel', onCancel);
        };
      }, []);
      return React.createElement('hr-import', { ref });
    }
    React.act(() => root.render(React.createElement(React.StrictMode, null, React.createElement(Host))));
    const el = await walkToContacts();
    getByRole(el, 'button', 'Cancel').click();
    expect(bff.requestsTo('GET', '/session')).to.have.length(1);
    expect(bff.requestsTo('GET', '/providers')).to.have.length(1);
    expect(steps).to.have.length(1);
    expect(cancels).to.have.length(1);
  });
});
