import type { Contact } from '../api/types.js';

export const PLACEHOLDERS = ['firstName', 'targetName', 'inviterName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

export const DEFAULT_SUBJECT = 'Join {{targetName}}';
export const DEFAULT_BODY = 'Hi {{firstName}},\n\n{{inviterName}} has invited you to join {{targetName}}.\n\nFollow the link in this email to accept.';

const PLACEHOLDER = /\{\{\s*(firstName|targetName|inviterName)\s*\}\}/g;

/** The text with known placeholders replaced; the result is text, to be rendered as text. */
export function fillPlaceholders(text: string, values: Readonly<Record<Placeholder, string>>): string {
  return text.replace(PLACEHOLDER, (_match, name: Placeholder) => values[name]);
}

export function firstNameOf(contact: Contact): string {
  return contact.firstName?.trim() || contact.displayName.trim().split(/\s+/)[0] || contact.displayName;
}
