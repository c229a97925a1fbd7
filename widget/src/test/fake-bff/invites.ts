/** The invites of the session target, as the BFF's invite routes list and resend them. */
import type { InviteResendResult, InviteSummary } from '../../api/types.js';
import { answer, notFound, type RecordedRequest } from './http.js';
import type { FakeState } from './state.js';

export function invites(state: FakeState, r: RecordedRequest): Response {
  if (r.method === 'GET' && r.path === '/invites') {
    const status = r.url.searchParams.get('status');
    return answer('/invites', 'get', 200, { items: state.invites.filter((i) => !status || i.status === status), nextCursor: null });
  }
  if (r.method === 'POST' && r.path === '/invites/resend') {
    return answer('/invites/resend', 'post', 200, resend(state, (r.body as { ids?: string[] } | undefined)?.ids ?? []));
  }
  return notFound(r);
}

/** Expired invites take a seat again when resent; accepted or revoked ones are not resent. */
function resend(state: FakeState, ids: readonly string[]): InviteResendResult {
  const result: InviteResendResult = { resent: [], skipped: [], seats: state.seats };
  for (const id of ids) {
    const invite = state.invites.find((i) => i.id === id);
    if (!invite) result.skipped.push({ id, reason: 'invite_not_found' });
    else if (invite.status !== 'pending' && invite.status !== 'expired') result.skipped.push({ id, reason: 'not_resendable' });
    else if (invite.status === 'expired' && state.seats.remaining <= 0) result.skipped.push({ id, reason: 'seat_limit_exceeded' });
    else {
      if (invite.status === 'expired') state.seats = { ...state.seats, used: state.seats.used + 1, remaining: state.seats.remaining - 1 };
      const resent: InviteSummary = { ...invite, status: 'pending', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() };
      state.invites = state.invites.map((i) => (i.id === id ? resent : i));
      result.resent.push(resent);
    }
  }
  return { ...result, seats: state.seats };
}
