/**
 * The invite mail, rendered per recipient: an HTML part from the MJML template (mail/invite.mjml,
 * compiled at build time) and a plain-text part with the same content. The inviter's subject and
 * message are their words, with placeholders filled; the frame around them (sentence, button,
 * expiry, footer) is in the invite's language (invite-texts.ts). Every value is escaped before it
 * meets HTML, so a name like `<script>` from an HR system stays text.
 */
import type { InviteLocale, TargetType } from '../../contract/index.js';
import { inviteHtml, type InviteSlots } from '../mail/invite-html.js';
import { INVITE_TEXTS, fillText, formatMoment } from '../invite-texts.js';
import { PLACEHOLDER_PATTERN, fillPlaceholders, type MailPlaceholder } from '../../widget/src/model/message.js';
import type { OutboxPayload } from '../db/outbox.js';

/** The values the inviter's subject and message may name as `{{firstName}}` and so on. */
export type MessageValues = Record<MailPlaceholder, string>;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** A mail as the outbox keeps it: the HTML part as its template's slots (mail/invite-html.ts). */
export interface RenderedMail {
  subject: string;
  text: string;
  slots: InviteSlots;
}

export interface InviteMail {
  /** A reminder says so in its subject and expiry line; an invite and a resend do not. */
  kind: 'invite' | 'reminder';
  locale: InviteLocale;
  /** The inviter's subject and message, placeholders and all. */
  subject: string;
  body: string;
  values: MessageValues;
  /** Who the sentence and footer say invited them; null for an invite no admin's import sent. */
  inviterName: string | null;
  targetType: TargetType;
  /** The role as the target names it. */
  roleLabel: string;
  /** The invitee's address, which the footer names. */
  email: string;
  expiresAt: string;
}

/** The inviter's message as HTML: their text escaped, its line breaks kept, `{{acceptUrl}}` a link. */
function messageHtml(body: string, values: MessageValues): string {
  return body
    .split(PLACEHOLDER_PATTERN)
    .map((part, i) => {
      // split() with a capture group alternates text and placeholder names.
      if (i % 2 === 0) return escapeHtml(part);
      const key = part as keyof MessageValues;
      const value = escapeHtml(values[key]);
      return key === 'acceptUrl' ? `<a href="${value}">${value}</a>` : value;
    })
    .join('')
    .replace(/\r?\n/g, '<br>\n');
}

export function renderInvite(mail: InviteMail): RenderedMessage {
  const { subject, text, slots } = renderInviteMail(mail);
  return { subject, text, html: inviteHtml(slots) };
}

/**
 * An invite mail as the outbox queues it: who it goes to and what it is made of, rendered by the
 * worker when it sends (mail/outbox.ts). Rendering it here made a 10,000-person import write
 * 2 kB a mail and spend a third of its time on text the worker could make later from 500 bytes.
 * The address the footer names is the one it goes to, so it is stored once.
 */
export function queuedInvite(recipient: { to: string; toName: string | null; replyTo?: string | undefined }, mail: Omit<InviteMail, 'email'>): OutboxPayload {
  return { to: recipient.to, toName: recipient.toName, ...(recipient.replyTo ? { replyTo: recipient.replyTo } : {}), mail };
}

/** The mail of `renderInvite` with its HTML part left as the template's slots. */
export function renderInviteMail(mail: InviteMail): RenderedMail {
  const t = INVITE_TEXTS[mail.locale];
  const { values } = mail;
  const inviter = mail.inviterName;
  const heading = fillText((inviter === null ? t.invitedNoInviter : t.invited)[mail.targetType], {
    inviter: inviter ?? '',
    target: values.targetName,
    role: mail.roleLabel,
  });
  const expiry = fillText(mail.kind === 'reminder' ? t.reminderExpires : t.expires, { date: formatMoment(mail.locale, mail.expiresAt, 'UTC') });
  const footer = fillText(inviter === null ? t.footerNoInviter : t.footer, { inviter: inviter ?? '', email: mail.email, target: values.targetName });
  // A subject is one header line: line breaks from a template would be refused by the transport.
  const ownSubject = fillPlaceholders(mail.subject, values).replace(/[\r\n]+/g, ' ');
  const subject = mail.kind === 'reminder' ? fillText(t.reminderSubject, { subject: ownSubject }) : ownSubject;
  const message = fillPlaceholders(mail.body, values);

  const slots: InviteSlots = {
    lang: mail.locale,
    title: escapeHtml(subject),
    heading: escapeHtml(heading),
    message: messageHtml(mail.body, values),
    button: escapeHtml(t.button),
    acceptUrl: escapeHtml(values.acceptUrl),
    expiry: escapeHtml(expiry),
    linkHint: escapeHtml(t.linkHint),
    footer: escapeHtml(footer),
  };
  const text = [heading, message, `${t.button}: ${values.acceptUrl}`, expiry, `--\n${footer}`].join('\n\n');
  return { subject, text, slots };
}
