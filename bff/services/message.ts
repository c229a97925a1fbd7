/**
 * The inviter's message, rendered per recipient. Placeholders are substituted into plain text,
 * and into HTML only after escaping, so a name like `<script>` from an HR system stays text.
 */
export interface MessageValues {
  firstName: string;
  targetName: string;
  inviterName: string;
  acceptUrl: string;
}

const PLACEHOLDER = /\{\{\s*(firstName|targetName|inviterName|acceptUrl)\s*\}\}/g;

export function renderText(template: string, values: MessageValues): string {
  return template.replace(PLACEHOLDER, (_, key: keyof MessageValues) => values[key]);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export function renderInvite(subject: string, body: string, values: MessageValues): RenderedMessage {
  // The accept link is the point of the email: add it when the inviter's text leaves it out.
  const withLink = /\{\{\s*acceptUrl\s*\}\}/.test(body) ? body : `${body}\n\nAccept the invitation: {{acceptUrl}}`;
  const text = renderText(withLink, values);
  const html = withLink
    .split(PLACEHOLDER)
    .map((part, i) => {
      // split() with a capture group alternates text and placeholder names.
      if (i % 2 === 0) return escapeHtml(part);
      const key = part as keyof MessageValues;
      const value = escapeHtml(values[key]);
      return key === 'acceptUrl' ? `<a href="${value}">${value}</a>` : value;
    })
    .join('')
    .replace(/\r?\n/g, '<br>\n');
  return { subject: renderText(subject, values).replace(/[\r\n]+/g, ' '), text, html: `<!doctype html><html><body style="font-family:system-ui,sans-serif">${html}</body></html>` };
}

/** When an invitation expires, as a reminder says it: in UTC, since the invitee's time zone is unknown. */
export function expiryText(expiresAt: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(expiresAt))} UTC`;
}

/**
 * A reminder: the inviter's own message again (their words, their language), a subject that says
 * it is a reminder, and one line with the expiry. The invite records no language of its own, so
 * those two additions are English; the accept link is the new one the reminder carries.
 */
export function renderReminder(subject: string, body: string, values: MessageValues, expiresAt: string): RenderedMessage {
  return renderInvite(`Reminder: ${subject}`, `${body}\n\nThis invitation expires on ${expiryText(expiresAt)}.`, values);
}
