/**
 * The invite mail's HTML part: the compiled template (invite-template.ts) with its slots filled.
 * The outbox stores a mail's slots, not its HTML, and the worker fills them in when it sends: the
 * template is 10 kB of the same markup in every mail, and a 10,000-person import wrote it 10,000
 * times (100 MB, most of the import's time in the database).
 */
import { INVITE_TEMPLATE, type INVITE_TEMPLATE_SLOTS } from './invite-template.js';

/** Each slot's value, already escaped for HTML (services/message.ts). */
export type InviteSlots = Record<(typeof INVITE_TEMPLATE_SLOTS)[number], string>;

/** The template cut once at its slots: text and slot names alternating (split() with a capture group). */
const TEMPLATE_PARTS = INVITE_TEMPLATE.split(/\{\{(\w+)\}\}/);

/**
 * The HTML of a mail. A slot's value is never searched for slots again. A slot the stored mail
 * lacks (one the template gained after the mail was queued) is left empty.
 */
export function inviteHtml(slots: Partial<Record<string, string>>): string {
  return TEMPLATE_PARTS.map((part, i) => (i % 2 === 0 ? part : (slots[part] ?? ''))).join('');
}
