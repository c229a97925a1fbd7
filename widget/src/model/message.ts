/**
 * The invitation's own text, one set of rules for the widget (composer, preview, the import it
 * sends) and the BFF (services/message.ts renders the mail; services/invites.ts writes the default
 * for an invite no import wrote): the default subject and message, the placeholders and their
 * pattern, the first-name fallback. The BFF imports this file, so it imports nothing and names no
 * DOM type (contract/generated.test.ts checks). The widget shows the default translated:
 * hr-import.ts's msg() holds the same English, and its test checks the two agree.
 */

/** The placeholders the composer offers. */
export const PLACEHOLDERS = ['firstName', 'targetName', 'inviterName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** The accept link: the mail fills it in too, but only the BFF knows it, so the composer does not offer it. */
export type MailPlaceholder = Placeholder | 'acceptUrl';

export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

export const DEFAULT_SUBJECT = 'Join {{targetName}}';
export const DEFAULT_BODY = 'Hi {{firstName}},\n\n{{inviterName}} has invited you to join {{targetName}}.\n\nFollow the link in this email to accept.';

/** `{{ name }}` of a known placeholder, the name captured (so `split` alternates text and names). */
export const PLACEHOLDER_PATTERN = /\{\{\s*(firstName|targetName|inviterName|acceptUrl)\s*\}\}/g;

/** The text with the placeholders given values for replaced, any other left as written; the result is text, to be rendered as text. */
export function fillPlaceholders(text: string, values: Readonly<Partial<Record<MailPlaceholder, string>>>): string {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name: MailPlaceholder) => values[name] ?? whole);
}

/** What `{{firstName}}` says: the first name, else the first word of the display name. */
export function firstNameOf(firstName: string | null | undefined, displayName: string | null | undefined): string {
  return (firstName?.trim() || displayName?.trim().split(/\s+/)[0]) ?? '';
}
