/** The BFF's operations for imports, invites and their accept page: part of the one table bff/openapi.ts documents. */
import {
  acceptedInvite,
  inviteLookup,
  acceptRequest,
  importRequest,
  importResult,
  inviteList,
  inviteListQuery,
  inviteParams,
  inviteSummary,
  inviteResendRequest,
  inviteResendResult,
  eventList,
  eventListQuery,
  privacyErasure,
  privacyExport,
  privacyRequest,
} from '../../contract/index.js';
import { error, ok, providerErrors, type Operation } from './answers.js';

/** Imports, invites, events and privacy requests. */
export const INVITE_OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/imports',
    operationId: 'createImport',
    summary: 'Import contacts: invite them, within the user limit, once per Idempotency-Key',
    auth: 'session',
    idempotent: true,
    body: importRequest,
    responses: {
      '201': ok(importResult, 'Imported'),
      ...providerErrors,
      '400': error('Bad input (`invalid_request` with `details.fields`) or `provider_not_found`'),
      '409': error('`seat_limit_exceeded` (nothing written), `idempotency_key_in_flight` (Retry-After), `provider_not_connected` or `connection_unreadable`', [
        'Retry-After',
      ]),
      '422': error('`idempotency_key_reused`: the key was used with another body'),
      '429': error(
        '`rate_limited`, or `mail_limit`: more invitations than the daily mail budget of the target or the inviter leaves (nothing written; the key stays free for a retry)',
        ['Retry-After'],
      ),
    },
  },
  {
    method: 'get',
    path: '/invites',
    operationId: 'listInvites',
    summary: "The target's invites, newest first",
    auth: 'session',
    query: inviteListQuery,
    responses: { '200': ok(inviteList) },
  },
  {
    method: 'post',
    path: '/invites/{id}/resend',
    operationId: 'resendInvite',
    summary: 'Send the invite again with a new token and expiry',
    auth: 'session',
    params: inviteParams,
    responses: {
      '200': ok(inviteSummary, 'Resent'),
      '403': error('`forbidden_target`'),
      '404': error('`invite_not_found`'),
      '409': error('Not pending, or `seat_limit_exceeded`'),
      '429': error(
        "`rate_limited`, or `mail_limit`: within the resend cooldown, past the address's daily limit, or past the daily mail budget of the target or the inviter",
        ['Retry-After'],
      ),
    },
  },
  {
    method: 'post',
    path: '/invites/resend',
    operationId: 'resendInvites',
    summary: 'Resend several invites (pending or expired) with new tokens and expiry; each within the seats and the mail budget',
    auth: 'session',
    body: inviteResendRequest,
    responses: { '200': ok(inviteResendResult) },
  },
  {
    method: 'delete',
    path: '/invites/{id}',
    operationId: 'revokeInvite',
    summary: 'Revoke an invite: its seat is freed and unsent mail cancelled',
    auth: 'session',
    params: inviteParams,
    responses: { '204': { description: 'Revoked' }, '403': error('`forbidden_target`'), '404': error('`invite_not_found`') },
  },
  {
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary:
      'Events (import completed, invite created by a sync rule, sent, delivery failed, accepted, reminded, expired, revoked; sync run completed, member left HR, member role changed) in the order they committed: the same ones webhooks deliver',
    auth: 'apiKey',
    query: eventListQuery,
    responses: { '200': ok(eventList), '400': error('`invalid_cursor`: `after` is not an event id this server listed; or `invalid_request`') },
  },
  {
    method: 'post',
    path: '/privacy/erase',
    operationId: 'erasePerson',
    summary:
      "Erase a person (GDPR art. 17): directory caches, CSV uploads, invites' and memberships' personal fields, unsent mail, events. Idempotent; audited without the address",
    auth: 'apiKey',
    body: privacyRequest,
    responses: { '200': ok(privacyErasure) },
  },
  {
    method: 'post',
    path: '/privacy/export',
    operationId: 'exportPerson',
    summary: 'Everything held about a person (GDPR art. 15), as JSON. Audited without the address',
    auth: 'apiKey',
    body: privacyRequest,
    responses: { '200': ok(privacyExport) },
  },
];

/** The invite accept page's calls (the email's token, no session). */
export const ACCEPT_OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/invites/lookup',
    operationId: 'lookUpInvite',
    summary:
      "What the email's invitation is for (target, role, inviter, status, expiry), without accepting it: the accept page asks before showing Accept. POST keeps the token out of access logs; rate limited with `/invites/accept`",
    body: acceptRequest,
    responses: {
      '200': ok(inviteLookup),
      '404': error('Unknown token (or one a newer email replaced)'),
    },
  },
  {
    method: 'post',
    path: '/invites/accept',
    operationId: 'acceptInvite',
    summary: "Accept an invite with the email's token",
    body: acceptRequest,
    responses: {
      '200': ok(acceptedInvite),
      '404': error('Unknown token'),
      '409': error('`seat_limit_exceeded`: the host lowered the limit below the seats taken'),
      '410': error('Already accepted, revoked or expired'),
    },
  },
];
