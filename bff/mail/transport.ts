/**
 * Where invite mail goes: an SMTP server (SMTP_URL) or, the embedded default, RFC 5322 `.eml`
 * files in DATA_DIR/outbox that a developer can open in any mail client. Both build the message
 * with nodemailer, so headers are encoded (and header injection refused) in one place.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type SendMailOptions } from 'nodemailer';
import { ensurePrivateDirAsync } from '../private-files.js';

export interface MailMessage {
  /** `<id@domain>`, stable per outbox row, so a resend after a crash is recognizable. */
  messageId: string;
  from: string;
  to: string;
  toName: string | null;
  replyTo?: string | undefined;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

/**
 * A failed send, reduced to what the outbox worker decides on: the SMTP reply code (550 is
 * permanent, 451 is "try later"), the SMTP command it answered, and nodemailer's error code.
 * The message holds the server's reply, which can name the recipient; the worker redacts it.
 */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly responseCode: number | undefined,
    readonly command: string | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

function toMailOptions(m: MailMessage): SendMailOptions {
  return {
    messageId: m.messageId,
    from: m.from,
    // Nodemailer quotes and encodes the display name, so a name from an HR system cannot
    // add headers or recipients.
    to: m.toName ? { name: m.toName, address: m.to } : m.to,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    subject: m.subject,
    text: m.text,
    html: m.html,
  };
}

/** The longest one SMTP send may take, connect to final reply; the worker's lease must exceed it. */
export const SMTP_SEND_TIMEOUT_MS = 60_000;

export function smtpTransport(smtpUrl: string, options: { sendTimeoutMs?: number } = {}): MailTransport {
  const sendTimeoutMs = options.sendTimeoutMs ?? SMTP_SEND_TIMEOUT_MS;
  // Nodemailer's defaults wait minutes (2 min to connect, 10 min of silence); a dead server
  // should fail a send in seconds so the row is retried with backoff instead.
  const transporter = createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      try {
        // The per-command timeouts above reset with every reply; the signal bounds the whole
        // send, which is what the outbox lease is measured against.
        await transporter.sendMail({ ...toMailOptions(message), signal: AbortSignal.timeout(sendTimeoutMs) });
      } catch (err) {
        const e = err as { message?: string; responseCode?: unknown; command?: unknown; code?: unknown };
        throw new MailSendError(
          e.message ?? String(err),
          typeof e.responseCode === 'number' ? e.responseCode : undefined,
          typeof e.command === 'string' ? e.command : undefined,
          typeof e.code === 'string' ? e.code : undefined,
        );
      }
    },
  };
}

/** `<msg_abc@hr-import>` → `msg_abc`: a file name that is the same for the same message. */
function fileNameFor(messageId: string): string {
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? '';
  const safe = local.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!safe) throw new Error('message id has no usable local part');
  return `${safe}.eml`;
}

export function fileTransport(dir: string): MailTransport {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(message) {
      const info = await composer.sendMail(toMailOptions(message));
      if (!Buffer.isBuffer(info.message)) throw new Error('stream transport returned no buffer');
      // Queued mail holds live invite links: a private folder, like the rest of the data folder.
      await ensurePrivateDirAsync(dir);
      const final = join(dir, fileNameFor(message.messageId));
      // Written beside the final name, synced, then renamed: readers (and a crash) see the whole
      // file or none of it, and a second write of the same message id replaces the first.
      // A leftover `.tmp` after a crash is ignored by anything that reads `*.eml`.
      const temp = join(dir, `.${fileNameFor(message.messageId)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const handle = await open(temp, 'w', 0o600);
        try {
          await handle.writeFile(info.message);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, final);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
  };
}

/** SMTP when SMTP_URL is set; otherwise `.eml` files in DATA_DIR/outbox. */
export function transportFromConfig(config: { smtpUrl: string | undefined; dataDir: string }): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(join(config.dataDir, 'outbox'));
}
