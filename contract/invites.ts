/** The session target's invites, and the public accept endpoint the email link leads to. */
import { z } from 'zod';
import { seats, targetType, timestamp } from './common.js';
import { answer, request } from './registry.js';

export const INVITE_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export const inviteStatus = z.enum(INVITE_STATUSES);
export type InviteStatus = z.infer<typeof inviteStatus>;

export const inviteListQuery = z
  .object({
    status: inviteStatus.optional(),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const inviteParams = z.object({ id: z.string().regex(/^inv_[A-Za-z0-9_-]{10,40}$/) }).strict();

/** The email link's token: to accept the invite, or to look it up first (`POST /invites/lookup`). */
export const acceptRequest = request('AcceptRequest', z.object({ token: z.string().min(20).max(200) }).strict());

export const inviteSummary = answer(
  'InviteSummary',
  z
    .object({
      id: z.string(),
      email: z.string(),
      name: z.string().nullable(),
      role: z.string(),
      status: inviteStatus,
      delivery: z.enum(['queued', 'sending', 'sent', 'failed', 'cancelled']),
      deliveryError: z.string().nullable().describe('Why the mail could not be delivered, when `delivery` is `failed`.'),
      expiresAt: timestamp,
      createdAt: timestamp,
      importId: z.string().nullable(),
    })
    .strict(),
);
export type InviteSummary = z.infer<typeof inviteSummary>;

export const inviteList = answer(
  'InviteList',
  z.object({ items: z.array(inviteSummary), nextCursor: z.string().nullable() }).strict(),
  'One page, newest first',
);
export type InviteList = z.infer<typeof inviteList>;

export const acceptedInvite = answer(
  'AcceptedInvite',
  z
    .object({
      target: z.object({ type: targetType, id: z.string(), name: z.string() }).strict(),
      email: z.string(),
      role: z.string(),
      roleLabel: z.string().describe('The role as the target names it (`role` is its id); the id when the target no longer offers the role.'),
    })
    .strict(),
  'Now a member',
);
export type AcceptedInvite = z.infer<typeof acceptedInvite>;

/** The accept page's question before the invitee accepts (the body is an `AcceptRequest`): what the link is for. */
export const inviteLookup = answer(
  'InviteLookup',
  z
    .object({
      target: z.object({ type: targetType, name: z.string() }).strict(),
      role: z
        .object({ id: z.string(), label: z.string() })
        .strict()
        .describe('The role the invitee gets; `label` as the target names it, the id when the target no longer offers the role.'),
      inviterName: z.string().nullable().describe('Who sent the invitation; null for an invite no admin sent.'),
      status: inviteStatus,
      expiresAt: timestamp,
    })
    .strict(),
  'What the invitation is for',
);
export type InviteLookup = z.infer<typeof inviteLookup>;

/** Resend several invites at once (the expired ones, usually): each as `POST /invites/{id}/resend` would. */
export const inviteResendRequest = request('InviteResendRequest', z.object({ ids: z.array(inviteParams.shape.id).min(1).max(500) }).strict());
export type InviteResendRequest = z.infer<typeof inviteResendRequest>;

export const inviteResendResult = answer(
  'InviteResendResult',
  z
    .object({
      resent: z.array(inviteSummary),
      skipped: z
        .array(z.object({ id: z.string(), reason: z.enum(['invite_not_found', 'not_resendable', 'seat_limit_exceeded', 'mail_limit']) }).strict())
        .describe('Invites left as they were and why: unknown, accepted or revoked, no seat left, or past the mail budget or cooldown.'),
      seats,
    })
    .strict(),
);
export type InviteResendResult = z.infer<typeof inviteResendResult>;
