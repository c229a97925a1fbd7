/**
 * The page an invitee lands on from the email. It first asks what the invitation is for (target,
 * role, inviter, state) and shows Accept only for one that can still be accepted; accepting turns
 * the link's token into a membership. In the reader's language: a `lang` query parameter, else the
 * browser's languages, else English.
 */
import type { AcceptedInvite, ErrorBody, InviteLookup } from '../widget/src/api/types.js';
import { INVITE_TEXTS, fillText, formatMoment, matchInviteLocale } from '../bff/invite-texts.js';

const params = new URLSearchParams(location.search);
const token = params.get('token');
const locale = matchInviteLocale([params.get('lang'), ...navigator.languages, navigator.language]);
const t = INVITE_TEXTS[locale];

const title = document.querySelector<HTMLHeadingElement>('#accept-title')!;
const intro = document.querySelector<HTMLParagraphElement>('#accept-intro')!;
const expiry = document.querySelector<HTMLParagraphElement>('#accept-expiry')!;
const button = document.querySelector<HTMLButtonElement>('#accept')!;
const result = document.querySelector<HTMLParagraphElement>('#accept-result')!;

document.documentElement.lang = locale;
document.title = t.pageTitle;
title.textContent = t.pageTitle;
button.textContent = t.button;

/** The page's API: the BFF that serves it, under /api. */
async function post<T>(path: string): Promise<{ ok: true; body: T } | { ok: false; code: string }> {
  try {
    const res = await fetch(`/api/invites/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
    const body = (await res.json()) as T | ErrorBody;
    return res.ok ? { ok: true, body: body as T } : { ok: false, code: (body as ErrorBody).error?.code ?? 'failed' };
  } catch {
    return { ok: false, code: 'failed' };
  }
}

/** A link that cannot be accepted (any more): its state in words, and no Accept button. */
function showState(code: string, target = '') {
  button.hidden = true;
  expiry.hidden = true;
  // An invite's status, or the code of the API's refusal (410 invite_expired and so on).
  const states: Record<string, string> = {
    accepted: t.alreadyAccepted,
    expired: t.expired,
    revoked: t.revoked,
    not_found: t.notFound,
    no_token: t.noToken,
    seat_limit_exceeded: fillText(t.seatLimit, { target }),
  };
  // textContent, never innerHTML: names come from the host's data and from HR systems.
  result.textContent = states[code.replace(/^invite_/, '')] ?? t.failed;
}

async function lookUp() {
  if (!token) return showState('no_token');
  intro.textContent = t.looking;
  const found = await post<InviteLookup>('lookup');
  if (!found.ok) {
    intro.textContent = '';
    return showState(found.code);
  }
  const invite = found.body;
  const sentence = invite.inviterName === null ? t.invitedNoInviter : t.invited;
  intro.textContent = fillText(sentence[invite.target.type], { inviter: invite.inviterName ?? '', target: invite.target.name, role: invite.role.label });
  if (invite.status !== 'pending') return showState(invite.status);
  expiry.textContent = fillText(t.expires, { date: formatMoment(locale, invite.expiresAt) });
  expiry.hidden = false;
  button.hidden = false;
  button.addEventListener('click', () => void accept(invite));
}

async function accept(invite: InviteLookup) {
  button.disabled = true;
  const accepted = await post<AcceptedInvite>('accept');
  if (!accepted.ok) {
    showState(accepted.code, invite.target.name);
    // Worth another try: the network, a rate limit, a seat the admin may free.
    if (accepted.code === 'failed' || accepted.code === 'rate_limited' || accepted.code === 'seat_limit_exceeded') {
      button.hidden = false;
      button.disabled = false;
    }
    return;
  }
  button.hidden = true;
  expiry.hidden = true;
  result.textContent = fillText(t.accepted, { target: accepted.body.target.name, role: accepted.body.roleLabel });
}

void lookUp();
