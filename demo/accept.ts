// The page an invitee lands on from the email: it turns the link's token into a membership.
import type { AcceptedInvite, ErrorBody } from '../widget/src/api/types.js';

const token = new URLSearchParams(location.search).get('token');
const button = document.querySelector<HTMLButtonElement>('#accept')!;
const result = document.querySelector<HTMLParagraphElement>('#accept-result')!;

if (!token) {
  button.disabled = true;
  result.textContent = 'This link has no invitation token. Open the link from your email again.';
}

button.addEventListener('click', async () => {
  button.disabled = true;
  const res = await fetch('/api/invites/accept', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  const body = (await res.json()) as AcceptedInvite | ErrorBody;
  // textContent, never innerHTML: the target's name comes from the host's data.
  result.textContent = 'error' in body ? body.error.message : `Welcome! You joined ${body.target.name} as ${body.role}.`;
  if (!res.ok) button.disabled = false;
});
