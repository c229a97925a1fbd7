/**
 * What the tests of `<hr-contact-list>` share (contact-list.test.ts, contact-list.big.test.ts): a
 * fake BFF for each test, the list mounted on its own with the API client `<hr-import>` gives
 * it, and the ways a person finds and scrolls its rows.
 */
import { waitUntil } from './wait.js';
import type { ProviderInfo } from '../api/types.js';
import { FakeBff } from './fake-bff/index.js';
import { mountWithApi } from './mount.js';
import { findByRole, getByRole, queryAllByRole, visibleText } from './queries.js';
import type { HrContactList } from '../components/contact-list/contact-list.js';

export const PROVIDER: ProviderInfo = { id: 'sample', type: 'sample', name: 'Sample directory', connection: 'ready' };

let bff: FakeBff;

/** Registers the hooks of a test file: a fake BFF installed for each test and handed to `use`. */
export function onContactList(use: (bff: FakeBff) => void): void {
  beforeEach(() => {
    bff = new FakeBff().install();
    use(bff);
  });
  afterEach(() => {
    bff.uninstall();
  });
}

export async function mount(remaining = 40) {
  const list = await mountWithApi<HrContactList>('hr-contact-list', (el) => {
    el.provider = PROVIDER;
    el.remaining = remaining;
  });
  await findByRole(list, 'checkbox', 'Select Ada Lovelace');
  return list;
}

/** The polite live region whose text matches. */
export function statusWith(list: HrContactList, text: RegExp): HTMLElement {
  const found = queryAllByRole(list, 'status').filter((el) => text.test(visibleText(el)));
  if (found.length !== 1) throw new Error(`${found.length} status regions read ${String(text)}`);
  return found[0]!;
}

export async function findStatus(list: HrContactList, text: RegExp): Promise<HTMLElement> {
  await waitUntil(() => queryAllByRole(list, 'status').some((el) => text.test(visibleText(el))), `no status reads ${String(text)}`);
  return statusWith(list, text);
}

export const box = (list: HrContactList, name: string) => getByRole<HTMLInputElement>(list, 'checkbox', name);
export const rowOf = (el: Element) => el.closest<HTMLElement>('[role="row"]')!;
export const rowText = (list: HrContactList, name: string) => visibleText(rowOf(box(list, `Select ${name}`)));
export const contactBoxes = (list: HrContactList) => queryAllByRole(list, 'checkbox', /^Select (?!All$)/) as HTMLInputElement[];

export const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** Scrolls the list the way a person does, and waits for the rows of the new position. */
export async function scrollListTo(grid: HTMLElement, top: number): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    grid.scrollTop = top;
    await frame();
    await frame();
    await frame();
    if (Math.abs(grid.scrollTop - Math.min(top, grid.scrollHeight - grid.clientHeight)) < 2) return;
  }
  throw new Error(`the list did not stay scrolled to ${top}`);
}

export function lastContactsQuery(): URLSearchParams {
  return bff.contactRequests().at(-1)!.url.searchParams;
}
