/** `<hr-import>` mounted and walked through its steps as an admin would, for the element's tests. */
import { fixture, html } from '@open-wc/testing';
import { waitUntil } from './wait.js';
import type { ImportRequest } from '../api/types.js';
import type { HrImport } from '../components/hr-import/hr-import.js';
import type { FakeBff } from './fake-bff/index.js';
import { TOKEN } from './fake-bff/index.js';
import { findByRole, visibleText } from './queries.js';

export function mount(token = TOKEN, extra: { timeout?: number } = {}) {
  return fixture<HrImport>(html`<hr-import session-token=${token} request-timeout=${extra.timeout ?? 20000}></hr-import>`);
}

/** The heading of the current step (the one focus moves to). */
export async function heading(el: HrImport): Promise<string> {
  await el.updateComplete;
  return visibleText(el.shadowRoot!.getElementById('heading')!);
}

export async function click(el: HrImport, role: string, name: string | RegExp) {
  (await findByRole(el, role, name)).click();
}

export async function openContacts(el: HrImport) {
  await click(el, 'button', 'Sample directory');
  await findByRole(el, 'checkbox', 'Select Ada Lovelace');
}

export async function check(el: HrImport, ...names: string[]) {
  for (const name of names) (await findByRole<HTMLInputElement>(el, 'checkbox', `Select ${name}`)).click();
}

export async function toMessage(el: HrImport) {
  await click(el, 'button', 'Next');
  await findByRole(el, 'combobox', 'Invite all selected users as');
  await click(el, 'button', 'Next');
  await findByRole(el, 'textbox', 'Subject');
}

/** The body of the last import the widget sent. */
export async function importedBody(bff: FakeBff): Promise<ImportRequest> {
  await waitUntil(() => bff.requestsTo('POST', '/imports').length > 0, 'no import request');
  return bff.requestsTo('POST', '/imports').at(-1)!.body as ImportRequest;
}
