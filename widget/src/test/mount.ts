import { ContextProvider } from '@lit/context';
import { fixture, html } from '@open-wc/testing';
import { ApiClient } from '../api/client.js';
import { apiContext } from '../api/context.js';
import { TOKEN } from './fake-bff/index.js';

/**
 * Mounts a part of the widget on its own, inside an element that provides the API client the
 * way `<hr-import>` does.
 */
export async function mountWithApi<T extends HTMLElement>(tag: string, setup: (el: T) => void = () => {}): Promise<T> {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  new ContextProvider(host, { context: apiContext, initialValue: new ApiClient({ base: '/api', token: TOKEN }) });
  const el = document.createElement(tag) as T;
  setup(el);
  host.append(el);
  return el;
}
