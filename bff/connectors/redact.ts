/**
 * Provider text made safe to pass on. A provider's error body is shown to the widget, logged and
 * kept in `directory_syncs.error_message`; one that echoes the request (its Authorization header,
 * a query's api_key) would otherwise hand a deployment's key to every tenant. Whatever looks like
 * a credential is replaced, and so is every value we know to be one (the connection's own).
 */
import { plainText } from '../text.js';

const REDACTED = '[redacted]';

/** Names whose value is a secret, in `name=value`, `name: value` and `"name": "value"` forms. */
const SECRET_NAMES = String.raw`(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|id[_-]?token|api[_-]?key|apikey|x-api-key|api[_-]?token|auth[_-]?token|authorization|private[_-]?key|cookie|set-cookie|signature)`;

const PATTERNS: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // PEM blocks (a service account's private key).
  [/-----BEGIN [A-Z ]+-----[\s\S]*?(?:-----END [A-Z ]+-----|$)/g, REDACTED],
  // Authorization schemes with their credentials.
  // Case-sensitive as sent, so prose ("the token expired") is left alone.
  [/\b(Bearer|bearer|BEARER|Basic|Digest|Negotiate)\s+[A-Za-z0-9._~+/=:-]{6,}/g, (_m, scheme: string) => `${scheme} ${REDACTED}`],
  // JSON Web Tokens, signed or not.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g, REDACTED],
  // "password": "…", password=…, api_key: …
  [
    new RegExp(String.raw`("?\b${SECRET_NAMES}"?\s*[:=]\s*)(?!\[redacted\])("(?:[^"\\]|\\.)*"|'[^']*'|[^\s&,;"'}\]]+)`, 'gi'),
    (_m, name: string) => `${name}${REDACTED}`,
  ],
  // Email addresses: a provider's error often quotes the record it refused, and this text is
  // stored and shown to every tenant of the connection (docs/security.md "Personal data").
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[address]'],
  // Long runs of hex, base64 or base64url with letters and digits mixed: keys, not words.
  [/[A-Za-z0-9+/_-]{24,}={0,2}/g, (run) => (/\d/.test(run) && /[A-Za-z]/.test(run) ? REDACTED : run)],
];

/** `text` with credentials and the given secret values replaced by `[redacted]`, and plain (no NUL, bff/text.ts). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = plainText(text);
  // Longest first, so a secret containing another is replaced whole. Short values (an account
  // or connection name among the credentials) are identifiers in the message, not secrets.
  for (const secret of [...secrets].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
    // The same value as Basic auth or a JSON string would carry it.
    const encoded = [Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
    for (const form of encoded) if (form.length >= 8 && form !== secret) out = out.split(form).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as never);
  return out;
}
