/** `POST /imports`, as the BFF's import decides: who is invited, who is skipped and why, and the seat limit. */
import type { Contact, ImportRequest, ImportResult, SkipReason } from '../../api/types.js';
import { canInvite, matches } from './contacts.js';
import { answer, errorResponse } from './http.js';
import type { FakeState } from './state.js';

export function importContacts(state: FakeState, body: ImportRequest): Response {
  const skipped: ImportResult['skipped'] = [];
  const invite: Contact[] = [];
  const skip = (contactId: string, email: string | null, reason: SkipReason) => skipped.push({ contactId, email, reason });
  if ('ids' in body.selection) {
    const seen = new Set<string>();
    for (const id of body.selection.ids) {
      const c = state.contacts.find((x) => x.id === id);
      if (!c) skip(id, null, 'not_found');
      else if (seen.has(id)) skip(id, c.email, 'duplicate');
      else if (c.membership === 'member') skip(id, c.email, 'already_member');
      else if (c.membership === 'invited') skip(id, c.email, 'already_invited');
      else if (!c.email) skip(id, null, 'no_email');
      else invite.push(c);
      seen.add(id);
    }
  } else {
    const except = new Set(body.selection.except ?? []);
    const found = matches(state, body.selection.search ?? null, body.selection.filters ?? {});
    const taken = new Set<string>();
    for (let k = 0; k < found.size; k++) {
      const c = found.at(k);
      if (canInvite(c) && !except.has(c.id)) {
        invite.push(c);
        taken.add(c.id);
      }
    }
    // The ones ticked besides the rule, skipped like ids when they cannot be invited.
    for (const id of body.selection.include ?? []) {
      const c = state.contacts.find((x) => x.id === id);
      if (!c) skip(id, null, 'not_found');
      else if (taken.has(id)) continue;
      else if (!canInvite(c)) skip(id, c.email, c.membership === 'member' ? 'already_member' : c.membership === 'invited' ? 'already_invited' : 'no_email');
      else {
        invite.push(c);
        taken.add(id);
      }
    }
  }
  if (invite.length > state.seats.remaining) {
    return errorResponse(409, 'seat_limit_exceeded', 'The plan has not enough seats left.', { seats: state.seats });
  }
  for (const c of invite) c.membership = 'invited';
  state.seats = { ...state.seats, used: state.seats.used + invite.length, remaining: state.seats.remaining - invite.length };
  state.importCount += 1;
  const roleOf = (c: Contact) => body.roles?.[c.id] ?? body.role;
  const invites = invite.slice(0, 500).map((c) => ({ contactId: c.id, name: c.displayName, email: c.email!, role: roleOf(c) }));
  const roles = state.roles.map(({ id }) => ({ role: id, count: invite.filter((c) => roleOf(c) === id).length })).filter((r) => r.count > 0);
  return answer('/imports', 'post', 201, { id: `imp_${state.importCount}`, invited: invite.length, invites, roles, skipped, seats: state.seats });
}
