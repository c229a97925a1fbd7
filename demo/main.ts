// The demo host page: what an organization, lab or challenge admin's "Manage members" screen
// looks like with <hr-import> embedded. It gets session tokens from the demo server's
// /demo/session route, standing in for the host backend's call to POST /api/sessions.
import '../widget/src/index.js';
import type { Seats } from '../widget/src/api/types.js';
import { PAGE_TEXTS, isPageLocale, type PageLocale } from './page-texts.js';

interface DemoTarget {
  type: 'organization' | 'lab' | 'challenge';
  id: string;
  name: string;
  seats: Seats;
}
interface Person {
  email: string;
  name: string | null;
  role: string;
  status?: string;
}

let locale: PageLocale = 'en';
const t = () => PAGE_TEXTS[locale];
const $ = <T extends Element>(sel: string) => document.querySelector<T>(sel)!;
let targets: DemoTarget[] = [];
let current: DemoTarget | undefined;

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text; // names come from HR systems: text, never HTML
  return td;
}

async function showPeople() {
  if (!current) return;
  const data = await json<{ name: string; seats: DemoTarget['seats']; members: Person[]; invites: Person[] }>(
    `/demo/targets/${current.type}/${encodeURIComponent(current.id)}/people`,
  );
  $('#target-name').textContent = `${t()[current.type]}: ${data.name}`;
  $('#target-seats').textContent = t().seats.replace(/\{(\w+)\}/g, (_, k: 'used' | 'limit' | 'remaining') => String(data.seats[k]));
  const rows = [
    ...data.invites.filter((i) => i.status === 'pending').map((i) => ({ ...i, member: false, label: t().invited })),
    ...data.members.map((m) => ({ ...m, member: true, label: t().member })),
  ].map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.status = p.member ? 'member' : 'pending';
    tr.append(cell(p.name ?? ''), cell(p.email), cell(p.role), cell(p.label));
    return tr;
  });
  $('#people').replaceChildren(...rows);
}

function renderChoices() {
  const box = $('#target-choices');
  box.replaceChildren(
    ...targets.map((t) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'target';
      input.value = `${t.type}/${t.id}`;
      input.checked = t === current;
      input.addEventListener('change', () => {
        current = t;
        void showPeople();
      });
      label.append(input, ` ${PAGE_TEXTS[locale][t.type]}: ${t.name}`);
      return label;
    }),
  );
}

/** What the host backend does: a session for the current target (POST /api/sessions behind it). */
async function newSessionToken(target: DemoTarget): Promise<string> {
  const { token } = await json<{ token: string }>('/demo/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ target: { type: target.type, id: target.id } }),
  });
  return token;
}

async function openImport() {
  const target = current;
  if (!target) return;
  const token = await newSessionToken(target);
  // A fresh element per opening: a new session, a clean selection.
  const el = document.createElement('hr-import');
  el.setAttribute('session-token', token);
  // Sessions last 15 minutes: the widget asks for a new token before that.
  el.tokenProvider = () => newSessionToken(target);
  el.setAttribute('api-base', '/api');
  $('#import-slot').replaceChildren(el);
  $<HTMLDialogElement>('#import-dialog').showModal();
}

function closeImport() {
  $<HTMLDialogElement>('#import-dialog').close();
  $('#import-slot').replaceChildren();
}

document.addEventListener('hr-import-complete', () => void showPeople());
document.addEventListener('hr-import-cancel', closeImport);
document.addEventListener('hr-import-done', closeImport);
// The × and Escape are Cancel: the widget asks before a selection is thrown away, then sends
// hr-import-cancel (which closes the dialog above).
const cancelImport = () => $('#import-slot').querySelector('hr-import')?.requestCancel() ?? closeImport();
$('#close-import').addEventListener('click', cancelImport);
$<HTMLDialogElement>('#import-dialog').addEventListener('cancel', (e) => {
  e.preventDefault();
  cancelImport();
});
/** The page in its reader's language; the widget speaks the page's (<html lang>) and follows a change of it. */
function speak(tag: string) {
  locale = isPageLocale(tag) ? tag : 'en';
  document.documentElement.lang = locale;
  document.title = t().title;
  for (const el of document.querySelectorAll<HTMLElement>('[data-text]')) el.textContent = t()[el.dataset.text as keyof ReturnType<typeof t>];
  for (const el of document.querySelectorAll<HTMLElement>('[data-aria]')) el.setAttribute('aria-label', t()[el.dataset.aria as keyof ReturnType<typeof t>]);
  renderChoices();
  void showPeople();
}
$<HTMLSelectElement>('#page-lang').addEventListener('change', (e) => speak((e.target as HTMLSelectElement).value));
$('#open-import').addEventListener('click', () => void openImport());
$<HTMLDialogElement>('#import-dialog').addEventListener('close', () => void showPeople());

targets = (await json<{ items: DemoTarget[] }>('/demo/targets')).items;
const wanted = new URLSearchParams(location.search).get('target');
current = targets.find((t) => `${t.type}/${t.id}` === wanted) ?? targets[0];
renderChoices();
// Disabled in the HTML until a target is known: a click before would open nothing.
$<HTMLButtonElement>('#open-import').disabled = !current;
await showPeople();
